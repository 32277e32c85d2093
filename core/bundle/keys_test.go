package bundle

import (
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/store"
)

// The compact sets answer exactly like a map, across merges.
func TestKeySetsAreExact(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	fs, ids := newFPSet(), &idSet{}
	fm, im := map[uint64]bool{}, map[int64]bool{}
	for i := 0; i < 200_000; i++ {
		var u data.UUID
		binary.LittleEndian.PutUint64(u[:], r.Uint64())
		binary.LittleEndian.PutUint64(u[8:], r.Uint64()%1000) // repeats
		id := int64(r.IntN(300_000)) - 1000                   // dense, repeats, negatives
		if i%7 == 0 {
			id = r.Int64() // sparse
		}
		if r.IntN(2) == 0 {
			fs.add(fingerprint(u))
			fm[fingerprint(u)] = true
			ids.add(id)
			im[id] = true
		}
		if fs.has(fingerprint(u)) != fm[fingerprint(u)] || ids.has(id) != im[id] {
			t.Fatalf("step %d: sets disagree with maps", i)
		}
	}
}

// The batch sets answer exactly like a map, batch after batch, across
// growth, keys whose hashes collide, and the wrap of the generation number.
func TestBatchSetIsExact(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var gs batchSet[data.UUID]
	var ns batchSet[nk]
	iid := data.UUID{7}
	for b := range batchGenMax + 40 {
		gs.reset()
		ns.reset()
		n := 3
		if b%5000 == 0 || b > batchGenMax-3 {
			n = 3000 // grows the tables, and fills them around the wrap
		}
		gm, nm := map[data.UUID]bool{}, map[nk]bool{}
		for range n {
			// GUIDs 2m and 2m+1 share a fingerprint: only the key
			// comparison tells them apart.
			v := r.Uint64() % (uint64(n) * 2) // repeats
			var u data.UUID
			binary.BigEndian.PutUint64(u[:8], v)
			binary.LittleEndian.PutUint64(u[8:], v^v>>1)
			h := fingerprint(u)
			k := nk{iid: iid, id: int64(r.IntN(n * 2))}
			if gs.has(u, h) != gm[u] || ns.has(k, k.hash()) != nm[k] {
				t.Fatalf("batch %d: sets disagree with maps", b)
			}
			if !gm[u] {
				gs.add(u, h)
				gm[u] = true
			}
			if !nm[k] {
				ns.add(k, k.hash())
				nm[k] = true
			}
		}
		if len(gs.keys) != len(gm) || len(ns.keys) != len(nm) {
			t.Fatalf("batch %d: %d and %d keys listed, want %d and %d", b, len(gs.keys), len(ns.keys), len(gm), len(nm))
		}
	}
}

// A GUID whose fingerprint matches a row written earlier in the run is
// confirmed against the key index's spill file, so it is not mistaken for a duplicate.
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

// The fingerprint set stays exact across many doublings, with skewed keys
// that crowd one stretch of the table.
func TestFPSetLarge(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	fs := newFPSet()
	in := make([]uint64, 0, 600_000)
	for range 600_000 {
		f := r.Uint64()
		if r.IntN(64) == 0 {
			f = uint64(len(in)) << 40 // skewed keys too: one partition
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
	if !fs.has(0) || fs.has(0xffff) || fs.has(1<<16) {
		t.Fatal("every bit of a fingerprint counts, and 0 is a key like any other")
	}
	// After a fold the set is reset and filled again in the same table.
	fs.reset()
	for _, f := range in[:1000] {
		if fs.has(f) {
			t.Fatalf("fingerprint %x found after reset", f)
		}
	}
	again := map[uint64]bool{}
	for _, f := range in[:300_000] {
		fs.add(f)
		again[f] = true
	}
	for _, f := range in {
		if fs.has(f) != again[f] {
			t.Fatalf("fingerprint %x after reset: has = %v", f, fs.has(f))
		}
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
	same := func(want, got error) bool {
		return (want == nil) == (got == nil) && (want == nil || want.Error() == got.Error())
	}
	for i, r := range rows {
		if want, got := tb.CheckRow(r), rc.checkSet(r, -1, data.Value{}); !same(want, got) {
			t.Errorf("row %d: check = %v, CheckRow = %v", i, got, want)
		}
		// The value set in a column's place is what is checked, as if the
		// row held it (the destination sets each new row's id so).
		next := rows[(i+1)%len(rows)]
		for col := range r {
			if len(r) != len(tb.Columns) || col >= len(next) {
				break // rows of the wrong width are refused before any column
			}
			set := next[col]
			changed := slices.Clone(r)
			changed[col] = set
			if want, got := tb.CheckRow(changed), rc.checkSet(r, col, set); !same(want, got) {
				t.Errorf("row %d with column %d set to %v: check = %v, CheckRow = %v", i, col+1, set, got, want)
			}
		}
	}
}

// Across batches big enough to merge the fingerprint table several times,
// rows written earlier in the run are found again exactly: repeats are
// duplicates, new rows are added, and a bad row after frames of the batch
// were already queued for compression leaves nothing behind.
func TestHistoryKeysAcrossManyBatches(t *testing.T) {
	d, path := newHistoryDest(t)
	next := 1
	for seq := 1; seq <= 4; seq++ {
		var recs []store.HistoryRecord
		for range 3000 {
			recs = append(recs, importedRecord(next, next))
			next++
		}
		res, err := d.WriteHistoryBatch(ctx, batch(seq, recs...))
		must(t, err)
		if res.RecordsAdded != 3000 || res.TasksAdded != 3000 {
			t.Fatalf("batch %d: %+v", seq, res)
		}
	}
	// Repeats from the first and the last batch, new records, and one bad row
	// at the end of a batch large enough to have queued frames already.
	var recs []store.HistoryRecord
	for i := 1; i <= 12000; i += 7 {
		recs = append(recs, importedRecord(i, i))
	}
	repeats := len(recs)
	for range 9000 {
		recs = append(recs, importedRecord(next, next))
		next++
	}
	bad := importedRecord(next)
	bad.Record[5] = data.NullValue()
	if _, err := d.WriteHistoryBatch(ctx, batch(5, append(recs, bad)...)); err == nil {
		t.Fatal("a batch with a bad row was accepted")
	}
	res, err := d.WriteHistoryBatch(ctx, batch(5, recs...))
	must(t, err)
	if res.RecordsDuplicate != repeats || res.TasksDuplicate != repeats || res.RecordsAdded != 9000 || res.TasksAdded != 9000 {
		t.Errorf("result = %+v, want %d duplicates and 9000 added", res, repeats)
	}
	must(t, d.Close())
	b, err := Open(path)
	must(t, err)
	if n := len(readAll(t, b, "ChangeRecord")); n != 21000 {
		t.Errorf("%d records, want 21000", n)
	}
}
