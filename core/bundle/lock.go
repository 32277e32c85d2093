package bundle

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"github.com/activeroles/arupgrade/core/store"
)

// One writer per bundle: a writing run holds an advisory OS lock (Linux: an
// open-file-description lock; other Unix: flock; Windows: LockFileEx) on a
// small lock file beside the bundle, ".<name>.lock", from before its first
// write to the end. The bundle file itself cannot carry the lock: a
// configuration destination renames a new file over it on every commit.
// The lock dies with the process, so a crash leaves none behind.
//
// The lock file also holds a JSON lockRecord: who holds the lock (for the
// message another run gets) and, after a run that created the bundle was
// killed, the marker that lets the same command take the bundle over.

// lockRecord is the content of a lock file.
type lockRecord struct {
	store.LockHolder
	// ImportRunID is the ImportRun row of the holder's run (0 before StartRun),
	// so that readers can tell its 'Running' row from those of dead runs.
	ImportRunID int64 `json:"importRunId,omitempty"`
	// Created: the holder's operation created the bundle (or took it over
	// from an earlier run that had) and has not finished it. Once the lock
	// is free, a later run of the same operation may take the bundle over.
	Created bool `json:"created,omitempty"`
}

// maxLockRecord bounds what is read of a lock file: a record is far smaller.
const maxLockRecord = 64 << 10

// lockRetries and lockRetryWait ride out the instant a reader's probe
// (LockState) holds the lock: a real holder keeps it far longer.
const (
	lockRetries   = 3
	lockRetryWait = 20 * time.Millisecond
)

// LockFilePath is the lock file of the bundle at path (a real path).
func LockFilePath(path string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".lock")
}

// fileLock is a held lock.
type fileLock struct {
	path string // the lock file
	f    *os.File
	rec  lockRecord
	dirs []string // folders made for the lock file, removed on release when empty
}

// acquire takes the lock of the bundle at path without waiting for another
// holder: it returns a *store.LockedError naming the holder at once. prev is
// the record a previous holder left behind (nil when there was none): a
// record in a lock file that is not locked belongs to a dead run.
func acquire(ctx context.Context, path string, holder store.LockHolder) (l *fileLock, prev *lockRecord, err error) {
	lp := LockFilePath(path)
	dirs, err := makeDirs(filepath.Dir(lp))
	if err != nil {
		return nil, nil, fmt.Errorf("lock bundle %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			removeDirs(dirs)
		}
	}()
	refused := 0
	for moved := 0; ; {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		f, err := os.OpenFile(lp, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, nil, fmt.Errorf("lock bundle %s: %w", path, diskFull(lp, err))
		}
		ok, err := tryLock(f)
		if err != nil {
			_ = f.Close()
			return nil, nil, fmt.Errorf("lock bundle %s: %w", path, err)
		}
		if !ok {
			rec := readRecord(f)
			_ = f.Close()
			// A holder writes its record just after it takes the lock (and
			// clears it just before it lets go): without one, look again a
			// little longer, so the refusal can name the run.
			if refused++; refused <= lockRetries || (rec == nil && refused <= 3*lockRetries) {
				sleep(ctx, lockRetryWait)
				continue
			}
			le := &store.LockedError{Location: path}
			if rec != nil {
				h := rec.LockHolder
				le.Holder = &h
			}
			return nil, nil, le
		}
		// A holder that releases removes the file: the one locked must still
		// be the one the path names, or the lock protects nothing.
		if !stillAt(f, lp) {
			_ = unlock(f)
			_ = f.Close()
			if moved++; moved > 20 {
				return nil, nil, fmt.Errorf("lock bundle %s: the lock file %s keeps being replaced", path, lp)
			}
			continue
		}
		l := &fileLock{path: lp, f: f, dirs: dirs, rec: lockRecord{LockHolder: holder}}
		prev = readRecord(f)
		if err := l.write(); err != nil {
			_ = l.release(false)
			return nil, nil, fmt.Errorf("lock bundle %s: %w", path, err)
		}
		return l, prev, nil
	}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

func stillAt(f *os.File, path string) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Stat(path)
	return err == nil && os.SameFile(a, b)
}

// readRecord reads a lock file's record; nil when it is empty or unreadable
// (a holder may be writing it this instant).
func readRecord(f *os.File) *lockRecord {
	b, err := io.ReadAll(io.NewSectionReader(f, 0, maxLockRecord))
	if err != nil || len(b) == 0 {
		return nil
	}
	var r lockRecord
	if json.Unmarshal(b, &r) != nil {
		return nil
	}
	return &r
}

