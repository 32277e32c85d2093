package bridge

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/engine"
)

func init() {
	engine.Register("bridge-test-ok", func(ctx context.Context, p json.RawMessage, em *engine.Emitter) error {
		return em.Result("Thing", map[string]int{"n": 1})
	})
	// Waits until cancelled, reporting progress so that readers see events.
	engine.Register("bridge-test-wait", func(ctx context.Context, p json.RawMessage, em *engine.Emitter) error {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
				em.Progress(engine.Progress{Activity: "waiting", Percent: -1})
			}
		}
	})
	engine.Register("bridge-test-short", func(ctx context.Context, p json.RawMessage, em *engine.Emitter) error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
			return nil
		}
	})
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func req(op string) []byte { return []byte(fmt.Sprintf(`{"operation":%q,"logFile":"-"}`, op)) }

func mustStart(t *testing.T, tb *Table, op string) int64 {
	t.Helper()
	h, e, st := tb.Start(req(op))
	if st != OK || h <= 0 {
		t.Fatalf("Start(%s) = %v, %d, %s", op, st, h, e)
	}
	return h
}

// untilOutcome reads events until the outcome and returns it.
func untilOutcome(t *testing.T, tb *Table, h int64) engine.Event {
	t.Helper()
	for range 1000 {
		b, st := tb.Next(h, 1000)
		if st == Timeout {
			continue
		}
		if st != OK {
			t.Fatalf("Next = %v before the outcome", st)
		}
		var ev engine.Event
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Type == engine.TypeOutcome {
			return ev
		}
	}
	t.Fatal("no outcome")
	return engine.Event{}
}

func TestGuardTurnsPanicIntoInternal(t *testing.T) {
	if st := Guard(func() Status { return Timeout }); st != Timeout {
		t.Fatalf("Guard passes %v", st)
	}
	if st := Guard(func() Status { panic("kaboom") }); st != Internal {
		t.Fatalf("Guard(panic) = %v", st)
	}
	if !strings.Contains(LastPanic(), "kaboom") {
		t.Fatalf("LastPanic = %q", LastPanic())
	}
	var info Info
	if err := json.Unmarshal(NewTable().Version(), &info); err != nil || !strings.Contains(info.LastPanic, "kaboom") {
		t.Fatalf("Version lastPanic %q, %v", info.LastPanic, err)
	}
}

func TestStatusNames(t *testing.T) {
	want := map[Status]string{OK: "ARU_OK", Timeout: "ARU_TIMEOUT", End: "ARU_END", BadHandle: "ARU_BAD_HANDLE",
		BadRequest: "ARU_BAD_REQUEST", Internal: "ARU_INTERNAL", NullArgument: "ARU_NULL_ARGUMENT"}
	vals := map[Status]int32{OK: 0, Timeout: 1, End: 2, BadHandle: -1, BadRequest: -2, Internal: -3, NullArgument: -4}
	for s, n := range want {
		if s.String() != n || int32(s) != vals[s] {
			t.Errorf("%d %s, want %d %s", int32(s), s, vals[s], n)
		}
	}
	if Status(42).String() != "Status(42)" {
		t.Error(Status(42).String())
	}
}

func TestLifecycle(t *testing.T) {
	tb := NewTable()
	h1 := mustStart(t, tb, "bridge-test-ok")
	h2 := mustStart(t, tb, "bridge-test-ok")
	if h1 != 1 || h2 != 2 {
		t.Fatalf("handles %d, %d; want 1, 2", h1, h2)
	}
	if tb.Open() != 2 {
		t.Fatalf("Open = %d", tb.Open())
	}
	if out := untilOutcome(t, tb, h1); out.Outcome != engine.Succeeded {
		t.Fatalf("outcome %+v", out)
	}
	if b, st := tb.Next(h1, 0); st != End || b != nil {
		t.Fatalf("Next after the outcome = %v %s", st, b)
	}
	if st := tb.Cancel(h1); st != OK {
		t.Fatalf("Cancel after the end = %v", st)
	}
	for _, h := range []int64{h1, h2} {
		if st := tb.Close(h); st != OK {
			t.Fatalf("Close(%d) = %v", h, st)
		}
	}
	for _, h := range []int64{h1, h2, 0, -5, 99} {
		if _, st := tb.Next(h, 0); st != BadHandle {
			t.Errorf("Next(%d) = %v", h, st)
		}
		if st := tb.Cancel(h); st != BadHandle {
			t.Errorf("Cancel(%d) = %v", h, st)
		}
		if st := tb.Close(h); st != BadHandle {
			t.Errorf("Close(%d) = %v", h, st)
		}
	}
	if h3 := mustStart(t, tb, "bridge-test-ok"); h3 != 3 {
		t.Fatalf("handle reused: %d", h3)
	} else {
		tb.Close(h3)
	}
	if tb.Open() != 0 {
		t.Fatalf("Open = %d", tb.Open())
	}
}

