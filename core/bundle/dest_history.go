package bundle

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/store"
)

// HistoryDest is a bundle used as a Management History import's destination.
// It is an append-only journal: each batch is data frames followed by a
// commit frame, and whatever follows the last valid commit frame (an
// interrupted write) is discarded when the bundle is opened again. FinishRun
// and Close write the closing manifest; the next write removes it again.
type HistoryDest struct {
	path  string // the real path (RealPath)
	o     options
	mu    sync.Mutex
	lk    destLock
	stamp os.FileInfo // the file v was read from

	v     *view // committed content; nil while the path does not exist
	setts map[string]string
	iid   data.UUID // the destination's InstallationId (native rows' NK)

	commitEnd int64 // offset just after the last commit frame
	closed    bool  // the file ends with manifest and trailer
	f         *os.File
	out       io.Writer
	s         *sink
	broken    error // a failed rollback: no further writes

	keysLoaded    bool
	kx            *keyIndex // the exactly-once key index (keyindex.go)
	rec, task, mb *entityKeys
	pend          [3]pendingKeys // the keys of the batch being written, reused
	lookupKeys    [3][]data.UUID // the GUIDs of the batch being looked up, reused
	checks        []*rowCheck    // per table
	runs          map[int64]data.Row
	maxRun        int64
	c             historyCols

	// Batches begun but not yet committed (dest_history_begin.go).
	begun     []*begunBatch
	beganKeys bool     // their keys are in the index
	beginOpen bool     // the journal changed since beginSnap
	beginSnap sinkSnap // the journal as the last committed batch left it

	// Discarded tail of an interrupted import, reported once.
	tail       int64
	tailReason string
}

var _ store.HistoryDestination = (*HistoryDest)(nil)

// historyCols are the table and column positions the destination needs.
type historyCols struct {
	rec, attr, task, mb, run            int // table indexes
	recID, recGUID, recOIID, recOID     int
	attrRec                             int
	taskID, taskGUID, taskOIID, taskOID int
	mbID, mbGUID, mbOIID, mbOID         int
	runID                               int
	mbName                              string // the flat keyed table: TemporalMembership, or CollectedEvent
}

// OpenHistoryDestination opens path as a history destination. A path that
// does not exist is a Blank database. A bundle whose previous import was
// interrupted opens normally: the unfinished tail is discarded (and logged)
// and a re-run of the import continues from the last committed batch.
//
// A symbolic link is resolved once: the file it points to is the one written.
func OpenHistoryDestination(path string, opts ...Option) (*HistoryDest, error) {
	real, err := RealPath(path)
	if err != nil {
		return nil, fmt.Errorf("open bundle destination: %w", err)
	}
	d := &HistoryDest{path: real, o: buildOptions(opts)}
	if err := d.open(); err != nil {
		return nil, err
	}
	return d, nil
}

// open reads the file as it is now; nothing may have been written yet.
func (d *HistoryDest) open() error {
	d.reset()
	fi, err := os.Stat(d.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open bundle destination: %w", err)
	}
	if err := d.load(); err != nil {
		return err
	}
	d.stamp = fi
	if d.tail > 0 {
		d.o.logger.Warn().Str("bundle", d.path).Int64("discardedBytes", d.tail).Int64("offset", d.commitEnd).
			Str("reason", d.tailReason).
			Msg("an earlier import into this bundle was interrupted; its uncommitted last batch is discarded and a re-run continues after the last committed batch")
	}
	return nil
}

// reset forgets what was read of the file (nothing was written).
func (d *HistoryDest) reset() {
	d.stamp, d.v, d.setts, d.iid = nil, nil, nil, data.UUID{}
	d.commitEnd, d.closed, d.f, d.out, d.s, d.broken = 0, false, nil, nil, nil, nil
	d.dropKeys()
	d.pend, d.checks, d.runs, d.maxRun, d.c = [3]pendingKeys{}, nil, nil, 0, historyCols{}
	d.begun, d.beganKeys, d.beginOpen = nil, false, false
	d.tail, d.tailReason = 0, ""
}

// dropKeys forgets the loaded keys (they are loaded again before the next
// write); the index files on disk stay.
func (d *HistoryDest) dropKeys() {
	if d.kx != nil {
		d.kx.close()
	}
	d.kx, d.keysLoaded, d.rec, d.task, d.mb = nil, false, nil, nil, nil
}

