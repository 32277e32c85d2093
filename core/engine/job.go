package engine

import (
	"github.com/activeroles/arupgrade/core/arerr"

	"context"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"sort"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Request starts one job.
type Request struct {
	Operation string          `json:"operation"`
	Params    json.RawMessage `json:"params,omitempty"`
	// LogFile is the JSON log file; empty means the default under the user's
	// local application-data folder; "-" means no file.
	LogFile string `json:"logFile,omitempty"`
	// LogLevel is the least level sent as log events: debug, info (default), warn.
	LogLevel string `json:"logLevel,omitempty"`
}

// ParseRequest decodes a request and checks that its operation exists.
func ParseRequest(b []byte) (Request, error) {
	var r Request
	if err := json.Unmarshal(b, &r); err != nil {
		return r, arerr.Errorf("AR-REQUEST", arerr.CatInvalidArgument, "Pass a JSON object such as {\"operation\":\"inspect\",\"params\":{…}}.",
			"The request is not valid JSON: %v.", err)
	}
	if _, ok := lookup(r.Operation); !ok {
		return r, arerr.Errorf("AR-REQUEST", arerr.CatInvalidArgument, fmt.Sprintf("Use one of: %v.", Operations()),
			"Unknown operation %q.", r.Operation)
	}
	return r, nil
}

// Operation is the body of a job. It reports through em and returns nil on
// success, an *arerr.Error (or any error) on failure. It must return promptly after
// ctx is cancelled, at a point where nothing is half-written.
type Operation func(ctx context.Context, params json.RawMessage, em *Emitter) error

var (
	regMu    sync.RWMutex
	registry = map[string]Operation{}
)

// Register makes an operation available by name. It panics on a duplicate
// name, which is a programming error.
func Register(name string, op Operation) {
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := registry[name]; dup {
		panic("engine: operation registered twice: " + name)
	}
	registry[name] = op
}

func lookup(name string) (Operation, bool) {
	regMu.RLock()
	defer regMu.RUnlock()
	op, ok := registry[name]
	return op, ok
}

// Operations lists the registered operation names.
func Operations() []string {
	regMu.RLock()
	defer regMu.RUnlock()
	n := make([]string, 0, len(registry))
	for k := range registry {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// NextStatus tells what Next returned.
type NextStatus int

const (
	NextOK      NextStatus = iota // an event was returned
	NextTimeout                   // no event within the timeout; call again
	NextEnd                       // the outcome was delivered earlier; no more events
)

// Job is one running operation.
type Job struct {
	cancel  context.CancelFunc
	events  chan Event
	done    chan struct{}
	outcome Event
}

// Start runs the request's operation in a goroutine and returns at once.
// Events arrive through Next; the last one is the outcome.
func Start(parent context.Context, req Request) *Job {
	ctx, cancel := context.WithCancel(parent)
	j := &Job{cancel: cancel, events: make(chan Event, 256), done: make(chan struct{})}
	go j.run(ctx, req)
	return j
}

func (j *Job) run(ctx context.Context, req Request) {
	defer close(j.done)
	defer close(j.events)
	em, closeLog, logErr := newEmitter(j.events, req)
	var err error
	func() {
		// No panic may escape a job: it would kill the host process (pwsh).
		defer func() {
			if r := recover(); r != nil {
				em.log.Error().Str("panic", fmt.Sprint(r)).Str("stack", string(debug.Stack())).Msg("internal error")
				err = arerr.Errorf("AR-INTERNAL", arerr.CatNotSpecified, "This is a bug; please report it with the log file.",
					"Internal error: %v.", r)
			}
		}()
		if logErr != nil {
			err = logErr
			return
		}
		op, ok := lookup(req.Operation)
		if !ok {
			err = arerr.Errorf("AR-REQUEST", arerr.CatInvalidArgument, fmt.Sprintf("Use one of: %v.", Operations()), "Unknown operation %q.", req.Operation)
			return
		}
		em.log.Info().Str("operation", req.Operation).Msg("operation started")
		err = op(ctx, req.Params, em)
	}()
	outcome, ei, exit := outcomeOf(ctx, err)
	ev := zerologLevelFor(outcome)
	l := em.log.WithLevel(ev).Str("operation", req.Operation).Str("outcome", outcome)
	if ei != nil {
		l = l.Str("code", ei.Code).Str("error", ei.Message)
	}
	l.Msg("operation finished")
	closeLog()
	j.outcome = Event{Type: TypeOutcome, Time: time.Now().UTC(), Outcome: outcome, Error: ei, ExitCode: exit, LogPath: em.logPath}
	j.events <- j.outcome
}

func zerologLevelFor(outcome string) zerolog.Level {
	if outcome == Failed {
		return zerolog.ErrorLevel
	}
	return zerolog.InfoLevel
}

// Next returns the next event, waiting at most timeout (0: do not wait;
// negative: wait until one arrives).
func (j *Job) Next(timeout time.Duration) (Event, NextStatus) {
	var tc <-chan time.Time
	if timeout >= 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		tc = t.C
	}
	select {
	case ev, ok := <-j.events:
		if !ok {
			return Event{}, NextEnd
		}
		return ev, NextOK
	case <-tc:
		// A zero timeout still takes an event that is already queued.
		select {
		case ev, ok := <-j.events:
			if !ok {
				return Event{}, NextEnd
			}
			return ev, NextOK
		default:
		}
		return Event{}, NextTimeout
	}
}

// Cancel asks the operation to stop after its current step or batch.
func (j *Job) Cancel() { j.cancel() }

// Wait cancels nothing: it drains the remaining events and returns the outcome.
func (j *Job) Wait() Event {
	for range j.events {
	}
	<-j.done
	return j.outcome
}

// Close cancels the job if it still runs, waits for it to end and discards
// undelivered events.
func (j *Job) Close() Event {
	j.cancel()
	return j.Wait()
}

// Run is the synchronous form used by the CLI and tests: it calls fn for
// every event, in order, and returns the outcome event.
func Run(ctx context.Context, req Request, fn func(Event)) Event {
	j := Start(ctx, req)
	for {
		ev, st := j.Next(-1)
		if st == NextEnd {
			return j.outcome
		}
		if fn != nil {
			fn(ev)
		}
	}
}
