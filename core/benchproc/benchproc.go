// Package benchproc runs one benchmark scenario in a child process, so that
// the child's peak resident set size (getrusage ru_maxrss) and CPU time
// belong to that scenario alone.
//
// The host executable (the arupgrade CLI, or a test binary) must call
// ChildMain as early as possible in main:
//
//	if benchproc.IsChild() {
//	    os.Exit(benchproc.ChildMain())
//	}
//
// A scenario travels in the environment variable Env as {"kind":…,"spec":…};
// the child runs the function registered for kind and prints its JSON result
// as the last line of stdout.
package benchproc

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
)

// Env carries the scenario to the child.
const Env = "ARUPGRADE_BENCH_CHILD"

// Arg replaces the parent's arguments in the child, so the CLI's flag
// parsing never sees them.
const Arg = "__bench-child"

// Func runs one scenario in the child and returns its measurement.
type Func func(ctx context.Context, spec json.RawMessage) (any, error)

var (
	mu    sync.Mutex
	kinds = map[string]Func{}
)

// Register makes a scenario kind runnable in children (call it from init).
func Register(kind string, f Func) {
	mu.Lock()
	defer mu.Unlock()
	kinds[kind] = f
}

// IsChild reports whether this process is a benchmark child.
func IsChild() bool { return os.Getenv(Env) != "" }

type envelope struct {
	Kind string          `json:"kind"`
	Spec json.RawMessage `json:"spec"`
}

// ChildMain runs the scenario named by Env and returns the exit code.
func ChildMain() int {
	var e envelope
	if err := json.Unmarshal([]byte(os.Getenv(Env)), &e); err != nil {
		fmt.Fprintf(os.Stderr, "benchmark child: bad %s: %v\n", Env, err)
		return 2
	}
	mu.Lock()
	f, ok := kinds[e.Kind]
	mu.Unlock()
	if !ok {
		fmt.Fprintf(os.Stderr, "benchmark child: unknown scenario kind %q\n", e.Kind)
		return 2
	}
	out, err := f(context.Background(), e.Spec)
	if err != nil {
		fmt.Fprintf(os.Stderr, "benchmark child %s: %v\n", e.Kind, err)
		return 1
	}
	b, err := json.Marshal(out)
	if err != nil {
		fmt.Fprintf(os.Stderr, "benchmark child %s: %v\n", e.Kind, err)
		return 1
	}
	fmt.Println(string(b))
	return 0
}

// Usage is what the operating system measured of a child.
type Usage struct {
	PeakRSSBytes int64   // 0 where the system does not say
	CPUSeconds   float64 // user + system
}

// Run starts exe as a child running the scenario (kind, spec), decodes the
// child's last stdout line into out and returns its resource usage.
func Run(ctx context.Context, exe, kind string, spec any, extraEnv []string, out any) (Usage, error) {
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return Usage{}, fmt.Errorf("benchmark: find this executable: %w", err)
		}
	}
	s, err := json.Marshal(spec)
	if err != nil {
		return Usage{}, err
	}
	env, _ := json.Marshal(envelope{Kind: kind, Spec: s})
	cmd := exec.CommandContext(ctx, exe, Arg)
	cmd.Env = append(append(os.Environ(), extraEnv...), Env+"="+string(env))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return Usage{}, err
	}
	if err := cmd.Start(); err != nil {
		return Usage{}, fmt.Errorf("benchmark: start %s: %w", kind, err)
	}
	var line string
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	for sc.Scan() {
		line = sc.Text() // the last line is the measurement
	}
	if err := cmd.Wait(); err != nil {
		return Usage{}, fmt.Errorf("benchmark %s failed: %w: %s", kind, err, strings.TrimSpace(stderr.String()))
	}
	if err := json.Unmarshal([]byte(line), out); err != nil {
		return Usage{}, fmt.Errorf("benchmark %s: unexpected output %q", kind, line)
	}
	u := Usage{CPUSeconds: (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()}
	u.PeakRSSBytes, _ = peakRSS(cmd.ProcessState)
	return u, nil
}
