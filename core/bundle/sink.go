package bundle

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/klauspost/compress/zstd"
)

// sink writes frames to a file: the shared core of Writer, the configuration
// destination's rewrite and the history destination's journal.
type sink struct {
	w      io.Writer // the file, possibly wrapped by a test hook
	bw     *bufio.Writer
	off    int64 // file offset of the next byte written
	enc    *zstd.Encoder
	tables []data.Table
	kinds  [][]data.Kind
	names  map[string]int
	st     []tableState
	bufs   [][]byte
	nrows  []uint32
	zbuf   []byte
	hdr    [frameHdrLen]byte
	sha    hash.Hash
	seq    int64 // commit frames written or found

	// Asynchronous mode (exports and rewrites): full row buffers are
	// compressed and written by a goroutine while rows keep being encoded.
	// Only that goroutine touches off, bw, zbuf and st[].frames/rows/chain
	// until barrier returns.
	async   bool
	jobs    chan flushJob
	done    chan struct{}
	free    chan []byte
	pending sync.WaitGroup
	aerr    error       // the goroutine's first error; read after barrier
	failed  atomic.Bool // set with aerr, so producers stop early

	// Parallel mode (the history journal): full row buffers are compressed
	// by short-lived goroutines, at most one per encoder in encs, while the
	// caller goes on; commit writes the compressed frames in the order they
	// were queued, then the commit frame. Nothing reaches the file before
	// commit, so a failed batch only has to drop the queue (dropQueued).
	encs   chan *zstd.Encoder
	queued []*zjob
	zfree  []*zjob
}

// zjob is one data frame being compressed in parallel mode.
type zjob struct {
	ti   int
	raw  []byte
	rows uint32
	out  []byte // the compressed payload, valid after done
	done chan struct{}
}

// parallelEncoders is how many data frames of a batch are compressed at
// once: the batch's largest tables (ChangeRecord and its attributes) then
// compress side by side.
const parallelEncoders = 2

// startParallel switches the sink to parallel mode.
func (s *sink) startParallel() error {
	s.encs = make(chan *zstd.Encoder, parallelEncoders)
	for range parallelEncoders {
		// A journal frame is about targetFrame bytes at most: a window of
		// that size loses nothing and keeps each encoder's history small.
		// Huffman-coding the literals costs about 15% of the time and, on
		// history rows, saves almost nothing (measured: 0.003%).
		enc, err := newEncoder(zstd.WithWindowSize(targetFrame), zstd.WithNoEntropyCompression(true))
		if err != nil {
			return fmt.Errorf("create zstd encoder: %w", err)
		}
		s.encs <- enc
	}
	return nil
}

// queue starts compressing raw as a data frame of table ti.
func (s *sink) queue(ti int, raw []byte, rows uint32) {
	var j *zjob
	if n := len(s.zfree); n > 0 {
		j, s.zfree = s.zfree[n-1], s.zfree[:n-1]
	} else {
		j = &zjob{}
	}
	j.ti, j.raw, j.rows, j.done = ti, raw, rows, make(chan struct{})
	s.queued = append(s.queued, j)
	go func() {
		enc := <-s.encs
		j.out = enc.EncodeAll(j.raw, j.out[:0])
		s.encs <- enc
		close(j.done)
	}()
}

// writeQueued waits for the queued frames and writes them in order.
func (s *sink) writeQueued() error { return s.writeQueuedN(len(s.queued)) }

// writeQueuedN waits for the first n queued frames and writes them in
// order; the frames queued after them stay queued.
func (s *sink) writeQueuedN(n int) error {
	var err error
	for _, j := range s.queued[:n] {
		<-j.done
		if err == nil {
			payload, flags := j.raw, byte(0)
			if len(j.out) < len(j.raw) {
				payload, flags = j.out, flagZstd
			}
			err = s.writeDataFrame(j.ti, payload, flags, uint32(len(j.raw)), j.rows)
		}
		s.recycle(j)
	}
	rest := copy(s.queued, s.queued[n:])
	clear(s.queued[rest:])
	s.queued = s.queued[:rest]
	return err
}

// dropQueued waits for the queued frames and forgets them (a failed batch).
func (s *sink) dropQueued() {
	for _, j := range s.queued {
		<-j.done
		s.recycle(j)
	}
	s.queued = s.queued[:0]
}

func (s *sink) recycle(j *zjob) {
	if s.free == nil {
		s.free = make(chan []byte, 8)
	}
	select {
	case s.free <- j.raw[:0]:
	default:
	}
	j.raw = nil
	s.zfree = append(s.zfree, j)
}

type flushJob struct {
	ti   int
	raw  []byte
	rows uint32
}

// barrier waits until every queued data frame is written.
func (s *sink) barrier() error {
	if s.jobs == nil {
		return nil
	}
	s.pending.Wait()
	return s.aerr
}

// stop ends the background writer; safe to call more than once.
func (s *sink) stop() {
	if s != nil && s.jobs != nil {
		close(s.jobs)
		<-s.done
		s.jobs = nil
	}
}

