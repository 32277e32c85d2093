package bundle

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/store"
	"pgregory.net/rapid"
)

func randomGUID(r *rand.Rand) data.UUID {
	var u data.UUID
	binary.LittleEndian.PutUint64(u[:], r.Uint64())
	binary.LittleEndian.PutUint64(u[8:], r.Uint64())
	return u
}

// A key run answers like a map: keys merged from several sorted inputs
// (repeats among them, and an older run) are all found, others are not, in
// ascending and in random order; a damaged block is an error, not an answer.
func TestKeyRunAgainstMap(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	dir := t.TempDir()
	in := map[data.UUID]bool{}
	var pool []data.UUID
	for range 20_000 {
		pool = append(pool, randomGUID(r))
	}
	part := func(n int) []data.UUID {
		var ks []data.UUID
		for range n {
			k := pool[r.IntN(len(pool))]
			ks = append(ks, k)
			in[k] = true
		}
		return sortUnique(ks)
	}
	old, err := writeKeyRun(filepath.Join(dir, "a.run"), []keyIter{&sliceIter{keys: part(7000)}})
	must(t, err)
	defer old.close()
	run, err := writeKeyRun(filepath.Join(dir, "b.run"), []keyIter{&sliceIter{keys: part(9000)}, old.iter(), &sliceIter{keys: part(3000)}})
	must(t, err)
	must(t, run.close())
	run, err = openKeyRun(filepath.Join(dir, "b.run"))
	must(t, err)
	defer run.close()
	if run.count != int64(len(in)) {
		t.Fatalf("run holds %d keys, want %d", run.count, len(in))
	}
	probe := slices.Clone(pool)
	for range 5000 {
		probe = append(probe, randomGUID(r))
	}
	check := func(order string) {
		for _, k := range probe {
			got, err := run.has(k)
			must(t, err)
			if got != in[k] {
				t.Fatalf("%s order: has(%s) = %v, want %v", order, k, got, in[k])
			}
		}
	}
	r.Shuffle(len(probe), func(i, j int) { probe[i], probe[j] = probe[j], probe[i] })
	check("random")
	// The filter lets few absent keys through to a block read.
	through := 0
	for range 100_000 {
		if k := randomGUID(r); !in[k] && bloomHas(run.bloom, k) {
			through++
		}
	}
	if through > 10_000 {
		t.Errorf("the Bloom filter passes %d of 100000 absent keys", through)
	}
	probe = sortUnique(probe)
	check("ascending")

	// Damage one key: the block holding it no longer reads.
	must(t, run.close())
	b, err := os.ReadFile(filepath.Join(dir, "b.run"))
	must(t, err)
	b[runHdrLen+keyLen*200+3] ^= 0x40
	must(t, os.WriteFile(filepath.Join(dir, "b.run"), b, 0o644))
	run, err = openKeyRun(filepath.Join(dir, "b.run"))
	must(t, err)
	bad := run.fences[200/runBlockKeys]
	if _, err := run.has(bad); err == nil || !strings.Contains(err.Error(), "fails its checksum") {
		t.Errorf("damaged block: err = %v", err)
	}
	// A truncated run does not open.
	must(t, os.WriteFile(filepath.Join(dir, "c.run"), b[:len(b)-1], 0o644))
	if r, err := openKeyRun(filepath.Join(dir, "c.run")); err == nil {
		r.close()
		t.Error("a truncated run opened")
	}
}

// crashDest drops a destination as a killed process would: files closed,
// nothing finished or removed.
func crashDest(d *HistoryDest) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.s != nil {
		d.s.stop()
	}
	if d.f != nil {
		_ = d.f.Close()
	}
	if d.kx != nil {
		for _, e := range d.kx.ents {
			e.closeRuns()
			if e.spill != nil {
				_ = e.spill.f.Close()
			}
		}
	}
}

