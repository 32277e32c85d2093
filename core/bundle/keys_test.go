package bundle

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/store"
)

// The compact sets answer exactly like a map, across merges.
func TestKeySetsAreExact(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	gs, fs, ids := newGUIDSet(), newFPSet(), &idSet{}
	gm, fm, im := map[data.UUID]bool{}, map[uint64]bool{}, map[int64]bool{}
	for i := 0; i < 200_000; i++ {
		var u data.UUID
		binary.LittleEndian.PutUint64(u[:], r.Uint64())
		binary.LittleEndian.PutUint64(u[8:], r.Uint64()%1000) // repeats
		id := int64(r.IntN(300_000)) - 1000                   // dense, repeats, negatives
		if i%7 == 0 {
			id = r.Int64() // sparse
		}
		if r.IntN(2) == 0 {
			gs.add(u)
			gm[u] = true
			fs.add(fingerprint(u))
			fm[fingerprint(u)] = true
			ids.add(id)
			im[id] = true
		}
		if gs.has(u) != gm[u] || fs.has(fingerprint(u)) != fm[fingerprint(u)] || ids.has(id) != im[id] {
			t.Fatalf("step %d: sets disagree with maps", i)
		}
	}
}

// A GUID whose fingerprint matches a row written earlier in the run is
// confirmed against the file, so it is not mistaken for a duplicate.
func TestFingerprintCollisionIsNotADuplicate(t *testing.T) {
	d, _ := newHistoryDest(t)
	a := importedRecord(1)
	g1 := a.Record[1].AsGUID()
	hi, lo := binary.BigEndian.Uint64(g1[:8]), binary.LittleEndian.Uint64(g1[8:])
	var g2 data.UUID
	binary.BigEndian.PutUint64(g2[:], hi^0x5555)
	binary.LittleEndian.PutUint64(g2[8:], lo^0x5555)
	if fingerprint(g1) != fingerprint(g2) || g1 == g2 {
		t.Fatal("test GUIDs do not collide")
	}
	_, err := d.WriteHistoryBatch(ctx, batch(1, a))
	must(t, err)
	b := importedRecord(2)
	b.Record[1] = data.GUIDValue(g2)
	res, err := d.WriteHistoryBatch(ctx, batch(2, b, importedRecord(1)))
	must(t, err)
	want := store.HistoryBatchResult{RecordsAdded: 1, RecordsDuplicate: 1, AttributesAdded: 3}
	if res.RecordsAdded != want.RecordsAdded || res.RecordsDuplicate != want.RecordsDuplicate || res.AttributesAdded != 3 {
		t.Errorf("result = %+v, want %+v", res, want)
	}
}
