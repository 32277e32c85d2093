package bundle

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/store"
	"github.com/google/go-cmp/cmp"
)

var ctx = context.Background()

func newHistoryDest(t *testing.T, opts ...Option) (*HistoryDest, string) {
	t.Helper()
	path := tempPath(t, "mh.arbundle")
	d, err := OpenHistoryDestination(path, opts...)
	must(t, err)
	info, err := d.Info(ctx)
	must(t, err)
	if len(info.Tables) != 0 || info.Settings != nil {
		t.Fatalf("blank destination Info = %+v", info)
	}
	must(t, d.Initialize(ctx, historyTables, []string{"CREATE TABLE ignored"}, map[string]string{
		"SchemaVersion": "8.2.0", "DatabaseRole": "ManagementHistory", "InstallationId": destIID.String()}))
	return d, path
}

// importedRecord is a record as the history import hands it over: identity
// NULL, origin set.
func importedRecord(i int, tasks ...int) store.HistoryRecord {
	r := store.HistoryRecord{Record: recordRow(i, data.NullValue())}
	for s := 1; s <= 3; s++ {
		r.Attributes = append(r.Attributes, attrRow(data.NullValue(), s))
	}
	for _, k := range tasks {
		r.Tasks = append(r.Tasks, taskRow(k, r.Record[1].AsGUID()))
	}
	return r
}

func taskRow(k int, rec data.UUID) data.Row {
	return data.Row{data.NullValue(), data.GUIDValue(guidOf("task", k)), data.GUIDValue(rec), data.StringValue("Approved"),
		data.TimeValue(t0), data.NullValue(), data.NullValue(), data.StringValue("Ann"), data.NullValue(),
		data.GUIDValue(srcIID), data.IntValue(int64(k)), data.IntValue(1)}
}

func membershipRow(k int) data.Row {
	return data.Row{data.NullValue(), data.GUIDValue(guidOf("mb", k)), data.GUIDValue(guidOf("grp", 1)), data.StringValue("CN=G"),
		data.GUIDValue(guidOf("usr", k)), data.StringValue("CN=U"), data.TimeValue(t0), data.NullValue(), data.NullValue(),
		data.StringValue("Finished"), data.GUIDValue(srcIID), data.IntValue(int64(k)), data.IntValue(1)}
}

func batch(seq int, recs ...store.HistoryRecord) *store.HistoryBatch {
	return &store.HistoryBatch{Seq: seq, Records: recs}
}

func count(t *testing.T, s store.Source, table string) int64 {
	t.Helper()
	n, err := s.Count(ctx, table)
	must(t, err)
	return n
}

func TestHistoryImportIntoBlankBundle(t *testing.T) {
	d, path := newHistoryDest(t)
	runID, clock, err := d.StartRun(ctx, store.ImportRun{Kind: "History", SourceInstallationID: srcIID, SourceVersion: "7.6.3",
		SourceServer: "sql01", SourceDatabase: "ARS_MH", Mode: "All"})
	must(t, err)
	if runID != 1 || clock.Location() != time.UTC || clock.Nanosecond()%1e6 != 0 || time.Since(clock) > time.Minute {
		t.Errorf("StartRun = %d, %v", runID, clock)
	}
	res, err := d.WriteHistoryBatch(ctx, batch(1, importedRecord(1, 1), importedRecord(2), importedRecord(3, 2, 3)))
	must(t, err)
	want := &store.HistoryBatchResult{RecordsAdded: 3, TasksAdded: 3, AttributesAdded: 9, Conflicts: map[string][]data.UUID{}}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
	res, err = d.WriteHistoryBatch(ctx, &store.HistoryBatch{Seq: 2, Memberships: []data.Row{membershipRow(1), membershipRow(2)}})
	must(t, err)
	if res.MembershipsAdded != 2 {
		t.Errorf("memberships added = %d", res.MembershipsAdded)
	}
	// The destination reads its own writes while the run is going on.
	if n := count(t, d, "ChangeRecord"); n != 3 {
		t.Errorf("Count(ChangeRecord) during the run = %d", n)
	}
	must(t, d.FinishRun(ctx, runID, store.RunFinish{Outcome: "Succeeded", FinishedUTC: clock, AddedCount: 7, ReportJSON: "[]"}))
	must(t, d.Close())

	b, err := Open(path)
	must(t, err)
	recs := readAll(t, b, "ChangeRecord")
	attrs := readAll(t, b, "ChangeRecordAttribute")
	tasks := readAll(t, b, "ApprovalTask")
	for i, r := range recs {
		if r[0].Int != int64(i+1) || r[13].Int != int64(i+1) {
			t.Errorf("record %d: RecordId %v, OriginRecordId %v", i, r[0], r[13])
		}
	}
	for i, a := range attrs {
		if a[0].Int != int64(i/3+1) {
			t.Errorf("attribute %d has RecordId %v, want %d", i, a[0], i/3+1)
		}
	}
	if len(tasks) != 3 || tasks[2][0].Int != 3 || tasks[2][2].AsGUID() != guidOf("rec", 3) {
		t.Errorf("tasks = %v", tasks)
	}
	runs := readAll(t, b, "ImportRun")
	if len(runs) != 1 || runs[0][12].Str != "Succeeded" || runs[0][13].Int != 7 || runs[0][15].Str != "[]" || count(t, b, "ImportRun") != 1 {
		t.Errorf("ImportRun rows = %v", runs)
	}
	if m := b.Manifest(); m.Tables[1].Rows != 2 || m.Tables[1].Count != 1 || !m.Tables[1].Supersede {
		t.Errorf("ImportRun summary = %+v", m.Tables[1])
	}
	if h := b.Header(); h.Role != "ManagementHistory" || h.Generation != 3 || h.InstallationID != destIID || h.SourceVersion != "8.2.0" {
		t.Errorf("header = %+v", h)
	}
}

