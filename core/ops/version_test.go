package ops

import (
	"context"
	"encoding/json"
	"runtime"
	"testing"
	"time"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/engine"
)

func run(t *testing.T, ctx context.Context, op, params string) ([]engine.Event, engine.Event) {
	t.Helper()
	req := engine.Request{Operation: op, LogFile: "-"}
	if params != "" {
		req.Params = json.RawMessage(params)
	}
	var evs []engine.Event
	out := engine.Run(ctx, req, func(e engine.Event) { evs = append(evs, e) })
	return evs, out
}

func results(evs []engine.Event) []engine.Event {
	var r []engine.Event
	for _, e := range evs {
		if e.Type == engine.TypeResult {
			r = append(r, e)
		}
	}
	return r
}

func TestVersionOperation(t *testing.T) {
	evs, out := run(t, context.Background(), "version", "")
	if out.Outcome != engine.Succeeded {
		t.Fatalf("outcome %+v", out)
	}
	r := results(evs)
	if len(r) != 1 || r[0].ResultType != "VersionInfo" {
		t.Fatalf("results %+v", r)
	}
	var v VersionInfo
	if err := json.Unmarshal(r[0].Data, &v); err != nil {
		t.Fatal(err)
	}
	if v.Version != engine.Version || v.ABI != engine.ABI || v.GoVersion != runtime.Version() ||
		v.OS != runtime.GOOS || v.Arch != runtime.GOARCH {
		t.Fatalf("VersionInfo %+v", v)
	}
	found := map[string]bool{}
	for _, op := range v.Operations {
		found[op] = true
	}
	if !found["version"] || !found["sleep"] {
		t.Fatalf("operations %v", v.Operations)
	}
	// The JSON names are the documented ones.
	var m map[string]any
	_ = json.Unmarshal(r[0].Data, &m)
	for _, k := range []string{"version", "abi", "goVersion", "os", "arch"} {
		if _, ok := m[k]; !ok {
			t.Errorf("VersionInfo JSON lacks %q: %s", k, r[0].Data)
		}
	}
}

func TestSleepRunsToItsEnd(t *testing.T) {
	t0 := time.Now()
	evs, out := run(t, context.Background(), "sleep", `{"seconds":0.35}`)
	if d := time.Since(t0); d < 350*time.Millisecond || d > 3*time.Second {
		t.Fatalf("slept %v", d)
	}
	if out.Outcome != engine.Succeeded {
		t.Fatalf("outcome %+v", out)
	}
	var progress, completed int
	for _, e := range evs {
		if e.Type == engine.TypeProgress {
			progress++
			if e.Completed {
				completed++
			}
			if e.Percent < 0 || e.Percent > 100 {
				t.Errorf("percent %v", e.Percent)
			}
		}
	}
	if progress < 3 || completed != 1 {
		t.Fatalf("%d progress events, %d completed: %+v", progress, completed, evs)
	}
	if r := results(evs); len(r) != 1 || r[0].ResultType != "SleepResult" || string(r[0].Data) != `{"seconds":0.35}` {
		t.Fatalf("results %+v", r)
	}
}

func TestSleepZeroAndNoParams(t *testing.T) {
	for _, p := range []string{"", "null", `{}`, `{"seconds":0}`} {
		if _, out := run(t, context.Background(), "sleep", p); out.Outcome != engine.Succeeded {
			t.Errorf("params %q: outcome %+v", p, out)
		}
	}
}

func TestSleepIsCancelled(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	t0 := time.Now()
	_, out := run(t, ctx, "sleep", `{"seconds":60}`)
	if out.Outcome != engine.Cancelled || out.ExitCode != arerr.ExitCancelled {
		t.Fatalf("outcome %+v", out)
	}
	if d := time.Since(t0); d > 2*time.Second {
		t.Fatalf("cancel took %v", d)
	}
}

func TestSleepRejectsBadParams(t *testing.T) {
	for _, p := range []string{`{"seconds":-1}`, `{"seconds":3601}`, `{"seconds":"x"}`, `{"secs":1}`, `[1]`} {
		_, out := run(t, context.Background(), "sleep", p)
		if out.Outcome != engine.Failed || out.ExitCode != arerr.ExitInvalidInput || out.Error == nil ||
			out.Error.Code != "AR-PARAMS" || out.Error.Category != arerr.CatInvalidArgument {
			t.Errorf("params %s: outcome %+v", p, out)
		}
	}
}
