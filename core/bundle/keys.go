package bundle

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"slices"

	"github.com/activeroles/arupgrade/core/data"
)

// sortedSet is an exact set that stays near the size of its keys: sorted
// arrays partitioned by the keys' top 12 bits, plus a small map of recent
// additions merged in from time to time. A Go map of millions of keys
// would take several times the memory.
type sortedSet[K comparable] struct {
	parts   [1 << 12][]K
	delta   map[K]struct{}
	n       int
	compare func(a, b K) int
	part    func(K) int
}

// guidSet holds 16-byte GUIDs.
type guidSet = sortedSet[data.UUID]

func newGUIDSet() *guidSet {
	return &guidSet{delta: map[data.UUID]struct{}{}, compare: compareUUID,
		part: func(u data.UUID) int { return int(u[0])<<4 | int(u[1]>>4) }}
}

// fpSet holds 8-byte fingerprints of GUIDs.
type fpSet = sortedSet[uint64]

func newFPSet() *fpSet {
	return &fpSet{delta: map[uint64]struct{}{}, compare: cmp.Compare[uint64],
		part: func(f uint64) int { return int(f >> 52) }}
}

// fingerprint folds a GUID to 64 bits (GUIDs and uuid5 digests are random
// enough that any 64 bits spread well).
func fingerprint(u data.UUID) uint64 {
	return binary.BigEndian.Uint64(u[:8]) ^ binary.LittleEndian.Uint64(u[8:])
}

func compareUUID(a, b data.UUID) int { return bytes.Compare(a[:], b[:]) }

func (s *sortedSet[K]) has(k K) bool {
	if _, ok := s.delta[k]; ok {
		return true
	}
	_, found := slices.BinarySearchFunc(s.parts[s.part(k)], k, s.compare)
	return found
}

func (s *sortedSet[K]) add(k K) {
	if s.has(k) {
		return
	}
	s.delta[k] = struct{}{}
	s.n++
	if len(s.delta) >= max(1<<16, s.n/16) {
		s.flush()
	}
}

// flush merges the recent additions into the sorted partitions; only the
// partitions that received keys are reallocated, one at a time.
func (s *sortedSet[K]) flush() {
	if len(s.delta) == 0 {
		return
	}
	add := make([]K, 0, len(s.delta))
	for k := range s.delta {
		add = append(add, k)
	}
	slices.SortFunc(add, s.compare)
	for i := 0; i < len(add); {
		p := s.part(add[i])
		j := i
		for j < len(add) && s.part(add[j]) == p {
			j++
		}
		old := s.parts[p]
		merged := make([]K, 0, len(old)+j-i)
		a, b := 0, i
		for a < len(old) || b < j {
			if b == j || (a < len(old) && s.compare(old[a], add[b]) < 0) {
				merged = append(merged, old[a])
				a++
			} else {
				merged = append(merged, add[b])
				b++
			}
		}
		s.parts[p] = merged
		i = j
	}
	clear(s.delta)
}

// idSet is an exact set of int64 ids, compact for the dense ranges that
// identity columns produce: 65536-id containers held as a sorted uint16
// array while sparse and as a bitmap once dense (the roaring-bitmap idea).
type idSet struct {
	conts map[int64]*idContainer
}

type idContainer struct {
	arr  []uint16
	bits *[1024]uint64
}

const arrayMax = 4096 // above this, a bitmap (8 KiB) is smaller than the array

func (s *idSet) has(id int64) bool {
	c := s.conts[id>>16]
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
	c := s.conts[id>>16]
	if c == nil {
		c = &idContainer{}
		s.conts[id>>16] = c
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
type nkSet map[data.UUID]*idSet

func (s nkSet) has(iid data.UUID, id int64) bool {
	ids := s[iid]
	return ids != nil && ids.has(id)
}

func (s nkSet) add(iid data.UUID, id int64) {
	ids := s[iid]
	if ids == nil {
		ids = &idSet{}
		s[iid] = ids
	}
	ids.add(id)
}

// entityKeys are the keys of one history table. GUIDs present when the
// destination was opened are kept whole; GUIDs added since are kept as 8-byte
// fingerprints (half the memory), and a fingerprint match is confirmed
// against the rows written since (confirm), so the sets stay exact.
type entityKeys struct {
	guids *guidSet // loaded from the file
	fresh *fpSet   // added by this destination since
	// freshFrom is the table's first data frame written since loading.
	freshFrom int
	confirmed map[data.UUID]struct{} // this batch's fingerprint matches that are real
	nks       nkSet
	maxID     int64
}

func newEntityKeys() *entityKeys {
	return &entityKeys{guids: newGUIDSet(), fresh: newFPSet(), nks: nkSet{}, confirmed: map[data.UUID]struct{}{}}
}

// candidate reports a GUID whose presence only the file can confirm.
func (e *entityKeys) candidate(g data.UUID) bool {
	return !e.guids.has(g) && e.fresh.has(fingerprint(g))
}

type nk struct {
	iid data.UUID
	id  int64
}

// pendingKeys are the keys a batch adds; they join entityKeys only when the
// batch commits, so a failed batch leaves the sets as they were.
type pendingKeys struct {
	guids map[data.UUID]struct{}
	nks   map[nk]struct{}
	maxID int64
}

func (p *pendingKeys) reset(maxID int64) {
	if p.guids == nil {
		p.guids, p.nks = map[data.UUID]struct{}{}, map[nk]struct{}{}
	}
	clear(p.guids)
	clear(p.nks)
	p.maxID = maxID
}

func (e *entityKeys) hasGUID(p *pendingKeys, g data.UUID) bool {
	if _, ok := p.guids[g]; ok {
		return true
	}
	if e.guids.has(g) {
		return true
	}
	_, ok := e.confirmed[g]
	return ok
}

func (e *entityKeys) hasNK(p *pendingKeys, k nk) bool {
	if _, ok := p.nks[k]; ok {
		return true
	}
	return e.nks.has(k.iid, k.id)
}

func (e *entityKeys) apply(p *pendingKeys) {
	for g := range p.guids {
		e.fresh.add(fingerprint(g))
	}
	for k := range p.nks {
		e.nks.add(k.iid, k.id)
	}
	e.maxID = max(e.maxID, p.maxID)
}
