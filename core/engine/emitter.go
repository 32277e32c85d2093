package engine

import (
	"github.com/activeroles/arupgrade/core/arerr"

	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Emitter is how an operation talks to its caller: progress, warnings,
// results and a zerolog logger whose lines go to the log file and, at the
// request's level and above, into the event stream.
type Emitter struct {
	out     chan<- Event
	log     zerolog.Logger // file and event stream
	fileLog zerolog.Logger // file only: for lines already sent as their own event
	logPath string

	mu           sync.Mutex
	lastProgress time.Time
	warnTap      func(code, message string) // see TapWarnings
}

// Log returns the operation's logger. Never log secrets.
func (em *Emitter) Log() *zerolog.Logger { return &em.log }

// LogPath is the log file's path ("" when logging to a file is off).
func (em *Emitter) LogPath() string { return em.logPath }

// Progress reports long work. Reports closer than 100 ms apart are dropped,
// except the Completed one, so a fast loop can call it freely.
func (em *Emitter) Progress(p Progress) {
	em.mu.Lock()
	now := time.Now()
	if !p.Completed && now.Sub(em.lastProgress) < 100*time.Millisecond {
		em.mu.Unlock()
		return
	}
	em.lastProgress = now
	em.mu.Unlock()
	ev := Event{Type: TypeProgress, Time: now.UTC(), Activity: p.Activity, Step: p.Step, Percent: p.Percent,
		Rows: p.Rows, Total: p.Total, RowsPerSecond: p.RowsPerSecond, EtaSeconds: p.EtaSeconds, Completed: p.Completed}
	if p.Completed {
		em.send(ev)
		return
	}
	// Progress is never worth blocking the work for.
	select {
	case em.out <- ev:
	default:
	}
}

// Warn reports something the user must know about; the run goes on.
func (em *Emitter) Warn(code, message string) {
	em.mu.Lock()
	tap := em.warnTap
	em.mu.Unlock()
	if tap != nil {
		tap(code, message)
	}
	em.fileLog.Warn().Str("code", code).Msg(message)
	em.send(Event{Type: TypeWarning, Time: time.Now().UTC(), Code: code, Message: message})
}

// TapWarnings calls fn with every warning from now on (besides emitting it),
// until the returned function is called: an operation made of steps (the
// upgrade) collects its steps' warnings for its summary. fn must be safe for
// concurrent use.
func (em *Emitter) TapWarnings(fn func(code, message string)) (untap func()) {
	em.mu.Lock()
	em.warnTap = fn
	em.mu.Unlock()
	return func() {
		em.mu.Lock()
		em.warnTap = nil
		em.mu.Unlock()
	}
}

// Result emits one result object. resultType names its PowerShell type
// (ActiveRolesUpgrade.<resultType>).
func (em *Emitter) Result(resultType string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	em.send(Event{Type: TypeResult, Time: time.Now().UTC(), ResultType: resultType, Data: withTemplates(b)})
	return nil
}

// send delivers an event that must not be lost; the consumer draining the
// channel (Next, Wait or Close) guarantees progress.
func (em *Emitter) send(ev Event) { em.out <- ev }

// DefaultLogDir is where logs go when the caller names no file: the user's
// local application-data folder.
func DefaultLogDir() string {
	if runtime.GOOS == "windows" {
		if d := os.Getenv("LOCALAPPDATA"); d != "" {
			return filepath.Join(d, "ActiveRolesUpgrade", "Logs")
		}
	}
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "activerolesupgrade", "logs")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "state", "activerolesupgrade", "logs")
	}
	return filepath.Join(os.TempDir(), "activerolesupgrade", "logs")
}

// WarnLogFile is the tool's warning that the log file cannot be written; the
// run goes on without it (AR-W0xx: the tool's own codes next to the model's
// AR-W001–W006).
const WarnLogFile = "AR-W007"