func (s *sink) startAsync() {
	s.jobs, s.done, s.free = make(chan flushJob, 2), make(chan struct{}), make(chan []byte, 4)
	go func() {
		defer close(s.done)
		for j := range s.jobs {
			if s.aerr == nil {
				if s.aerr = s.writeData(j.ti, j.raw, j.rows); s.aerr != nil {
					s.failed.Store(true)
				}
			}
			select {
			case s.free <- j.raw[:0]:
			default:
			}
			s.pending.Done()
		}
	}()
}

func newEncoder(extra ...zstd.EOption) (*zstd.Encoder, error) {
	return zstd.NewWriter(nil, append([]zstd.EOption{zstd.WithEncoderLevel(zstd.SpeedFastest),
		zstd.WithEncoderConcurrency(1), zstd.WithEncoderCRC(false), zstd.WithLowerEncoderMem(true)}, extra...)...)
}

// decoder is shared: DecodeAll is safe for concurrent use.
var decoder = sync.OnceValues(func() (*zstd.Decoder, error) {
	return zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecodeAllCapLimit(true),
		zstd.WithDecoderMaxMemory(maxRawFrame))
})

func newSink(w io.Writer, off int64, tables []data.Table) (*sink, error) {
	enc, err := newEncoder()
	if err != nil {
		return nil, fmt.Errorf("create zstd encoder: %w", err)
	}
	s := &sink{w: w, bw: bufio.NewWriterSize(w, 1<<20), off: off, enc: enc, tables: tables,
		names: tableNames(tables), st: make([]tableState, len(tables)), bufs: make([][]byte, len(tables)),
		nrows: make([]uint32, len(tables)), sha: sha256.New()}
	for i := range tables {
		s.kinds = append(s.kinds, tableKinds(&tables[i]))
	}
	return s, nil
}

func tableNames(ts []data.Table) map[string]int {
	m := make(map[string]int, 2*len(ts))
	for i, t := range ts {
		m[t.Name] = i
		m[strings.ToLower(t.Name)] = i
	}
	return m
}

func lookupTable(names map[string]int, name string) (int, bool) {
	if i, ok := names[name]; ok {
		return i, true
	}
	i, ok := names[strings.ToLower(name)]
	return i, ok
}

func (s *sink) writeFrame(typ, flags byte, table uint32, payload []byte, raw, rows uint32) (int64, error) {
	off := s.off
	frameHdr{Type: typ, Flags: flags, Table: table, Stored: uint32(len(payload)), Raw: raw, Rows: rows}.put(s.hdr[:])
	crc := crc32.Update(crc32.Update(0, castagnoli, s.hdr[:]), castagnoli, payload)
	var tail [4]byte
	binary.LittleEndian.PutUint32(tail[:], crc)
	for _, b := range [][]byte{s.hdr[:], payload, tail[:]} {
		if _, err := s.bw.Write(b); err != nil {
			return off, err
		}
	}
	s.off += int64(frameHdrLen + len(payload) + frameCRCLen)
	return off, nil
}

func (s *sink) writeJSON(typ byte, v any) (int64, error) {
	if err := s.barrier(); err != nil {
		return s.off, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return s.off, err
	}
	return s.writeFrame(typ, 0, 0, b, uint32(len(b)), 0)
}

// writeRow buffers one row; full buffers become data frames.
func (s *sink) writeRow(ti int, row data.Row) error {
	return s.writeRowSet(ti, row, -1, data.Value{})
}

// writeRowSet buffers row with column col (if ≥ 0) replaced by v.
func (s *sink) writeRowSet(ti int, row data.Row, col int, v data.Value) error {
	old := len(s.bufs[ti])
	b, err := appendRowSet(s.bufs[ti], s.kinds[ti], row, col, v)
	if err == nil && len(b)-old > maxRowLen {
		err = fmt.Errorf("the row takes %d bytes; a bundle row may take at most %d", len(b)-old, maxRowLen)
	}
	if err != nil {
		s.bufs[ti] = b[:old] // drop the half-encoded row
		return &rowError{fmt.Errorf("table %s: %w", s.tables[ti].Name, err)}
	}
	s.bufs[ti] = b
	s.nrows[ti]++
	if !s.st[ti].super {
		s.st[ti].count++
	}
	if len(b) >= targetFrame {
		return s.flushTable(ti)
	}
	return nil
}

func (s *sink) flushTable(ti int) error {
	if s.nrows[ti] == 0 {
		return nil
	}
	raw, rows := s.bufs[ti], s.nrows[ti]
	s.nrows[ti] = 0
	if s.encs != nil {
		select {
		case b := <-s.free:
			s.bufs[ti] = b
		default:
			s.bufs[ti] = make([]byte, 0, cap(raw))
		}
		s.queue(ti, raw, rows)
		return nil
	}
	if !s.async {
		s.bufs[ti] = raw[:0]
		return s.writeData(ti, raw, rows)
	}
	if s.jobs == nil {
		s.startAsync()
	}
	if s.failed.Load() {
		return s.barrier()
	}
	select {
	case b := <-s.free:
		s.bufs[ti] = b
	default:
		s.bufs[ti] = make([]byte, 0, targetFrame+targetFrame/4)
	}
	s.pending.Add(1)
	s.jobs <- flushJob{ti, raw, rows}
	return nil
}