func TestHistoryDuplicatesAndConflicts(t *testing.T) {
	d, _ := newHistoryDest(t)
	_, err := d.WriteHistoryBatch(ctx, batch(1, importedRecord(1, 1), importedRecord(2, 2)))
	must(t, err)
	_, err = d.WriteHistoryBatch(ctx, &store.HistoryBatch{Seq: 2, Memberships: []data.Row{membershipRow(1)}})
	must(t, err)

	// Same NK as record 2 under a new GUID: a conflict, and so are its tasks.
	conflicting := importedRecord(2, 9)
	conflicting.Record[1] = data.GUIDValue(guidOf("other", 2))
	// A duplicate record whose tasks are one duplicate and one new.
	dupWithNewTask := importedRecord(1, 1, 5)
	// A new record whose task NK clashes with task 2.
	newWithClash := importedRecord(3)
	clash := taskRow(2, guidOf("rec", 3))
	clash[1] = data.GUIDValue(guidOf("task", 77))
	newWithClash.Tasks = []data.Row{clash}
	// The same new record twice in one batch: the second is a duplicate.
	res, err := d.WriteHistoryBatch(ctx, &store.HistoryBatch{Seq: 3,
		Records:     []store.HistoryRecord{conflicting, dupWithNewTask, newWithClash, importedRecord(4), importedRecord(4)},
		Memberships: []data.Row{membershipRow(1), withGUID(membershipRow(1), guidOf("mb", 99)), membershipRow(2)}})
	must(t, err)
	want := &store.HistoryBatchResult{
		RecordsAdded: 2, RecordsDuplicate: 2, TasksAdded: 1, TasksDuplicate: 1,
		MembershipsAdded: 1, MembershipsDuplicate: 1, AttributesAdded: 6,
		Conflicts: map[string][]data.UUID{
			"ChangeRecord":       {guidOf("other", 2)},
			"ApprovalTask":       {guidOf("task", 9), guidOf("task", 77)},
			"TemporalMembership": {guidOf("mb", 99)},
		}}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
	if n := count(t, d, "ApprovalTask"); n != 3 {
		t.Errorf("tasks = %d, want 3", n)
	}
}

func withGUID(r data.Row, g data.UUID) data.Row {
	r = r.Clone()
	r[1] = data.GUIDValue(g)
	return r
}

func TestHistoryConflictWithNativeRows(t *testing.T) {
	// A bundle exported from an 8.2 database: native rows have no origin, so
	// their NK is (the destination's InstallationId, RecordId).
	path := tempPath(t, "native.arbundle")
	w, err := Create(path, historyHeader())
	must(t, err)
	for _, r := range settingsRows(destIID) {
		must(t, w.Write("Settings", r))
	}
	native := recordRow(100, data.IntValue(5))
	native[12], native[13] = data.NullValue(), data.NullValue()
	must(t, w.Write("ChangeRecord", native))
	must(t, w.Close())

	d, err := OpenHistoryDestination(path)
	must(t, err)
	defer d.Close()
	r := importedRecord(1)
	r.Record[12], r.Record[13] = data.GUIDValue(destIID), data.IntValue(5)
	res, err := d.WriteHistoryBatch(ctx, batch(1, r, importedRecord(2)))
	must(t, err)
	if len(res.Conflicts["ChangeRecord"]) != 1 || res.RecordsAdded != 1 {
		t.Errorf("result = %+v", res)
	}
	recs := readAll(t, d, "ChangeRecord")
	if len(recs) != 2 || recs[1][0].Int != 6 {
		t.Errorf("new record should get RecordId 6 (max+1): %v", recs)
	}
}

