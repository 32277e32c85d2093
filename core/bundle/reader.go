package bundle

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"
	"slices"
	"sync"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/store"
)

// Bundle is an opened, verified bundle file; it implements store.Source.
// It holds no file open: each Scan opens its own handle, so scans may run
// concurrently.
type Bundle struct {
	path  string
	view  *view
	mu    sync.Mutex
	setts map[string]string
	sread bool
}

// view is an immutable snapshot of a bundle's committed content.
type view struct {
	open     func() (fileReader, error) // a new handle on the file, one per scan
	path     string
	hdr      Header
	names    map[string]int
	tables   []tableState
	manifest *Manifest
}

var _ store.Source = (*Bundle)(nil)

// Open opens and verifies a bundle: every frame's structure and CRC are
// checked (no decompression), so a truncated, corrupted or tampered file is
// refused at once. Row counts and table checksums are verified when a scan
// completes.
func Open(path string) (*Bundle, error) {
	w, err := walkFile(path, false)
	if err != nil {
		return nil, err
	}
	return &Bundle{path: path, view: newView(path, w)}, nil
}

// OpenCommitted opens a bundle as far as it is committed: a finished
// bundle as Open does, and one a history import is writing, or was
// interrupted in, up to its last commit frame (what the import's re-run
// continues from), leaving the file as it is. It is for looking at a
// destination; an import's source must be a finished bundle (Open).
func OpenCommitted(path string) (*Bundle, error) {
	w, err := walkFile(path, true)
	if err != nil {
		return nil, err
	}
	return &Bundle{path: path, view: newView(path, w)}, nil
}

func walkFile(path string, journal bool) (*walked, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open bundle: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("open bundle: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("open bundle %s: not a regular file", path)
	}
	return walk(path, f, fi.Size(), journal)
}

// fileReader is what a scan reads frames from: an *os.File, or memory in fuzz tests.
type fileReader interface {
	io.ReaderAt
	io.Closer
}

func openFile(path string) func() (fileReader, error) {
	return func() (fileReader, error) { return os.Open(path) }
}

func newView(path string, w *walked) *view {
	v := &view{open: openFile(path), path: path, hdr: w.hdr, names: tableNames(w.hdr.Tables), tables: w.tables}
	if w.manifest != nil {
		m := *w.manifest
		v.manifest = &m
	} else {
		v.manifest = &Manifest{Commits: w.seq, Tables: summaries(w.hdr.Tables, w.tables)}
	}
	return v
}

func summaries(ts []data.Table, st []tableState) []TableSummary {
	out := make([]TableSummary, len(ts))
	for i := range ts {
		out[i] = st[i].summary(ts[i].Name)
	}
	return out
}

// Path is the bundle file.
func (b *Bundle) Path() string { return b.path }

// Header returns the bundle's header (tables included).
func (b *Bundle) Header() Header { return b.view.header() }

// Manifest returns the per-table counts and checksums.
func (b *Bundle) Manifest() Manifest {
	m := *b.view.manifest
	m.Tables = slices.Clone(m.Tables)
	return m
}

func (v *view) header() Header {
	h := v.hdr
	h.Tables = cloneTables(h.Tables)
	return h
}

func cloneTables(ts []data.Table) []data.Table {
	out := make([]data.Table, len(ts))
	for i, t := range ts {
		t.Columns = slices.Clone(t.Columns)
		t.PrimaryKey = slices.Clone(t.PrimaryKey)
		out[i] = t
	}
	return out
}

// Info describes the bundle as a database: its tables and Settings.
func (b *Bundle) Info(ctx context.Context) (*store.Info, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.sread {
		s, err := b.view.settings(ctx)
		if err != nil {
			return nil, err
		}
		b.setts, b.sread = s, true
	}
	return b.view.info(b.setts), nil
}

func (v *view) info(settings map[string]string) *store.Info {
	in := &store.Info{Kind: "bundle", Location: v.path, Tables: cloneTables(v.hdr.Tables)}
	if settings != nil {
		in.Settings = make(map[string]string, len(settings))
		for k, s := range settings {
			in.Settings[k] = s
		}
	}
	return in
}

