package engine

import (
	"github.com/activeroles/arupgrade/core/arerr"

	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func init() {
	Register("test-ok", func(ctx context.Context, p json.RawMessage, em *Emitter) error {
		em.Log().Info().Str("what", "thing").Msg("did a thing")
		em.Warn("AR-W999", "careful")
		em.Progress(Progress{Activity: "a", Percent: 50})
		return em.Result("Thing", map[string]int{"n": 1})
	})
	Register("test-fail", func(ctx context.Context, p json.RawMessage, em *Emitter) error {
		return arerr.Errorf("AR-E002", arerr.CatInvalidData, "Upgrade first.", "Active Roles 6.9 is not supported.")
	})
	Register("test-plain-error", func(ctx context.Context, p json.RawMessage, em *Emitter) error {
		return errors.New("disk on fire")
	})
	Register("test-panic", func(ctx context.Context, p json.RawMessage, em *Emitter) error {
		panic("boom")
	})
	Register("test-wait", func(ctx context.Context, p json.RawMessage, em *Emitter) error {
		<-ctx.Done()
		return ctx.Err()
	})
}

func collect(t *testing.T, req Request) ([]Event, Event) {
	t.Helper()
	var evs []Event
	out := Run(context.Background(), req, func(e Event) { evs = append(evs, e) })
	if len(evs) == 0 || evs[len(evs)-1].Type != TypeOutcome {
		t.Fatalf("last event is not the outcome: %+v", evs)
	}
	return evs, out
}

func TestOutcomes(t *testing.T) {
	tests := []struct {
		op       string
		outcome  string
		code     string
		exit     int
		category string
	}{
		{"test-ok", Succeeded, "", arerr.ExitOK, ""},
		{"test-fail", Failed, "AR-E002", arerr.ExitPreflight, arerr.CatInvalidData},
		{"test-plain-error", Failed, "AR-FAILED", arerr.ExitFailed, arerr.CatNotSpecified},
		{"test-panic", Failed, "AR-INTERNAL", arerr.ExitFailed, arerr.CatNotSpecified},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			_, out := collect(t, Request{Operation: tt.op, LogFile: "-"})
			if out.Outcome != tt.outcome || out.ExitCode != tt.exit {
				t.Fatalf("outcome %s exit %d, want %s %d", out.Outcome, out.ExitCode, tt.outcome, tt.exit)
			}
			if tt.code != "" && (out.Error == nil || out.Error.Code != tt.code || out.Error.Category != tt.category) {
				t.Fatalf("error %+v, want code %s category %s", out.Error, tt.code, tt.category)
			}
		})
	}
}

