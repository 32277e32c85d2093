package bundle

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/crc32"

	"github.com/activeroles/arupgrade/core/data"
)

// rowJob checks, encodes and compresses the new rows of one table of a
// history batch in a goroutine of its own, and chains and checksums the
// frames it makes. The batch's tables are so prepared side by side, beside
// the source reader, while the caller goes on with the batch's keys; commit
// then only writes the finished frames. Before, the caller encoded every
// row itself and most of the batch waited on that one goroutine.
type rowJob struct {
	ti    int
	kinds []data.Kind
	check *rowCheck
	super bool
	rows  []jobRow
	// describe words the error of row i (which record, task or membership).
	describe func(r *jobRow, err error) error

	chain  [32]byte // the table's chain before the job, then after it
	frames []jobFrame
	count  int64 // rows counted (non-superseding tables)
	err    error
	done   chan struct{}
	sha    hash.Hash
	row    data.Row
}

// jobRow is a row of the batch to write with column col set to id
// (col < 0: unchanged); ref lets describe name it.
type jobRow struct {
	r   data.Row
	col int
	id  int64
	ref int
}

var zeroHdr [frameHdrLen]byte

// jobFrame is a finished data frame: its bytes from header to CRC.
type jobFrame struct {
	buf    []byte
	stored uint32
	raw    uint32
	rows   uint32
	flags  byte
	chain  [32]byte
}

func (j *rowJob) reset() {
	j.rows, j.frames, j.count, j.err = j.rows[:0], j.frames[:0], 0, nil
}

// startJobs starts a rowJob for every table that has rows; commit (or
// dropQueued) waits for them.
func (s *sink) startJobs(jobs []*rowJob) {
	s.rowJobs = jobs
	for _, j := range jobs {
		j.done = nil
		if len(j.rows) == 0 {
			continue
		}
		j.chain = s.st[j.ti].chain
		j.done = make(chan struct{})
		go j.run(s)
	}
}

func (s *sink) waitJobs() {
	for _, j := range s.rowJobs {
		if j.done != nil {
			<-j.done
		}
	}
}

func (j *rowJob) run(s *sink) {
	defer close(j.done)
	if j.sha == nil {
		j.sha = sha256.New()
	}
	raw := s.jobBuffer()
	var n uint32
	for i := range j.rows {
		jr := &j.rows[i]
		r := jr.r
		if jr.col >= 0 {
			j.row = append(j.row[:0], r...)
			j.row[jr.col] = data.IntValue(jr.id)
			r = j.row
		}
		if err := j.check.check(r); err != nil {
			j.err = j.describe(jr, err)
			return
		}
		old := len(raw)
		b, err := appendRow(raw, j.kinds, r)
		if err == nil && len(b)-old > maxRowLen {
			err = fmt.Errorf("the row takes %d bytes; a bundle row may take at most %d", len(b)-old, maxRowLen)
		}
		if err != nil {
			j.err = j.describe(jr, &rowError{fmt.Errorf("table %s: %w", s.tables[j.ti].Name, err)})
			return
		}
		raw, n = b, n+1
		if !j.super {
			j.count++
		}
		if len(raw) >= targetFrame {
			j.frame(s, raw, n)
			raw, n = raw[:0], 0
		}
	}
	if n > 0 {
		j.frame(s, raw, n)
	}
	s.putJobBuffer(raw)
}

// frame compresses raw into a finished frame.
func (j *rowJob) frame(s *sink, raw []byte, rows uint32) {
	var f jobFrame
	if k := len(j.frames); k < cap(j.frames) {
		f = j.frames[:k+1][k] // reuse the buffer of an earlier batch
	}
	enc := <-s.encs
	f.buf = append(f.buf[:0], zeroHdr[:]...)
	f.buf = enc.EncodeAll(raw, f.buf)
	s.encs <- enc
	payload, flags := f.buf[frameHdrLen:], byte(flagZstd)
	if len(payload) >= len(raw) {
		f.buf = append(f.buf[:frameHdrLen], raw...)
		payload, flags = f.buf[frameHdrLen:], 0
	}
	f.stored, f.raw, f.rows, f.flags = uint32(len(payload)), uint32(len(raw)), rows, flags
	frameHdr{Type: frameData, Flags: flags, Table: uint32(j.ti), Stored: f.stored, Raw: f.raw, Rows: rows}.put(f.buf[:frameHdrLen])
	f.buf = binary.LittleEndian.AppendUint32(f.buf, crc32.Checksum(f.buf, castagnoli))
	j.chain = chainNext(j.sha, j.chain, payload)
	f.chain = j.chain
	j.frames = append(j.frames, f)
}

// writeJobs waits for the jobs and writes their frames.
func (s *sink) writeJobs() error {
	s.waitJobs()
	jobs := s.rowJobs
	s.rowJobs = nil
	for _, j := range jobs {
		if j.done == nil {
			continue
		}
		if j.err != nil {
			return j.err
		}
		st := &s.st[j.ti]
		for _, f := range j.frames {
			if _, err := s.bw.Write(f.buf); err != nil {
				return err
			}
			st.frames = append(st.frames, frameRef{off: s.off, stored: f.stored, raw: f.raw, rows: f.rows, flags: f.flags, chain: f.chain})
			st.rows += int64(f.rows)
			s.off += int64(len(f.buf))
		}
		st.chain = j.chain
		st.count += j.count
	}
	return nil
}

func (s *sink) jobBuffer() []byte {
	select {
	case b := <-s.free:
		return b
	default:
		return make([]byte, 0, targetFrame+targetFrame/4)
	}
}

func (s *sink) putJobBuffer(b []byte) {
	if s.free == nil {
		return
	}
	select {
	case s.free <- b[:0]:
	default:
	}
}