// settings reads the Settings table (nil when the bundle has none).
func (v *view) settings(ctx context.Context) (map[string]string, error) {
	ti, ok := lookupTable(v.names, "Settings")
	if !ok {
		return nil, nil
	}
	t := &v.hdr.Tables[ti]
	ni, vi := t.Index("Name"), t.Index("Value")
	if ni < 0 || vi < 0 {
		return nil, nil // not the Settings of an Active Roles database: detection says so
	}
	rs, err := v.scan(ctx, t.Name)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	m := map[string]string{}
	for rs.Next() {
		r := rs.Row()
		if r[ni].Kind == data.String {
			m[r[ni].Str] = r[vi].Str // a NULL Value reads as ""
		}
	}
	if err := rs.Err(); err != nil {
		return nil, err
	}
	return m, nil
}

// Count returns the number of rows a scan of the table returns.
func (b *Bundle) Count(ctx context.Context, table string) (int64, error) { return b.view.count(table) }

func (v *view) count(table string) (int64, error) {
	ti, ok := lookupTable(v.names, table)
	if !ok {
		return 0, fmt.Errorf("count %s in bundle %s: no such table", table, v.path)
	}
	return v.tables[ti].count, nil
}

// Scan streams a table's rows in the order they were written (the writer's
// canonical order). Each scan has its own file handle. The row slice is
// reused by Next; its strings and byte slices point into the frame's
// decompressed buffer, which is never reused, so they stay valid but keep
// that frame (about 1 MiB) alive while referenced.
func (b *Bundle) Scan(ctx context.Context, table string) (store.Rows, error) {
	return b.view.scan(ctx, table)
}

func (v *view) scan(ctx context.Context, table string) (store.Rows, error) {
	ti, ok := lookupTable(v.names, table)
	if !ok {
		return nil, fmt.Errorf("scan %s in bundle %s: no such table", table, v.path)
	}
	st := &v.tables[ti]
	r := &frameRows{ctx: ctx, path: v.path, table: v.hdr.Tables[ti].Name, frames: st.frames,
		kinds: tableKinds(&v.hdr.Tables[ti]), wantRows: st.rows, wantChain: st.chain}
	r.row = make(data.Row, len(r.kinds))
	if len(st.frames) > 0 {
		f, err := v.open()
		if err != nil {
			return nil, fmt.Errorf("scan %s in bundle: %w", table, err)
		}
		r.f = f
		r.sha = sha256.New()
	}
	if st.super {
		return supersede(r, &v.hdr.Tables[ti])
	}
	return r, nil
}

// ScanFrom reads a table's rows from the row-th (0-based) of its canonical
// order on: the frames before that row are skipped unread (their rows are
// counted in the frame headers, checked when the bundle was opened), so a
// read that resumes costs what it returns. A superseding table (ImportRun)
// cannot be read this way.
func (b *Bundle) ScanFrom(ctx context.Context, table string, row int64) (store.Rows, error) {
	v := b.view
	ti, ok := lookupTable(v.names, table)
	if !ok {
		return nil, fmt.Errorf("scan %s in bundle %s: no such table", table, v.path)
	}
	st := &v.tables[ti]
	if st.super || row < 0 || row > st.rows {
		return nil, fmt.Errorf("scan %s in bundle %s from row %d: not possible (%d rows)", table, v.path, row, st.rows)
	}
	i := 0
	for i < len(st.frames) && row >= int64(st.frames[i].rows) {
		row -= int64(st.frames[i].rows)
		i++
	}
	rs, err := v.scanFrames(ctx, ti, st.frames[i:])
	if err != nil {
		return nil, err
	}
	for ; row > 0 && rs.Next(); row-- {
	}
	if err := rs.Err(); err != nil {
		rs.Close()
		return nil, err
	}
	return rs, nil
}

// Close releases nothing: scans own their handles.
func (b *Bundle) Close() error { return nil }

// frameRows decodes a table's frames one at a time.
type frameRows struct {
	ctx       context.Context
	f         fileReader
	path      string
	table     string
	frames    []frameRef
	fi        int
	kinds     []data.Kind
	row       data.Row
	cbuf      []byte
	raw       []byte
	pos       int
	left      uint32
	sha       hash.Hash
	chain     [32]byte
	nrows     int64
	wantRows  int64
	wantChain [32]byte
	err       error
	done      bool
	// With more than one frame, a goroutine reads, checks and decompresses
	// the next frames while the caller decodes rows (the second core).
	ahead chan loadedFrame
	stop  chan struct{}
}

type loadedFrame struct {
	raw []byte
	err error
}

