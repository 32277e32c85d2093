package bundle

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/store"
)

// ConfigDest is a bundle used as a configuration import's destination. Every
// change (a transaction, StartRun, FinishRun) rewrites the bundle into a
// temporary file beside it — untouched tables are copied frame by frame
// without decompression — and renames it into place, so the file is always
// either wholly before or wholly after a change.
type ConfigDest struct {
	path  string // the real path (RealPath)
	o     options
	mu    sync.Mutex
	b     *Bundle     // nil while the path does not exist (a Blank database)
	stamp os.FileInfo // the file b was read from
	tx    *ConfigTx
	lk    destLock
}

var _ store.ConfigDestination = (*ConfigDest)(nil)

// OpenConfigDestination opens path as a configuration destination. A path
// that does not exist is a Blank database: Initialize creates it. A symbolic
// link is resolved once: the file it points to is the one written.
func OpenConfigDestination(path string, opts ...Option) (*ConfigDest, error) {
	real, err := RealPath(path)
	if err != nil {
		return nil, fmt.Errorf("open bundle destination: %w", err)
	}
	d := &ConfigDest{path: real, o: buildOptions(opts)}
	if err := d.load(); err != nil {
		return nil, err
	}
	return d, nil
}

// load reads the file as it is now (d.mu held or not yet shared).
func (d *ConfigDest) load() error {
	fi, err := os.Stat(d.path)
	if errors.Is(err, fs.ErrNotExist) {
		d.b, d.stamp = nil, nil
		return nil
	}
	if err != nil {
		return fmt.Errorf("open bundle destination: %w", err)
	}
	b, err := Open(d.path)
	if err != nil {
		return err
	}
	d.b, d.stamp = b, fi
	return nil
}

// Path is the real path of the bundle.
func (d *ConfigDest) Path() string { return d.path }

// LockForWrite takes the bundle's writer lock (store.Locker) and then reads
// the file again if another run changed it since it was opened, so the run
// decides on what it will write over.
func (d *ConfigDest) LockForWrite(ctx context.Context, holder store.LockHolder) (func() error, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.lk.held() {
		return nil, fmt.Errorf("lock bundle %s: already locked by this run", d.path)
	}
	l, prev, err := acquire(ctx, d.path, holder)
	if err != nil {
		return nil, err
	}
	d.lk = destLock{l: l, prev: prev}
	if !unchanged(d.path, d.stamp) {
		if err := d.load(); err != nil {
			_ = d.lk.release(false)
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
			rerr = d.lk.release(d.b != nil)
		})
		return rerr
	}, nil
}

// unchanged reports whether path is still the file stamp describes (nil
// stamp: the file did not exist).
func unchanged(path string, stamp os.FileInfo) bool {
	fi, err := os.Stat(path)
	if stamp == nil || err != nil {
		return stamp == nil && errors.Is(err, fs.ErrNotExist)
	}
	return os.SameFile(fi, stamp) && fi.Size() == stamp.Size() && fi.ModTime().Equal(stamp.ModTime())
}

// Exists reports whether the bundle file exists (as of the last read).
func (d *ConfigDest) Exists() bool { return d.current() != nil }

// TakeOver starts afresh on a bundle that an earlier run of the same
// operation created and was killed in before it finished (the lock record
// it left says so, and this run now holds the lock): a configuration import
// writes all-or-nothing, so the bundle holds nothing that run would have
// kept, and it is removed for this run to create again. It reports whether
// it did so; it needs the lock.
func (d *ConfigDest) TakeOver(ctx context.Context) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.b == nil || d.tx != nil {
		return false, nil
	}
	if ok, err := d.lk.abandoned(ctx, d.b.view); !ok || err != nil {
		return false, err
	}
	if err := os.Remove(d.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("take over bundle %s: %w", d.path, err)
	}
	d.b, d.stamp = nil, nil
	return true, nil
}

// WouldTakeOver reports, without taking the lock, whether a run of
// operation would take the bundle over (TakeOver): what a prerequisite
// check predicts.
func (d *ConfigDest) WouldTakeOver(ctx context.Context, operation string) (bool, error) {
	b := d.current()
	if b == nil {
		return false, nil
	}
	return wouldTakeOver(ctx, d.path, operation, b.view)
}