// write replaces the lock file's record with l.rec. Not synced: the record
// has to survive the process, not the machine.
func (l *fileLock) write() error {
	b, err := json.Marshal(l.rec)
	if err != nil {
		return err
	}
	if err := l.f.Truncate(0); err != nil {
		return diskFull(l.path, err)
	}
	if _, err := l.f.WriteAt(b, 0); err != nil {
		return diskFull(l.path, err)
	}
	return nil
}

// release gives the lock back. With keepCreated the record stays, marked
// Created, so the same command can take the bundle over; otherwise the
// record is cleared first (nothing stale survives a failed removal) and the
// lock file removed.
func (l *fileLock) release(keepCreated bool) error {
	if l == nil || l.f == nil {
		return nil
	}
	var err error
	if keepCreated {
		l.rec.Created = true
		err = l.write()
	} else {
		if terr := l.f.Truncate(0); terr != nil {
			err = terr
		}
		if removeWhileLocked {
			// Still locked: a run that opened the file meanwhile finds it
			// gone once it gets the lock (stillAt) and tries again.
			_ = os.Remove(l.path)
		}
	}
	if uerr := unlock(l.f); err == nil {
		err = uerr
	}
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	if !keepCreated {
		if !removeWhileLocked {
			// Fails while another run has the file open, which is fine.
			_ = os.Remove(l.path)
		}
		removeDirs(l.dirs)
	}
	if err != nil {
		return fmt.Errorf("release the lock %s: %w", l.path, err)
	}
	return nil
}

