package bundle

import (
	"cmp"
	"encoding/binary"
	"slices"

	"github.com/activeroles/arupgrade/core/data"
)

// fingerprint folds a GUID to 64 bits (GUIDs and uuid5 digests are random
// enough that any 64 bits spread well).
func fingerprint(u data.UUID) uint64 {
	return binary.BigEndian.Uint64(u[:8]) ^ binary.LittleEndian.Uint64(u[8:])
}

// compareUUID orders GUIDs by their bytes, as bytes.Compare does, two
// words at a time.
func compareUUID(a, b data.UUID) int {
	if x, y := binary.BigEndian.Uint64(a[:8]), binary.BigEndian.Uint64(b[:8]); x != y {
		return cmp.Compare(x, y)
	}
	return cmp.Compare(binary.BigEndian.Uint64(a[8:]), binary.BigEndian.Uint64(b[8:]))
}

// fpSet holds 64-bit fingerprints of GUIDs in one open-addressing table
// (linear probing, at most three quarters full, 0 marks an empty slot: 8
// to 16 bytes a key). A match is only a candidate, which the history
// destination confirms against the spill file; a false match is about one
// lookup in 2^64/n.
//
// Keys come a batch at a time. With a million keys the table is larger
// than the cache, and probing key after key waits for one cache miss after
// another: in the import that waiting was most of what the set cost. So
// touch first loads every key's home slot in a loop whose loads do not
// depend on each other, which the processor overlaps; the probes after it
// hit the cache.
type fpSet struct {
	slots []uint64
	shift uint // 64 - log2(len(slots))
	n     int
	sink  uint64 // the loads of touch (and of bloomTouch, in lookup) end here, so the compiler keeps them
}

const fpMinBits = 12 // the table starts with 1<<fpMinBits slots

func newFPSet() *fpSet {
	return &fpSet{slots: make([]uint64, 1<<fpMinBits), shift: 64 - fpMinBits}
}

// reset empties the set and keeps its table: after a fold, as many keys
// come again, and growing the table to hold them costs more than clearing it.
func (s *fpSet) reset() {
	clear(s.slots)
	s.n = 0
}

// fpKey is the slot value of a fingerprint: 0 would read as empty, so it
// shares 1's slot value (a shared candidate, confirmed like any other).
func fpKey(f uint64) uint64 { return max(f, 1) }

func (s *fpSet) home(k uint64) int { return int((k * 0x9e3779b97f4a7c15) >> s.shift) }

// touch loads the home slot of each fingerprint (see fpSet).
func (s *fpSet) touch(fs []uint64) {
	var x uint64
	for _, f := range fs {
		x += s.slots[s.home(fpKey(f))]
	}
	s.sink = x
}

func (s *fpSet) has(f uint64) bool {
	k := fpKey(f)
	mask := len(s.slots) - 1
	for i := s.home(k); ; i = (i + 1) & mask {
		switch s.slots[i] {
		case k:
			return true
		case 0:
			return false
		}
	}
}

// add inserts a fingerprint (nothing when it is already there).
func (s *fpSet) add(f uint64) {
	if (s.n+1)*4 > len(s.slots)*3 {
		s.grow()
	}
	s.put(fpKey(f))
}

func (s *fpSet) put(k uint64) {
	mask := len(s.slots) - 1
	for i := s.home(k); ; i = (i + 1) & mask {
		switch s.slots[i] {
		case k:
			return
		case 0:
			s.slots[i] = k
			s.n++
			return
		}
	}
}

func (s *fpSet) grow() {
	old := s.slots
	s.slots = make([]uint64, 2*len(old))
	s.shift--
	s.n = 0
	for _, k := range old {
		if k != 0 {
			s.put(k)
		}
	}
}

// idSet is an exact set of int64 ids, compact for the dense ranges that
// identity columns produce: 65536-id containers held as a sorted uint16
// array while sparse and as a bitmap once dense (the roaring-bitmap idea).
type idSet struct {
	conts map[int64]*idContainer
	// the container used last: ids come in runs
	lastKey int64
	last    *idContainer
}

type idContainer struct {
	arr  []uint16
	bits *[1024]uint64
}

const arrayMax = 4096 // above this, a bitmap (8 KiB) is smaller than the array

func (s *idSet) container(hi int64) *idContainer {
	if s.last != nil && s.lastKey == hi {
		return s.last
	}
	c := s.conts[hi]
	if c != nil {
		s.last, s.lastKey = c, hi
	}
	return c
}

func (s *idSet) has(id int64) bool {
	c := s.container(id >> 16)
	if c == nil {
		return false
	}
	lo := uint16(id)
	if c.bits != nil {
		return c.bits[lo>>6]&(1<<(lo&63)) != 0
	}
	_, found := slices.BinarySearch(c.arr, lo)
	return found
}

