//go:build unix

package ops

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"

	"github.com/activeroles/arupgrade/core/engine"
)

// The tests of one writer per destination, full disks and kills run
// operations in real child processes: the test binary re-executed, running
// one request through the engine and printing its events as JSON lines.

const (
	childEnv       = "AR_OPS_TEST_CHILD"
	childOpEnv     = "AR_OPS_TEST_OP"
	childParamsEnv = "AR_OPS_TEST_PARAMS"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(childMain())
	}
	os.Exit(m.Run())
}

func childMain() int {
	req := engine.Request{Operation: os.Getenv(childOpEnv), Params: json.RawMessage(os.Getenv(childParamsEnv)), LogFile: "-"}
	w := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(w)
	out := engine.Run(context.Background(), req, func(e engine.Event) {
		_ = enc.Encode(e)
		_ = w.Flush() // the parent acts on each event as it comes
	})
	_ = enc.Encode(out)
	_ = w.Flush()
	return out.ExitCode
}

// child is an operation running in a child process.
type child struct {
	cmd     *exec.Cmd
	events  chan engine.Event // every event, the outcome last; closed at exit
	mu      sync.Mutex
	seen    []engine.Event
	done    chan struct{}
	outcome engine.Event
}

func startChild(t *testing.T, op string, params any) *child {
	t.Helper()
	raw, err := json.Marshal(params)
	if err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1", childOpEnv+"="+op, childParamsEnv+"="+string(raw))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, events: make(chan engine.Event, 1<<16), done: make(chan struct{})}
	go c.read(stdout)
	return c
}

func (c *child) read(r io.Reader) {
	defer close(c.done)
	defer close(c.events)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var e engine.Event
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue
		}
		c.mu.Lock()
		c.seen = append(c.seen, e)
		if e.Type == engine.TypeOutcome {
			c.outcome = e
		}
		c.mu.Unlock()
		select {
		case c.events <- e:
		default:
		}
	}
	_ = c.cmd.Wait()
}

// waitFor returns the first event for which ok holds (false: the child ended first).
func (c *child) waitFor(ok func(engine.Event) bool) bool {
	for e := range c.events {
		if ok(e) {
			return true
		}
	}
	return false
}

// wait waits for the child to end and returns its outcome and results.
func (c *child) wait(t *testing.T) (engine.Event, []engine.Event) {
	t.Helper()
	<-c.done
	c.mu.Lock()
	defer c.mu.Unlock()
	var results []engine.Event
	for _, e := range c.seen {
		if e.Type == engine.TypeResult {
			results = append(results, e)
		}
	}
	if c.outcome.Type == "" {
		t.Fatalf("the child printed no outcome (exit %v)", c.cmd.ProcessState)
	}
	if code := c.cmd.ProcessState.ExitCode(); code != c.outcome.ExitCode {
		t.Fatalf("exit code %d, outcome says %d", code, c.outcome.ExitCode)
	}
	return c.outcome, results
}

// killed reports whether the child died of a signal.
func (c *child) killed() bool {
	<-c.done
	ws, ok := c.cmd.ProcessState.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled()
}

func (c *child) signal(s syscall.Signal) { _ = c.cmd.Process.Signal(s) }

func pid(c *child) int { return c.cmd.Process.Pid }