// failAfter lets n bytes through, then fails every write.
type failAfter struct {
	w io.Writer
	n int
}

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) <= f.n {
		f.n -= len(p)
		return f.w.Write(p)
	}
	k := f.n
	f.n = 0
	if k > 0 {
		f.w.Write(p[:k])
	}
	return k, errors.New("disk full (injected)")
}

func withWrap(fw *failAfter) Option {
	return func(o *options) {
		o.wrap = func(w io.Writer) io.Writer { fw.w = w; return fw }
	}
}

func TestHistoryBatchIsAllOrNothing(t *testing.T) {
	fw := &failAfter{n: 1 << 40}
	d, path := newHistoryDest(t, withWrap(fw))
	_, err := d.WriteHistoryBatch(ctx, batch(1, importedRecord(1)))
	must(t, err)
	before := count(t, d, "ChangeRecord")

	// A batch big enough to span several frames fails part-way.
	var big []store.HistoryRecord
	for i := 2; i < 6000; i++ {
		big = append(big, importedRecord(i, i))
	}
	fw.n = 300_000
	if _, err := d.WriteHistoryBatch(ctx, batch(2, big...)); err == nil || !strings.Contains(err.Error(), "injected") {
		t.Fatalf("WriteHistoryBatch = %v, want the injected failure", err)
	}
	if n := count(t, d, "ChangeRecord"); n != before {
		t.Errorf("after a failed batch Count = %d, want %d", n, before)
	}
	st, _ := os.Stat(path)
	// The retry adds every record: the failed batch left no keys behind.
	fw.n = 1 << 40
	res, err := d.WriteHistoryBatch(ctx, batch(2, big...))
	must(t, err)
	if res.RecordsAdded != len(big) || res.TasksAdded != len(big) {
		t.Errorf("retry result = %+v", res)
	}
	must(t, d.Close())
	b, err := Open(path)
	must(t, err)
	recs := readAll(t, b, "ChangeRecord")
	if len(recs) != len(big)+1 || recs[len(recs)-1][0].Int != int64(len(big)+1) {
		t.Errorf("records = %d, last id %v", len(recs), recs[len(recs)-1][0])
	}
	if st.Size() == 0 {
		t.Error("empty file")
	}
}

func TestHistoryBatchRejectsBadRows(t *testing.T) {
	d, _ := newHistoryDest(t)
	bad := importedRecord(2)
	bad.Record[5] = data.NullValue() // ObjectDn is NOT NULL
	if _, err := d.WriteHistoryBatch(ctx, batch(1, importedRecord(1), bad)); err == nil || !strings.Contains(err.Error(), "ObjectDn") {
		t.Fatalf("WriteHistoryBatch = %v, want an error naming ObjectDn", err)
	}
	if n := count(t, d, "ChangeRecord"); n != 0 {
		t.Errorf("Count = %d after a refused batch", n)
	}
	res, err := d.WriteHistoryBatch(ctx, batch(1, importedRecord(1)))
	must(t, err)
	if res.RecordsAdded != 1 {
		t.Errorf("result = %+v", res)
	}
}