func (s *idSet) add(id int64) {
	if s.conts == nil {
		s.conts = map[int64]*idContainer{}
	}
	c := s.container(id >> 16)
	if c == nil {
		c = &idContainer{}
		s.conts[id>>16] = c
		s.last, s.lastKey = c, id>>16
	}
	lo := uint16(id)
	if c.bits != nil {
		c.bits[lo>>6] |= 1 << (lo & 63)
		return
	}
	i, found := slices.BinarySearch(c.arr, lo)
	if found {
		return
	}
	c.arr = slices.Insert(c.arr, i, lo)
	if len(c.arr) > arrayMax {
		c.bits = new([1024]uint64)
		for _, v := range c.arr {
			c.bits[v>>6] |= 1 << (v & 63)
		}
		c.arr = nil
	}
}

// nkSet holds natural keys (installation id, entity id), model §6.5.
type nkSet struct {
	m       map[data.UUID]*idSet
	lastIID data.UUID // the installation used last (one source at a time)
	last    *idSet
}

func newNKSet() *nkSet { return &nkSet{m: map[data.UUID]*idSet{}} }

func (s *nkSet) ids(iid data.UUID) *idSet {
	if s.last != nil && s.lastIID == iid {
		return s.last
	}
	ids := s.m[iid]
	if ids != nil {
		s.last, s.lastIID = ids, iid
	}
	return ids
}

func (s *nkSet) has(iid data.UUID, id int64) bool {
	ids := s.ids(iid)
	return ids != nil && ids.has(id)
}

func (s *nkSet) add(iid data.UUID, id int64) {
	ids := s.ids(iid)
	if ids == nil {
		ids = &idSet{}
		s.m[iid] = ids
		s.last, s.lastIID = ids, iid
	}
	ids.add(id)
}

// entityKeys are the keys of one keyed history table: GUIDs in the key
// index (keyindex.go), natural keys and the highest id in memory.
type entityKeys struct {
	name  string
	ti    int // table index in the bundle
	guid  int // GUID column
	runs  []*keyRun
	fresh *fpSet     // GUIDs committed since the runs were written
	spill *spillFile // the same GUIDs in full
	// from is the table's first data frame whose keys are not in the runs.
	from    int
	present map[data.UUID]struct{} // this batch's GUIDs already in the destination
	nks     *nkSet
	maxID   int64
	fps     []uint64 // a batch's fingerprints (scratch)
}

func newEntityKeys(name string, ti, guid int) *entityKeys {
	return &entityKeys{name: name, ti: ti, guid: guid, fresh: newFPSet(), nks: newNKSet(), present: map[data.UUID]struct{}{}}
}

type nk struct {
	iid data.UUID
	id  int64
}

func (k nk) hash() uint64 { return fingerprint(k.iid) ^ uint64(k.id)*0x9e3779b97f4a7c15 }

// pendingKeys are the keys a batch adds; they join entityKeys only when the
// batch commits, so a failed batch leaves the sets as they were.
type pendingKeys struct {
	guids batchSet[data.UUID]
	nks   batchSet[nk]
	maxID int64
}

func (p *pendingKeys) reset(maxID int64) {
	p.guids.reset()
	p.nks.reset()
	p.maxID = maxID
}

func (e *entityKeys) hasGUID(p *pendingKeys, g data.UUID) bool {
	if p.guids.has(g, fingerprint(g)) {
		return true
	}
	_, ok := e.present[g]
	return ok
}

func (e *entityKeys) hasNK(p *pendingKeys, k nk) bool {
	if p.nks.has(k, k.hash()) {
		return true
	}
	return e.nks.has(k.iid, k.id)
}

// apply adds a committed batch's keys; it reports how many GUIDs it added.
func (e *entityKeys) apply(p *pendingKeys) (int, error) {
	e.fps = e.fps[:0]
	for _, g := range p.guids.keys {
		e.fps = append(e.fps, fingerprint(g))
	}
	e.fresh.touch(e.fps)
	for i, g := range p.guids.keys {
		e.fresh.add(e.fps[i])
		if err := e.spill.add(g); err != nil {
			return 0, err
		}
	}
	for _, k := range p.nks.keys {
		e.nks.add(k.iid, k.id)
	}
	e.maxID = max(e.maxID, p.maxID)
	return len(p.guids.keys), nil
}

// addGUID adds a GUID the destination now holds to the fresh keys.
func (e *entityKeys) addGUID(g data.UUID) error {
	e.fresh.add(fingerprint(g))
	return e.spill.add(g)
}

