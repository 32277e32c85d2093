//go:build linux || darwin

package abitest_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/cshim/abitest"
	"github.com/activeroles/arupgrade/cshim/internal/bridge"
)

var (
	libDir  string // where TestMain built the library and cgo's generated header
	repoDir string // the module root
)

// TestMain builds the library with `go build -buildmode=c-shared` (without
// -race: one race runtime per process) and loads it once.
func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "abitest:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	wd, err := os.Getwd()
	if err != nil {
		return 0, err
	}
	repoDir = filepath.Join(wd, "..", "..")
	// The library is built from sources this test binary does not link; read
	// them so that `go test` caching sees a change to them.
	for _, glob := range []string{"cshim/*.go", "cshim/*.h", "core/ops/*.go", "core/engine/*.go"} {
		files, _ := filepath.Glob(filepath.Join(repoDir, glob))
		for _, f := range files {
			if _, err := os.ReadFile(f); err != nil {
				return 0, err
			}
		}
	}
	libDir, err = os.MkdirTemp("", "abitest")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(libDir)
	lib := filepath.Join(libDir, "libarupgrade.so")
	// go test puts its own GOROOT/bin first on PATH.
	cmd := exec.Command("go", "build", "-buildmode=c-shared",
		"-ldflags=-X github.com/activeroles/arupgrade/core/engine.Version=9.8.7-abitest", "-o", lib, "./cshim")
	cmd.Dir = repoDir
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("build the library: %w", err)
	}
	if err := abitest.Load(lib); err != nil {
		return 0, err
	}
	code := m.Run()
	if code == 0 {
		if n := openJobs(nil); n != 0 {
			fmt.Fprintf(os.Stderr, "abitest: %d job handle(s) left open after the tests\n", n)
			code = 1
		}
	}
	return code, nil
}

type versionJSON struct {
	Version   string `json:"version"`
	ABI       int    `json:"abi"`
	GoVersion string `json:"goVersion"`
	OS        string `json:"os"`
	Arch      string `json:"arch"`
	OpenJobs  int    `json:"openJobs"`
	LastPanic string `json:"lastPanic"`
}

func libVersion(t *testing.T) versionJSON {
	if t != nil {
		t.Helper()
	}
	s, st := abitest.Version()
	var v versionJSON
	if st != abitest.OK {
		if t != nil {
			t.Fatalf("aru_version = %d", st)
		}
		return versionJSON{OpenJobs: -1}
	}
	if err := json.Unmarshal([]byte(s), &v); err != nil && t != nil {
		t.Fatalf("aru_version JSON %q: %v", s, err)
	}
	return v
}

func openJobs(t *testing.T) int { return libVersion(t).OpenJobs }

// start starts a job that writes no log file and closes it when the test ends.
func start(t *testing.T, op string, params string) int64 {
	t.Helper()
	req := fmt.Sprintf(`{"operation":%q,"logFile":"-"`, op)
	if params != "" {
		req += `,"params":` + params
	}
	h, errJSON, st := abitest.Start(req + "}")
	if st != abitest.OK || h <= 0 {
		t.Fatalf("aru_start(%s) = %d, handle %d, %s", req, st, h, errJSON)
	}
	t.Cleanup(func() { abitest.Close(h) })
	return h
}

// drain reads events until the outcome, failing after the deadline.
func drain(t *testing.T, h int64, within time.Duration) (events []engine.Event, outcome engine.Event) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		s, st, stray := abitest.Next(h, 50)
		if stray {
			t.Fatalf("aru_next_event left out_event_json set with status %d", st)
		}
		switch st {
		case abitest.Timeout:
			continue
		case abitest.OK:
		default:
			t.Fatalf("aru_next_event = %d before the outcome", st)
		}
		var ev engine.Event
		if err := json.Unmarshal([]byte(s), &ev); err != nil {
			t.Fatalf("event %q: %v", s, err)
		}
		events = append(events, ev)
		if ev.Type == engine.TypeOutcome {
			return events, ev
		}
	}
	t.Fatalf("no outcome within %v; events %+v", within, events)
	return nil, engine.Event{}
}

// The library's description matches the build and the ABI version.
func TestVersion(t *testing.T) {
	v := libVersion(t)
	if v.Version != "9.8.7-abitest" || v.ABI != engine.ABI || v.OS != runtime.GOOS || v.Arch != runtime.GOARCH ||
		!strings.HasPrefix(v.GoVersion, "go") {
		t.Fatalf("aru_version = %+v", v)
	}
	if st := abitest.VersionNullOut(); st != abitest.NullArgument {
		t.Fatalf("aru_version(NULL) = %d, want ARU_NULL_ARGUMENT", st)
	}
}

