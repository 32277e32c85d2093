package bundle

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/activeroles/arupgrade/core/data"
)

// The key index of a history destination: what the exactly-once check needs
// (model §8.3) without holding every key in memory or scanning the bundle
// on every run.
//
// Per keyed table (ChangeRecord, ApprovalTask, TemporalMembership or
// CollectedEvent):
//   - runs: immutable files of sorted GUIDs (keyrun.go), looked into by block;
//   - fresh: GUIDs committed since the runs were written, as 64-bit
//     fingerprints in memory (fpSet, 8 to 16 bytes each) and in full in an
//     append-only spill file, which confirms a fingerprint match;
//   - the natural keys (compressed id sets, in memory) and the highest id.
//
// When the fresh keys reach a bound (keyFoldAt) and when a run finishes,
// they are sorted into a new run (merged with the smaller existing runs so
// there are few), and the manifest file ".<bundle>.keys" is replaced
// (temporary file, fsync, rename). The manifest names the runs, holds the
// natural keys and the highest ids, and says which frames of each table it
// covers: their count and the table's checksum chain after the last one.
//
// The index is a cache of the bundle, never the truth: a manifest that is
// missing, damaged, or does not match the bundle's frames (the bundle was
// replaced, copied without it, or lost batches in a power cut) is ignored
// and the index rebuilt from the bundle; frames after the ones it covers (a
// killed run's batches, or batches written by an older arupgrade) are read
// into the fresh keys when the destination opens. Files that a killed run
// left and no manifest names are removed. Only the holder of the writer
// lock writes these files.

const (
	keyIndexMagic   = "ARKEYIDX"
	keyIndexVersion = 1
	// defaultKeyFoldAt bounds the fresh keys of all tables together: 8 to
	// 16 bytes each in memory (24 while a table doubles), and 16 bytes each
	// sorted when they fold.
	defaultKeyFoldAt = 1 << 20
)

// withKeyFoldAt sets the fold bound (tests: folds with few rows).
func withKeyFoldAt(n int) Option { return func(o *options) { o.keyFoldAt = n } }

func keyIndexPath(bundle string) string {
	return filepath.Join(filepath.Dir(bundle), "."+filepath.Base(bundle)+".keys")
}

// keyFilePrefix starts the name of every run, spill and temporary file of
// the index of bundle.
func keyFilePrefix(bundle string) string { return keyIndexPath(bundle) + "." }

type keyManifest struct {
	Version int             `json:"version"`
	Gen     int64           `json:"gen"` // last file number used
	Tables  []keyTableCover `json:"tables"`
	// HighWater holds the history import's high-water marks per source
	// (opaque to this package): valid exactly as long as the index is.
	HighWater map[string]json.RawMessage `json:"highWater,omitempty"`
	nk        map[string][]byte          // natural keys per table (binary, after the JSON)
}

type keyTableCover struct {
	Name   string   `json:"name"`
	Frames int      `json:"frames"`
	Chain  string   `json:"chain"`
	MaxID  int64    `json:"maxId"`
	Runs   []string `json:"runs"` // file names after keyFilePrefix, largest first
	Counts []int64  `json:"counts"`
	NKLen  int      `json:"nkBytes"`
}

// spillFile holds the fresh GUIDs of a table in full, unsorted.
type spillFile struct {
	path string
	f    *os.File
	bw   *bufio.Writer
	n    int64
	key  data.UUID // add's argument, copied here so it does not escape (one allocation per key otherwise)
}

func createSpill(path string) (*spillFile, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("create key spill file: %w", err)
	}
	return &spillFile{path: path, f: f, bw: bufio.NewWriterSize(f, 64<<10)}, nil
}

func (s *spillFile) add(g data.UUID) error {
	s.n++
	s.key = g
	_, err := s.bw.Write(s.key[:])
	return err
}

// each calls fn with every key (after flushing what is buffered).
func (s *spillFile) each(fn func(data.UUID)) error {
	if err := s.bw.Flush(); err != nil {
		return fmt.Errorf("write key spill file: %w", err)
	}
	br := bufio.NewReaderSize(io.NewSectionReader(s.f, 0, s.n*keyLen), 1<<20)
	var g data.UUID
	for i := int64(0); i < s.n; i++ {
		if _, err := io.ReadFull(br, g[:]); err != nil {
			return fmt.Errorf("read key spill file: %w", err)
		}
		fn(g)
	}
	return nil
}