func (r *frameRows) startPrefetch() {
	// Unbuffered: the goroutine holds at most one frame ahead of the one
	// being decoded, so a scan keeps about two frames in memory.
	r.ahead, r.stop = make(chan loadedFrame), make(chan struct{})
	go func() {
		defer close(r.ahead)
		for _, fr := range r.frames {
			raw, err := r.load(fr)
			select {
			case r.ahead <- loadedFrame{raw, err}:
			case <-r.stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
}

func (r *frameRows) nextFrame() ([]byte, error) {
	if len(r.frames) > 1 {
		if r.ahead == nil {
			r.startPrefetch()
		}
		l, ok := <-r.ahead
		if !ok {
			return nil, errors.New("internal error: prefetch ended early")
		}
		return l.raw, l.err
	}
	return r.load(r.frames[r.fi])
}

func (r *frameRows) Next() bool {
	if r.err != nil || r.done {
		return false
	}
	for r.left == 0 {
		if r.pos != len(r.raw) {
			r.err = corruptf(r.path, r.frames[r.fi-1].off, "a data frame of table %s holds bytes after its last row", r.table)
			return false
		}
		if r.fi == len(r.frames) {
			r.finish()
			return false
		}
		if err := r.ctx.Err(); err != nil {
			r.err = err
			return false
		}
		raw, err := r.nextFrame()
		if err != nil {
			r.err = err
			return false
		}
		r.raw, r.pos, r.left = raw, 0, r.frames[r.fi].rows
		r.fi++
	}
	pos, err := decodeRow(r.raw, r.pos, r.kinds, r.row)
	if err != nil {
		r.err = corruptf(r.path, r.frames[r.fi-1].off, "a data frame of table %s holds a bad row: %v", r.table, err)
		return false
	}
	r.pos = pos
	r.left--
	r.nrows++
	return true
}

// load reads one frame, checks its CRC, extends the checksum chain and
// decompresses it. Frames are loaded strictly in order, by one goroutine.
func (r *frameRows) load(fr frameRef) ([]byte, error) {
	n := frameHdrLen + int(fr.stored) + frameCRCLen
	if cap(r.cbuf) < n {
		r.cbuf = make([]byte, n)
	}
	buf := r.cbuf[:n]
	if _, err := r.f.ReadAt(buf, fr.off); err != nil {
		return nil, fmt.Errorf("read bundle %s at byte %d: %w (was the file changed while in use?)", r.path, fr.off, err)
	}
	if crc32.Checksum(buf[:n-frameCRCLen], castagnoli) != binary.LittleEndian.Uint32(buf[n-frameCRCLen:]) {
		return nil, corruptf(r.path, fr.off, "a data frame of table %s fails its checksum", r.table)
	}
	payload := buf[frameHdrLen : n-frameCRCLen]
	r.chain = chainNext(r.sha, r.chain, payload)
	// A fresh buffer per frame: decoded strings point into it and must stay valid.
	raw := make([]byte, 0, fr.raw)
	if fr.flags&flagZstd != 0 {
		dec, err := decoder()
		if err != nil {
			return nil, fmt.Errorf("create zstd decoder: %w", err)
		}
		raw, err = dec.DecodeAll(payload, raw)
		if err != nil || len(raw) != int(fr.raw) {
			return nil, corruptf(r.path, fr.off, "a data frame of table %s does not decompress to its announced %d bytes", r.table, fr.raw)
		}
	} else {
		raw = append(raw, payload...)
	}
	return raw, nil
}

func (r *frameRows) finish() {
	r.done = true
	if r.wantRows < 0 {
		// a partial scan (scanFrames): nothing to compare with
	} else if r.nrows != r.wantRows {
		r.err = corruptf(r.path, -1, "table %s holds %d rows, the manifest says %d", r.table, r.nrows, r.wantRows)
	} else if r.chain != r.wantChain {
		r.err = corruptf(r.path, -1, "table %s fails its SHA-256 checksum (manifest %s, data %s)", r.table,
			hex.EncodeToString(r.wantChain[:]), hex.EncodeToString(r.chain[:]))
	}
	r.close()
}

func (r *frameRows) Row() data.Row { return r.row }
func (r *frameRows) Err() error    { return r.err }
func (r *frameRows) Close() error  { r.close(); return nil }

func (r *frameRows) close() {
	if r.ahead != nil {
		close(r.stop)
		for range r.ahead { // wait for the prefetcher to stop using the file
		}
		r.ahead = nil
	}
	if r.f != nil {
		_ = r.f.Close()
		r.f = nil
	}
}

// sliceRows serves rows held in memory.
type sliceRows struct {
	rows []data.Row
	i    int
}

func (s *sliceRows) Next() bool {
	if s.i >= len(s.rows) {
		return false
	}
	s.i++
	return true
}
func (s *sliceRows) Row() data.Row { return s.rows[s.i-1] }
func (s *sliceRows) Err() error    { return nil }
func (s *sliceRows) Close() error  { return nil }

// supersede reads a (small) table whose later rows replace earlier ones with
// the same primary key, and returns the survivors in key order.
func supersede(r store.Rows, t *data.Table) (store.Rows, error) {
	defer r.Close()
	pk := pkIndexes(t)
	var rows []data.Row
	pos := map[string]int{}
	for r.Next() {
		row := r.Row().Clone()
		k := keyString(row, pk)
		if i, ok := pos[k]; ok {
			rows[i] = row
			continue
		}
		pos[k] = len(rows)
		rows = append(rows, row)
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	sortRows(rows, pk)
	return &sliceRows{rows: rows}, nil
}

func pkIndexes(t *data.Table) []int {
	var pk []int
	for _, n := range t.PrimaryKey {
		pk = append(pk, t.Index(n))
	}
	if len(pk) == 0 {
		for i := range t.Columns {
			pk = append(pk, i)
		}
	}
	return pk
}

// keyString renders a primary key as a map key; strings compare
// case-insensitively as under the model's collation.
func keyString(row data.Row, pk []int) string {
	var b []byte
	for _, i := range pk {
		v := row[i]
		b = append(b, byte(v.Kind))
		switch v.Kind {
		case data.Int:
			b = binary.AppendVarint(b, v.Int)
		case data.String:
			s := foldString(v.Str)
			b = binary.AppendUvarint(b, uint64(len(s)))
			b = append(b, s...)
		case data.Bytes, data.GUID:
			b = binary.AppendUvarint(b, uint64(len(v.Bytes)))
			b = append(b, v.Bytes...)
		case data.Time:
			b = binary.AppendVarint(b, v.Int)
			b = binary.AppendVarint(b, int64(v.Nsec))
		}
	}
	return string(b)
}

// compareRows orders rows by the key columns: NULL first, numbers and times
// numerically, strings case-insensitively (then ordinally), bytes bytewise,
// GUIDs as SQL Server does.
func compareRows(a, b data.Row, pk []int) int {
	for _, i := range pk {
		if c := compareValues(a[i], b[i]); c != 0 {
			return c
		}
	}
	return 0
}

func compareValues(x, y data.Value) int {
	if x.Kind != y.Kind {
		return cmp.Compare(x.Kind, y.Kind)
	}
	switch x.Kind {
	case data.Int:
		return cmp.Compare(x.Int, y.Int)
	case data.String:
		if c := cmp.Compare(foldString(x.Str), foldString(y.Str)); c != 0 {
			return c
		}
		return cmp.Compare(x.Str, y.Str)
	case data.Bytes:
		return slices.Compare(x.Bytes, y.Bytes)
	case data.GUID:
		return compareGUIDs(x.AsGUID(), y.AsGUID())
	case data.Time:
		if c := cmp.Compare(x.Int, y.Int); c != 0 {
			return c
		}
		return cmp.Compare(x.Nsec, y.Nsec)
	}
	return 0
}

// guidOrder is SQL Server's uniqueidentifier sort order (SqlGuid) as
// indexes into the RFC 4122 bytes, so bundles and SQL Server agree on the
// canonical order of GUID keys.
var guidOrder = [16]int{10, 11, 12, 13, 14, 15, 8, 9, 7, 6, 5, 4, 3, 2, 1, 0}

func compareGUIDs(x, y data.UUID) int {
	for _, i := range guidOrder {
		if x[i] != y[i] {
			return cmp.Compare(x[i], y[i])
		}
	}
	return 0
}

func sortRows(rows []data.Row, pk []int) {
	slices.SortStableFunc(rows, func(a, b data.Row) int { return compareRows(a, b, pk) })
}

// scanFrames reads the rows of some of a table's frames, without the
// whole-table count and checksum verification (each frame's CRC still is).
func (v *view) scanFrames(ctx context.Context, ti int, frames []frameRef) (*frameRows, error) {
	r := &frameRows{ctx: ctx, path: v.path, table: v.hdr.Tables[ti].Name, frames: frames,
		kinds: tableKinds(&v.hdr.Tables[ti]), wantRows: -1, sha: sha256.New()}
	r.row = make(data.Row, len(r.kinds))
	if len(frames) > 0 {
		f, err := v.open()
		if err != nil {
			return nil, fmt.Errorf("scan %s in bundle: %w", r.table, err)
		}
		r.f = f
	}
	return r, nil
}
