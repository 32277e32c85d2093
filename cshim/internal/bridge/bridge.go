// Package bridge is the C ABI of cshim written in plain, testable Go: the
// status codes, the table of job handles and the JSON each export returns.
// cshim's //export functions only convert C strings and integers and call
// this package.
package bridge

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/activeroles/arupgrade/core/engine"
)

// Status is the int32 every export returns; the values are the ARU_*
// constants of arupgrade.h and DESIGN.md.
type Status int32

const (
	OK           Status = 0  // ARU_OK: success; an event was returned where one is expected
	Timeout      Status = 1  // ARU_TIMEOUT: no event within the timeout; call again
	End          Status = 2  // ARU_END: the outcome was already delivered; no more events
	BadHandle    Status = -1 // ARU_BAD_HANDLE: unknown, closed or zero handle
	BadRequest   Status = -2 // ARU_BAD_REQUEST: the request is not JSON or names an unknown operation
	Internal     Status = -3 // ARU_INTERNAL: a panic was recovered inside the library
	NullArgument Status = -4 // ARU_NULL_ARGUMENT: a required pointer was NULL
)

func (s Status) String() string {
	switch s {
	case OK:
		return "ARU_OK"
	case Timeout:
		return "ARU_TIMEOUT"
	case End:
		return "ARU_END"
	case BadHandle:
		return "ARU_BAD_HANDLE"
	case BadRequest:
		return "ARU_BAD_REQUEST"
	case Internal:
		return "ARU_INTERNAL"
	case NullArgument:
		return "ARU_NULL_ARGUMENT"
	}
	return fmt.Sprintf("Status(%d)", int32(s))
}

// Guard runs f and turns a panic into Internal, so that no panic crosses the
// C boundary (it would kill the host process, e.g. pwsh). The panic is
// remembered for LastPanic.
func Guard(f func() Status) (st Status) {
	defer func() {
		if r := recover(); r != nil {
			msg := fmt.Sprintf("%v\n%s", r, debug.Stack())
			lastPanic.Store(&msg)
			st = Internal
		}
	}()
	return f()
}

var lastPanic atomic.Pointer[string]

// LastPanic returns the message and stack of the last recovered panic, "" if none.
func LastPanic() string {
	if p := lastPanic.Load(); p != nil {
		return *p
	}
	return ""
}

// Info is what aru_version returns.
type Info struct {
	Version   string `json:"version"`
	ABI       int    `json:"abi"`
	GoVersion string `json:"goVersion"`
	OS        string `json:"os"`
	Arch      string `json:"arch"`
	// OpenJobs counts the handles started and not yet closed, so tests can
	// assert that nothing leaked. Close returns only after the job's
	// goroutine ended, so no open handle means no job goroutine either.
	// (runtime.NumGoroutine is no use here: every foreign thread that calls
	// in keeps an extra-M goroutine.)
	OpenJobs int `json:"openJobs"`
	// LastPanic is the message and stack of the last panic an export
	// recovered (the reason for an ARU_INTERNAL), "" if none.
	LastPanic string `json:"lastPanic,omitempty"`
}

// Table maps int64 handles to running or finished jobs. The zero value is
// not usable; call NewTable. All methods are safe for concurrent use.
type Table struct {
	mu   sync.Mutex
	next int64
	jobs map[int64]*entry
}

type entry struct {
	job *engine.Job

	mu    sync.Mutex
	ended bool // the outcome was handed to the caller
}

// NewTable returns an empty table. Handles start at 1 and are never reused,
// so 0 and the handle of a closed job are always BadHandle.
func NewTable() *Table { return &Table{jobs: map[int64]*entry{}} }

// Default is the process-wide table the exports use.
var Default = NewTable()

// Version returns aru_version's JSON.
func (t *Table) Version() []byte {
	b, _ := json.Marshal(Info{Version: engine.Version, ABI: engine.ABI, GoVersion: runtime.Version(),
		OS: runtime.GOOS, Arch: runtime.GOARCH, OpenJobs: t.Open(), LastPanic: LastPanic()})
	return b
}

// Open returns how many handles are open.
func (t *Table) Open() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.jobs)
}

// Start parses the request and starts its job. A request that is not JSON or
// names an unknown operation returns BadRequest and, as errJSON, an
// outcome-shaped event ({"type":"outcome","outcome":"failed","error":{…},"exitCode":2})
// so that callers can report it like any failed job.
func (t *Table) Start(request []byte) (handle int64, errJSON []byte, st Status) {
	req, err := engine.ParseRequest(request)
	if err != nil {
		return 0, requestError(err), BadRequest
	}
	job := engine.Start(context.Background(), req)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.next++
	t.jobs[t.next] = &entry{job: job}
	return t.next, nil, OK
}

func requestError(err error) []byte {
	b, _ := json.Marshal(engine.RequestOutcome(err))
	return b
}

func (t *Table) get(h int64) (*entry, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.jobs[h]
	return e, ok
}

// Next returns the job's next event as JSON. timeoutMs 0 does not wait; a
// negative timeout waits until an event arrives. After the outcome event was
// returned, Next returns End.
func (t *Table) Next(h int64, timeoutMs int32) ([]byte, Status) {
	e, ok := t.get(h)
	if !ok {
		return nil, BadHandle
	}
	if e.isEnded() {
		return nil, End
	}
	timeout := time.Duration(timeoutMs) * time.Millisecond
	if timeoutMs < 0 {
		timeout = -1
	}
	ev, ns := e.job.Next(timeout)
	switch ns {
	case engine.NextTimeout:
		return nil, Timeout
	case engine.NextEnd:
		e.setEnded()
		return nil, End
	}
	if ev.Type == engine.TypeOutcome {
		e.setEnded()
	}
	b, err := json.Marshal(ev)
	if err != nil {
		// An event the engine built must marshal; treat failure as a bug.
		panic(fmt.Sprintf("marshal event: %v", err))
	}
	return b, OK
}

func (e *entry) isEnded() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.ended
}

func (e *entry) setEnded() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ended = true
}

// Cancel asks the job to stop; its outcome event will say "cancelled" unless
// it had already finished. Cancelling a finished job is OK and does nothing.
func (t *Table) Cancel(h int64) Status {
	e, ok := t.get(h)
	if !ok {
		return BadHandle
	}
	e.job.Cancel()
	return OK
}

// Close cancels the job if it still runs, waits for it to end, discards
// undelivered events and forgets the handle.
func (t *Table) Close(h int64) Status {
	t.mu.Lock()
	e, ok := t.jobs[h]
	delete(t.jobs, h)
	t.mu.Unlock()
	if !ok {
		return BadHandle
	}
	e.job.Close()
	e.setEnded()
	return OK
}
