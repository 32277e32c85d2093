package ops

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/fixture"
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

// makeSample writes a fixture bundle.
func makeSample(t *testing.T, path string, spec fixture.Spec) *fixture.Result {
	t.Helper()
	res, err := fixture.WriteBundle(context.Background(), path, spec)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func bundleParam(path string, create bool) map[string]any {
	m := map[string]any{"path": path}
	if create {
		m["create"] = true
	}
	return m
}

// dump reads every table of a bundle as sorted row texts, leaving out what
// differs between two identical runs: ImportRun (returned apart), the
// identity columns a resumed history import may number differently
// (attribute rows name their record by GUID instead), the run ids, the new
// database's random InstallationId and EncryptionKeyId, and the generated
// key's id and time.
func dump(t *testing.T, path string) (tables map[string][]string, runs []map[string]data.Value) {
	t.Helper()
	b, err := bundle.OpenCommitted(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	ctx := context.Background()
	info, err := b.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	recGUID := map[int64]string{}
	if tb := info.Table("ChangeRecord"); tb != nil {
		ri, gi := tb.MustIndex("RecordId"), tb.MustIndex("RecordGuid")
		scanRows(t, b, "ChangeRecord", func(r data.Row) { recGUID[r[ri].Int] = r[gi].String() })
	}
	tables = map[string][]string{}
	for _, tb := range info.Tables {
		tb := tb
		if tb.Name == "ImportRun" {
			scanRows(t, b, tb.Name, func(r data.Row) {
				m := map[string]data.Value{}
				for i, c := range tb.Columns {
					m[c.Name] = r[i]
				}
				runs = append(runs, m)
			})
			continue
		}
		var rows []string
		scanRows(t, b, tb.Name, func(r data.Row) {
			var parts []string
			for i, c := range tb.Columns {
				v := r[i].String()
				switch {
				case c.Name == "ImportRunId", c.Identity:
					continue
				case tb.Name == "ChangeRecordAttribute" && c.Name == "RecordId":
					v = recGUID[r[i].Int]
				case tb.Name == "EncryptionKey" && (c.Name == "KeyId" || c.Name == "AddedUtc"):
					continue
				}
				parts = append(parts, c.Name+"="+v)
			}
			s := strings.Join(parts, " | ")
			if tb.Name == "Settings" && (strings.Contains(s, `Name="InstallationId"`) || strings.Contains(s, `Name="EncryptionKeyId"`)) {
				s = strings.SplitN(s, " | ", 2)[0]
			}
			rows = append(rows, s)
		})
		sort.Strings(rows)
		tables[tb.Name] = rows
	}
	return tables, runs
}

func scanRows(t *testing.T, b *bundle.Bundle, table string, f func(data.Row)) {
	t.Helper()
	rs, err := b.Scan(context.Background(), table)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	for rs.Next() {
		f(cloneRow(rs.Row()))
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
}

func cloneRow(r data.Row) data.Row {
	c := r.Clone()
	for i := range c {
		c[i].Str = strings.Clone(c[i].Str)
	}
	return c
}

func sameTables(t *testing.T, what string, got, want map[string][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d tables, want %d", what, len(got), len(want))
	}
	for name, w := range want {
		g := got[name]
		if len(g) != len(w) {
			t.Fatalf("%s: table %s has %d rows, want %d", what, name, len(g), len(w))
		}
		for i := range w {
			if g[i] != w[i] {
				t.Fatalf("%s: table %s differs:\n got %s\nwant %s", what, name, g[i], w[i])
			}
		}
	}
}

func outcomes(runs []map[string]data.Value) map[string]int {
	n := map[string]int{}
	for _, r := range runs {
		n[r["Outcome"].Str]++
	}
	return n
}

func describeOutcome(e engine.Event) string {
	if e.Error == nil {
		return fmt.Sprintf("%s (exit %d)", e.Outcome, e.ExitCode)
	}
	return fmt.Sprintf("%s (exit %d) %s %s: %s %s", e.Outcome, e.ExitCode, e.Error.Code, e.Error.Category, e.Error.Message, e.Error.Remedy)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var n []string
	for _, e := range ents {
		n = append(n, e.Name())
	}
	return n
}