// writeData compresses raw and writes it as a data frame of table ti.
func (s *sink) writeData(ti int, raw []byte, rows uint32) error {
	payload, flags := raw, byte(0)
	s.zbuf = s.enc.EncodeAll(raw, s.zbuf[:0])
	if len(s.zbuf) < len(raw) {
		payload, flags = s.zbuf, flagZstd
	}
	return s.writeDataFrame(ti, payload, flags, uint32(len(raw)), rows)
}

// writeDataFrame writes a data frame's (possibly compressed) payload and
// accounts for it in the table's state.
func (s *sink) writeDataFrame(ti int, payload []byte, flags byte, raw, rows uint32) error {
	st := &s.st[ti]
	off, err := s.writeFrame(frameData, flags, uint32(ti), payload, raw, rows)
	if err != nil {
		return err
	}
	st.chain = chainNext(s.sha, st.chain, payload)
	st.frames = append(st.frames, frameRef{off: off, stored: uint32(len(payload)), raw: raw, rows: rows, flags: flags, chain: st.chain})
	st.rows += int64(rows)
	return nil
}

func (s *sink) summaries() []TableSummary {
	out := make([]TableSummary, len(s.tables))
	for i := range s.tables {
		out[i] = s.st[i].summary(s.tables[i].Name)
	}
	return out
}

// flushAll turns every table's buffered rows into a data frame (in
// parallel mode: starts compressing them).
func (s *sink) flushAll() error {
	for ti := range s.tables {
		if err := s.flushTable(ti); err != nil {
			return err
		}
	}
	return nil
}

// commit flushes every table and writes a commit frame, then flushes the
// buffered writer so the batch is in the file.
func (s *sink) commit(kind string) error {
	if err := s.flushAll(); err != nil {
		return err
	}
	if err := s.barrier(); err != nil {
		return err
	}
	if err := s.writeQueued(); err != nil {
		return err
	}
	return s.commitFrame(kind, s.summaries())
}

// commitFrame writes a commit frame with the tables' summaries and flushes
// the buffered writer so the batch is in the file.
func (s *sink) commitFrame(kind string, sums []TableSummary) error {
	s.seq++
	if _, err := s.writeJSON(frameCommit, commitJSON{Seq: s.seq, Kind: kind, Tables: sums}); err != nil {
		return err
	}
	return s.bw.Flush()
}

// finish writes the manifest and trailer after a commit.
func (s *sink) finish(now time.Time) error {
	off, err := s.writeJSON(frameManifest, manifestJSON{ClosedUTC: now.UTC().Format(timeLayout), Commits: s.seq, Tables: s.summaries()})
	if err != nil {
		return err
	}
	var t [trailerLen]byte
	binary.LittleEndian.PutUint64(t[:], uint64(off))
	copy(t[8:], endMagic[:])
	if _, err := s.bw.Write(t[:]); err != nil {
		return err
	}
	s.off += trailerLen
	return s.bw.Flush()
}

// copyFrames copies a whole table's frames unchanged from src (another
// bundle file), so an untouched table costs no decompression.
func (s *sink) copyFrames(ti int, src io.ReaderAt, frames []frameRef, sum TableSummary, chain [32]byte) error {
	if err := s.barrier(); err != nil {
		return err
	}
	if s.st[ti].rows != 0 || s.nrows[ti] != 0 {
		return fmt.Errorf("table %s: raw copy must come first", s.tables[ti].Name)
	}
	var buf []byte
	for _, fr := range frames {
		n := frameHdrLen + int(fr.stored) + frameCRCLen
		if cap(buf) < n {
			buf = make([]byte, n)
		}
		buf = buf[:n]
		if _, err := src.ReadAt(buf, fr.off); err != nil {
			return fmt.Errorf("copy frame at byte %d: %w", fr.off, err)
		}
		// The table index may differ between files: rewrite it and the CRC.
		binary.LittleEndian.PutUint32(buf[4:], uint32(ti))
		crc := crc32.Checksum(buf[:n-frameCRCLen], castagnoli)
		binary.LittleEndian.PutUint32(buf[n-frameCRCLen:], crc)
		if _, err := s.bw.Write(buf); err != nil {
			return err
		}
		nf := fr
		nf.off = s.off
		nf.chain = [32]byte{} // not known here (only the table's last chain is)
		s.off += int64(n)
		s.st[ti].frames = append(s.st[ti].frames, nf)
	}
	s.st[ti].rows = sum.Rows
	s.st[ti].count = sum.Count
	s.st[ti].chain = chain
	return nil
}
