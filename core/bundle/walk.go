package bundle

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"time"
)

// walked is what walking a bundle's frames found: the header and, per table,
// the data frames covered by the last commit frame.
type walked struct {
	hdr         Header
	tables      []tableState
	seq         int64  // number of the last commit frame
	lastKind    string // its kind
	commitEnd   int64  // offset just after the last commit frame
	manifest    *Manifest
	manifestOff int64
	size        int64
	// tail (journal mode): bytes after the last commit frame that a
	// history destination discards, and why.
	tail       int64
	tailReason string
}

const hintInterrupted = "an import into this bundle was interrupted — run the same history import again with this bundle as destination to finish it"

// walk reads every frame from the start, verifying structure and CRCs
// without decompressing. In journal mode (history destination) a damaged or
// unfinished tail after the last commit frame is reported in tail instead of
// failing, unless the file is a finished bundle.
func walk(path string, r io.ReaderAt, size int64, journal bool) (*walked, error) {
	w := &walked{size: size}
	if err := checkPrologue(path, r, size); err != nil {
		return nil, err
	}
	finished := false
	if journal && size >= prologueLen+trailerLen {
		var t [trailerLen]byte
		if _, err := r.ReadAt(t[:], size-trailerLen); err == nil && bytes.Equal(t[8:], endMagic[:]) {
			finished = true
		}
	}
	br := bufio.NewReaderSize(io.NewSectionReader(r, 0, size), int(min(size, 1<<20)))
	if _, err := br.Discard(prologueLen); err != nil {
		return nil, err
	}
	off := int64(prologueLen)
	var (
		prevType   byte
		haveHeader bool
		hdrBuf     [frameHdrLen]byte
		scratch    = make([]byte, min(size, 64<<10))
		commFrames []int
		commChains [][32]byte
		sha        = sha256.New()
		lastCommit []TableSummary
	)
	fail := func(fe *FormatError) (*walked, error) {
		if journal && !finished && w.seq > 0 && w.manifest == nil && tolerableTail(fe, r, size) {
			w.tail = size - w.commitEnd
			w.tailReason = fe.What
			w.rollbackTo(commFrames, commChains)
			return w, nil
		}
		if !journal && w.seq > 0 && w.lastKind != "close" && errors.Is(fe.Err, ErrTruncated) {
			fe.Err, fe.Hint = ErrInterrupted, hintInterrupted
		}
		return nil, fe
	}
	for {
		remaining := size - off
		if remaining == 0 {
			break
		}
		if remaining < frameHdrLen {
			return fail(&FormatError{Path: path, Offset: off, Err: ErrTruncated, Hint: hintRecreate,
				What: fmt.Sprintf("the bundle is truncated at byte %d (expected %d more bytes of a frame header)", size, frameHdrLen-remaining)})
		}
		if _, err := io.ReadFull(br, hdrBuf[:]); err != nil {
			return nil, fmt.Errorf("read bundle %s at byte %d: %w", path, off, err)
		}
		h, ok := parseFrameHdr(hdrBuf[:])
		if !ok {
			return fail(corruptf(path, off, "a frame header has non-zero reserved bytes"))
		}
		if h.Stored > maxFrameLen || h.Raw > maxFrameLen {
			return fail(corruptf(path, off, "a %s announces an impossible length (%d bytes stored, %d raw)", frameKindName(h.Type), h.Stored, h.Raw))
		}
		need := int64(frameHdrLen) + int64(h.Stored) + frameCRCLen
		if remaining < need {
			return fail(&FormatError{Path: path, Offset: off, Err: ErrTruncated, Hint: hintRecreate,
				What: fmt.Sprintf("the bundle is truncated at byte %d (expected %d more bytes of a %s)", size, need-remaining, frameKindName(h.Type))})
		}
		isJSON := h.Type == frameHeader || h.Type == frameCommit || h.Type == frameManifest
		var st *tableState
		if h.Type == frameData {
			if !haveHeader || h.Flags&^flagZstd != 0 || int(h.Table) >= len(w.tables) || h.Rows == 0 || h.Raw == 0 ||
				(h.Flags == 0 && h.Stored != h.Raw) {
				return fail(corruptf(path, off, "a data frame has invalid flags, table index, row count or length"))
			}
			if h.Raw > maxRawFrame {
				return fail(corruptf(path, off, "a data frame announces %d bytes of rows, more than the %d a frame may hold", h.Raw, maxRawFrame))
			}
			if h.Rows > h.Raw {
				return fail(corruptf(path, off, "a data frame announces %d rows in %d bytes", h.Rows, h.Raw))
			}
			st = &w.tables[h.Table]
			sha.Reset()
			sha.Write(st.chain[:])
		}
		var payload []byte
		crc := crc32.Update(0, castagnoli, hdrBuf[:])
		if isJSON {
			if h.Stored > maxJSONFrame || h.Flags != 0 || h.Raw != h.Stored {
				return fail(corruptf(path, off, "a %s has an invalid length or flags", frameKindName(h.Type)))
			}
			payload = make([]byte, h.Stored)
			if _, err := io.ReadFull(br, payload); err != nil {
				return nil, fmt.Errorf("read bundle %s at byte %d: %w", path, off, err)
			}
			crc = crc32.Update(crc, castagnoli, payload)
		} else {
			for left := int(h.Stored); left > 0; {
				n := min(left, len(scratch))
				if _, err := io.ReadFull(br, scratch[:n]); err != nil {
					return nil, fmt.Errorf("read bundle %s at byte %d: %w", path, off, err)
				}
				crc = crc32.Update(crc, castagnoli, scratch[:n])
				if st != nil {
					sha.Write(scratch[:n])
				}
				left -= n
			}
		}
		var tail [4]byte
		if _, err := io.ReadFull(br, tail[:]); err != nil {
			return nil, fmt.Errorf("read bundle %s at byte %d: %w", path, off, err)
		}
		if stored := binary.LittleEndian.Uint32(tail[:]); stored != crc {
			return fail(corruptf(path, off, "the %s fails its checksum (CRC-32C stored %08x, computed %08x)", frameKindName(h.Type), stored, crc))
		}
		if !haveHeader && h.Type != frameHeader {
			return fail(corruptf(path, off, "the first frame is a %s, expected the header frame", frameKindName(h.Type)))
		}
		if w.manifest != nil {
			return fail(corruptf(path, off, "a %s follows the manifest", frameKindName(h.Type)))
		}
		switch h.Type {
		case frameHeader:
			if haveHeader {
				return fail(corruptf(path, off, "a second header frame"))
			}
			hd, err := unmarshalHeader(payload)
			if err != nil {
				return fail(corruptf(path, off, "the header frame is invalid: %v", err))
			}
			w.hdr, haveHeader = hd, true
			w.tables = make([]tableState, len(hd.Tables))
			commFrames = make([]int, len(hd.Tables))
			commChains = make([][32]byte, len(hd.Tables))
		case frameData:
			sha.Sum(st.chain[:0])
			st.frames = append(st.frames, frameRef{off: off, stored: h.Stored, raw: h.Raw, rows: h.Rows, flags: h.Flags, chain: st.chain})
			st.rows += int64(h.Rows)
		case frameCommit:
			var c commitJSON
			if err := json.Unmarshal(payload, &c); err != nil {
				return fail(corruptf(path, off, "the commit frame is invalid: %v", err))
			}
			if c.Seq != w.seq+1 {
				return fail(corruptf(path, off, "commit frame %d follows commit frame %d", c.Seq, w.seq))
			}
			if err := checkSummaries(w, c.Tables); err != nil {
				return fail(corruptf(path, off, "commit frame %d does not match the data: %v", c.Seq, err))
			}
			for i, s := range c.Tables {
				commFrames[i] = len(w.tables[i].frames)
				commChains[i] = w.tables[i].chain
				w.tables[i].count = s.Count
				w.tables[i].super = s.Supersede
			}
			w.seq, w.lastKind, lastCommit = c.Seq, c.Kind, c.Tables
			w.commitEnd = off + need
		case frameManifest:
			if prevType != frameCommit {
				return fail(corruptf(path, off, "the manifest does not follow a commit frame"))
			}
			var m manifestJSON
			if err := json.Unmarshal(payload, &m); err != nil {
				return fail(corruptf(path, off, "the manifest is invalid: %v", err))
			}
			if m.Commits != w.seq || !equalSummaries(m.Tables, lastCommit) {
				return fail(corruptf(path, off, "the manifest does not match the last commit frame"))
			}
			closed, _ := time.Parse(time.RFC3339Nano, m.ClosedUTC)
			w.manifest = &Manifest{ClosedUTC: closed, Commits: m.Commits, Tables: m.Tables}
			w.manifestOff = off
		default:
			if h.Flags&flagSkippable == 0 {
				return fail(&FormatError{Path: path, Offset: off, Err: ErrUnsupportedVersion, Hint: hintNewer,
					What: fmt.Sprintf("unknown %s", frameKindName(h.Type))})
			}
		}
		prevType = h.Type
		off += need
		if w.manifest != nil {
			return w, checkTrailer(path, r, size, off, w.manifestOff)
		}
	}
	if !haveHeader {
		return nil, &FormatError{Path: path, Offset: off, Err: ErrTruncated, Hint: hintRecreate,
			What: "the bundle ends before its header frame"}
	}
	if w.seq == 0 {
		return nil, &FormatError{Path: path, Offset: off, Err: ErrTruncated, Hint: hintRecreate,
			What: fmt.Sprintf("the bundle ends at byte %d without its closing manifest", size)}
	}
	if journal {
		w.rollbackTo(commFrames, commChains)
		if size > w.commitEnd {
			w.tail = size - w.commitEnd
			w.tailReason = "frames after the last commit frame"
		}
		return w, nil
	}
	if w.lastKind == "close" {
		return nil, &FormatError{Path: path, Offset: off, Err: ErrTruncated, Hint: hintRecreate,
			What: fmt.Sprintf("the bundle ends at byte %d without its closing manifest", size)}
	}
	return nil, &FormatError{Path: path, Offset: w.commitEnd, Err: ErrInterrupted, Hint: hintInterrupted,
		What: fmt.Sprintf("the bundle has no closing manifest: an import stopped after commit %d", w.seq)}
}