// foldKeys writes the key index so that it covers every committed batch
// (the next run then reads nothing of the bundle to load its keys). A
// failure only costs memory and time: it is logged.
func (d *HistoryDest) foldKeys() {
	if d.kx == nil || d.v == nil {
		return
	}
	if err := d.kx.fold(d.v); err != nil {
		d.o.logger.Warn().Err(err).Str("bundle", d.path).
			Msg("cannot write the key index beside the bundle; this run keeps its keys in memory and the next run rebuilds the index")
	}
}

// HighWater returns the high-water mark that SetHighWater recorded for
// source, or nil. It is kept in the key index, so it is dropped with it
// (the bundle was replaced or restored): a mark never describes rows the
// bundle does not hold.
func (d *HistoryDest) HighWater(ctx context.Context, source string) ([]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.ensureKeys(ctx); err != nil || d.kx == nil {
		return nil, err
	}
	return d.kx.hw[source], nil
}

// SetHighWater records a mark for source; it is written with the key index
// when the run finishes (FinishRun or Close).
func (d *HistoryDest) SetHighWater(ctx context.Context, source string, mark []byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.ensureKeys(ctx); err != nil {
		return err
	}
	if d.kx == nil {
		return fmt.Errorf("bundle %s does not exist yet", d.path)
	}
	if d.kx.hw == nil {
		d.kx.hw = map[string]json.RawMessage{}
	}
	d.kx.hw[source] = slices.Clone(mark)
	d.kx.written = false
	return nil
}

func (d *HistoryDest) ensureKeys(ctx context.Context) error {
	if d.keysLoaded || d.v == nil {
		return nil
	}
	return d.loadKeys(ctx)
}

// Path is the real path of the bundle.
func (d *HistoryDest) Path() string { return d.path }

// LockForWrite takes the bundle's writer lock (store.Locker) and then reads
// the file again if another run changed it since it was opened. Call it
// before anything is written.
func (d *HistoryDest) LockForWrite(ctx context.Context, holder store.LockHolder) (func() error, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.lk.held() {
		return nil, fmt.Errorf("lock bundle %s: already locked by this run", d.path)
	}
	if d.f != nil {
		return nil, fmt.Errorf("lock bundle %s: the bundle was written before it was locked", d.path)
	}
	l, prev, err := acquire(ctx, d.path, holder)
	if err != nil {
		return nil, err
	}
	d.lk = destLock{l: l, prev: prev}
	if !unchanged(d.path, d.stamp) {
		if err := d.open(); err != nil {
			_ = d.lk.release(false)
			d.lk = destLock{}
			return nil, err
		}
	}
	removeStaleTemps(d.path)
	var once sync.Once
	var rerr error
	return func() error {
		once.Do(func() {
			d.mu.Lock()
			defer d.mu.Unlock()
			rerr = d.lk.release(d.v != nil)
		})
		return rerr
	}, nil
}

// Exists reports whether the bundle file exists (as of the last read).
func (d *HistoryDest) Exists() bool { return d.view() != nil }

// TakeOver adopts a bundle that an earlier run of the same operation
// created and was killed in before it finished (the lock record it left
// says so, and this run now holds the lock). Its committed batches stay: the
// import continues after them, adding nothing twice, and the run's
// 'Running' ImportRun row stays as the record of an interrupted run. It
// reports whether it did so; it needs the lock.
func (d *HistoryDest) TakeOver(ctx context.Context) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if ok, err := d.lk.abandoned(ctx, d.v); !ok || err != nil {
		return false, err
	}
	if err := d.lk.markCreated(); err != nil {
		return false, fmt.Errorf("take over bundle %s: %w", d.path, err)
	}
	d.lk.adopted = true
	return true, nil
}

// WouldTakeOver reports, without taking the lock, whether a run of
// operation would take the bundle over (TakeOver): what a prerequisite
// check predicts.
func (d *HistoryDest) WouldTakeOver(ctx context.Context, operation string) (bool, error) {
	return wouldTakeOver(ctx, d.path, operation, d.view())
}

