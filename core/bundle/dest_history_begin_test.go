package bundle

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/store"
)

func records(from, to int) []store.HistoryRecord {
	var rs []store.HistoryRecord
	for i := from; i <= to; i++ {
		rs = append(rs, importedRecord(i, i))
	}
	return rs
}

// recordIDs reads the bundle as a plain Open does: RecordGuid index → RecordId.
func recordIDs(t *testing.T, path string) map[data.UUID]int64 {
	t.Helper()
	b, err := Open(path)
	must(t, err)
	ids := map[data.UUID]int64{}
	for _, r := range readAll(t, b, "ChangeRecord") {
		if _, dup := ids[r[1].AsGUID()]; dup {
			t.Fatalf("record %s is in the bundle twice", r[1].AsGUID())
		}
		ids[r[1].AsGUID()] = r[0].Int
	}
	return ids
}

// A batch begun while the previous one is not yet committed sees its keys,
// and each becomes visible only when its own commit returns.
func TestHistoryBeginCommitsInOrder(t *testing.T) {
	d, path := newHistoryDest(t)
	c1, err := d.BeginHistoryBatch(ctx, batch(1, records(1, 3)...))
	must(t, err)
	c2, err := d.BeginHistoryBatch(ctx, batch(2, records(3, 5)...)) // record 3 again
	must(t, err)
	if n := count(t, d, "ChangeRecord"); n != 0 {
		t.Fatalf("Count = %d before any commit", n)
	}
	r1, err := c1()
	must(t, err)
	if n := count(t, d, "ChangeRecord"); n != 3 || r1.RecordsAdded != 3 || r1.TasksAdded != 3 {
		t.Fatalf("after the first commit Count = %d, result %+v", n, r1)
	}
	r2, err := c2()
	must(t, err)
	if r2.RecordsAdded != 2 || r2.RecordsDuplicate != 1 || r2.TasksDuplicate != 1 || r2.AttributesAdded != 6 {
		t.Fatalf("second batch result %+v, want 2 added and record 3 a duplicate", r2)
	}
	if again, err := c2(); err != nil || again != r2 {
		t.Fatalf("a second call of the commit = %v, %v", again, err)
	}
	must(t, d.Close())
	ids := recordIDs(t, path)
	for i := 1; i <= 5; i++ {
		if ids[guidOf("rec", i)] != int64(i) {
			t.Errorf("record %d has RecordId %d", i, ids[guidOf("rec", i)])
		}
	}
	if len(ids) != 5 {
		t.Errorf("%d records in the bundle, want 5", len(ids))
	}
}

// A failed commit discards every batch not yet committed, keys included:
// written again, each of their records is added, not taken for a duplicate.
func TestHistoryBeginFailedCommitDiscardsBoth(t *testing.T) {
	fw := &failAfter{n: 1 << 40}
	d, path := newHistoryDest(t, withWrap(fw))
	_, err := d.WriteHistoryBatch(ctx, batch(1, records(1, 1)...))
	must(t, err)
	c2, err := d.BeginHistoryBatch(ctx, batch(2, records(2, 400)...))
	must(t, err)
	c3, err := d.BeginHistoryBatch(ctx, batch(3, records(401, 800)...))
	must(t, err)
	fw.n = 20_000 // batch 2's frames fail part-way
	if _, err := c2(); err == nil || !strings.Contains(err.Error(), "injected") {
		t.Fatalf("commit of batch 2 = %v, want the injected failure", err)
	}
	if _, err := c3(); !errors.Is(err, store.ErrBatchDiscarded) {
		t.Fatalf("commit of batch 3 = %v, want ErrBatchDiscarded", err)
	}
	if n := count(t, d, "ChangeRecord"); n != 1 {
		t.Fatalf("Count = %d after the failure, want 1", n)
	}
	fw.n = 1 << 40
	for _, b := range []*store.HistoryBatch{batch(2, records(2, 400)...), batch(3, records(401, 800)...)} {
		res, err := d.WriteHistoryBatch(ctx, b)
		must(t, err)
		if res.RecordsAdded != 399+(b.Seq-2) || res.RecordsDuplicate != 0 {
			t.Fatalf("batch %d written again: %+v", b.Seq, res)
		}
	}
	must(t, d.Close())
	if ids := recordIDs(t, path); len(ids) != 800 || ids[guidOf("rec", 800)] != 800 {
		t.Fatalf("%d records, record 800 has id %d", len(ids), ids[guidOf("rec", 800)])
	}
}