// makeDirs creates dir and its missing parents, returning those it made
// (deepest first), so they can be removed again.
func makeDirs(dir string) ([]string, error) {
	var made []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		made = append(made, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if len(made) == 0 {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, diskFull(dir, err)
	}
	return made, nil
}

func removeDirs(dirs []string) {
	for _, d := range dirs {
		if os.Remove(d) != nil {
			return
		}
	}
}

// LockState is what a reader can learn about a bundle's writer lock
// without taking it.
type LockState struct {
	// Held: a live run holds the lock now.
	Held bool
	// Holder describes the holder (or, when not Held, the dead run that left
	// its record); nil when unknown.
	Holder *store.LockHolder
	// ImportRunID is the holder's ImportRun row (0 when unknown).
	ImportRunID int64
	// Created: the holder's operation created the bundle and had not
	// finished it (when not Held: a run of that operation may take it over).
	Created bool
}

// ProbeLock reports whether a run holds the writer lock of the bundle at
// path, without taking it (Linux: not even for an instant).
func ProbeLock(path string) (LockState, error) {
	real, err := RealPath(path)
	if err != nil {
		return LockState{}, err
	}
	f, err := os.Open(LockFilePath(real))
	if errors.Is(err, fs.ErrNotExist) {
		return LockState{}, nil
	}
	if err != nil {
		return LockState{}, fmt.Errorf("read the lock of bundle %s: %w", path, err)
	}
	defer f.Close()
	held, err := lockHeld(f)
	if err != nil {
		return LockState{}, fmt.Errorf("read the lock of bundle %s: %w", path, err)
	}
	st := LockState{Held: held}
	if r := readRecord(f); r != nil {
		h := r.LockHolder
		st.Holder, st.ImportRunID, st.Created = &h, r.ImportRunID, r.Created
	}
	return st, nil
}

// wouldTakeOver tells a reader, without the lock, whether a run of
// operation would take the bundle over (see destLock.abandoned).
func wouldTakeOver(ctx context.Context, path, operation string, v *view) (bool, error) {
	if v == nil {
		return false, nil
	}
	st, err := ProbeLock(path)
	if err != nil || st.Held || !st.Created || st.Holder == nil || st.Holder.Operation != operation {
		return false, err
	}
	if st.ImportRunID == 0 {
		return true, nil
	}
	done, err := v.runSucceeded(ctx, st.ImportRunID)
	return !done && err == nil, err
}

// destLock is a destination's writer lock and what the destination did
// under it.
type destLock struct {
	l    *fileLock
	prev *lockRecord
	// created: this holder created the bundle; adopted: it took over one an
	// interrupted run of the same operation had created.
	created, adopted bool
	// finished: a run finished successfully under the lock.
	finished bool
	// discarded: the bundle this holder created was removed again.
	discarded bool
}

func (d *destLock) held() bool { return d != nil && d.l != nil }

// markCreated records, before the bundle is created, that this holder
// creates it: a kill at any point after leaves the marker behind.
func (d *destLock) markCreated() error {
	if !d.held() {
		return nil
	}
	d.l.rec.Created = true
	return d.l.write()
}

// finish records that a run finished successfully: from now on the bundle
// is complete, and a kill leaves nothing to take over.
func (d *destLock) finish() {
	d.finished = true
	if d.held() && d.l.rec.Created {
		d.l.rec.Created = false
		_ = d.l.write()
	}
}

func (d *destLock) noteRun(id int64) {
	if !d.held() {
		return
	}
	d.l.rec.ImportRunID = id
	_ = d.l.write() // only informs readers
}

// abandoned reports whether the previous holder was the same operation,
// created the bundle and died before finishing it: v is the bundle's
// content, whose ImportRun row of that holder's run must not say it
// succeeded (a kill just after it did leaves a complete bundle).
func (d *destLock) abandoned(ctx context.Context, v *view) (bool, error) {
	if !d.held() || v == nil || d.prev == nil || !d.prev.Created || d.prev.Operation != d.l.rec.Operation {
		return false, nil
	}
	if d.prev.ImportRunID == 0 {
		return true, nil
	}
	done, err := v.runSucceeded(ctx, d.prev.ImportRunID)
	return !done && err == nil, err
}

// runSucceeded reports whether the ImportRun row id says Succeeded.
func (v *view) runSucceeded(ctx context.Context, id int64) (bool, error) {
	ti, ok := lookupTable(v.names, "ImportRun")
	if !ok {
		return false, nil
	}
	t := &v.hdr.Tables[ti]
	ic, oc := t.Index("ImportRunId"), t.Index("Outcome")
	if ic < 0 || oc < 0 {
		return false, nil
	}
	rs, err := v.scan(ctx, t.Name)
	if err != nil {
		return false, err
	}
	defer rs.Close()
	done := false
	for rs.Next() {
		if r := rs.Row(); r[ic].Int == id {
			done = r[oc].Str == "Succeeded"
		}
	}
	return done, rs.Err()
}

func (d *destLock) release(exists bool) error {
	if !d.held() {
		return nil
	}
	keep := (d.created || d.adopted) && !d.finished && !d.discarded && exists
	err := d.l.release(keep)
	d.l = nil
	return err
}

// staleTemp matches the temporary files a writer of the bundle named base
// makes (os.CreateTemp's pattern "."+base+".*.tmp").
func staleTemp(base string) *regexp.Regexp {
	return regexp.MustCompile(`^\.` + regexp.QuoteMeta(base) + `\.[0-9]+\.tmp$`)
}

// removeStaleTemps deletes the temporary files a killed writer of the
// bundle left; only a lock holder may call it (no live writer has any).
func removeStaleTemps(path string) {
	dir, base := filepath.Dir(path), filepath.Base(path)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	re := staleTemp(base)
	for _, e := range ents {
		if !e.IsDir() && re.MatchString(e.Name()) {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// LockPath takes the writer lock of the bundle at path (resolved with
// RealPath) for a run that writes the whole file, such as an export; it
// refuses at once with a *store.LockedError while another run holds it.
// The returned release is safe to call more than once.
func LockPath(ctx context.Context, path string, holder store.LockHolder) (func() error, error) {
	real, err := RealPath(path)
	if err != nil {
		return nil, err
	}
	l, _, err := acquire(ctx, real, holder)
	if err != nil {
		return nil, err
	}
	removeStaleTemps(real)
	var once sync.Once
	var rerr error
	return func() error {
		once.Do(func() { rerr = l.release(false) })
		return rerr
	}, nil
}

// WriterRun reports whether a live run holds the bundle's writer lock, and
// that run's ImportRun row (0 until it has one) and start, without taking
// the lock; a reader uses it to tell the 'Running' ImportRun row of a live
// run from those of runs that were killed.
func (b *Bundle) WriterRun(ctx context.Context) (held bool, importRunID int64, started time.Time, err error) {
	st, err := ProbeLock(b.path)
	if err != nil || !st.Held {
		return false, 0, time.Time{}, err
	}
	if st.Holder != nil {
		started = st.Holder.Started
	}
	return true, st.ImportRunID, started, nil
}