// TestInterruptedImportRecovers simulates a kill at many points of a batch:
// the bundle stays usable by the history destination, a plain Open says the
// import was interrupted, and a re-run completes it exactly once.
func TestInterruptedImportRecovers(t *testing.T) {
	d, path := newHistoryDest(t)
	runID, _, err := d.StartRun(ctx, store.ImportRun{Kind: "History", SourceInstallationID: srcIID, SourceVersion: "7.6.3", SourceServer: "s", SourceDatabase: "db"})
	must(t, err)
	_, err = d.WriteHistoryBatch(ctx, batch(1, importedRecord(1, 1), importedRecord(2)))
	must(t, err)
	committed, _ := os.ReadFile(path)
	_, err = d.WriteHistoryBatch(ctx, batch(2, importedRecord(3, 3), importedRecord(4)))
	must(t, err)
	full, _ := os.ReadFile(path)
	_ = d.f.Close() // killed: no manifest
	_ = runID

	cuts := []int{len(committed), len(committed) + 1, len(committed) + 25, (len(committed) + len(full)) / 2, len(full) - 1}
	for _, cut := range cuts {
		p := tempPath(t, "cut.arbundle")
		img := append([]byte{}, full[:cut]...)
		must(t, os.WriteFile(p, img, 0o644))
		_, err := Open(p)
		if !errors.Is(err, ErrInterrupted) || !strings.Contains(err.Error(), "run the same history import again") {
			t.Fatalf("cut at %d: Open = %v, want ErrInterrupted with a hint", cut, err)
		}
		rd, err := OpenHistoryDestination(p)
		must(t, err)
		if n, _ := rd.Interrupted(); (n == 0) != (cut == len(committed)) {
			t.Errorf("cut at %d: discarded %d bytes", cut, n)
		}
		if n := count(t, rd, "ChangeRecord"); n != 2 {
			t.Errorf("cut at %d: Count = %d, want the 2 committed records", cut, n)
		}
		// The re-run sends everything again.
		res, err := rd.WriteHistoryBatch(ctx, batch(1, importedRecord(1, 1), importedRecord(2), importedRecord(3, 3), importedRecord(4)))
		must(t, err)
		if res.RecordsAdded != 2 || res.RecordsDuplicate != 2 || res.TasksAdded != 1 || res.TasksDuplicate != 1 {
			t.Errorf("cut at %d: re-run result %+v", cut, res)
		}
		must(t, rd.Close())
		b, err := Open(p)
		must(t, err)
		if recs := readAll(t, b, "ChangeRecord"); len(recs) != 4 || recs[3][0].Int != 4 {
			t.Errorf("cut at %d: records after the re-run = %v", cut, recs)
		}
		if runs := readAll(t, b, "ImportRun"); len(runs) != 1 || runs[0][12].Str != "Running" {
			t.Errorf("cut at %d: ImportRun = %v", cut, runs)
		}
	}
	// Corruption inside committed data is not mistaken for an interrupted tail.
	bad := append([]byte{}, full...)
	bad[len(committed)-60] ^= 0xff
	p := tempPath(t, "bad.arbundle")
	must(t, os.WriteFile(p, bad, 0o644))
	if _, err := OpenHistoryDestination(p); !errors.Is(err, ErrCorrupt) {
		t.Errorf("OpenHistoryDestination(corrupt) = %v, want ErrCorrupt", err)
	}
	// A finished bundle with damage is refused too.
	if !bytes.Equal(full[:len(committed)], committed) {
		t.Fatal("the journal rewrote committed bytes")
	}
}

func TestHistoryReopenAfterFinishedRunAppends(t *testing.T) {
	d, path := newHistoryDest(t)
	id, _, err := d.StartRun(ctx, store.ImportRun{Kind: "History", SourceInstallationID: srcIID, SourceVersion: "7.6.3", SourceServer: "s", SourceDatabase: "db"})
	must(t, err)
	_, err = d.WriteHistoryBatch(ctx, batch(1, importedRecord(1)))
	must(t, err)
	must(t, d.FinishRun(ctx, id, store.RunFinish{Outcome: "Succeeded", ReportJSON: "[]"}))
	// After FinishRun the file is complete even before Close.
	if _, err := Open(path); err != nil {
		t.Fatalf("Open after FinishRun: %v", err)
	}
	must(t, d.Close())

	d2, err := OpenHistoryDestination(path)
	must(t, err)
	id2, _, err := d2.StartRun(ctx, store.ImportRun{Kind: "History", SourceInstallationID: srcIID, SourceVersion: "7.6.3", SourceServer: "s", SourceDatabase: "db"})
	must(t, err)
	if id2 != 2 {
		t.Errorf("second run id = %d, want 2", id2)
	}
	res, err := d2.WriteHistoryBatch(ctx, batch(1, importedRecord(1), importedRecord(2)))
	must(t, err)
	if res.RecordsAdded != 1 || res.RecordsDuplicate != 1 {
		t.Errorf("result = %+v", res)
	}
	must(t, d2.FinishRun(ctx, id2, store.RunFinish{Outcome: "Failed", ReportJSON: "[]"}))
	must(t, d2.Close())
	b, err := Open(path)
	must(t, err)
	runs := readAll(t, b, "ImportRun")
	if len(runs) != 2 || runs[0][12].Str != "Succeeded" || runs[1][12].Str != "Failed" {
		t.Errorf("runs = %v", runs)
	}
}

func TestHistoryBatchCancelled(t *testing.T) {
	d, _ := newHistoryDest(t)
	c, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := d.WriteHistoryBatch(c, batch(1, importedRecord(1))); !errors.Is(err, context.Canceled) {
		t.Fatalf("WriteHistoryBatch(cancelled) = %v", err)
	}
	var many []store.HistoryRecord
	for i := 1; i <= 1000; i++ {
		many = append(many, importedRecord(i))
	}
	c, cancel = context.WithCancel(ctx)
	res, err := d.WriteHistoryBatch(c, batch(1, many[:1]...))
	must(t, err)
	cancel()
	if _, err := d.WriteHistoryBatch(c, batch(2, many[1:]...)); err == nil {
		t.Fatal("a batch under a cancelled context was written")
	}
	if n := count(t, d, "ChangeRecord"); n != int64(res.RecordsAdded) {
		t.Errorf("Count = %d, want %d", n, res.RecordsAdded)
	}
	must(t, d.Close())
}