// DiscardCreated removes the bundle when this run created it under its
// lock (an import that ran out of disk space leaves nothing behind);
// otherwise it does nothing. It reports whether it removed it.
func (d *HistoryDest) DiscardCreated() (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.lk.held() || !d.lk.created || d.lk.discarded {
		return false, nil
	}
	d.discardBegun()
	if d.f != nil {
		_ = d.f.Close()
		d.f, d.s = nil, nil
	}
	if err := os.Remove(d.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("remove bundle %s: %w", d.path, err)
	}
	d.dropKeys()
	removeKeyIndex(d.path)
	d.lk.discarded = true
	d.v = nil
	return true, nil
}

func (d *HistoryDest) load() error {
	w, err := walkFile(d.path, true)
	if err != nil {
		return err
	}
	d.v = newView(d.path, w)
	d.commitEnd = w.commitEnd
	d.closed = w.manifest != nil
	d.tail, d.tailReason = w.tail, w.tailReason
	d.setts, err = d.v.settings(context.Background())
	if err != nil {
		return err
	}
	if s := d.setts["InstallationId"]; s != "" {
		if d.iid, err = data.ParseUUID(s); err != nil {
			return fmt.Errorf("open bundle %s: Settings InstallationId: %w", d.path, err)
		}
	}
	return nil
}

// Interrupted reports the bytes of an interrupted import that opening the
// bundle discarded (0 when there were none) and why.
func (d *HistoryDest) Interrupted() (discarded int64, reason string) { return d.tail, d.tailReason }

func (d *HistoryDest) view() *view {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.v
}

// Info describes the destination; a Blank one has no tables and nil Settings.
func (d *HistoryDest) Info(ctx context.Context) (*store.Info, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.v == nil {
		return blankInfo(d.path), nil
	}
	return d.v.info(d.setts), nil
}

// Count returns a table's committed row count (ImportRun: one per run).
func (d *HistoryDest) Count(ctx context.Context, table string) (int64, error) {
	if v := d.view(); v != nil {
		return v.count(table)
	}
	return 0, fmt.Errorf("count %s in bundle %s: the bundle does not exist yet", table, d.path)
}

// Scan reads a table's committed rows; it may run while batches are written.
func (d *HistoryDest) Scan(ctx context.Context, table string) (store.Rows, error) {
	if v := d.view(); v != nil {
		return v.scan(ctx, table)
	}
	return nil, fmt.Errorf("scan %s in bundle %s: the bundle does not exist yet", table, d.path)
}

// Initialize creates the bundle with the tables and Settings rows.
func (d *HistoryDest) Initialize(ctx context.Context, tables []data.Table, ddl []string, settings map[string]string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.v != nil {
		return fmt.Errorf("initialize bundle %s: it already holds a database", d.path)
	}
	if err := d.lk.markCreated(); err != nil {
		return fmt.Errorf("initialize bundle %s: %w", d.path, err)
	}
	if err := createInitialized(ctx, d.path, tables, settings, d.o); err != nil {
		return err
	}
	d.lk.created = true
	return d.load()
}

// Close writes the closing manifest if the journal was written to, syncs
// and closes the file.
func (d *HistoryDest) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.f == nil {
		return nil
	}
	d.discardBegun()
	var err error
	if d.broken == nil && !d.closed {
		err = d.writeManifest()
	}
	if d.broken == nil && err == nil {
		d.foldKeys()
	}
	d.dropKeys()
	if cerr := d.f.Close(); err == nil {
		err = cerr
	}
	d.f, d.s = nil, nil
	if err != nil {
		return fmt.Errorf("close bundle %s: %w", d.path, diskFull(d.path, err))
	}
	return nil
}

func (d *HistoryDest) writeManifest() error {
	if err := d.s.finish(time.Now()); err != nil {
		return err
	}
	if err := d.f.Sync(); err != nil {
		return err
	}
	d.closed = true
	return nil
}