// batchSet is a small exact set for the keys of one batch, reused across
// batches: reset is O(1) (a generation number), and keys lists the keys
// in the order they were added. A slot is one word (generation, 16 bits
// of the hash, index into keys), so the table of a 1000-record batch is 16
// KiB and stays in the first-level cache while the batch's rows stream
// past; the key itself is compared only when those 16 bits match.
type batchSet[K comparable] struct {
	slots []uint64
	gen   uint64 // 1..batchGenMax
	keys  []K
}

const (
	batchGenMax = 1<<16 - 1
	batchTag    = 1<<16 - 1
)

func batchSlot(gen, h uint64, i int) uint64 { return gen<<48 | (h>>48)<<32 | uint64(uint32(i)) }

func (s *batchSet[K]) reset() {
	s.keys = s.keys[:0]
	s.gen++
	if s.gen > batchGenMax { // wrapped: old generations would look current
		clear(s.slots)
		s.gen = 1
	}
}

func (s *batchSet[K]) has(k K, h uint64) bool {
	if len(s.keys) == 0 {
		return false
	}
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		sl := s.slots[i]
		if sl>>48 != s.gen {
			return false
		}
		if (sl>>32)&batchTag == h>>48 && s.keys[uint32(sl)] == k {
			return true
		}
	}
}

// add inserts k (the caller knows it is absent).
func (s *batchSet[K]) add(k K, h uint64) {
	if (len(s.keys)+1)*2 > len(s.slots) {
		s.grow()
	}
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		sl := s.slots[i]
		if sl>>48 != s.gen {
			s.slots[i] = batchSlot(s.gen, h, len(s.keys))
			s.keys = append(s.keys, k)
			return
		}
		if (sl>>32)&batchTag == h>>48 && s.keys[uint32(sl)] == k {
			return
		}
	}
}

func (s *batchSet[K]) grow() {
	n := max(1024, 2*len(s.slots))
	keys := s.keys
	s.slots = make([]uint64, n)
	s.gen = 1
	s.keys = make([]K, 0, cap(keys))
	for _, k := range keys {
		s.add(k, s.hashOf(k))
	}
}

func (s *batchSet[K]) hashOf(k K) uint64 {
	switch k := any(k).(type) {
	case data.UUID:
		return fingerprint(k)
	case nk:
		return k.hash()
	}
	panic("batchSet: unsupported key type")
}

// rowCheck is data.Table.CheckRow with the column facts it needs laid out
// flat: the history destination checks every row it writes. A row the
// quick check doubts goes to CheckRow, which words the error.
type rowCheck struct {
	t    *data.Table
	cols []colCheck
}

type colCheck struct {
	kind    data.Kind
	nullOK  bool
	varchar bool
	maxLen  int // > 0 when the length is limited
}

func newRowCheck(t *data.Table) *rowCheck {
	rc := &rowCheck{t: t, cols: make([]colCheck, len(t.Columns))}
	for i, c := range t.Columns {
		rc.cols[i] = colCheck{kind: c.Type.Kind(), nullOK: c.Nullable || c.Identity, varchar: c.Type == data.TVarChar,
			maxLen: max(c.MaxLen, 0)}
	}
	return rc
}

// checkSet checks r with column col (if ≥ 0) replaced by set.
func (rc *rowCheck) checkSet(r data.Row, col int, set data.Value) error {
	if len(r) != len(rc.cols) {
		return rc.t.CheckRow(r)
	}
	doubt := func() error {
		if col < 0 {
			return rc.t.CheckRow(r)
		}
		row := slices.Clone(r) // only to word the error
		row[col] = set
		return rc.t.CheckRow(row)
	}
	for i := range r {
		v, c := &r[i], &rc.cols[i]
		if i == col {
			v = &set
		}
		if v.Kind == data.Null {
			if !c.nullOK {
				return doubt()
			}
			continue
		}
		if v.Kind != c.kind {
			return doubt()
		}
		if c.maxLen == 0 {
			continue
		}
		switch v.Kind {
		case data.String:
			// UTF-16 units never outnumber UTF-8 bytes: only a long string
			// needs counting.
			if c.varchar {
				if len(v.Str) > c.maxLen || !isASCII(v.Str) {
					return doubt()
				}
			} else if len(v.Str) > c.maxLen && data.UTF16Len(v.Str) > c.maxLen {
				return doubt()
			}
		case data.Bytes:
			if len(v.Bytes) > c.maxLen {
				return doubt()
			}
		}
	}
	return nil
}

func isASCII(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if (s[i]|s[i+1]|s[i+2]|s[i+3]|s[i+4]|s[i+5]|s[i+6]|s[i+7])&0x80 != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