func newEmitter(out chan<- Event, req Request) (*Emitter, func(), error) {
	em := &Emitter{out: out}
	level := zerolog.InfoLevel
	switch req.LogLevel {
	case "debug", "trace":
		level = zerolog.DebugLevel
	case "warn", "warning":
		level = zerolog.WarnLevel
	}
	var writers []io.Writer
	closeFn := func() {}
	var openErr error
	var openWarning *Event
	path := req.LogFile
	if path != "-" {
		explicit := path != ""
		if !explicit {
			path = filepath.Join(DefaultLogDir(), "arupgrade-"+time.Now().UTC().Format("20060102")+".log")
		}
		f, err := openLog(path)
		switch {
		case err != nil && explicit:
			// A log file the caller named and that cannot even be opened is a usage error: nothing has run yet.
			openErr = arerr.Wrap(err, "AR-LOGFILE", arerr.CatInvalidArgument, "Name a log file in a folder you can write to, or pass \"-\" for no log file.",
				"Cannot open the log file %s", path)
		case err != nil:
			// The default place is not the caller's choice: say so and run without a file.
			w := logFileWarning(path, err)
			openWarning = &w
		default:
			em.logPath = path
			lf := &logFile{f: f, path: path, out: out}
			// The file gets every level; the event stream only the requested ones.
			writers = append(writers, lf)
			closeFn = lf.close
		}
	}
	em.fileLog = zerolog.New(zerolog.MultiLevelWriter(writers...)).With().Timestamp().Logger()
	if len(writers) == 0 {
		em.fileLog = zerolog.Nop()
	}
	ew := &eventWriter{out: out, min: level}
	writers = append(writers, ew)
	em.log = zerolog.New(zerolog.MultiLevelWriter(writers...)).Level(zerolog.DebugLevel).With().Timestamp().Logger()
	if openWarning != nil {
		em.send(*openWarning)
	}
	return em, closeFn, openErr
}

func openLog(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	return os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
}

func logFileWarning(path string, err error) Event {
	return Event{Type: TypeWarning, Time: time.Now().UTC(), Code: WarnLogFile,
		Message: fmt.Sprintf("The log file %s cannot be written (%v); the run goes on without a log file. "+
			"Free space there or name another file with "+arerr.Param("logFile")+".", path, cause(err))}
}

// cause is the system's reason without the path the message names already.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// logFile is the log file writer. The first failed write (a full disk,
// /dev/full, a vanished network share) becomes one AR-W007 warning event;
// later lines are dropped. It never returns an error, so zerolog has nothing
// to print on stderr and the run is not disturbed by its log.
type logFile struct {
	path string
	out  chan<- Event

	mu     sync.Mutex
	f      *os.File
	failed bool
}

func (l *logFile) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil || l.failed {
		return len(p), nil
	}
	if _, err := l.f.Write(p); err != nil {
		l.failed = true
		// Straight to the stream: em.Warn would write to this file again.
		l.out <- logFileWarning(l.path, err)
	}
	return len(p), nil
}

func (l *logFile) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return
	}
	if err := l.f.Close(); err != nil && !l.failed {
		l.failed = true
		l.out <- logFileWarning(l.path, err)
	}
	l.f = nil
}

// eventWriter turns zerolog JSON lines into log events.
type eventWriter struct {
	out chan<- Event
	min zerolog.Level
}

func (w *eventWriter) Write(p []byte) (int, error) { return w.WriteLevel(zerolog.InfoLevel, p) }

func (w *eventWriter) WriteLevel(l zerolog.Level, p []byte) (int, error) {
	if l < w.min {
		return len(p), nil
	}
	var m map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(p), &m); err != nil {
		return len(p), nil
	}
	msg, _ := m[zerolog.MessageFieldName].(string)
	delete(m, zerolog.MessageFieldName)
	delete(m, zerolog.LevelFieldName)
	delete(m, zerolog.TimestampFieldName)
	ev := Event{Type: TypeLog, Time: time.Now().UTC(), Level: l.String(), Message: msg}
	if len(m) > 0 {
		ev.Fields = m
	}
	w.out <- ev
	return len(p), nil
}