// The key index answers exactly like a map of every key ever committed,
// across folds into runs, closes and reopens (index read, not the bundle),
// kills between batches and in the middle of a fold, a damaged index file,
// and an index newer than the bundle beside it (the bundle restored from a
// copy): duplicates are found, new rows added, nothing imported twice.
func TestHistoryKeyIndexAgainstMap(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	opts := []Option{withKeyFoldAt(700)}
	d, path := newHistoryDest(t, opts...)
	seen := map[int]bool{} // record i (GUID guidOf("rec", i), task i)
	mseen := map[int]bool{}
	reopen := func() {
		var err error
		d, err = OpenHistoryDestination(path, opts...)
		must(t, err)
	}
	var saved []byte
	var savedSeen, savedM map[int]bool
	seq := 0
	for step := 0; step < 120; step++ {
		var recs []store.HistoryRecord
		var mbs []data.Row
		wantAdded, wantDup, wantMAdded := 0, 0, 0
		inBatch := map[int]bool{}
		for range 20 + r.IntN(120) {
			i := r.IntN(4000)
			if seen[i] || inBatch[i] {
				wantDup++
			} else {
				wantAdded++
			}
			inBatch[i] = true
			recs = append(recs, importedRecord(i, i))
		}
		mIn := map[int]bool{}
		for range r.IntN(40) {
			k := r.IntN(1500)
			if !mseen[k] && !mIn[k] {
				wantMAdded++
			}
			mIn[k] = true
			mbs = append(mbs, membershipRow(k))
		}
		seq++
		b := batch(seq, recs...)
		b.Memberships = mbs
		res, err := d.WriteHistoryBatch(ctx, b)
		must(t, err)
		if res.RecordsAdded != wantAdded || res.RecordsDuplicate != wantDup || res.TasksAdded != wantAdded ||
			res.MembershipsAdded != wantMAdded || len(res.Conflicts) != 0 {
			t.Fatalf("step %d: %+v, want %d added, %d duplicates, %d memberships added", step, res, wantAdded, wantDup, wantMAdded)
		}
		for i := range inBatch {
			seen[i] = true
		}
		for k := range mIn {
			mseen[k] = true
		}
		switch step % 10 {
		case 2: // close and reopen: the index covers everything
			must(t, d.Close())
			reopen()
			must(t, d.journalForTest())
			if d.rec.from != len(d.v.tables[d.rec.ti].frames) || len(d.rec.runs) == 0 {
				t.Fatalf("step %d: the reopened destination read %d frames of the bundle instead of its key index",
					step, len(d.v.tables[d.rec.ti].frames)-d.rec.from)
			}
		case 4: // killed between batches
			crashDest(d)
			reopen()
		case 6: // killed in the middle of a fold: a run and a manifest half written
			must(t, os.WriteFile(keyFilePrefix(path)+"99999.run", []byte("ARKEYRUN partial"), 0o644))
			must(t, os.WriteFile(keyFilePrefix(path)+"99998.tmp", []byte("ARKEYIDX partial"), 0o644))
			crashDest(d)
			reopen()
		case 7: // a damaged index is rebuilt from the bundle
			must(t, d.Close())
			b, err := os.ReadFile(keyIndexPath(path))
			must(t, err)
			b[len(b)/2] ^= 1
			must(t, os.WriteFile(keyIndexPath(path), b, 0o644))
			reopen()
		case 8:
			if saved == nil { // keep a copy of the bundle to restore later
				must(t, d.Close())
				saved, err = os.ReadFile(path)
				must(t, err)
				savedSeen, savedM = cloneSet(seen), cloneSet(mseen)
				reopen()
			} else if step > 60 && savedSeen != nil { // the bundle goes back, the index stays newer
				must(t, d.Close())
				must(t, os.WriteFile(path, saved, 0o644))
				seen, mseen, savedSeen = savedSeen, savedM, nil
				reopen()
			}
		}
	}
	must(t, d.Close())
	for _, stray := range []string{"99999.run", "99998.tmp"} {
		if _, err := os.Stat(keyFilePrefix(path) + stray); err == nil {
			t.Errorf("the index file %s a killed fold left is still there", stray)
		}
	}
	bd, err := Open(path)
	must(t, err)
	guids := map[data.UUID]bool{}
	for _, row := range readAll(t, bd, "ChangeRecord") {
		g := row[1].AsGUID()
		if guids[g] {
			t.Fatalf("record %s is in the bundle twice", g)
		}
		guids[g] = true
	}
	if len(guids) != len(seen) {
		t.Errorf("bundle holds %d records, want %d", len(guids), len(seen))
	}
	if n := count(t, bd, "TemporalMembership"); n != int64(len(mseen)) {
		t.Errorf("bundle holds %d memberships, want %d", n, len(mseen))
	}
}