func checkPrologue(path string, r io.ReaderAt, size int64) error {
	var p [prologueLen]byte
	n, _ := r.ReadAt(p[:min(size, prologueLen)], 0)
	if n == 0 {
		return &FormatError{Path: path, Offset: 0, Err: ErrNotBundle, What: "the file is empty", Hint: hintRecreate}
	}
	if n < len(magic) && !bytes.Equal(p[:n], magic[:n]) || n >= len(magic) && !bytes.Equal(p[:8], magic[:]) {
		return &FormatError{Path: path, Offset: 0, Err: ErrNotBundle,
			What: "the file is not an Active Roles bundle (wrong magic bytes)", Hint: "give the path of a .arbundle file made by arupgrade export"}
	}
	if n < prologueLen {
		return &FormatError{Path: path, Offset: int64(n), Err: ErrTruncated, Hint: hintRecreate,
			What: fmt.Sprintf("the bundle is truncated at byte %d (expected %d more bytes of the prologue)", n, prologueLen-n)}
	}
	if crc32.Checksum(p[:12], castagnoli) != binary.LittleEndian.Uint32(p[12:]) {
		return corruptf(path, 8, "the prologue fails its checksum")
	}
	if major := binary.LittleEndian.Uint16(p[8:]); major != FormatMajor {
		return &FormatError{Path: path, Offset: 8, Err: ErrUnsupportedVersion, Hint: hintNewer,
			What: fmt.Sprintf("format version %d.%d is not supported (this reader knows %d.x)", major, binary.LittleEndian.Uint16(p[10:]), FormatMajor)}
	}
	return nil
}

