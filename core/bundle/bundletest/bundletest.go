// Package bundletest takes bundle files apart and puts them together again
// with every checksum recomputed (docs/bundle-format.md), so tests can make
// damaged bundles that pass every CRC and table checksum and reach the
// checks behind them: a row that does not decode, a frame that
// decompresses to more than it may. It is written from the format document
// alone, as another reader would be, and is for tests only.
package bundletest

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash/crc32"

	"github.com/klauspost/compress/zstd"
)

var (
	castagnoli = crc32.MakeTable(crc32.Castagnoli)
	magic      = []byte{0x89, 'A', 'R', 'B', '\r', '\n', 0x1a, '\n'}
	endMagic   = []byte{0x89, 'A', 'R', 'E', '\r', '\n', 0x1a, '\n'}
)

// Frame types and flags.
const (
	Header   byte = 'H'
	Data     byte = 'D'
	Commit   byte = 'C'
	Manifest byte = 'M'
	Zstd     byte = 0x01
)

const (
	prologueLen = 16
	frameHdrLen = 20
	trailerLen  = 16
)

// Frame is one frame of a bundle file.
type Frame struct {
	Type, Flags byte
	Table       uint32 // data frames: index into the header's tables
	Raw         uint32 // declared decompressed length
	Rows        uint32
	Payload     []byte // as stored
}

// File is a bundle taken apart.
type File struct {
	Prologue []byte // 16 bytes
	Frames   []Frame
}

// Parse takes a bundle apart, frame by frame, up to the trailer or the
// first frame that does not fit in the file. It does not check CRCs.
func Parse(b []byte) (*File, error) {
	if len(b) < prologueLen || !bytes.Equal(b[:8], magic) {
		return nil, errors.New("not a bundle")
	}
	f := &File{Prologue: append([]byte(nil), b[:prologueLen]...)}
	for off := prologueLen; off+frameHdrLen <= len(b); {
		h := b[off : off+frameHdrLen]
		stored := int(binary.LittleEndian.Uint32(h[8:]))
		end := off + frameHdrLen + stored + 4
		if stored < 0 || end > len(b) {
			break
		}
		fr := Frame{Type: h[0], Flags: h[1], Table: binary.LittleEndian.Uint32(h[4:]),
			Raw: binary.LittleEndian.Uint32(h[12:]), Rows: binary.LittleEndian.Uint32(h[16:]),
			Payload: append([]byte(nil), b[off+frameHdrLen:off+frameHdrLen+stored]...)}
		f.Frames = append(f.Frames, fr)
		off = end
		if fr.Type == Manifest {
			break
		}
	}
	return f, nil
}

// Tables returns the table names of the header frame, in order.
func (f *File) Tables() []string {
	for _, fr := range f.Frames {
		if fr.Type != Header {
			continue
		}
		var h struct {
			Tables []struct {
				Name string `json:"name"`
			} `json:"tables"`
		}
		if json.Unmarshal(fr.Payload, &h) != nil {
			return nil
		}
		var n []string
		for _, t := range h.Tables {
			n = append(n, t.Name)
		}
		return n
	}
	return nil
}

// Seal puts the file together: every frame's CRC, every table's SHA-256
// chain, frame and row totals in each commit frame and the manifest (which
// repeats the last commit frame's tables), the prologue CRC and the trailer
// are recomputed, so only the checks behind them can object.
func (f *File) Seal() []byte {
	out := append([]byte(nil), f.Prologue...)
	if len(out) >= prologueLen {
		binary.LittleEndian.PutUint32(out[12:], crc32.Checksum(out[:12], castagnoli))
	}
	type state struct {
		frames, rows int64
		chain        [32]byte
	}
	var st []state
	var last []any
	manifestOff := -1
	for _, fr := range f.Frames {
		payload := fr.Payload
		switch fr.Type {
		case Header:
			st = make([]state, len(f.Tables()))
		case Data:
			if int(fr.Table) < len(st) {
				s := &st[fr.Table]
				h := sha256.New()
				h.Write(s.chain[:])
				h.Write(payload)
				h.Sum(s.chain[:0])
				s.frames++
				s.rows += int64(fr.Rows)
			}
		case Commit, Manifest:
			var j map[string]any
			if json.Unmarshal(payload, &j) == nil {
				if fr.Type == Manifest && last != nil {
					j["tables"] = last
				} else if ts, ok := j["tables"].([]any); ok {
					for i, t := range ts {
						m, ok := t.(map[string]any)
						if !ok || i >= len(st) {
							continue
						}
						m["frames"], m["rows"] = st[i].frames, st[i].rows
						if c, ok := m["count"].(float64); ok && !(m["supersede"] == true) && int64(c) != st[i].rows {
							m["count"] = st[i].rows
						}
						m["sha256"] = hex.EncodeToString(st[i].chain[:])
					}
					last = ts
				}
				if b, err := json.Marshal(j); err == nil {
					payload = b
				}
			}
			fr.Raw = uint32(len(payload))
		}
		if fr.Type == Manifest {
			manifestOff = len(out)
		}
		var h [frameHdrLen]byte
		h[0], h[1] = fr.Type, fr.Flags
		binary.LittleEndian.PutUint32(h[4:], fr.Table)
		binary.LittleEndian.PutUint32(h[8:], uint32(len(payload)))
		binary.LittleEndian.PutUint32(h[12:], fr.Raw)
		binary.LittleEndian.PutUint32(h[16:], fr.Rows)
		crc := crc32.Update(crc32.Update(0, castagnoli, h[:]), castagnoli, payload)
		out = append(out, h[:]...)
		out = append(out, payload...)
		out = binary.LittleEndian.AppendUint32(out, crc)
	}
	if manifestOff >= 0 {
		out = binary.LittleEndian.AppendUint64(out, uint64(manifestOff))
		out = append(out, endMagic...)
	}
	return out
}

// EditFirstFrame rewrites the first data frame of table with edit, which is
// given the frame's rows decompressed and returns the new rows (stored
// uncompressed), and reseals the file. It returns the new file and the
// frame's offset in it.
func EditFirstFrame(b []byte, table string, edit func(raw []byte) []byte) ([]byte, int64, error) {
	f, err := Parse(b)
	if err != nil {
		return nil, 0, err
	}
	ti := -1
	for i, n := range f.Tables() {
		if n == table {
			ti = i
		}
	}
	off := int64(prologueLen)
	for i := range f.Frames {
		fr := &f.Frames[i]
		if fr.Type != Data || int(fr.Table) != ti {
			off += int64(frameHdrLen + len(fr.Payload) + 4)
			continue
		}
		raw := fr.Payload
		if fr.Flags&Zstd != 0 {
			dec, err := zstd.NewReader(nil)
			if err != nil {
				return nil, 0, err
			}
			raw, err = dec.DecodeAll(fr.Payload, nil)
			dec.Close()
			if err != nil {
				return nil, 0, err
			}
		}
		raw = edit(append([]byte(nil), raw...))
		fr.Payload, fr.Flags, fr.Raw = raw, 0, uint32(len(raw))
		return f.Seal(), off, nil
	}
	return nil, 0, errors.New("no data frame of table " + table)
}
