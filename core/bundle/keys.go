package bundle

import (
	"cmp"
	"encoding/binary"
	"math/bits"
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

// fpSet holds 48-bit fingerprints of GUIDs (the top 48 bits of the 64-bit
// fingerprint): 65536 sorted partitions by the top 16 bits, each holding
// the next 32 bits (4 bytes a key, no pointers), plus an open-addressing
// table of recent additions that is merged into them when it fills.
// Lookups and additions are O(1) expected; the table is kept at about a
// sixteenth of the set, so merges copy each key a few times over a run.
// A match is only a candidate, which the history destination confirms
// against the file; with 48 bits a false match is rare even among millions
// of keys (about one lookup in 2^48/n).
type fpSet struct {
	parts [][]uint32 // 1<<fpPartBits sorted partitions
	delta []uint64   // open addressing, linear probing; 0 = empty slot
	shift uint       // 64 - log2(len(delta))
	dn    int        // keys in delta
	n     int
}

const (
	fpPartBits = 16
	fpMinDelta = 1 << 12
	fpUsed     = 1 << 63 // marks a delta slot in use
)

func newFPSet() *fpSet {
	s := &fpSet{parts: make([][]uint32, 1<<fpPartBits)}
	s.resizeDelta(fpMinDelta)
	return s
}

func (s *fpSet) resizeDelta(n int) {
	s.delta = make([]uint64, n)
	s.shift = uint(64 - bits.TrailingZeros(uint(n)))
	s.dn = 0
}

// fpKey is the 48 bits kept of a fingerprint, marked as a used delta slot.
func fpKey(f uint64) uint64 { return f>>16 | fpUsed }

func (s *fpSet) has(f uint64) bool {
	k := fpKey(f)
	mask := len(s.delta) - 1
	for i := int((k * 0x9e3779b97f4a7c15) >> s.shift); ; i = (i + 1) & mask {
		switch s.delta[i] {
		case k:
			return true
		case 0:
			return s.partHas(k)
		}
	}
}

func (s *fpSet) partHas(k uint64) bool {
	p := s.parts[(k>>32)&(1<<fpPartBits-1)]
	v := uint32(k)
	n := len(p)
	if n == 0 {
		return false
	}
	// GUIDs are random enough that a key is usually within a few places of
	// where its value says, in the same cache line; skewed keys cost a
	// binary search.
	i := int(uint64(v) * uint64(n) >> 32)
	lo, hi := 0, n
	if p[i] < v {
		lo = i + 1
		for j := 0; j < 8 && lo < n && p[lo] < v; j++ {
			lo++
		}
		if lo == n || p[lo] >= v {
			return lo < n && p[lo] == v
		}
	} else {
		hi = i
		for j := 0; j < 8 && hi > 0 && p[hi-1] >= v; j++ {
			hi--
		}
		if hi == 0 || p[hi-1] < v {
			return p[hi] == v
		}
	}
	for lo < hi { // a long way off: binary search in what is left
		m := int(uint(lo+hi) >> 1)
		if p[m] < v {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo < n && p[lo] == v
}

// add inserts a fingerprint.
func (s *fpSet) add(f uint64) {
	if s.partHas(fpKey(f)) {
		return
	}
	s.insert(f)
}

// insert adds a fingerprint to the recent additions; it need not be absent
// from the partitions (a repeated key there is harmless).
func (s *fpSet) insert(f uint64) {
	k := fpKey(f)
	mask := len(s.delta) - 1
	for i := int((k * 0x9e3779b97f4a7c15) >> s.shift); ; i = (i + 1) & mask {
		switch s.delta[i] {
		case k:
			return
		case 0:
			s.delta[i] = k
			s.dn++
			s.n++
			if s.dn*4 >= len(s.delta)*3 {
				s.flush()
			}
			return
		}
	}
}

// flush merges the recent additions into the sorted partitions; only the
// partitions that received keys are reallocated, one at a time.
func (s *fpSet) flush() {
	if s.dn == 0 {
		return
	}
	add := make([]uint64, 0, s.dn)
	for _, k := range s.delta {
		if k != 0 {
			add = append(add, k)
		}
	}
	slices.Sort(add)
	for i := 0; i < len(add); {
		p := add[i] >> 32
		j := i + 1
		for j < len(add) && add[j]>>32 == p {
			j++
		}
		pi := p & (1<<fpPartBits - 1)
		s.parts[pi] = mergeInto(s.parts[pi], add[i:j])
		i = j
	}
	// Keep the table at about a quarter of the set: a flush rewrites most
	// partitions, so a bigger table means fewer rewrites of every key.
	n := fpMinDelta
	for n*3/4 < s.n/4 {
		n *= 2
	}
	if n != len(s.delta) {
		s.resizeDelta(n)
	} else {
		clear(s.delta)
		s.dn = 0
	}
}

// mergeInto merges sorted keys (their low 32 bits) into the sorted
// partition p, in place from the back when p has room, else into a new
// array with room for the next merges.
func mergeInto(p []uint32, add []uint64) []uint32 {
	need := len(p) + len(add)
	if cap(p) < need {
		grown := make([]uint32, len(p), need+need/2+4)
		copy(grown, p)
		p = grown
	}
	a, b := len(p)-1, len(add)-1
	p = p[:need]
	for o := need - 1; b >= 0; o-- {
		if v := uint32(add[b]); a >= 0 && p[a] > v {
			p[o] = p[a]
			a--
		} else {
			p[o] = v
			b--
		}
	}
	return p
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
	for _, g := range p.guids.keys {
		if err := e.addGUID(g); err != nil {
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
	// A fingerprint already in the partitions belongs to a candidate
	// (rare); repeating it there is harmless, so it is not looked up.
	e.fresh.insert(fingerprint(g))
	return e.spill.add(g)
}

// batchSet is a small exact set for the keys of one batch, reused across
// batches: reset is O(1) (a generation number), and keys lists the keys
// in the order they were added.
type batchSet[K comparable] struct {
	slots []batchSlot[K]
	gen   uint32
	keys  []K
}

type batchSlot[K comparable] struct {
	k   K
	gen uint32
}

func (s *batchSet[K]) reset() {
	s.keys = s.keys[:0]
	s.gen++
	if s.gen == 0 { // wrapped: old generations would look current
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
		sl := &s.slots[i]
		if sl.gen != s.gen {
			return false
		}
		if sl.k == k {
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
		sl := &s.slots[i]
		if sl.gen != s.gen {
			*sl = batchSlot[K]{k, s.gen}
			s.keys = append(s.keys, k)
			return
		}
		if sl.k == k {
			return
		}
	}
}

func (s *batchSet[K]) grow() {
	n := max(1024, 2*len(s.slots))
	keys := s.keys
	s.slots = make([]batchSlot[K], n)
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