// DiscardCreated removes the bundle when this run created it under its
// lock (a failed or cancelled run leaves nothing behind); otherwise it does
// nothing. It reports whether it removed it.
func (d *ConfigDest) DiscardCreated() (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.lk.held() || !d.lk.created || d.lk.discarded {
		return false, nil
	}
	if err := os.Remove(d.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("remove bundle %s: %w", d.path, err)
	}
	d.lk.discarded = true
	d.b, d.stamp = nil, nil
	return true, nil
}

func (d *ConfigDest) current() *Bundle {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.b
}

// Info describes the destination; a Blank one has no tables and nil Settings.
func (d *ConfigDest) Info(ctx context.Context) (*store.Info, error) {
	if b := d.current(); b != nil {
		return b.Info(ctx)
	}
	return blankInfo(d.path), nil
}

// Count returns a table's committed row count.
func (d *ConfigDest) Count(ctx context.Context, table string) (int64, error) {
	if b := d.current(); b != nil {
		return b.Count(ctx, table)
	}
	return 0, fmt.Errorf("count %s in bundle %s: the bundle does not exist yet", table, d.path)
}

// Scan reads a table's committed rows.
func (d *ConfigDest) Scan(ctx context.Context, table string) (store.Rows, error) {
	if b := d.current(); b != nil {
		return b.Scan(ctx, table)
	}
	return nil, fmt.Errorf("scan %s in bundle %s: the bundle does not exist yet", table, d.path)
}

// Close releases nothing: every change is already in the file.
func (d *ConfigDest) Close() error { return nil }