// journal makes the file ready for appending: keys loaded, the manifest (or
// an interrupted tail) cut off after the last commit frame.
func (d *HistoryDest) journal(ctx context.Context) error {
	if d.broken != nil {
		return d.broken
	}
	if d.v == nil {
		return fmt.Errorf("bundle %s does not exist yet (initialize it first)", d.path)
	}
	if !d.keysLoaded {
		if err := d.loadKeys(ctx); err != nil {
			return err
		}
	}
	if d.s != nil && !d.closed {
		return nil
	}
	if d.f == nil {
		f, err := os.OpenFile(d.path, os.O_RDWR, 0)
		if err != nil {
			return fmt.Errorf("open bundle %s for writing: %w", d.path, err)
		}
		d.f, d.out = f, io.Writer(f)
		if d.o.wrap != nil {
			d.out = d.o.wrap(f)
		}
	}
	if err := d.truncate(d.commitEnd); err != nil {
		return err
	}
	if err := d.f.Sync(); err != nil {
		return fmt.Errorf("sync bundle %s: %w", d.path, err)
	}
	if d.s == nil {
		s, err := newSink(d.out, d.commitEnd, d.v.hdr.Tables)
		if err != nil {
			return err
		}
		for i, st := range d.v.tables {
			st.frames = slices.Clone(st.frames)
			s.st[i] = st
		}
		if err := s.startParallel(); err != nil {
			return err
		}
		s.seq = d.v.manifest.Commits
		s.st[d.c.run].super = true
		s.st[d.c.run].count = int64(len(d.runs))
		d.s = s
	}
	d.s.off = d.commitEnd
	d.s.bw.Reset(d.out)
	d.closed = false
	return nil
}

func (d *HistoryDest) truncate(off int64) error {
	if err := d.f.Truncate(off); err != nil {
		return fmt.Errorf("truncate bundle %s to byte %d: %w", d.path, off, err)
	}
	if _, err := d.f.Seek(off, io.SeekStart); err != nil {
		return fmt.Errorf("seek bundle %s: %w", d.path, err)
	}
	return nil
}

