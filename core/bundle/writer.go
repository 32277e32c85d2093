package bundle

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/rs/zerolog"
)

// Option adjusts Create and the destinations.
type Option func(*options)

type options struct {
	overwrite bool
	logger    zerolog.Logger
	syncBatch bool
	producer  string
	keyFoldAt int // fresh keys that make the key index fold (0: defaultKeyFoldAt)
	// wrap lets tests inject a failing writer between the sink and the file.
	wrap func(io.Writer) io.Writer
}

// WithOverwrite lets Create replace an existing file (atomically, on Close).
func WithOverwrite() Option { return func(o *options) { o.overwrite = true } }

// WithLogger gives the destinations a logger for warnings (an interrupted
// import's discarded tail); by default they log nothing.
func WithLogger(l zerolog.Logger) Option { return func(o *options) { o.logger = l } }

// WithSyncEveryBatch makes the history destination fsync after every batch,
// so committed batches also survive a power loss (not only a killed process).
func WithSyncEveryBatch() Option { return func(o *options) { o.syncBatch = true } }

// WithProducer names the program in the header of bundles a destination creates.
func WithProducer(p string) Option { return func(o *options) { o.producer = p } }

func buildOptions(opts []Option) options {
	o := options{logger: zerolog.Nop(), producer: "arupgrade"}
	for _, f := range opts {
		if f != nil {
			f(&o)
		}
	}
	return o
}

// Writer creates a bundle. Rows go to a temporary file beside the target;
// Close writes the manifest, syncs and renames it into place, so a failed or
// cancelled export never leaves a half bundle under the final name.
type Writer struct {
	path, tmp string
	f         *os.File
	s         *sink
	err       error // first write error; the writer is unusable after it
	done      bool
}

// Create starts a bundle at path. It refuses an existing path unless
// WithOverwrite is given.
func Create(path string, h Header, opts ...Option) (*Writer, error) {
	o := buildOptions(opts)
	if !o.overwrite {
		if _, err := os.Lstat(path); err == nil {
			return nil, fmt.Errorf("create bundle %s: %w (choose another name or allow overwriting)", path, fs.ErrExist)
		}
	}
	tables, err := prepareTables(h.Tables)
	if err != nil {
		return nil, fmt.Errorf("create bundle %s: %w", path, err)
	}
	h.Tables = tables
	if h.CreatedUTC.IsZero() {
		h.CreatedUTC = time.Now().UTC()
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("create bundle %s: %w", path, diskFull(path, err))
	}
	w := &Writer{path: path, tmp: f.Name(), f: f}
	if err := w.start(&h, o); err != nil {
		w.Abort()
		return nil, fmt.Errorf("create bundle %s: %w", path, diskFull(path, err))
	}
	return w, nil
}

func (w *Writer) start(h *Header, o options) error {
	var out io.Writer = w.f
	if o.wrap != nil {
		out = o.wrap(out)
	}
	s, err := startFile(out, h)
	w.s = s
	if s != nil {
		s.async = true
	}
	return err
}

// startFile writes the prologue and header frame and returns the sink.
func startFile(out io.Writer, h *Header) (*sink, error) {
	s, err := newSink(out, 0, h.Tables)
	if err != nil {
		return nil, err
	}
	if _, err := s.bw.Write(appendPrologue(nil)); err != nil {
		return s, err
	}
	s.off = prologueLen
	hb, err := h.marshal()
	if err != nil {
		return s, err
	}
	if _, err := s.writeFrame(frameHeader, 0, 0, hb, uint32(len(hb)), 0); err != nil {
		return s, err
	}
	return s, nil
}

// Write appends one row to a table. Tables may interleave; the rows of one
// table must come in its canonical order (store.Source).
func (w *Writer) Write(table string, row data.Row) error {
	if w.err != nil {
		return w.err
	}
	if w.done {
		return fmt.Errorf("write bundle %s: writer is closed", w.path)
	}
	ti, ok := lookupTable(w.s.names, table)
	if !ok {
		return fmt.Errorf("write bundle %s: table %s is not in the header", w.path, table)
	}
	if err := w.s.writeRow(ti, row); err != nil {
		if isRowError(err) {
			return fmt.Errorf("write bundle %s: %w", w.path, err)
		}
		w.err = fmt.Errorf("write bundle %s: %w", w.path, diskFull(w.path, err))
		return w.err
	}
	return nil
}

// isRowError tells a rejected row (the writer stays usable) from an I/O failure.
func isRowError(err error) bool {
	var re *rowError
	return errors.As(err, &re)
}

type rowError struct{ err error }

func (e *rowError) Error() string { return e.err.Error() }
func (e *rowError) Unwrap() error { return e.err }

// Close writes the manifest, syncs, and renames the file into place.
func (w *Writer) Close() error {
	if w.done {
		return w.err
	}
	if w.err != nil {
		w.Abort()
		return w.err
	}
	err := w.s.commit("close")
	if err == nil {
		err = w.s.finish(time.Now())
	}
	w.s.stop()
	if err == nil {
		err = w.f.Sync()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(w.tmp, w.path)
	}
	if err == nil {
		syncDir(filepath.Dir(w.path))
	}
	w.done = true
	if err != nil {
		err = diskFull(w.path, err) // the free space before the file goes
		_ = os.Remove(w.tmp)
		w.err = fmt.Errorf("close bundle %s: %w", w.path, err)
		return w.err
	}
	return nil
}

// Abort discards everything written; the target path is untouched.
func (w *Writer) Abort() {
	if w.done {
		return
	}
	w.done = true
	w.s.stop()
	_ = w.f.Close()
	_ = os.Remove(w.tmp)
}

// syncDir makes a rename durable; failure only weakens durability, so it is ignored.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