func checkTrailer(path string, r io.ReaderAt, size, off, manifestOff int64) error {
	if size-off < trailerLen {
		return &FormatError{Path: path, Offset: off, Err: ErrTruncated, Hint: hintRecreate,
			What: fmt.Sprintf("the bundle is truncated at byte %d (expected %d more bytes of the trailer)", size, trailerLen-(size-off))}
	}
	var t [trailerLen]byte
	if _, err := r.ReadAt(t[:], off); err != nil {
		return fmt.Errorf("read bundle %s at byte %d: %w", path, off, err)
	}
	if !bytes.Equal(t[8:], endMagic[:]) || int64(binary.LittleEndian.Uint64(t[:])) != manifestOff {
		return corruptf(path, off, "the trailer is damaged")
	}
	if size > off+trailerLen {
		return corruptf(path, off+trailerLen, "%d unexpected bytes follow the trailer", size-off-trailerLen)
	}
	return nil
}

func checkSummaries(w *walked, ts []TableSummary) error {
	if len(ts) != len(w.hdr.Tables) {
		return fmt.Errorf("%d tables, the header has %d", len(ts), len(w.hdr.Tables))
	}
	for i, s := range ts {
		st := &w.tables[i]
		switch {
		case s.Name != w.hdr.Tables[i].Name:
			return fmt.Errorf("table %d is %s, the header says %s", i, s.Name, w.hdr.Tables[i].Name)
		case s.Frames != int64(len(st.frames)) || s.Rows != st.rows:
			return fmt.Errorf("table %s: %d frames and %d rows, the file holds %d frames and %d rows",
				s.Name, s.Frames, s.Rows, len(st.frames), st.rows)
		case s.Count < 0 || s.Count > s.Rows || (!s.Supersede && s.Count != s.Rows):
			return fmt.Errorf("table %s: count %d does not fit %d rows", s.Name, s.Count, s.Rows)
		case s.SHA256 != hex.EncodeToString(st.chain[:]):
			return fmt.Errorf("table %s: checksum %s, the data's is %s", s.Name, s.SHA256, hex.EncodeToString(st.chain[:]))
		}
	}
	return nil
}

