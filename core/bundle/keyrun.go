package bundle

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"slices"
	"sort"

	"github.com/activeroles/arupgrade/core/data"
)

// A key run is an immutable file of GUIDs in ascending byte order, part of a
// history destination's key index (keyindex.go). It is read by block: only
// the first key and the CRC of each block are kept in memory (20 bytes per
// 128 keys), plus a Bloom filter of 6 bits a key, so most lookups of a key
// that is not there (every key of a first import) read nothing: a run of 50
// million keys costs about 45 MiB to look into.
//
//	header  32 bytes: "ARKEYRUN", version u32 (2), keys per block u32,
//	        key count u64, CRC-32C of bytes 0–23 u32, 0 u32
//	keys    count × 16 bytes, ascending, no repeats
//	crcs    one CRC-32C per block of keys (the last block may be short)
//	fences  the first key of each block, 16 bytes each
//	bloom   the filter's 64-bit words, then their number u64
//	footer  CRC-32C of crcs, fences and bloom u32
const (
	runMagic     = "ARKEYRUN"
	runVersion   = 2
	runHdrLen    = 32
	runBlockKeys = 128
	keyLen       = 16
)

// keyRun is an open run file.
type keyRun struct {
	path   string
	f      *os.File
	count  int64
	crcs   []uint32
	fences []data.UUID
	bloom  []uint64
	// The block read last: lookups come sorted, so neighbours share it.
	blk    int
	blkBuf []byte
}

func runBlocks(count int64) int64 { return (count + runBlockKeys - 1) / runBlockKeys }