func (s *spillFile) reset() error {
	s.bw.Reset(s.f)
	s.n = 0
	if err := s.f.Truncate(0); err != nil {
		return fmt.Errorf("truncate key spill file: %w", err)
	}
	_, err := s.f.Seek(0, io.SeekStart)
	return err
}

func (s *spillFile) close() {
	if s != nil && s.f != nil {
		_ = s.f.Close()
		_ = os.Remove(s.path)
		s.f = nil
	}
}

// keyIndex is the on-disk part of a destination's key index.
type keyIndex struct {
	bundle  string
	foldAt  int
	gen     int64
	ents    []*entityKeys
	hw      map[string]json.RawMessage // high-water marks (HistoryDest.SetHighWater)
	fresh   int                        // fresh keys of all tables
	broken  bool                       // writing the index failed: keys stay in memory
	written bool                       // the manifest on disk matches the runs in memory
}

func (x *keyIndex) nextFile(suffix string) string {
	x.gen++
	return keyFilePrefix(x.bundle) + strconv.FormatInt(x.gen, 10) + suffix
}

// load reads the manifest; it returns false (and nothing loaded) when there
// is none or it does not describe v's frames.
func (x *keyIndex) load(v *view) (bool, error) {
	b, err := os.ReadFile(keyIndexPath(x.bundle))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	m, err := parseKeyManifest(b)
	if err != nil {
		return false, nil
	}
	x.gen = m.Gen
	if len(m.Tables) != len(x.ents) {
		return false, nil
	}
	for i, e := range x.ents {
		c := m.Tables[i]
		if c.Name != e.name || c.Frames < 0 || c.Frames > len(v.tables[e.ti].frames) || len(c.Runs) != len(c.Counts) {
			return false, nil
		}
		var chain [32]byte
		if c.Frames > 0 {
			chain = v.tables[e.ti].frames[c.Frames-1].chain
		}
		if hex.EncodeToString(chain[:]) != c.Chain {
			return false, nil
		}
	}
	ok := false
	defer func() {
		if !ok {
			for _, e := range x.ents {
				e.closeRuns()
				e.nks, e.maxID, e.from = newNKSet(), 0, 0
			}
		}
	}()
	for i, e := range x.ents {
		c := m.Tables[i]
		for j, name := range c.Runs {
			if strings.ContainsAny(name, `/\`) {
				return false, nil
			}
			r, err := openKeyRun(keyFilePrefix(x.bundle) + name)
			if err != nil || r.count != c.Counts[j] {
				if r != nil {
					r.close()
				}
				return false, nil
			}
			e.runs = append(e.runs, r)
		}
		nks, err := decodeNKSet(m.nk[c.Name])
		if err != nil {
			return false, nil
		}
		e.nks, e.maxID, e.from = nks, c.MaxID, c.Frames
	}
	x.hw = m.HighWater
	ok = true
	return true, nil
}

func parseKeyManifest(b []byte) (*keyManifest, error) {
	if len(b) < len(keyIndexMagic)+8 || string(b[:8]) != keyIndexMagic {
		return nil, errors.New("not a key index")
	}
	body := b[:len(b)-4]
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(b[len(body):]) {
		return nil, errors.New("key index fails its checksum")
	}
	jl := int(binary.LittleEndian.Uint32(body[8:]))
	if 12+jl > len(body) {
		return nil, errors.New("key index truncated")
	}
	m := &keyManifest{}
	if err := json.Unmarshal(body[12:12+jl], m); err != nil {
		return nil, err
	}
	if m.Version != keyIndexVersion {
		return nil, errors.New("key index of another version")
	}
	rest := body[12+jl:]
	m.nk = map[string][]byte{}
	for _, t := range m.Tables {
		if t.NKLen < 0 || t.NKLen > len(rest) {
			return nil, errors.New("key index truncated")
		}
		m.nk[t.Name] = rest[:t.NKLen]
		rest = rest[t.NKLen:]
	}
	return m, nil
}

// fold sorts every table's fresh keys into a new run and writes a manifest
// that covers v's frames (all of them: each table's fresh keys are exactly
// the keys of its frames after the runs).
func (x *keyIndex) fold(v *view) error {
	if x.broken {
		return nil
	}
	err := x.foldRuns()
	if err == nil {
		err = x.writeManifest(v)
	}
	if err != nil {
		x.broken = true
		return fmt.Errorf("write the key index of bundle %s: %w", x.bundle, err)
	}
	return nil
}

func (x *keyIndex) foldRuns() error {
	for _, e := range x.ents {
		if e.spill == nil || e.spill.n == 0 {
			continue
		}
		keys := make([]data.UUID, 0, e.spill.n)
		if err := e.spill.each(func(g data.UUID) { keys = append(keys, g) }); err != nil {
			return err
		}
		keys = sortUnique(keys)
		// Merge with the smaller runs at the end, so each run is at least
		// four times the next and a lookup reads few of them.
		n := int64(len(keys))
		ins := []keyIter{&sliceIter{keys: keys}}
		k := len(e.runs)
		for k > 0 && e.runs[k-1].count <= 4*n {
			k--
			n += e.runs[k].count
			ins = append(ins, e.runs[k].iter())
			// The merged run gets a filter of its own: the old one goes
			// now rather than beside it (a run without a filter is only
			// slower to look up in, should the merge fail).
			e.runs[k].bloom = nil
		}
		r, err := writeKeyRun(x.nextFile(".run"), ins)
		if err != nil {
			return err
		}
		for _, old := range e.runs[k:] {
			old.close()
		}
		e.runs = append(e.runs[:k], r)
		e.fresh.reset()
		if err := e.spill.reset(); err != nil {
			return err
		}
		x.written = false
	}
	x.fresh = 0
	return nil
}

func (x *keyIndex) writeManifest(v *view) error {
	if x.written {
		return nil
	}
	tmp := x.nextFile(".tmp")
	m := keyManifest{Version: keyIndexVersion, Gen: x.gen, HighWater: x.hw}
	var nk []byte
	for _, e := range x.ents {
		frames := v.tables[e.ti].frames
		var chain [32]byte
		if len(frames) > 0 {
			chain = frames[len(frames)-1].chain
		}
		c := keyTableCover{Name: e.name, Frames: len(frames), Chain: hex.EncodeToString(chain[:]), MaxID: e.maxID}
		for _, r := range e.runs {
			c.Runs = append(c.Runs, strings.TrimPrefix(r.path, keyFilePrefix(x.bundle)))
			c.Counts = append(c.Counts, r.count)
		}
		n := len(nk)
		nk = e.nks.appendTo(nk)
		c.NKLen = len(nk) - n
		m.Tables = append(m.Tables, c)
	}
	js, err := json.Marshal(m)
	if err != nil {
		return err
	}
	b := make([]byte, 0, 12+len(js)+len(nk)+4)
	b = append(b, keyIndexMagic...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(js)))
	b = append(b, js...)
	b = append(b, nk...)
	b = binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
	if err := writeFileSync(tmp, b); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, keyIndexPath(x.bundle)); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	syncDir(filepath.Dir(x.bundle))
	x.written = true
	x.removeUnused()
	return nil
}

func writeFileSync(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// removeUnused deletes the index's files that are neither a run in use nor
// a spill file: what a killed run or an earlier fold left.
func (x *keyIndex) removeUnused() {
	dir := filepath.Dir(x.bundle)
	prefix := filepath.Base(keyFilePrefix(x.bundle))
	keep := map[string]bool{}
	for _, e := range x.ents {
		for _, r := range e.runs {
			keep[filepath.Base(r.path)] = true
		}
		if e.spill != nil {
			keep[filepath.Base(e.spill.path)] = true
		}
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, de := range ents {
		if n := de.Name(); !de.IsDir() && strings.HasPrefix(n, prefix) && !keep[n] {
			_ = os.Remove(filepath.Join(dir, n))
		}
	}
}

// removeKeyIndex deletes a bundle's index files (the bundle was removed).
func removeKeyIndex(bundle string) {
	_ = os.Remove(keyIndexPath(bundle))
	x := &keyIndex{bundle: bundle}
	x.removeUnused()
}

func (x *keyIndex) close() {
	for _, e := range x.ents {
		e.closeRuns()
		e.spill.close()
		e.spill = nil
	}
}

// lookup fills each table's present set with the GUIDs of gs (per table)
// that the destination already holds: looked up in the runs in ascending
// order, and fingerprint matches among the fresh keys confirmed against the
// spill file.
func (e *entityKeys) lookup(ctx context.Context, gs []data.UUID) error {
	clear(e.present)
	if len(gs) == 0 {
		return nil
	}
	var cands map[data.UUID]struct{}
	if e.fresh.n > 0 {
		e.fps = e.fps[:0]
		for _, g := range gs {
			e.fps = append(e.fps, fingerprint(g))
		}
		e.fresh.touch(e.fps)
		for i, f := range e.fps {
			if e.fresh.has(f) {
				if cands == nil {
					cands = map[data.UUID]struct{}{}
				}
				cands[gs[i]] = struct{}{}
			}
		}
	}
	if len(e.runs) > 0 {
		gs = sortUnique(gs) // a run reads its blocks in ascending order
	}
	for _, r := range e.runs {
		if err := ctx.Err(); err != nil {
			return err
		}
		e.fresh.sink += bloomTouch(r.bloom, gs)
		for _, g := range gs {
			ok, err := r.has(g)
			if err != nil {
				return err
			}
			if ok {
				e.present[g] = struct{}{}
			}
		}
	}
	if len(cands) > 0 {
		return e.spill.each(func(g data.UUID) {
			if _, ok := cands[g]; ok {
				e.present[g] = struct{}{}
			}
		})
	}
	return nil
}

func (e *entityKeys) closeRuns() {
	for _, r := range e.runs {
		r.close()
	}
	e.runs = nil
}

// appendTo encodes the set: installations, then per installation its
// containers (key, then a sorted uint16 array or a 1024-word bitmap).
func (s *nkSet) appendTo(b []byte) []byte {
	b = binary.LittleEndian.AppendUint32(b, uint32(len(s.m)))
	for iid, ids := range s.m {
		b = append(b, iid[:]...)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(ids.conts)))
		for hi, c := range ids.conts {
			b = binary.LittleEndian.AppendUint64(b, uint64(hi))
			if c.bits != nil {
				b = append(b, 1)
				for _, w := range c.bits {
					b = binary.LittleEndian.AppendUint64(b, w)
				}
				continue
			}
			b = append(b, 0)
			b = binary.LittleEndian.AppendUint32(b, uint32(len(c.arr)))
			for _, v := range c.arr {
				b = binary.LittleEndian.AppendUint16(b, v)
			}
		}
	}
	return b
}

func decodeNKSet(b []byte) (*nkSet, error) {
	s := newNKSet()
	bad := errors.New("natural keys truncated")
	rd := bytes.NewReader(b)
	var n uint32
	if err := binary.Read(rd, binary.LittleEndian, &n); err != nil {
		return nil, bad
	}
	for range n {
		var iid data.UUID
		var nc uint32
		if _, err := io.ReadFull(rd, iid[:]); err != nil {
			return nil, bad
		}
		if err := binary.Read(rd, binary.LittleEndian, &nc); err != nil {
			return nil, bad
		}
		ids := &idSet{conts: map[int64]*idContainer{}}
		for range nc {
			var hi uint64
			if err := binary.Read(rd, binary.LittleEndian, &hi); err != nil {
				return nil, bad
			}
			kind, err := rd.ReadByte()
			if err != nil {
				return nil, bad
			}
			c := &idContainer{}
			switch kind {
			case 1:
				c.bits = new([1024]uint64)
				if err := binary.Read(rd, binary.LittleEndian, c.bits[:]); err != nil {
					return nil, bad
				}
			case 0:
				var na uint32
				if err := binary.Read(rd, binary.LittleEndian, &na); err != nil || int64(na)*2 > int64(rd.Len()) {
					return nil, bad
				}
				c.arr = make([]uint16, na)
				if err := binary.Read(rd, binary.LittleEndian, c.arr); err != nil {
					return nil, bad
				}
			default:
				return nil, bad
			}
			ids.conts[int64(hi)] = c
		}
		s.m[iid] = ids
	}
	if rd.Len() != 0 {
		return nil, bad
	}
	return s, nil
}