func (d *HistoryDest) loadKeys(ctx context.Context) error {
	h := &d.v.hdr
	c := &d.c
	var errs []error
	tab := func(name string) (int, *data.Table) {
		i, ok := lookupTable(d.v.names, name)
		if !ok {
			errs = append(errs, fmt.Errorf("no table %s", name))
			return -1, nil
		}
		return i, &h.Tables[i]
	}
	colOf := func(t *data.Table, name string) int {
		if t == nil {
			return -1
		}
		i := t.Index(name)
		if i < 0 {
			errs = append(errs, fmt.Errorf("table %s has no column %s", t.Name, name))
		}
		return i
	}
	var rt, at, tt, mt, ut *data.Table
	// A Collector database (model §13) has only the flat keyed table: its
	// events take the memberships' place (store.KeyedTableOf).
	flat := store.KeyedTableOf(d.setts["DatabaseRole"])
	c.mbName = flat.Table
	collector := flat.Table != store.TemporalMembershipTable.Table
	c.rec, c.attr, c.task = -1, -1, -1
	if !collector {
		c.rec, rt = tab("ChangeRecord")
		c.attr, at = tab("ChangeRecordAttribute")
		c.task, tt = tab("ApprovalTask")
	}
	c.mb, mt = tab(flat.Table)
	c.run, ut = tab("ImportRun")
	if !collector {
		c.recID, c.recGUID, c.recOIID, c.recOID = colOf(rt, "RecordId"), colOf(rt, "RecordGuid"), colOf(rt, "OriginInstallationId"), colOf(rt, "OriginRecordId")
		c.attrRec = colOf(at, "RecordId")
		c.taskID, c.taskGUID, c.taskOIID, c.taskOID = colOf(tt, "TaskId"), colOf(tt, "TaskGuid"), colOf(tt, "OriginInstallationId"), colOf(tt, "OriginTaskId")
	}
	c.mbID, c.mbGUID, c.mbOIID, c.mbOID = colOf(mt, flat.ID), colOf(mt, flat.GUID), colOf(mt, "OriginInstallationId"), colOf(mt, flat.OriginID)
	c.runID = colOf(ut, "ImportRunId")
	if len(errs) > 0 {
		what := "Management History"
		if collector {
			what = "Collector"
		}
		return fmt.Errorf("bundle %s is not a G3 %s database: %w", d.path, what, errors.Join(errs...))
	}
	d.rec = newEntityKeys("ChangeRecord", c.rec, c.recGUID)
	d.task = newEntityKeys("ApprovalTask", c.task, c.taskGUID)
	d.mb = newEntityKeys(flat.Table, c.mb, c.mbGUID)
	ents := []struct {
		k             *entityKeys
		id, oiid, oid int
	}{
		{d.rec, c.recID, c.recOIID, c.recOID},
		{d.task, c.taskID, c.taskOIID, c.taskOID},
		{d.mb, c.mbID, c.mbOIID, c.mbOID},
	}
	if collector {
		ents = ents[2:]
	}
	x := &keyIndex{bundle: d.path, foldAt: d.o.keyFoldAt}
	if x.foldAt <= 0 {
		x.foldAt = defaultKeyFoldAt
	}
	for _, e := range ents {
		x.ents = append(x.ents, e.k)
	}
	d.kx = x
	ok, err := x.load(d.v)
	if err != nil {
		d.dropKeys()
		return fmt.Errorf("read the key index of bundle %s: %w", d.path, err)
	}
	if !ok {
		d.o.logger.Info().Str("bundle", d.path).Msg("no key index of this bundle beside it (or one of other content): its keys are read from the bundle and the index is rebuilt")
	}
	x.removeUnused() // what a killed run left
	for _, e := range ents {
		if e.k.spill, err = createSpill(keyFilePrefix(d.path) + e.k.name + ".spill"); err != nil {
			d.dropKeys()
			return err
		}
	}
	// The frames the index does not cover: a killed run's batches, batches
	// an older arupgrade wrote, or every frame when there is no index.
	folded := false
	for _, e := range ents {
		frames := d.v.tables[e.k.ti].frames
		rs, err := d.v.scanFrames(ctx, e.k.ti, frames[e.k.from:])
		if err != nil {
			d.dropKeys()
			return err
		}
		for rs.Next() {
			r := rs.Row()
			id := r[e.id].Int
			e.k.maxID = max(e.k.maxID, id)
			if r[e.k.guid].Kind == data.GUID {
				if err := e.k.addGUID(r[e.k.guid].AsGUID()); err != nil {
					rs.Close()
					d.dropKeys()
					return err
				}
				x.fresh++
			}
			if k, ok := d.naturalKey(r, e.oiid, e.oid, id); ok {
				e.k.nks.add(k.iid, k.id)
			}
			if x.fresh >= x.foldAt {
				if err := x.foldRuns(); err != nil {
					rs.Close()
					d.dropKeys()
					return fmt.Errorf("build the key index of bundle %s: %w", d.path, err)
				}
				folded = true
			}
		}
		err = rs.Err()
		rs.Close()
		if err != nil {
			d.dropKeys()
			return err
		}
	}
	if folded {
		d.foldKeys()
	}
	x.written = ok && x.fresh == 0 && !folded // the manifest on disk says it all
	d.runs = map[int64]data.Row{}
	rs, err := d.v.scan(ctx, "ImportRun")
	if err != nil {
		return err
	}
	defer rs.Close()
	for rs.Next() {
		r := cloneRowDeep(rs.Row())
		d.runs[r[c.runID].Int] = r
		d.maxRun = max(d.maxRun, r[c.runID].Int)
	}
	if err := rs.Err(); err != nil {
		return err
	}
	d.keysLoaded = true
	return nil
}

// naturalKey is model §6.5's NK: (COALESCE(OriginInstallationId, iid(D)),
// COALESCE(Origin<X>Id, <X>Id)); ok=false when neither id is known yet.
func (d *HistoryDest) naturalKey(r data.Row, oiid, oid int, id int64) (nk, bool) {
	k := nk{iid: d.iid, id: id}
	if r[oiid].Kind == data.GUID {
		k.iid = r[oiid].AsGUID()
	}
	switch {
	case r[oid].Kind == data.Int:
		k.id = r[oid].Int
	case id == 0:
		return k, false
	}
	return k, true
}

// sinkSnap is the journal state before a batch, restored when it fails.
type sinkSnap struct {
	off    int64
	seq    int64
	st     []tableState
	maxRun int64
}

func (d *HistoryDest) snapshot() sinkSnap {
	sn := sinkSnap{off: d.s.off, seq: d.s.seq, st: slices.Clone(d.s.st), maxRun: d.maxRun}
	return sn
}