// Initialize creates the bundle with the tables and Settings rows (ddl is
// SQL Server's and is not needed).
func (d *ConfigDest) Initialize(ctx context.Context, tables []data.Table, ddl []string, settings map[string]string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.b != nil {
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

// BeginConfig starts the transaction; one at a time.
func (d *ConfigDest) BeginConfig(ctx context.Context) (store.ConfigTx, error) {
	return d.begin(ctx)
}

func (d *ConfigDest) begin(ctx context.Context) (*ConfigTx, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.b == nil {
		return nil, fmt.Errorf("begin transaction on bundle %s: the bundle does not exist yet (initialize it first)", d.path)
	}
	if d.tx != nil {
		return nil, fmt.Errorf("begin transaction on bundle %s: a transaction is already open", d.path)
	}
	d.tx = &ConfigTx{d: d, b: d.b, tables: map[int]*txTable{}}
	return d.tx, nil
}

// StartRun commits a new ImportRun row (Outcome 'Running') on its own.
func (d *ConfigDest) StartRun(ctx context.Context, run store.ImportRun) (int64, time.Time, error) {
	now := msUTC(time.Now())
	tx, err := d.begin(ctx)
	if err != nil {
		return 0, now, fmt.Errorf("start import run: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	tt, err := tx.table(ctx, "ImportRun")
	if err != nil {
		return 0, now, fmt.Errorf("start import run: %w", err)
	}
	id := tt.maxID + 1
	row, err := importRunRow(tt.t, id, run, now)
	if err == nil {
		err = tx.insert(tt, row)
	}
	if err == nil {
		err = tx.Commit(ctx)
	}
	if err != nil {
		return 0, now, fmt.Errorf("start import run: %w", err)
	}
	d.mu.Lock()
	d.lk.noteRun(id)
	d.mu.Unlock()
	return id, now, nil
}

// FinishRun updates the ImportRun row.
func (d *ConfigDest) FinishRun(ctx context.Context, runID int64, fin store.RunFinish) error {
	tx, err := d.begin(ctx)
	if err != nil {
		return fmt.Errorf("finish import run %d: %w", runID, err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	tt, err := tx.table(ctx, "ImportRun")
	if err != nil {
		return fmt.Errorf("finish import run %d: %w", runID, err)
	}
	i, ok := tt.keys[keyString(data.Row{data.IntValue(runID)}, []int{0})]
	if !ok || len(tt.pk) != 1 {
		return fmt.Errorf("finish import run %d: no such ImportRun row", runID)
	}
	row, err := finishRunRow(tt.t, tt.rows[i], fin)
	if err == nil {
		tt.rows[i] = row
		tt.dirty = true
		err = tx.Commit(ctx)
	}
	if err != nil {
		return fmt.Errorf("finish import run %d: %w", runID, err)
	}
	if fin.Outcome == "Succeeded" {
		d.mu.Lock()
		d.lk.finish()
		d.mu.Unlock()
	}
	return nil
}

// ConfigTx holds a transaction's changes in memory (configuration tables
// are small) until Commit rewrites the bundle.
type ConfigTx struct {
	d      *ConfigDest
	b      *Bundle
	tables map[int]*txTable
	done   bool
}

var _ store.ConfigTx = (*ConfigTx)(nil)

// txTable is a touched table: all its rows, by key.
type txTable struct {
	t     *data.Table
	rows  []data.Row
	keys  map[string]int // key → index in rows
	pk    []int
	ident int
	maxID int64
	dirty bool
}

func (tx *ConfigTx) table(ctx context.Context, name string) (*txTable, error) {
	if tx.done {
		return nil, errors.New("the transaction is over")
	}
	v := tx.b.view
	ti, ok := lookupTable(v.names, name)
	if !ok {
		return nil, fmt.Errorf("table %s is not in bundle %s", name, v.path)
	}
	if tt := tx.tables[ti]; tt != nil {
		return tt, nil
	}
	t := &v.hdr.Tables[ti]
	tt := &txTable{t: t, keys: map[string]int{}, pk: pkIndexes(t), ident: identityIndex(t)}
	rs, err := v.scan(ctx, t.Name)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	for rs.Next() {
		r := cloneRowDeep(rs.Row())
		tt.keys[keyString(r, tt.pk)] = len(tt.rows)
		tt.rows = append(tt.rows, r)
		if tt.ident >= 0 && r[tt.ident].Kind == data.Int {
			tt.maxID = max(tt.maxID, r[tt.ident].Int)
		}
	}
	if err := rs.Err(); err != nil {
		return nil, err
	}
	tx.tables[ti] = tt
	return tt, nil
}

// cloneRowDeep copies a row, strings included (scans decode them in place).
func cloneRowDeep(r data.Row) data.Row {
	c := r.Clone()
	for i := range c {
		if c[i].Kind == data.String {
			c[i].Str = string([]byte(c[i].Str))
		}
	}
	return c
}

// DeleteAll removes every row of the table.
func (tx *ConfigTx) DeleteAll(ctx context.Context, table string) error {
	tt, err := tx.table(ctx, table)
	if err != nil {
		return fmt.Errorf("delete all rows of %s: %w", table, err)
	}
	tt.rows, tt.dirty = nil, true
	clear(tt.keys)
	return nil
}

// Insert adds rows; identity columns must be NULL and are assigned max+1.
// A duplicate primary key or a value the column refuses fails the call.
func (tx *ConfigTx) Insert(ctx context.Context, table string, rows []data.Row) error {
	tt, err := tx.table(ctx, table)
	if err != nil {
		return fmt.Errorf("insert into %s: %w", table, err)
	}
	for _, r := range rows {
		if err := tx.insert(tt, cloneRowDeep(r)); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
	}
	return nil
}

func (tx *ConfigTx) insert(tt *txTable, r data.Row) error {
	if len(r) != len(tt.t.Columns) {
		return fmt.Errorf("row has %d values, table has %d columns", len(r), len(tt.t.Columns))
	}
	if tt.ident >= 0 {
		switch {
		case r[tt.ident].Kind == data.Null:
			tt.maxID++
			r[tt.ident] = data.IntValue(tt.maxID)
		case r[tt.ident].Kind == data.Int && r[tt.ident].Int > tt.maxID:
			tt.maxID = r[tt.ident].Int // an id chosen by the caller (StartRun)
		}
	}
	if err := tt.t.CheckRow(r); err != nil {
		return err
	}
	k := keyString(r, tt.pk)
	if _, dup := tt.keys[k]; dup {
		return fmt.Errorf("a row with the primary key (%s) already exists", keyText(r, tt.pk))
	}
	tt.keys[k] = len(tt.rows)
	tt.rows = append(tt.rows, r)
	tt.dirty = true
	return nil
}

func keyText(r data.Row, pk []int) string {
	s := ""
	for n, i := range pk {
		if n > 0 {
			s += ", "
		}
		s += r[i].String()
	}
	return s
}

// Update replaces rows matched by primary key.
func (tx *ConfigTx) Update(ctx context.Context, table string, rows []data.Row) error {
	tt, err := tx.table(ctx, table)
	if err != nil {
		return fmt.Errorf("update %s: %w", table, err)
	}
	for _, r := range rows {
		r = cloneRowDeep(r)
		if err := tt.t.CheckRow(r); err != nil {
			return fmt.Errorf("update %s: %w", table, err)
		}
		i, ok := tt.keys[keyString(r, tt.pk)]
		if !ok {
			return fmt.Errorf("update %s: no row has the primary key (%s)", table, keyText(r, tt.pk))
		}
		tt.rows[i] = r
		tt.dirty = true
	}
	return nil
}

// Rollback forgets the changes; the file was never touched.
func (tx *ConfigTx) Rollback(ctx context.Context) error {
	tx.end()
	return nil
}

func (tx *ConfigTx) end() {
	if tx.done {
		return
	}
	tx.done = true
	tx.d.mu.Lock()
	if tx.d.tx == tx {
		tx.d.tx = nil
	}
	tx.d.mu.Unlock()
}

// Commit rewrites the bundle with the changes and renames it into place.
// On any error (cancellation included) the original file is unchanged.
func (tx *ConfigTx) Commit(ctx context.Context) error {
	if tx.done {
		return errors.New("commit: the transaction is over")
	}
	defer tx.end()
	for ti := range tx.b.view.tables {
		if tx.b.view.tables[ti].super {
			// A history destination's superseded ImportRun rows are dropped.
			tt, err := tx.table(ctx, tx.b.view.hdr.Tables[ti].Name)
			if err != nil {
				return fmt.Errorf("commit to bundle %s: %w", tx.d.path, err)
			}
			tt.dirty = true
		}
	}
	nb, err := rewrite(ctx, tx.b, tx.tables, tx.d.o)
	if err != nil {
		return fmt.Errorf("commit to bundle %s: %w", tx.d.path, diskFull(tx.d.path, err))
	}
	fi, _ := os.Stat(tx.d.path)
	tx.d.mu.Lock()
	tx.d.b, tx.d.stamp = nb, fi
	tx.d.mu.Unlock()
	return nil
}

// rewrite writes b with the touched tables replaced into a temp file and
// renames it over b's path.
func rewrite(ctx context.Context, b *Bundle, touched map[int]*txTable, o options) (_ *Bundle, err error) {
	v := b.view
	path := v.path
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	// Runs first: the free space is measured before the file goes.
	defer func() { err = diskFull(path, err) }()
	var out io.Writer = f
	if o.wrap != nil {
		out = o.wrap(out)
	}
	hdr := v.header()
	s, err := startFile(out, &hdr)
	defer s.stop()
	if err != nil {
		return nil, err
	}
	s.async = true
	src, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	for ti := range v.tables {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		tt := touched[ti]
		if tt == nil || !tt.dirty {
			st := &v.tables[ti]
			if err := s.copyFrames(ti, src, st.frames, st.summary(v.hdr.Tables[ti].Name), st.chain); err != nil {
				return nil, err
			}
			continue
		}
		sortRows(tt.rows, tt.pk)
		for _, r := range tt.rows {
			if err := s.writeRow(ti, r); err != nil {
				return nil, err
			}
		}
		if err := s.flushTable(ti); err != nil {
			return nil, err
		}
	}
	if err := s.commit("close"); err != nil {
		return nil, err
	}
	if err := s.finish(time.Now()); err != nil {
		return nil, err
	}
	if err := f.Sync(); err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, err
	}
	ok = true
	syncDir(filepath.Dir(path))
	return Open(path)
}