// openKeyRun opens a run and checks its header and block table; the keys'
// blocks are checked as they are read.
func openKeyRun(path string) (*keyRun, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, err := readKeyRun(path, f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

func readKeyRun(path string, f *os.File) (*keyRun, error) {
	var h [runHdrLen]byte
	if _, err := f.ReadAt(h[:], 0); err != nil {
		return nil, fmt.Errorf("read key run %s: %w", path, err)
	}
	if string(h[:8]) != runMagic || binary.LittleEndian.Uint32(h[8:]) != runVersion ||
		binary.LittleEndian.Uint32(h[12:]) != runBlockKeys ||
		crc32.Checksum(h[:24], castagnoli) != binary.LittleEndian.Uint32(h[24:]) {
		return nil, fmt.Errorf("key run %s: bad header", path)
	}
	count := int64(binary.LittleEndian.Uint64(h[16:]))
	nb := runBlocks(count)
	if count < 0 || count > 1<<40 {
		return nil, fmt.Errorf("key run %s: bad key count %d", path, count)
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	tableOff := runHdrLen + count*keyLen
	var tail [12]byte
	if fi.Size() < tableOff+int64(len(tail)) {
		return nil, fmt.Errorf("key run %s: %d bytes, too short", path, fi.Size())
	}
	if _, err := f.ReadAt(tail[:], fi.Size()-int64(len(tail))); err != nil {
		return nil, fmt.Errorf("read key run %s: %w", path, err)
	}
	bw := int64(binary.LittleEndian.Uint64(tail[:]))
	if bw < 0 || bw > count+8 || bw%8 != 0 {
		return nil, fmt.Errorf("key run %s: bad filter size", path)
	}
	if want := tableOff + nb*(4+keyLen) + bw*8 + 12; fi.Size() != want {
		return nil, fmt.Errorf("key run %s: %d bytes, expected %d", path, fi.Size(), want)
	}
	tbl := make([]byte, nb*(4+keyLen)+bw*8+12)
	if _, err := f.ReadAt(tbl, tableOff); err != nil {
		return nil, fmt.Errorf("read key run %s: %w", path, err)
	}
	body := tbl[:len(tbl)-4]
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(tbl[len(body):]) {
		return nil, fmt.Errorf("key run %s: its block table fails its checksum", path)
	}
	r := &keyRun{path: path, f: f, count: count, crcs: make([]uint32, nb), fences: make([]data.UUID, nb),
		bloom: make([]uint64, bw), blk: -1}
	for i := range r.crcs {
		r.crcs[i] = binary.LittleEndian.Uint32(body[4*i:])
	}
	fb := body[4*nb:]
	for i := range r.fences {
		copy(r.fences[i][:], fb[keyLen*i:])
	}
	bb := fb[keyLen*nb:]
	for i := range r.bloom {
		r.bloom[i] = binary.LittleEndian.Uint64(bb[8*i:])
	}
	return r, nil
}

func (r *keyRun) close() error {
	if r == nil || r.f == nil {
		return nil
	}
	err := r.f.Close()
	r.f = nil
	return err
}

// block reads block b and checks its CRC.
func (r *keyRun) block(b int) ([]byte, error) {
	if r.blk == b {
		return r.blkBuf, nil
	}
	n := min(int64(runBlockKeys), r.count-int64(b)*runBlockKeys) * keyLen
	if cap(r.blkBuf) < runBlockKeys*keyLen {
		r.blkBuf = make([]byte, runBlockKeys*keyLen)
	}
	buf := r.blkBuf[:n]
	r.blk = -1
	if _, err := r.f.ReadAt(buf, runHdrLen+int64(b)*runBlockKeys*keyLen); err != nil {
		return nil, fmt.Errorf("read key run %s: %w", r.path, err)
	}
	if crc32.Checksum(buf, castagnoli) != r.crcs[b] {
		return nil, fmt.Errorf("key run %s: block %d fails its checksum", r.path, b)
	}
	r.blk, r.blkBuf = b, buf
	return buf, nil
}

// has reports whether k is in the run. Calls with ascending keys read each
// block at most once.
func (r *keyRun) has(k data.UUID) (bool, error) {
	if r.count == 0 || !bloomHas(r.bloom, k) || bytes.Compare(k[:], r.fences[0][:]) < 0 {
		return false, nil
	}
	// the last block whose first key is <= k
	b := sort.Search(len(r.fences), func(i int) bool { return bytes.Compare(r.fences[i][:], k[:]) > 0 }) - 1
	buf, err := r.block(b)
	if err != nil {
		return false, err
	}
	lo, hi := 0, len(buf)/keyLen
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		switch c := bytes.Compare(buf[m*keyLen:m*keyLen+keyLen], k[:]); {
		case c == 0:
			return true, nil
		case c < 0:
			lo = m + 1
		default:
			hi = m
		}
	}
	return false, nil
}

// keyIter yields keys in ascending order; size is how many at most (it
// sizes the run's filter).
type keyIter interface {
	next() (data.UUID, bool, error)
	size() int64
}

// sliceIter iterates over sorted keys in memory.
type sliceIter struct {
	keys []data.UUID
	i    int
}

func (s *sliceIter) size() int64 { return int64(len(s.keys)) }

func (s *sliceIter) next() (data.UUID, bool, error) {
	if s.i >= len(s.keys) {
		return data.UUID{}, false, nil
	}
	s.i++
	return s.keys[s.i-1], true, nil
}

// runIter reads a run from start to end, checking each block.
type runIter struct {
	r   *keyRun
	br  *bufio.Reader
	b   int
	buf []byte
	i   int
}

func (r *keyRun) iter() *runIter {
	return &runIter{r: r, br: bufio.NewReaderSize(io.NewSectionReader(r.f, runHdrLen, r.count*keyLen), 1<<20),
		buf: make([]byte, 0, runBlockKeys*keyLen)}
}

func (it *runIter) size() int64 { return it.r.count }

func (it *runIter) next() (data.UUID, bool, error) {
	if it.i >= len(it.buf) {
		if it.b >= len(it.r.crcs) {
			return data.UUID{}, false, nil
		}
		n := min(int64(runBlockKeys), it.r.count-int64(it.b)*runBlockKeys) * keyLen
		it.buf = it.buf[:n]
		if _, err := io.ReadFull(it.br, it.buf); err != nil {
			return data.UUID{}, false, fmt.Errorf("read key run %s: %w", it.r.path, err)
		}
		if crc32.Checksum(it.buf, castagnoli) != it.r.crcs[it.b] {
			return data.UUID{}, false, fmt.Errorf("key run %s: block %d fails its checksum", it.r.path, it.b)
		}
		it.b++
		it.i = 0
	}
	var k data.UUID
	copy(k[:], it.buf[it.i:])
	it.i += keyLen
	return k, true, nil
}

// writeKeyRun merges the iterators' keys (repeats dropped) into a new run
// file at path, fsynced, and opens it.
func writeKeyRun(path string, ins []keyIter) (*keyRun, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("create key run: %w", err)
	}
	r, err := fillKeyRun(path, f, ins)
	if err != nil {
		f.Close()
		_ = os.Remove(path)
		return nil, err
	}
	return r, nil
}

func fillKeyRun(path string, f *os.File, ins []keyIter) (*keyRun, error) {
	bw := bufio.NewWriterSize(f, 1<<20)
	var hdr [runHdrLen]byte
	if _, err := bw.Write(hdr[:]); err != nil {
		return nil, err
	}
	var upper int64 // keys at most: sizes the filter
	for _, it := range ins {
		upper += it.size()
	}
	bloom := make([]uint64, bloomWords(upper))
	heads := make([]data.UUID, len(ins))
	live := make([]bool, len(ins))
	for i, it := range ins {
		k, ok, err := it.next()
		if err != nil {
			return nil, err
		}
		heads[i], live[i] = k, ok
	}
	var fb bloomBatch
	var (
		count  int64
		crcs   []uint32
		fences []data.UUID
		crc    uint32
		last   data.UUID
		out    data.UUID
	)
	for {
		m := -1
		for i := range ins {
			if live[i] && (m < 0 || bytes.Compare(heads[i][:], heads[m][:]) < 0) {
				m = i
			}
		}
		if m < 0 {
			break
		}
		k := heads[m]
		nk, ok, err := ins[m].next()
		if err != nil {
			return nil, err
		}
		heads[m], live[m] = nk, ok
		if count > 0 && k == last {
			continue
		}
		if count > 0 && bytes.Compare(k[:], last[:]) < 0 {
			return nil, errors.New("write key run: keys out of order")
		}
		if count%runBlockKeys == 0 {
			if count > 0 {
				crcs = append(crcs, crc)
			}
			fences = append(fences, k)
			crc = 0
		}
		// Checksummed and written from one variable: k itself would escape
		// (one allocation per key).
		out = k
		crc = crc32.Update(crc, castagnoli, out[:])
		fb.add(bloom, k)
		if _, err := bw.Write(out[:]); err != nil {
			return nil, err
		}
		last = k
		count++
	}
	fb.flush(bloom)
	if count > 0 {
		crcs = append(crcs, crc)
	}
	// The table goes out in small pieces: a buffer holding it whole would
	// be a second copy of the filter, the largest thing an import holds.
	var tbl []byte
	tcrc := uint32(0)
	put := func(flush bool) error {
		if len(tbl) < 64<<10 && !flush {
			return nil
		}
		tcrc = crc32.Update(tcrc, castagnoli, tbl)
		_, err := bw.Write(tbl)
		tbl = tbl[:0]
		return err
	}
	for _, c := range crcs {
		tbl = binary.LittleEndian.AppendUint32(tbl, c)
		if err := put(false); err != nil {
			return nil, err
		}
	}
	for _, k := range fences {
		tbl = append(tbl, k[:]...)
		if err := put(false); err != nil {
			return nil, err
		}
	}
	for _, w := range bloom {
		tbl = binary.LittleEndian.AppendUint64(tbl, w)
		if err := put(false); err != nil {
			return nil, err
		}
	}
	tbl = binary.LittleEndian.AppendUint64(tbl, uint64(len(bloom)))
	if err := put(true); err != nil {
		return nil, err
	}
	tbl = binary.LittleEndian.AppendUint32(tbl, tcrc)
	if err := put(true); err != nil {
		return nil, err
	}
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	copy(hdr[:], runMagic)
	binary.LittleEndian.PutUint32(hdr[8:], runVersion)
	binary.LittleEndian.PutUint32(hdr[12:], runBlockKeys)
	binary.LittleEndian.PutUint64(hdr[16:], uint64(count))
	binary.LittleEndian.PutUint32(hdr[24:], crc32.Checksum(hdr[:24], castagnoli))
	if _, err := f.WriteAt(hdr[:], 0); err != nil {
		return nil, err
	}
	if err := f.Sync(); err != nil {
		return nil, err
	}
	return &keyRun{path: path, f: f, count: count, crcs: crcs, fences: fences, bloom: bloom, blk: -1}, nil
}

// sortUnique sorts keys and drops repeats.
func sortUnique(keys []data.UUID) []data.UUID {
	sortUUIDs(keys, 0)
	return slices.Compact(keys)
}

// sortUUIDs sorts keys whose first d bytes are equal, in place: an MSD
// radix sort (American flag sort) on byte d, then on the next byte within
// each bucket, until buckets are small enough for insertion sort. GUIDs
// spread evenly over their leading bytes, so two passes usually suffice:
// folding a million keys takes a tenth of what a comparison sort on 16-byte
// keys took (most of the fold, and 10 % of an import's CPU).
func sortUUIDs(a []data.UUID, d int) {
	for len(a) > radixMin && d < len(data.UUID{}) {
		var count [256]int
		for i := range a {
			count[a[i][d]]++
		}
		var next, end [256]int
		s := 0
		for b, n := range count {
			next[b] = s
			s += n
			end[b] = s
		}
		// Cycle each element into its bucket: no second buffer.
		for b := range 256 {
			for next[b] < end[b] {
				v := a[next[b]]
				for int(v[d]) != b {
					j := next[v[d]]
					next[v[d]]++
					v, a[j] = a[j], v
				}
				a[next[b]] = v
				next[b]++
			}
		}
		// Recurse into every bucket but the largest, which the loop takes,
		// so the stack stays shallow whatever the keys.
		big, bigStart, start := -1, 0, 0
		for b, n := range count {
			if big < 0 || n > count[big] {
				big, bigStart = b, start
			}
			start += n
		}
		start = 0
		for b, n := range count {
			if b != big && n > 1 {
				sortUUIDs(a[start:start+n], d+1)
			}
			start += n
		}
		a, d = a[bigStart:bigStart+count[big]], d+1
	}
	if d < len(data.UUID{}) {
		insertionSortUUIDs(a)
	}
}

// radixMin is the bucket size below which insertion sort is faster.
const radixMin = 32

func insertionSortUUIDs(a []data.UUID) {
	for i := 1; i < len(a); i++ {
		v := a[i]
		j := i
		for ; j > 0 && compareUUID(a[j-1], v) > 0; j-- {
			a[j] = a[j-1]
		}
		a[j] = v
	}
}

// The runs' Bloom filter: bloomBits bits a key, bloomK probes, all in one
// 64-byte block of the filter (one cache miss a lookup); about 6 % false
// matches, which then read one block of keys.
const (
	bloomBits = 6
	bloomK    = 4
)

// bloomWords sizes a filter for keys: whole 8-word blocks.
func bloomWords(keys int64) int64 { return max(8, (keys*bloomBits+511)/512*8) }

// bloomProbes derives the block and the bit positions from both halves of
// the GUID, mixed (splitmix64), so GUIDs that are not random spread too.
func bloomProbes(k data.UUID) (uint64, uint64) {
	mix := func(x uint64) uint64 {
		x ^= x >> 30
		x *= 0xbf58476d1ce4e5b9
		x ^= x >> 27
		x *= 0x94d049bb133111eb
		return x ^ x>>31
	}
	return mix(binary.LittleEndian.Uint64(k[:8])), mix(binary.LittleEndian.Uint64(k[8:]) + 0x9e3779b97f4a7c15)
}

// bloomBlock is where a key's 8-word block starts in filter b (h1 from
// bloomProbes), and bloomBit its i-th bit within the block (from h2): the
// one rule by which a filter is both written and read.
func bloomBlock(b []uint64, h1 uint64) int { return int(h1%uint64(len(b)/8)) * 8 }

func bloomBit(h2 uint64, i int) uint64 { return (h2 >> (9 * i)) & 511 }

// bloomTouch loads the filter block of each key, so that bloomHas on them
// after it hits the cache (see fpSet.touch: the loads overlap).
func bloomTouch(b []uint64, ks []data.UUID) uint64 {
	if len(b) < 8 {
		return 0
	}
	var x uint64
	for i := range ks {
		h1, _ := bloomProbes(ks[i])
		x += b[bloomBlock(b, h1)]
	}
	return x
}

// bloomBatch adds keys to a filter a few hundred at a time: their blocks
// are loaded first, in a loop whose loads overlap (see fpSet.touch), so a
// large filter does not cost one cache miss after another.
type bloomBatch struct {
	h  [256][2]uint64
	n  int
	xs uint64 // the loads end here, so the compiler keeps them
}

func (bb *bloomBatch) add(b []uint64, k data.UUID) {
	h1, h2 := bloomProbes(k)
	bb.h[bb.n] = [2]uint64{h1, h2}
	if bb.n++; bb.n == len(bb.h) {
		bb.flush(b)
	}
}

func (bb *bloomBatch) flush(b []uint64) {
	for _, h := range bb.h[:bb.n] {
		bb.xs += b[bloomBlock(b, h[0])]
	}
	for _, h := range bb.h[:bb.n] {
		blk := b[bloomBlock(b, h[0]):][:8]
		for i := range bloomK {
			bit := bloomBit(h[1], i)
			blk[bit/64] |= 1 << (bit % 64)
		}
	}
	bb.n = 0
}

func bloomHas(b []uint64, k data.UUID) bool {
	if len(b) < 8 {
		return true
	}
	h1, h2 := bloomProbes(k)
	blk := b[bloomBlock(b, h1):][:8]
	for i := range bloomK {
		bit := bloomBit(h2, i)
		if blk[bit/64]&(1<<(bit%64)) == 0 {
			return false
		}
	}
	return true
}