// The version operation runs to a succeeded outcome with one VersionInfo
// result; after the outcome aru_next_event says ARU_END, and a closed handle is bad.
func TestVersionOperation(t *testing.T) {
	h, _, st := abitest.Start(`{"operation":"version","logFile":"-"}`)
	if st != abitest.OK {
		t.Fatalf("aru_start = %d", st)
	}
	events, out := drain(t, h, 5*time.Second)
	if out.Outcome != engine.Succeeded || out.ExitCode != 0 || out.Error != nil {
		t.Fatalf("outcome %+v", out)
	}
	var results []engine.Event
	for _, ev := range events {
		if ev.Type == engine.TypeResult {
			results = append(results, ev)
		}
	}
	if len(results) != 1 || results[0].ResultType != "VersionInfo" {
		t.Fatalf("results %+v", results)
	}
	var info struct {
		Version    string   `json:"version"`
		ABI        int      `json:"abi"`
		GoVersion  string   `json:"goVersion"`
		OS         string   `json:"os"`
		Arch       string   `json:"arch"`
		Operations []string `json:"operations"`
	}
	if err := json.Unmarshal(results[0].Data, &info); err != nil {
		t.Fatal(err)
	}
	if info.Version != "9.8.7-abitest" || info.ABI != engine.ABI || info.OS != runtime.GOOS || info.Arch != runtime.GOARCH ||
		!strings.HasPrefix(info.GoVersion, "go") || !contains(info.Operations, "version") || !contains(info.Operations, "sleep") {
		t.Fatalf("VersionInfo %+v", info)
	}
	for range 3 {
		if _, st, stray := abitest.Next(h, 0); st != abitest.End || stray {
			t.Fatalf("aru_next_event after the outcome = %d (stray out %v), want ARU_END", st, stray)
		}
	}
	if _, st, _ := abitest.Next(h, -1); st != abitest.End {
		t.Fatalf("aru_next_event(-1) after the outcome = %d, want ARU_END", st)
	}
	if st := abitest.Cancel(h); st != abitest.OK {
		t.Fatalf("aru_cancel of a finished job = %d, want ARU_OK", st)
	}
	if st := abitest.Close(h); st != abitest.OK {
		t.Fatalf("aru_close = %d", st)
	}
	if st := abitest.Close(h); st != abitest.BadHandle {
		t.Fatalf("second aru_close = %d, want ARU_BAD_HANDLE", st)
	}
	if _, st, _ := abitest.Next(h, 0); st != abitest.BadHandle {
		t.Fatalf("aru_next_event on a closed handle = %d", st)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// A request that is not JSON or names an unknown operation starts no job and
// returns ARU_BAD_REQUEST with a failed-outcome JSON (when asked for).
func TestBadRequest(t *testing.T) {
	before := openJobs(t)
	for _, req := range []string{`{oops`, ``, `[]`, `{"operation":"no-such-op"}`, `{"operation":""}`, "{\"operation\":\"\xff\"}"} {
		h, errJSON, st := abitest.Start(req)
		if st != abitest.BadRequest || h != 0 {
			t.Fatalf("aru_start(%q) = %d, handle %d; want ARU_BAD_REQUEST, 0", req, st, h)
		}
		var ev engine.Event
		if err := json.Unmarshal([]byte(errJSON), &ev); err != nil {
			t.Fatalf("error JSON %q: %v", errJSON, err)
		}
		if ev.Type != engine.TypeOutcome || ev.Outcome != engine.Failed || ev.ExitCode != arerr.ExitInvalidInput ||
			ev.Error == nil || ev.Error.Code != "AR-REQUEST" || ev.Error.Category != arerr.CatInvalidArgument || ev.Error.Message == "" {
			t.Fatalf("error JSON for %q: %s", req, errJSON)
		}
		if h, st := abitest.StartNoDetails(req); st != abitest.BadRequest || h != 0 {
			t.Fatalf("aru_start(%q, out_event_json NULL) = %d, handle %d", req, st, h)
		}
	}
	if !strings.Contains(mustStartErr(t, `{"operation":"no-such-op"}`), "no-such-op") {
		t.Fatal("the error does not name the unknown operation")
	}
	// out_event_json is written only for ARU_BAD_REQUEST.
	h, untouched, st := abitest.StartLeavesOutAlone(`{"operation":"version","logFile":"-"}`)
	if st != abitest.OK || !untouched {
		t.Fatalf("aru_start ok: status %d, out_event_json untouched %v", st, untouched)
	}
	abitest.Close(h)
	if after := openJobs(t); after != before {
		t.Fatalf("open jobs %d → %d", before, after)
	}
}

func mustStartErr(t *testing.T, req string) string {
	t.Helper()
	_, s, _ := abitest.Start(req)
	return s
}

// Zero, negative, unknown and closed handles are ARU_BAD_HANDLE, never a crash.
func TestBadHandles(t *testing.T) {
	closed := start(t, "version", "")
	abitest.Close(closed)
	for _, h := range []int64{0, -1, -1 << 63, 1<<63 - 1, 123456789, closed} {
		if _, st, stray := abitest.Next(h, 0); st != abitest.BadHandle || stray {
			t.Errorf("aru_next_event(%d) = %d (stray out %v)", h, st, stray)
		}
		if _, st, _ := abitest.Next(h, -1); st != abitest.BadHandle {
			t.Errorf("aru_next_event(%d, -1) = %d", h, st)
		}
		if st := abitest.Cancel(h); st != abitest.BadHandle {
			t.Errorf("aru_cancel(%d) = %d", h, st)
		}
		if st := abitest.Close(h); st != abitest.BadHandle {
			t.Errorf("aru_close(%d) = %d", h, st)
		}
	}
}

// NULL required pointers are ARU_NULL_ARGUMENT; aru_free(NULL) is harmless.
func TestNullArguments(t *testing.T) {
	if st := abitest.StartNullRequest(); st != abitest.NullArgument {
		t.Errorf("aru_start(NULL, …) = %d", st)
	}
	before := openJobs(t)
	if st := abitest.StartNullHandle(`{"operation":"version","logFile":"-"}`); st != abitest.NullArgument {
		t.Errorf("aru_start(req, NULL, …) = %d", st)
	}
	if after := openJobs(t); after != before {
		t.Errorf("aru_start with a NULL handle pointer started a job (%d → %d open)", before, after)
	}
	h := start(t, "version", "")
	if st := abitest.NextNullOut(h); st != abitest.NullArgument {
		t.Errorf("aru_next_event(h, 0, NULL) = %d", st)
	}
	abitest.FreeNull()
	// The event was not consumed by the NULL call: the outcome still comes.
	if _, out := drain(t, h, 5*time.Second); out.Outcome != engine.Succeeded {
		t.Errorf("outcome %+v", out)
	}
}

// A job with no event yet answers ARU_TIMEOUT after about the timeout.
func TestTimeout(t *testing.T) {
	h, _, st := abitest.Start(`{"operation":"sleep","params":{"seconds":5},"logFile":"-","logLevel":"warn"}`)
	if st != abitest.OK {
		t.Fatalf("aru_start = %d", st)
	}
	defer abitest.Close(h)
	if _, st, stray := abitest.Next(h, 0); st != abitest.Timeout || stray {
		t.Fatalf("aru_next_event(0) = %d (stray %v), want ARU_TIMEOUT", st, stray)
	}
	t0 := time.Now()
	if _, st, _ := abitest.Next(h, 30); st != abitest.Timeout {
		t.Fatalf("aru_next_event(30) = %d, want ARU_TIMEOUT", st)
	}
	if d := time.Since(t0); d < 25*time.Millisecond || d > 90*time.Millisecond {
		t.Fatalf("aru_next_event(30 ms) took %v", d)
	}
}

// Cancelling a long job ends it promptly with the "cancelled" outcome (exit 130).
func TestCancelLongJob(t *testing.T) {
	h := start(t, "sleep", `{"seconds":60}`)
	// Wait for the job to be running: its first progress event.
	for {
		s, st, _ := abitest.Next(h, 2000)
		if st != abitest.OK {
			t.Fatalf("no progress from sleep: %d", st)
		}
		if strings.Contains(s, `"type":"progress"`) {
			break
		}
	}
	t0 := time.Now()
	if st := abitest.Cancel(h); st != abitest.OK {
		t.Fatalf("aru_cancel = %d", st)
	}
	if st := abitest.Cancel(h); st != abitest.OK {
		t.Fatalf("second aru_cancel = %d", st)
	}
	_, out := drain(t, h, 5*time.Second)
	if out.Outcome != engine.Cancelled || out.ExitCode != arerr.ExitCancelled || out.Error == nil ||
		out.Error.Category != arerr.CatOperationStopped {
		t.Fatalf("outcome %+v", out)
	}
	if d := time.Since(t0); d > time.Second {
		t.Fatalf("cancel took %v", d)
	}
	if _, st, _ := abitest.Next(h, 0); st != abitest.End {
		t.Fatalf("after the outcome: %d, want ARU_END", st)
	}
}

// aru_close on a running job cancels it, waits for it and frees the handle;
// a reader blocked in aru_next_event on another thread is released.
func TestCloseRunningJob(t *testing.T) {
	before := libVersion(t).OpenJobs
	h, _, st := abitest.Start(`{"operation":"sleep","params":{"seconds":60},"logFile":"-"}`)
	if st != abitest.OK {
		t.Fatalf("aru_start = %d", st)
	}
	if n := openJobs(t); n != before+1 {
		t.Fatalf("open jobs %d, want %d", n, before+1)
	}
	reader := make(chan int32)
	go func() {
		for {
			_, st, _ := abitest.Next(h, -1) // blocks in C until an event or the end
			if st != abitest.OK {
				reader <- st
				return
			}
		}
	}()
	time.Sleep(250 * time.Millisecond)
	t0 := time.Now()
	if st := abitest.Close(h); st != abitest.OK {
		t.Fatalf("aru_close = %d", st)
	}
	if d := time.Since(t0); d > time.Second {
		t.Fatalf("aru_close took %v", d)
	}
	select {
	case st := <-reader:
		if st != abitest.End && st != abitest.BadHandle {
			t.Fatalf("blocked reader got %d, want ARU_END or ARU_BAD_HANDLE", st)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("a reader blocked in aru_next_event was not released by aru_close")
	}
	if n := openJobs(t); n != before {
		t.Fatalf("open jobs %d after close, want %d", n, before)
	}
	if st := abitest.Cancel(h); st != abitest.BadHandle {
		t.Fatalf("aru_cancel after close = %d", st)
	}
}

// Many jobs run at once from many threads, each gets its own events and
// outcome, and afterwards no handle is left open (a closed handle's job
// goroutine has ended: bridge's goleak test proves that part).
func TestManyConcurrentJobs(t *testing.T) {
	base := libVersion(t)
	const n = 64
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread() // spread the calls over OS threads
			defer runtime.UnlockOSThread()
			errs <- oneJob(i)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if v := libVersion(t); v.OpenJobs != base.OpenJobs {
		t.Fatalf("open jobs %d, want %d", v.OpenJobs, base.OpenJobs)
	}
}

// oneJob runs job i: even ones are "version", odd ones a short sleep, every
// fourth cancelled and every eighth closed while running.
func oneJob(i int) error {
	op, params := `"version"`, `null`
	if i%2 == 1 {
		op, params = `"sleep"`, `{"seconds":0.3}`
	}
	h, errJSON, st := abitest.Start(fmt.Sprintf(`{"operation":%s,"params":%s,"logFile":"-"}`, op, params))
	if st != abitest.OK {
		return fmt.Errorf("job %d: aru_start = %d %s", i, st, errJSON)
	}
	if i%8 == 7 {
		if st := abitest.Close(h); st != abitest.OK {
			return fmt.Errorf("job %d: aru_close while running = %d", i, st)
		}
		return nil
	}
	if i%4 == 3 {
		abitest.Cancel(h)
	}
	want := engine.Succeeded
	if i%4 == 3 {
		want = engine.Cancelled
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		s, st, _ := abitest.Next(h, 100)
		if st == abitest.Timeout {
			continue
		}
		if st != abitest.OK {
			return fmt.Errorf("job %d: aru_next_event = %d before the outcome", i, st)
		}
		var ev engine.Event
		if err := json.Unmarshal([]byte(s), &ev); err != nil {
			return fmt.Errorf("job %d: %v", i, err)
		}
		if ev.Type != engine.TypeOutcome {
			continue
		}
		if ev.Outcome != want {
			return fmt.Errorf("job %d (%s): outcome %s, want %s", i, op, ev.Outcome, want)
		}
		if _, st, _ := abitest.Next(h, 0); st != abitest.End {
			return fmt.Errorf("job %d: after the outcome %d", i, st)
		}
		if st := abitest.Close(h); st != abitest.OK {
			return fmt.Errorf("job %d: aru_close = %d", i, st)
		}
		return nil
	}
	abitest.Close(h)
	return fmt.Errorf("job %d: no outcome", i)
}

// arupgrade.h declares exactly the functions cgo exports, with the same
// types (modulo const), and its status values are the bridge's.
func TestHeaderMatchesExports(t *testing.T) {
	ours, err := os.ReadFile(filepath.Join(repoDir, "cshim", "arupgrade.h"))
	if err != nil {
		t.Fatal(err)
	}
	generated, err := os.ReadFile(filepath.Join(libDir, "libarupgrade.h"))
	if err != nil {
		t.Fatal(err)
	}
	decl := regexp.MustCompile(`(?m)^(?:extern\s+)?(?:int32_t|void)\s+aru_\w+\([^)]*\);`)
	norm := func(src []byte) []string {
		var out []string
		for _, d := range decl.FindAllString(string(src), -1) {
			d = strings.TrimPrefix(d, "extern")
			d = strings.ReplaceAll(d, "const ", "")
			out = append(out, strings.Join(strings.Fields(strings.NewReplacer("*", " * ", "(", " ( ", ")", " ) ", ",", " , ").Replace(d)), " "))
		}
		sort.Strings(out)
		return out
	}
	a, b := norm(ours), norm(generated)
	if len(a) != 6 || strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Fatalf("arupgrade.h:\n%s\ncgo exports:\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
	def := regexp.MustCompile(`(?m)^#define\s+(ARU_[A-Z_]+)\s+\(?(-?\d+)\)?`)
	seen := 0
	for _, m := range def.FindAllStringSubmatch(string(ours), -1) {
		if m[1] == "ARU_ABI_VERSION" {
			if m[2] != strconv.Itoa(engine.ABI) {
				t.Errorf("ARU_ABI_VERSION %s, engine.ABI %d", m[2], engine.ABI)
			}
			continue
		}
		v, _ := strconv.Atoi(m[2])
		if got := bridge.Status(v).String(); got != m[1] {
			t.Errorf("%s = %d in arupgrade.h, but the bridge calls %d %s", m[1], v, v, got)
		}
		seen++
	}
	if seen != 7 {
		t.Errorf("arupgrade.h defines %d statuses, want 7", seen)
	}
}

// The Windows DLL built by build.ps1 exports the six functions (read from
// its PE export table with mingw objdump).
func TestWindowsDLLExports(t *testing.T) {
	dll := os.Getenv("ARUPGRADE_DLL")
	if dll == "" {
		dll = filepath.Join(repoDir, "bin", "win-x64", "arupgrade.dll")
	}
	if _, err := os.Stat(dll); err != nil {
		t.Skipf("no Windows DLL at %s (run ./build.ps1 with mingw-w64 installed): %v", dll, err)
	}
	objdump, err := exec.LookPath("x86_64-w64-mingw32-objdump")
	if err != nil {
		t.Skip("x86_64-w64-mingw32-objdump not installed (apt-get install binutils-mingw-w64-x86-64)")
	}
	out, err := exec.Command(objdump, "-p", dll).Output()
	if err != nil {
		t.Fatalf("objdump -p %s: %v", dll, err)
	}
	exports := dllExports(string(out))
	for _, name := range []string{"aru_version", "aru_start", "aru_next_event", "aru_cancel", "aru_close", "aru_free"} {
		if !exports[name] {
			t.Errorf("%s does not export %s (exports: %v)", dll, name, exports)
		}
	}
}

// dllExports parses the "[Ordinal/Name Pointer] Table" of objdump -p.
func dllExports(dump string) map[string]bool {
	names := map[string]bool{}
	in := false
	row := regexp.MustCompile(`^\s*\[\s*\d+\]\s+(?:\+base\[\s*\d+\]\s+[0-9a-fA-F]+\s+)?(\w+)\s*$`)
	sc := bufio.NewScanner(strings.NewReader(dump))
	for sc.Scan() {
		line := sc.Text()
		if strings.Contains(line, "[Ordinal/Name Pointer] Table") {
			in = true
			continue
		}
		if in {
			m := row.FindStringSubmatch(line)
			if m == nil {
				if strings.TrimSpace(line) == "" {
					continue
				}
				in = false
				continue
			}
			names[m[1]] = true
		}
	}
	return names
}