// rollbackTo forgets the frames after the last commit frame.
func (w *walked) rollbackTo(frames []int, chains [][32]byte) {
	for i := range w.tables {
		st := &w.tables[i]
		st.frames = st.frames[:frames[i]]
		st.chain = chains[i]
		st.rows = 0
		for _, f := range st.frames {
			st.rows += int64(f.rows)
		}
	}
}

func equalSummaries(a, b []TableSummary) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// tolerableTail says whether damage after the last commit looks like an
// interrupted write (a cut-off or zero-filled end) rather than corruption
// of data that other frames follow.
func tolerableTail(fe *FormatError, r io.ReaderAt, size int64) bool {
	if errors.Is(fe.Err, ErrTruncated) {
		return true
	}
	// A torn last write may leave garbage or zeros up to the end of the file.
	buf := make([]byte, min(size-fe.Offset, 64<<10)+1)
	for off := fe.Offset; off < size; {
		n, err := r.ReadAt(buf[:min(int64(len(buf)), size-off)], off)
		for _, b := range buf[:n] {
			if b != 0 {
				return lastFrameReachesEnd(r, fe.Offset, size)
			}
		}
		if err != nil && n == 0 {
			return false
		}
		off += int64(n)
	}
	return true
}

func lastFrameReachesEnd(r io.ReaderAt, off, size int64) bool {
	var h [frameHdrLen]byte
	if size-off < frameHdrLen {
		return true
	}
	if _, err := r.ReadAt(h[:], off); err != nil {
		return false
	}
	fh, _ := parseFrameHdr(h[:])
	return off+frameHdrLen+int64(fh.Stored)+frameCRCLen >= size
}