func TestEventsOfASuccessfulJob(t *testing.T) {
	logFile := filepath.Join(t.TempDir(), "logs", "run.log")
	evs, out := collect(t, Request{Operation: "test-ok", LogFile: logFile})
	seen := map[string]int{}
	for _, e := range evs {
		seen[e.Type]++
		if e.Type == TypeResult && (e.ResultType != "Thing" || string(e.Data) != `{"n":1}`) {
			t.Errorf("result event %+v", e)
		}
		if e.Type == TypeWarning && e.Code != "AR-W999" {
			t.Errorf("warning %+v", e)
		}
	}
	for _, typ := range []string{TypeLog, TypeWarning, TypeResult, TypeProgress, TypeOutcome} {
		if seen[typ] == 0 {
			t.Errorf("no %s event in %+v", typ, evs)
		}
	}
	if out.LogPath != logFile {
		t.Fatalf("log path %q, want %q", out.LogPath, logFile)
	}
	b, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"message":"did a thing"`) || !strings.Contains(string(b), `"code":"AR-W999"`) {
		t.Fatalf("log file lacks the lines: %s", b)
	}
}

func TestCancelEndsWithCancelledOutcome(t *testing.T) {
	j := Start(context.Background(), Request{Operation: "test-wait", LogFile: "-"})
	if _, st := j.Next(20 * time.Millisecond); st == NextEnd {
		t.Fatal("job ended before cancel")
	}
	j.Cancel()
	out := j.Wait()
	if out.Outcome != Cancelled || out.ExitCode != arerr.ExitCancelled {
		t.Fatalf("outcome %+v", out)
	}
	if _, st := j.Next(0); st != NextEnd {
		t.Fatalf("Next after the end: %v", st)
	}
}

func TestParseRequestRejectsUnknownOperation(t *testing.T) {
	if _, err := ParseRequest([]byte(`{"operation":"nope"}`)); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Fatalf("err = %v", err)
	}
	if _, err := ParseRequest([]byte(`{oops`)); err == nil {
		t.Fatal("bad JSON accepted")
	}
}

// A request that cannot start is reported like a failed job by every front end.
func TestRequestOutcome(t *testing.T) {
	_, err := ParseRequest([]byte(`{"operation":"nope"}`))
	ev := RequestOutcome(err)
	if ev.Type != TypeOutcome || ev.Outcome != Failed || ev.ExitCode != arerr.ExitInvalidInput || ev.Error == nil || ev.Error.Code != "AR-REQUEST" {
		t.Fatalf("outcome %+v", ev)
	}
}

// TestLogFileThatCannotBeWritten: a log file whose writes fail (a full disk;
// /dev/full here) does not disturb the run: it succeeds, one AR-W007 warning
// names the file, and zerolog prints nothing raw on stderr.
func TestLogFileThatCannotBeWritten(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full on this system")
	}
	stderr := captureStderr(t)
	evs, out := collect(t, Request{Operation: "test-ok", LogFile: "/dev/full"})
	if out.Outcome != Succeeded || out.ExitCode != arerr.ExitOK {
		t.Fatalf("outcome %+v %+v", out, out.Error)
	}
	var warnings []Event
	for _, e := range evs {
		if e.Type == TypeWarning && e.Code == WarnLogFile {
			warnings = append(warnings, e)
		}
	}
	if len(warnings) != 1 {
		t.Fatalf("got %d AR-W007 warnings, want exactly 1: %+v", len(warnings), warnings)
	}
	if msg := warnings[0].Message; !strings.Contains(msg, "/dev/full") || !strings.Contains(msg, "no space left") {
		t.Errorf("warning %q does not say which file and why", msg)
	}
	// The operation's own warning and result still arrive.
	var sawOwn, sawResult bool
	for _, e := range evs {
		sawOwn = sawOwn || (e.Type == TypeWarning && e.Code == "AR-W999")
		sawResult = sawResult || e.Type == TypeResult
	}
	if !sawOwn || !sawResult {
		t.Errorf("events after the log failure are missing: %+v", evs)
	}
	if s := stderr(); s != "" {
		t.Errorf("stderr = %q, want nothing (no raw zerolog errors)", s)
	}
}

// TestDefaultLogFolderThatCannotBeCreated: when the default log folder cannot
// be made (the caller named no file), the run goes on with one AR-W007 warning
// naming where; a log file the caller named and that cannot be opened is still
// refused before anything runs (AR-LOGFILE, exit 2).
func TestDefaultLogFolderThatCannotBeCreated(t *testing.T) {
	blocker := filepath.Join(t.TempDir(), "not-a-folder")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_STATE_HOME", blocker)
	t.Setenv("LOCALAPPDATA", blocker)
	evs, out := collect(t, Request{Operation: "test-ok"})
	if out.Outcome != Succeeded || out.LogPath != "" {
		t.Fatalf("outcome %+v %+v", out, out.Error)
	}
	n := 0
	for _, e := range evs {
		if e.Type == TypeWarning && e.Code == WarnLogFile {
			n++
			if !strings.Contains(e.Message, blocker) {
				t.Errorf("warning %q does not name the place", e.Message)
			}
		}
	}
	if n != 1 {
		t.Errorf("got %d AR-W007 warnings, want 1", n)
	}
	_, out = collect(t, Request{Operation: "test-ok", LogFile: filepath.Join(blocker, "x.log")})
	if out.Outcome != Failed || out.Error.Code != "AR-LOGFILE" || out.ExitCode != arerr.ExitInvalidInput {
		t.Fatalf("explicit unopenable log file: %+v %+v", out, out.Error)
	}
}

// captureStderr redirects os.Stderr until the returned function is called,
// which returns what was written.
func captureStderr(t *testing.T) func() string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stderr
	os.Stderr = w
	done := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		done <- string(b)
	}()
	restored := false
	restore := func() string {
		if restored {
			return ""
		}
		restored = true
		os.Stderr = old
		w.Close()
		return <-done
	}
	t.Cleanup(func() { restore() })
	return restore
}