func TestBadRequestIsAFailedOutcome(t *testing.T) {
	tb := NewTable()
	for _, r := range []string{`nope`, `{"operation":"missing"}`, ``} {
		h, b, st := tb.Start([]byte(r))
		if st != BadRequest || h != 0 {
			t.Fatalf("Start(%q) = %v %d", r, st, h)
		}
		var ev engine.Event
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Type != engine.TypeOutcome || ev.Outcome != engine.Failed || ev.ExitCode != arerr.ExitInvalidInput ||
			ev.Error == nil || ev.Error.Code != "AR-REQUEST" {
			t.Fatalf("%s", b)
		}
	}
	if tb.Open() != 0 {
		t.Fatal("a bad request left a handle")
	}
}

func TestCancelAndCloseRunning(t *testing.T) {
	tb := NewTable()
	h := mustStart(t, tb, "bridge-test-wait")
	if _, st := tb.Next(h, 0); st != OK && st != Timeout {
		t.Fatalf("Next = %v", st)
	}
	tb.Cancel(h)
	if out := untilOutcome(t, tb, h); out.Outcome != engine.Cancelled || out.ExitCode != arerr.ExitCancelled {
		t.Fatalf("outcome %+v", out)
	}
	tb.Close(h)

	h = mustStart(t, tb, "bridge-test-wait")
	done := make(chan Status)
	go func() {
		for {
			if _, st := tb.Next(h, -1); st != OK {
				done <- st
				return
			}
		}
	}()
	time.Sleep(150 * time.Millisecond)
	if st := tb.Close(h); st != OK {
		t.Fatalf("Close = %v", st)
	}
	select {
	case st := <-done:
		if st != End && st != BadHandle {
			t.Fatalf("blocked reader got %v", st)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("reader not released")
	}
}

func TestTimeoutValues(t *testing.T) {
	tb := NewTable()
	h, _, st := tb.Start([]byte(`{"operation":"bridge-test-wait","logFile":"-","logLevel":"warn"}`))
	if st != OK {
		t.Fatal(st)
	}
	defer tb.Close(h)
	if _, st := tb.Next(h, 0); st != Timeout {
		t.Fatalf("Next(0) = %v", st)
	}
	t0 := time.Now()
	if _, st := tb.Next(h, 20); st != Timeout {
		t.Fatalf("Next(20) = %v", st)
	}
	if d := time.Since(t0); d < 15*time.Millisecond {
		t.Fatalf("Next(20 ms) returned after %v", d)
	}
}

func TestConcurrentUse(t *testing.T) {
	tb := NewTable()
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			op := []string{"bridge-test-ok", "bridge-test-short", "bridge-test-wait"}[i%3]
			h, _, st := tb.Start(req(op))
			if st != OK {
				t.Errorf("Start = %v", st)
				return
			}
			if op == "bridge-test-wait" {
				go tb.Cancel(h)
			}
			for {
				_, st := tb.Next(h, 10)
				if st == End {
					break
				}
				if st != OK && st != Timeout {
					t.Errorf("Next = %v", st)
					return
				}
			}
			if st := tb.Close(h); st != OK {
				t.Errorf("Close = %v", st)
			}
		}()
	}
	wg.Wait()
	if tb.Open() != 0 {
		t.Fatalf("Open = %d", tb.Open())
	}
}