// rollback restores the journal to the snapshot: the file is cut back to
// where the batch began, so a failed batch leaves nothing behind.
func (d *HistoryDest) rollback(sn sinkSnap) {
	d.s.dropQueued()
	for i := range d.s.st {
		st := sn.st[i]
		st.frames = d.s.st[i].frames[:len(sn.st[i].frames)]
		d.s.st[i] = st
		d.s.bufs[i] = d.s.bufs[i][:0]
		d.s.nrows[i] = 0
	}
	d.s.off, d.s.seq = sn.off, sn.seq
	d.maxRun = sn.maxRun
	if err := d.truncate(sn.off); err != nil {
		d.broken = fmt.Errorf("bundle %s could not be restored after a failed write (%w); open it again to recover", d.path, err)
	}
	d.s.bw.Reset(d.out)
}

// commit writes a commit frame and publishes the new content.
func (d *HistoryDest) commit(kind string) error {
	if err := d.s.commit(kind); err != nil {
		return err
	}
	return d.publish(nil)
}

// publish syncs (if asked) and publishes what the last commit frame
// covers. counts, unless nil, are the tables' row counts as of that commit
// (a batch begun after it has already counted its rows).
func (d *HistoryDest) publish(counts []int64) error {
	if d.o.syncBatch {
		if err := d.f.Sync(); err != nil {
			return err
		}
	}
	d.commitEnd = d.s.off
	tables := make([]tableState, len(d.s.st))
	for i, st := range d.s.st {
		st.frames = st.frames[:len(st.frames):len(st.frames)]
		if counts != nil {
			st.count = counts[i]
		}
		tables[i] = st
	}
	d.v = &view{open: d.v.open, path: d.path, hdr: d.v.hdr, names: d.v.names, tables: tables,
		manifest: &Manifest{Commits: d.s.seq, Tables: summaries(d.v.hdr.Tables, tables)}}
	return nil
}

// StartRun appends and commits a new ImportRun row (Outcome 'Running') and
// returns its id and the destination clock (now, UTC, whole milliseconds).
func (d *HistoryDest) StartRun(ctx context.Context, run store.ImportRun) (int64, time.Time, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := msUTC(time.Now())
	if err := d.journal(ctx); err != nil {
		return 0, now, fmt.Errorf("start import run: %w", err)
	}
	id := d.maxRun + 1
	row, err := importRunRow(&d.v.hdr.Tables[d.c.run], id, run, now)
	if err != nil {
		return 0, now, fmt.Errorf("start import run: %w", err)
	}
	if err := d.writeRun(id, row); err != nil {
		return 0, now, fmt.Errorf("start import run: %w", diskFull(d.path, err))
	}
	d.lk.noteRun(id)
	return id, now, nil
}

// writeRun appends an ImportRun row; a later row with the same ImportRunId
// supersedes the earlier one when the table is scanned.
func (d *HistoryDest) writeRun(id int64, row data.Row) error {
	d.discardBegun()
	sn := d.snapshot()
	old, had := d.runs[id]
	d.runs[id] = row
	d.maxRun = max(d.maxRun, id)
	d.s.st[d.c.run].count = int64(len(d.runs))
	err := d.s.writeRow(d.c.run, row)
	if err == nil {
		err = d.commit("run")
	}
	if err != nil {
		err = diskFull(d.path, err)
		if had {
			d.runs[id] = old
		} else {
			delete(d.runs, id)
		}
		d.rollback(sn)
	}
	return err
}

// FinishRun appends the finished ImportRun row and writes the closing
// manifest, so the bundle is complete between runs.
func (d *HistoryDest) FinishRun(ctx context.Context, runID int64, fin store.RunFinish) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.journal(ctx); err != nil {
		return fmt.Errorf("finish import run %d: %w", runID, err)
	}
	old, ok := d.runs[runID]
	if !ok {
		return fmt.Errorf("finish import run %d: no such ImportRun row", runID)
	}
	row, err := finishRunRow(&d.v.hdr.Tables[d.c.run], old, fin)
	if err == nil {
		err = d.writeRun(runID, row)
	}
	if err == nil {
		err = d.writeManifest()
	}
	if err == nil {
		d.foldKeys()
	}
	if err != nil {
		return fmt.Errorf("finish import run %d: %w", runID, diskFull(d.path, err))
	}
	if fin.Outcome == "Succeeded" {
		d.lk.finish()
	}
	return nil
}