func cloneSet(m map[int]bool) map[int]bool {
	c := make(map[int]bool, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// journalForTest loads the keys as the first write would.
func (d *HistoryDest) journalForTest() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.journal(ctx)
}

// The natural-key sets survive their encoding in the index file.
func TestNKSetEncoding(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	s := newNKSet()
	type key struct {
		iid data.UUID
		id  int64
	}
	in := map[key]bool{}
	iids := []data.UUID{randomGUID(r), randomGUID(r), randomGUID(r)}
	for range 30_000 {
		k := key{iids[r.IntN(3)], int64(r.IntN(200_000)) - 50}
		if r.IntN(5) == 0 {
			k.id = r.Int64()
		}
		s.add(k.iid, k.id)
		in[k] = true
	}
	b := s.appendTo(nil)
	got, err := decodeNKSet(b)
	must(t, err)
	for k := range in {
		if !got.has(k.iid, k.id) {
			t.Fatalf("decoded set lacks %v", k)
		}
	}
	for range 10_000 {
		k := key{iids[r.IntN(3)], int64(r.IntN(400_000))}
		if got.has(k.iid, k.id) != in[k] {
			t.Fatalf("decoded set disagrees on %v", k)
		}
	}
	if _, err := decodeNKSet(b[:len(b)-1]); err == nil {
		t.Error("a truncated set decoded")
	}
	if !bytes.Equal(b[:4], binary.LittleEndian.AppendUint32(nil, 3)) {
		t.Error("installation count not first")
	}
}

// An index whose frames count fits the bundle but whose chain does not (the
// bundle beside it was replaced by another with as many frames) is ignored.
func TestKeyIndexChecksTheChain(t *testing.T) {
	d, path := newHistoryDest(t)
	for seq := 1; seq <= 3; seq++ {
		_, err := d.WriteHistoryBatch(ctx, batch(seq, importedRecord(seq, seq)))
		must(t, err)
	}
	must(t, d.Close())
	d, err := OpenHistoryDestination(path)
	must(t, err)
	defer d.Close()
	must(t, d.journalForTest())
	fresh := func() *keyIndex {
		x := &keyIndex{bundle: path}
		for _, e := range d.kx.ents {
			x.ents = append(x.ents, newEntityKeys(e.name, e.ti, e.guid))
		}
		return x
	}
	x := fresh()
	ok, err := x.load(d.v)
	must(t, err)
	x.close()
	if !ok {
		t.Fatal("the index of this very bundle was not accepted")
	}
	ti := d.rec.ti
	frames := slices.Clone(d.v.tables[ti].frames)
	frames[len(frames)-1].chain[0] ^= 1
	v := *d.v
	v.tables = slices.Clone(d.v.tables)
	v.tables[ti].frames = frames
	x = fresh()
	ok, err = x.load(&v)
	must(t, err)
	x.close()
	if ok {
		t.Error("an index of other frames (chain differs) was accepted")
	}
}

// The radix sort must order keys exactly as a comparison sort does, for
// random GUIDs and for skewed ones (shared prefixes, few distinct bytes,
// many repeats), which drive it into deep buckets and insertion sort.
func TestSortUniqueMatchesComparisonSort(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 5000).Draw(t, "n")
		prefix := rapid.IntRange(0, 16).Draw(t, "sharedPrefix")
		alphabet := rapid.IntRange(1, 256).Draw(t, "alphabet")
		seed := rapid.Uint64().Draw(t, "seed")
		r := rand.New(rand.NewPCG(seed, 1))
		var common data.UUID
		for i := range common {
			common[i] = byte(r.IntN(256))
		}
		keys := make([]data.UUID, n)
		for i := range keys {
			if i > 0 && r.IntN(8) == 0 {
				keys[i] = keys[r.IntN(i)] // a repeat
				continue
			}
			k := common
			for j := prefix; j < len(k); j++ {
				k[j] = byte(r.IntN(alphabet))
			}
			keys[i] = k
		}
		want := slices.Clone(keys)
		slices.SortFunc(want, compareUUID)
		want = slices.Compact(want)
		if got := sortUnique(keys); !slices.Equal(got, want) {
			t.Fatalf("sortUnique of %d keys (shared prefix %d, alphabet %d) differs from a comparison sort", n, prefix, alphabet)
		}
	})
}