// A batch that cannot begin (a bad row) discards the one begun before it.
func TestHistoryBeginFailureDiscardsTheBatchBefore(t *testing.T) {
	d, path := newHistoryDest(t)
	c1, err := d.BeginHistoryBatch(ctx, batch(1, records(1, 3)...))
	must(t, err)
	bad := importedRecord(5)
	bad.Record[5] = data.NullValue() // ObjectDn is NOT NULL
	if _, err := d.BeginHistoryBatch(ctx, batch(2, importedRecord(4), bad)); err == nil || !strings.Contains(err.Error(), "ObjectDn") {
		t.Fatalf("begin = %v, want an error naming ObjectDn", err)
	}
	if _, err := c1(); !errors.Is(err, store.ErrBatchDiscarded) {
		t.Fatalf("commit of batch 1 = %v, want ErrBatchDiscarded", err)
	}
	res, err := d.WriteHistoryBatch(ctx, batch(1, records(1, 3)...))
	must(t, err)
	if res.RecordsAdded != 3 {
		t.Fatalf("batch 1 written again: %+v", res)
	}
	must(t, d.Close())
	if ids := recordIDs(t, path); len(ids) != 3 {
		t.Fatalf("%d records, want 3", len(ids))
	}
}

// What is begun and never committed is not written: Close and FinishRun
// discard it.
func TestHistoryBegunNotCommittedIsNotWritten(t *testing.T) {
	d, path := newHistoryDest(t)
	runID, _, err := d.StartRun(ctx, store.ImportRun{Kind: "History", SourceInstallationID: srcIID, SourceVersion: "8.1", SourceServer: "s", SourceDatabase: "db"})
	must(t, err)
	c1, err := d.BeginHistoryBatch(ctx, batch(1, records(1, 3)...))
	must(t, err)
	if _, err := c1(); err != nil {
		t.Fatal(err)
	}
	c2, err := d.BeginHistoryBatch(ctx, batch(2, records(4, 6)...))
	must(t, err)
	must(t, d.FinishRun(ctx, runID, store.RunFinish{Outcome: "Failed"}))
	if _, err := c2(); !errors.Is(err, store.ErrBatchDiscarded) {
		t.Fatalf("commit after FinishRun = %v, want ErrBatchDiscarded", err)
	}
	_, err = d.BeginHistoryBatch(ctx, batch(3, records(7, 9)...))
	must(t, err)
	must(t, d.Close())
	if ids := recordIDs(t, path); len(ids) != 3 {
		t.Fatalf("%d records in the bundle, want the 3 committed", len(ids))
	}
	// The next run adds the batches that were discarded.
	d2, err := OpenHistoryDestination(path)
	must(t, err)
	res, err := d2.WriteHistoryBatch(ctx, batch(1, records(1, 9)...))
	must(t, err)
	if res.RecordsAdded != 6 || res.RecordsDuplicate != 3 {
		t.Fatalf("next run: %+v", res)
	}
	must(t, d2.Close())
}

// A run that removes the bundle it created (a full disk) while a batch is
// begun leaves that batch's commit nothing to write.
func TestHistoryBegunThenDiscardCreated(t *testing.T) {
	path := tempPath(t, "h.arbundle")
	d, err := OpenHistoryDestination(path)
	must(t, err)
	rel := lockIt(t, d, "import-history")
	must(t, d.Initialize(ctx, historyTables, nil, map[string]string{"SchemaVersion": "8.2.0", "DatabaseRole": "ManagementHistory", "InstallationId": destIID.String()}))
	c1, err := d.BeginHistoryBatch(ctx, batch(1, records(1, 3)...))
	must(t, err)
	if ok, err := d.DiscardCreated(); !ok || err != nil {
		t.Fatalf("DiscardCreated = %v, %v", ok, err)
	}
	if _, err := c1(); !errors.Is(err, store.ErrBatchDiscarded) {
		t.Fatalf("commit after DiscardCreated = %v, want ErrBatchDiscarded", err)
	}
	must(t, rel())
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the bundle is still there: %v", err)
	}
}