// WriteHistoryBatch appends one batch as a journal transaction (see
// store.HistoryDestination for the duplicate and conflict rules).
func (d *HistoryDest) WriteHistoryBatch(ctx context.Context, b *store.HistoryBatch) (*store.HistoryBatchResult, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d.discardBegun()
	if err := d.journal(ctx); err != nil {
		return nil, fmt.Errorf("write history batch %d: %w", b.Seq, diskFull(d.path, err))
	}
	if err := d.lookupBatch(ctx, b); err != nil {
		return nil, fmt.Errorf("write history batch %d: %w", b.Seq, err)
	}
	sn := d.snapshot()
	res, pend, err := d.writeBatch(ctx, b)
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		err = d.s.flushAll() // the last frames start compressing
	}
	applied := false
	if err == nil {
		// The batch's keys join the index while its frames compress, which
		// the commit waits for anyway. Should the commit then fail, the
		// keys are dropped and read from the bundle again before the next
		// write, so they never hold a key the bundle does not.
		applied = true
		err = d.applyKeys(pend)
	}
	if err == nil {
		err = d.commit("batch")
	}
	if err != nil {
		err = diskFull(d.path, err) // the free space before the rollback frees some
		d.rollback(sn)
		if applied {
			d.dropKeys()
		}
		return nil, fmt.Errorf("write history batch %d: %w", b.Seq, err)
	}
	if d.kx.fresh >= d.kx.foldAt {
		d.foldKeys()
	}
	return res, nil
}

// applyKeys adds a batch's keys to the index.
func (d *HistoryDest) applyKeys(pend *[3]pendingKeys) error {
	for i, k := range []*entityKeys{d.rec, d.task, d.mb} {
		n, err := k.apply(&pend[i])
		if err != nil {
			return fmt.Errorf("keep the batch's keys: %w", err)
		}
		d.kx.fresh += n
	}
	return nil
}

