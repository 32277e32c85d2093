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

// The fingerprint set stays exact when its partitions are large enough for
// the interpolated search, and across many merges.
func TestFPSetLarge(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	fs := newFPSet()
	in := make([]uint64, 0, 600_000)
	for range 600_000 {
		f := r.Uint64()
		if r.IntN(64) == 0 {
			f &= 0xffff // clustered keys too
		}
		fs.add(f)
		in = append(in, f)
	}
	fs.add(0)
	for _, f := range in {
		if !fs.has(f) {
			t.Fatalf("fingerprint %x added but not found", f)
		}
	}
	m := map[uint64]bool{}
	for _, f := range in {
		m[f] = true
	}
	for range 600_000 {
		f := r.Uint64()
		if fs.has(f) != m[f] {
			t.Fatalf("fingerprint %x: has = %v", f, fs.has(f))
		}
	}
	if !fs.has(0) || !fs.has(0xffff) || fs.has(1<<16) {
		t.Fatal("only the top 48 bits of a fingerprint count")
	}
}

// The quick row check accepts exactly the rows data.Table.CheckRow accepts.
func TestRowCheckAgreesWithCheckRow(t *testing.T) {
	tb := &data.Table{Name: "T", Columns: []data.Column{
		{Name: "Id", Type: data.TBigInt, Identity: true},
		{Name: "N", Type: data.TNVarChar, MaxLen: 4},
		{Name: "V", Type: data.TVarChar, MaxLen: 10, Nullable: true},
		{Name: "B", Type: data.TVarBinary, MaxLen: 3, Nullable: true},
		{Name: "M", Type: data.TNVarChar, MaxLen: data.MaxLenMax, Nullable: true},
		{Name: "G", Type: data.TUniqueID},
	}}
	g := data.GUIDValue(data.UUID{1})
	ok := data.Row{data.IntValue(1), data.StringValue("abcd"), data.StringValue("plain text"), data.BytesValue([]byte{1, 2, 3}), data.StringValue("long long long"), g}
	rows := []data.Row{ok, ok[:5]}
	vary := func(i int, v data.Value) {
		r := ok.Clone()
		r[i] = v
		rows = append(rows, r)
	}
	vary(0, data.NullValue())
	vary(1, data.NullValue())
	vary(1, data.StringValue("ééé"))   // 6 bytes, 3 UTF-16 units: fits
	vary(1, data.StringValue("ééééé")) // 5 units: too long
	vary(1, data.StringValue("😀😀"))    // 4 units: fits
	vary(1, data.StringValue("😀😀a"))   // 5 units
	vary(1, data.IntValue(3))
	vary(2, data.StringValue("plain texts"))
	vary(2, data.StringValue("plain téxt"))
	vary(2, data.StringValue("abcdefgé"))
	vary(3, data.BytesValue([]byte{1, 2, 3, 4}))
	vary(4, data.StringValue(string(make([]byte, 5000))))
	vary(5, data.NullValue())
	vary(5, data.StringValue("x"))
	rc := newRowCheck(tb)
	for i, r := range rows {
		want, got := tb.CheckRow(r), rc.check(r)
		if (want == nil) != (got == nil) || (want != nil && want.Error() != got.Error()) {
			t.Errorf("row %d: check = %v, CheckRow = %v", i, got, want)
		}
	}
}