func (d *HistoryDest) writeBatch(ctx context.Context, b *store.HistoryBatch) (*store.HistoryBatchResult, *[3]pendingKeys, error) {
	c := &d.c
	pend := &d.pend
	pr, pt, pm := &pend[0], &pend[1], &pend[2]
	pr.reset(d.rec.maxID)
	pt.reset(d.task.maxID)
	pm.reset(d.mb.maxID)
	res := &store.HistoryBatchResult{Conflicts: map[string][]data.UUID{}}
	tables := d.v.hdr.Tables
	if d.checks == nil {
		d.checks = make([]*rowCheck, len(tables))
		for i := range tables {
			d.checks[i] = newRowCheck(&tables[i])
		}
	}
	// put writes r with its id column set (no copy of the row is made).
	put := func(ti int, r data.Row, col int, id int64) error {
		v := data.IntValue(id)
		if err := d.checks[ti].checkSet(r, col, v); err != nil {
			return err
		}
		return d.s.writeRowSet(ti, r, col, v)
	}
	// classify returns "dup", "conflict" or "new" for a row of an entity.
	classify := func(k *entityKeys, p *pendingKeys, r data.Row, guid, oiid, oid int) (string, nk, bool) {
		if r[guid].Kind != data.GUID {
			return "new", nk{}, false
		}
		if k.hasGUID(p, r[guid].AsGUID()) {
			return "dup", nk{}, false
		}
		key, ok := d.naturalKey(r, oiid, oid, 0)
		if ok && k.hasNK(p, key) {
			return "conflict", key, ok
		}
		return "new", key, ok
	}
	addTask := func(t data.Row, recordConflict bool) error {
		g := t[c.taskGUID].AsGUID()
		if recordConflict {
			res.Conflicts["ApprovalTask"] = append(res.Conflicts["ApprovalTask"], g)
			return nil
		}
		switch what, key, hasKey := classify(d.task, pt, t, c.taskGUID, c.taskOIID, c.taskOID); what {
		case "dup":
			res.TasksDuplicate++
		case "conflict":
			res.Conflicts["ApprovalTask"] = append(res.Conflicts["ApprovalTask"], g)
		default:
			pt.maxID++
			if err := put(c.task, t, c.taskID, pt.maxID); err != nil {
				return fmt.Errorf("approval task %s: %w", g, err)
			}
			pt.guids.add(g, fingerprint(g))
			if !hasKey {
				key = nk{iid: d.iid, id: pt.maxID}
			}
			pt.nks.add(key, key.hash())
			res.TasksAdded++
		}
		return nil
	}
	if len(b.Records) > 0 && c.rec < 0 {
		return nil, pend, fmt.Errorf("a %s database has no change records", c.mbName)
	}
	for i := range b.Records {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, pend, err
			}
		}
		hr := &b.Records[i]
		r := hr.Record
		if len(r) != len(tables[c.rec].Columns) {
			return nil, pend, fmt.Errorf("record %d has %d values, ChangeRecord has %d columns", i+1, len(r), len(tables[c.rec].Columns))
		}
		g := r[c.recGUID].AsGUID()
		what, key, hasKey := classify(d.rec, pr, r, c.recGUID, c.recOIID, c.recOID)
		switch what {
		case "dup":
			res.RecordsDuplicate++
		case "conflict":
			res.Conflicts["ChangeRecord"] = append(res.Conflicts["ChangeRecord"], g)
		default:
			pr.maxID++
			if err := put(c.rec, r, c.recID, pr.maxID); err != nil {
				return nil, pend, fmt.Errorf("change record %s: %w", g, err)
			}
			for _, a := range hr.Attributes {
				if len(a) != len(tables[c.attr].Columns) {
					return nil, pend, fmt.Errorf("change record %s: an attribute row has %d values", g, len(a))
				}
				if err := put(c.attr, a, c.attrRec, pr.maxID); err != nil {
					return nil, pend, fmt.Errorf("change record %s attribute: %w", g, err)
				}
			}
			res.AttributesAdded += len(hr.Attributes)
			pr.guids.add(g, fingerprint(g))
			if !hasKey {
				key = nk{iid: d.iid, id: pr.maxID}
			}
			pr.nks.add(key, key.hash())
			res.RecordsAdded++
		}
		for _, t := range hr.Tasks {
			if len(t) != len(tables[c.task].Columns) {
				return nil, pend, fmt.Errorf("change record %s: a task row has %d values", g, len(t))
			}
			if err := addTask(t, what == "conflict"); err != nil {
				return nil, pend, err
			}
		}
	}
	for _, m := range b.Memberships {
		if len(m) != len(tables[c.mb].Columns) {
			return nil, pend, fmt.Errorf("a %s row has %d values", c.mbName, len(m))
		}
		g := m[c.mbGUID].AsGUID()
		switch what, key, hasKey := classify(d.mb, pm, m, c.mbGUID, c.mbOIID, c.mbOID); what {
		case "dup":
			res.MembershipsDuplicate++
		case "conflict":
			res.Conflicts[c.mbName] = append(res.Conflicts[c.mbName], g)
		default:
			pm.maxID++
			if err := put(c.mb, m, c.mbID, pm.maxID); err != nil {
				return nil, pend, fmt.Errorf("temporal membership %s: %w", g, err)
			}
			pm.guids.add(g, fingerprint(g))
			if !hasKey {
				key = nk{iid: d.iid, id: pm.maxID}
			}
			pm.nks.add(key, key.hash())
			res.MembershipsAdded++
		}
	}
	return res, pend, nil
}

// lookupBatch finds which of the batch's GUIDs the destination already
// holds (each entity's present set): one sorted pass over the key index.
func (d *HistoryDest) lookupBatch(ctx context.Context, b *store.HistoryBatch) error {
	c := &d.c
	recs, tasks, mbs := d.lookupKeys[0][:0], d.lookupKeys[1][:0], d.lookupKeys[2][:0]
	defer func() { d.lookupKeys = [3][]data.UUID{recs, tasks, mbs} }()
	for _, r := range b.Records {
		if len(r.Record) > c.recGUID && r.Record[c.recGUID].Kind == data.GUID {
			recs = append(recs, r.Record[c.recGUID].AsGUID())
		}
		for _, t := range r.Tasks {
			if len(t) > c.taskGUID && t[c.taskGUID].Kind == data.GUID {
				tasks = append(tasks, t[c.taskGUID].AsGUID())
			}
		}
	}
	for _, m := range b.Memberships {
		if len(m) > c.mbGUID && m[c.mbGUID].Kind == data.GUID {
			mbs = append(mbs, m[c.mbGUID].AsGUID())
		}
	}
	for i, k := range []*entityKeys{d.rec, d.task, d.mb} {
		if err := k.lookup(ctx, [][]data.UUID{recs, tasks, mbs}[i]); err != nil {
			return fmt.Errorf("look up keys: %w", err)
		}
	}
	return nil
}
