package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/store"
	"github.com/google/go-cmp/cmp"
)

// HistoryDest is what the history suite needs of a destination: the
// store.HistoryDestination contract, whose Source half reads back what the
// suite wrote.
type HistoryDest interface {
	store.HistoryDestination
}

// blankDest is what initialize needs: configuration and history
// destinations alike.
type blankDest interface {
	store.Source
	store.Initializer
}

// RunHistoryConformance checks a Management History destination against
// the WriteHistoryBatch contract (store.HistoryDestination, model §8.3,
// §5.1, §11) and the RunRecorder. newDest must return a Blank destination
// each time it is called; every subtest initializes a new one as an 8.2
// Management History database whose InstallationId is HistoryDestIID,
// writes through WriteHistoryBatch and StartRun/FinishRun only, and reads
// back with Count and Scan. Every write is also checked for accounting:
// added + duplicate + conflict equals the rows sent, per entity, and the
// tables grow by exactly the rows reported added.
//
// The rules it pins, beyond the doc comment: conflicts are listed in batch
// order; identity values are assigned in batch order; and a batch's outcome
// is the outcome of its rows taken one at a time in order (as if each were
// a batch of its own), so the batch size the user picks changes nothing.
func RunHistoryConformance(t *testing.T, newDest func(t *testing.T) HistoryDest) {
	sub := func(name string, f func(t *testing.T, h *hist)) {
		t.Run(name, func(t *testing.T) { f(t, newHist(t, newDest)) })
	}
	sub("AddAndReadBack", testHistAdd)
	sub("SameBatchAgainAddsNothing", testHistSameAgain)
	sub("NaturalKeyConflicts", testHistConflicts)
	sub("ConflictWithNativeRows", testHistNative)
	sub("RepeatsInsideOneBatch", testHistRepeats)
	sub("TasksOfDuplicateAndConflictingRecords", testHistTasks)
	sub("EveryRowAccountedOnce", testHistMixed)
	sub("FailedBatchLeavesNothing", testHistFailed)
	sub("ImportRunRows", testHistRuns)
	sub("ReRunAfterPartialRun", testHistReRun)
	t.Run("BatchSizeDoesNotMatter", func(t *testing.T) { testHistSplit(t, newHist(t, newDest), newHist(t, newDest)) })
}

var (
	// HistoryDestIID is the InstallationId the suite gives each destination:
	// native rows' natural key is (HistoryDestIID, RecordId).
	HistoryDestIID = data.MustUUID("5d1c2b3a-4f5e-4d6c-9b8a-7f6e5d4c3b2a")
	histSrc        = data.MustUUID("a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d") // the source most rows come from
	histOther      = data.MustUUID("c0ffee00-1234-4abc-8def-001122334455") // another source installation
	histT0         = time.Date(2022, 5, 1, 8, 0, 0, 123_000_000, time.UTC)
)

const (
	tRec  = "ChangeRecord"
	tAttr = "ChangeRecordAttribute"
	tTask = "ApprovalTask"
	tMem  = "TemporalMembership"
	tRun  = "ImportRun"
)

func historySettings() map[string]string {
	return map[string]string{"SchemaVersion": "8.2.0", "DatabaseRole": "ManagementHistory", "InstallationId": HistoryDestIID.String()}
}

// hist is one destination under test with the model's tables.
type hist struct {
	d                         HistoryDest
	rec, attr, task, mem, run *data.Table
	runID                     data.Value // ImportRunId for imported rows (NULL until start)
}

func newHist(t *testing.T, newDest func(t *testing.T) HistoryDest) *hist {
	t.Helper()
	d := newDest(t)
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	tables := initialize(t, d, model.Target, model.RoleManagementHistory, historySettings())
	find := func(name string) *data.Table {
		for i := range tables {
			if strings.EqualFold(tables[i].Name, name) {
				return &tables[i]
			}
		}
		t.Fatalf("the model's Management History schema has no table %s", name)
		return nil
	}
	return &hist{d: d, rec: find(tRec), attr: find(tAttr), task: find(tTask), mem: find(tMem), run: find(tRun)}
}

// start records an ImportRun, as an import does before its first batch;
// the rows built afterwards carry its ImportRunId.
func (h *hist) start(t *testing.T) int64 {
	t.Helper()
	id, _, err := h.d.StartRun(context.Background(), store.ImportRun{Kind: "History", SourceInstallationID: histSrc,
		SourceVersion: "8.1.5", SourceServer: "sql01.corp.example", SourceDatabase: "ARS_MH", Mode: "All",
		StartedUTC: time.Now().UTC().Truncate(time.Millisecond)})
	if err != nil {
		t.Fatalf("StartRun: %v", err)
	}
	h.runID = i64(id)
	return id
}

// --- rows ---

func rowOf(t *data.Table, vals map[string]data.Value) data.Row {
	r := make(data.Row, len(t.Columns))
	for name, v := range vals {
		r[t.MustIndex(name)] = v
	}
	return r
}

func histTime(d time.Duration) data.Value { return data.TimeValue(histT0.Add(d)) }

// record is an imported ChangeRecord with natural key (origin, id), its
// derived RecordGuid, nAttrs attribute rows and approval tasks with the
// natural keys (origin, task ids). Its ChangeTimeUtc grows with id.
func (h *hist) record(origin data.UUID, id int64, nAttrs int, tasks ...int64) store.HistoryRecord {
	g := model.DerivedGUID(tRec, origin, id)
	when := time.Duration(id) * time.Second
	if origin == histOther { // after histSrc's records with the same ids
		when += 24 * time.Hour
	}
	vals := map[string]data.Value{
		"RecordGuid": guid(g), "ChangeTimeUtc": histTime(when),
		"ObjectDn": str(fmt.Sprintf("CN=Object %d,OU=Vertrieb Grüße,DC=corp,DC=example", id)), "Operation": str("Modify"),
		"Status": str("Completed"), "ServiceHost": str("ars01.corp.example"),
		"OriginInstallationId": guid(origin), "OriginRecordId": i64(id), "ImportRunId": h.runID,
	}
	if id%2 == 1 { // the nullable columns both ways
		vals["InitiatorSid"] = str(fmt.Sprintf("S-1-5-21-1004336348-1177238915-682003330-%d", 1000+id))
		vals["InitiatorName"] = str("CORP\\Jürgen 😀")
		vals["ObjectGuid"] = guid(data.UUID5(origin, fmt.Sprintf("object/%d", id)))
		vals["ObjectClass"] = str("user")
		vals["CorrelationId"] = guid(data.UUID5(origin, fmt.Sprintf("correlation/%d", id)))
		vals["Operation"], vals["Status"] = str("Create"), str("PendingApproval")
	}
	r := store.HistoryRecord{Record: rowOf(h.rec, vals)}
	for s := 1; s <= nAttrs; s++ {
		a := map[string]data.Value{"Seq": i64(int64(s)), "AttributeName": str(fmt.Sprintf("attr%d", s)),
			"ChangeType": str([]string{"Replace", "Add", "Remove", "Clear"}[s%4]),
			"NewValue":   str(fmt.Sprintf("new %d.%d Grüße", id, s))}
		switch s % 3 { // OldValue: NULL and '' stay distinct (§11.6)
		case 1:
		case 2:
			a["OldValue"] = str("")
		default:
			a["OldValue"] = str(strings.Repeat("ä", 5000))
		}
		r.Attributes = append(r.Attributes, rowOf(h.attr, a))
	}
	for _, k := range tasks {
		r.Tasks = append(r.Tasks, h.taskOf(origin, k, g))
	}
	return r
}

// taskOf is an imported ApprovalTask with natural key (origin, k) under the
// record whose GUID is rec.
func (h *hist) taskOf(origin data.UUID, k int64, rec data.UUID) data.Row {
	vals := map[string]data.Value{
		"TaskGuid": guid(model.DerivedGUID(tTask, origin, k)), "RecordGuid": guid(rec), "Status": str("Pending"),
		"CreatedUtc": histTime(time.Duration(k) * time.Minute), "OriginInstallationId": guid(origin), "OriginTaskId": i64(k),
		"ImportRunId": h.runID,
	}
	if k%2 == 1 {
		vals["Status"], vals["CompletedUtc"] = str("Approved"), histTime(time.Duration(k)*time.Minute+1500*time.Millisecond)
		vals["ApproverSid"] = str("S-1-5-21-1004336348-1177238915-682003330-500")
		vals["ApproverName"], vals["Comment"] = str("CORP\\Åsa"), str(strings.Repeat("ok ", 300))
	}
	return rowOf(h.task, vals)
}

// membership is an imported TemporalMembership with natural key (origin, k).
func (h *hist) membership(origin data.UUID, k int64) data.Row {
	vals := map[string]data.Value{
		"MembershipGuid": guid(model.DerivedGUID(tMem, origin, k)), "GroupGuid": guid(data.UUID5(origin, "group")),
		"GroupDn": str("CN=Sales Grüße,DC=corp,DC=example"), "MemberGuid": guid(data.UUID5(origin, fmt.Sprintf("member/%d", k))),
		"MemberDn": str(fmt.Sprintf("CN=Member %d,DC=corp,DC=example", k)), "CreatedUtc": histTime(time.Duration(k) * time.Hour),
		"State": str("Finished"), "OriginInstallationId": guid(origin), "OriginMembershipId": i64(k), "ImportRunId": h.runID,
	}
	if k%2 == 1 {
		vals["StartUtc"], vals["EndUtc"] = histTime(time.Duration(k)*time.Hour+time.Second), histTime(time.Duration(k)*time.Hour+48*time.Hour)
	}
	return rowOf(h.mem, vals)
}

// native makes a row native (written by 8.2 itself): no origin, no run.
func native(t *data.Table, r data.Row) data.Row {
	r = r.Clone()
	r[t.MustIndex("OriginInstallationId")], r[t.MustIndex("ImportRunId")] = null, null
	for _, c := range []string{"OriginRecordId", "OriginTaskId", "OriginMembershipId"} {
		if i := t.Index(c); i >= 0 {
			r[i] = null
		}
	}
	return r
}

// newGUID returns a copy of the row with another key GUID (same natural key).
func newGUID(t *data.Table, col string, r data.Row, name string) data.Row {
	r = r.Clone()
	r[t.MustIndex(col)] = guid(data.UUID5(histSrc, name))
	return r
}

// clashRecord is r under a new RecordGuid: same natural key, no tasks.
func (h *hist) clashRecord(r store.HistoryRecord, name string) store.HistoryRecord {
	return store.HistoryRecord{Record: newGUID(h.rec, "RecordGuid", r.Record, name), Attributes: r.Attributes}
}

func (h *hist) guidOf(t *data.Table, r data.Row) data.UUID {
	for _, c := range []string{"RecordGuid", "TaskGuid", "MembershipGuid"} {
		if i := t.Index(c); i >= 0 && (c != "RecordGuid" || t == h.rec) {
			return r[i].AsGUID()
		}
	}
	panic("no key GUID in " + t.Name)
}

func (h *hist) recGUID(r store.HistoryRecord) data.UUID { return h.guidOf(h.rec, r.Record) }

// only returns r with the given tasks (those the destination is to hold).
func only(r store.HistoryRecord, tasks ...data.Row) store.HistoryRecord {
	r.Tasks = tasks
	return r
}

// --- writing and checking ---

// write writes one batch, which must succeed, and checks its accounting.
func (h *hist) write(t *testing.T, seq int, recs []store.HistoryRecord, mems ...data.Row) *store.HistoryBatchResult {
	t.Helper()
	before := h.counts(t)
	res, err := h.d.WriteHistoryBatch(context.Background(), &store.HistoryBatch{Seq: seq, Records: recs, Memberships: mems})
	if err != nil {
		t.Fatalf("WriteHistoryBatch %d: %v", seq, err)
	}
	if res == nil {
		t.Fatalf("WriteHistoryBatch %d returned no result", seq)
	}
	var tasks, attrs int
	for _, r := range recs {
		tasks += len(r.Tasks)
		attrs += len(r.Attributes)
	}
	for _, e := range []struct {
		table            string
		added, dup, sent int
	}{
		{tRec, res.RecordsAdded, res.RecordsDuplicate, len(recs)},
		{tTask, res.TasksAdded, res.TasksDuplicate, tasks},
		{tMem, res.MembershipsAdded, res.MembershipsDuplicate, len(mems)},
	} {
		if n := e.added + e.dup + len(res.Conflicts[e.table]); n != e.sent {
			t.Errorf("batch %d %s: %d added + %d duplicate + %d conflict = %d, but %d were sent: every row must be accounted for once",
				seq, e.table, e.added, e.dup, len(res.Conflicts[e.table]), n, e.sent)
		}
	}
	if res.AttributesAdded > attrs {
		t.Errorf("batch %d: %d attribute rows added, %d sent", seq, res.AttributesAdded, attrs)
	}
	after := h.counts(t)
	added := [4]int64{int64(res.RecordsAdded), int64(res.AttributesAdded), int64(res.TasksAdded), int64(res.MembershipsAdded)}
	for i, table := range []string{tRec, tAttr, tTask, tMem} {
		if after[i]-before[i] != added[i] {
			t.Errorf("batch %d: Count(%s) went from %d to %d, but the result says %d added", seq, table, before[i], after[i], added[i])
		}
	}
	return res
}

func (h *hist) counts(t *testing.T) [4]int64 {
	t.Helper()
	var c [4]int64
	for i, table := range []string{tRec, tAttr, tTask, tMem} {
		c[i] = count(t, h.d, table)
	}
	return c
}

// result is a HistoryBatchResult as the suite compares it: GUIDs as text,
// empty conflict lists left out.
type result struct {
	RecordsAdded, RecordsDuplicate         int
	TasksAdded, TasksDuplicate             int
	MembershipsAdded, MembershipsDuplicate int
	AttributesAdded                        int
	Conflicts                              map[string][]string
}

func viewOf(r *store.HistoryBatchResult) result {
	v := result{r.RecordsAdded, r.RecordsDuplicate, r.TasksAdded, r.TasksDuplicate, r.MembershipsAdded, r.MembershipsDuplicate,
		r.AttributesAdded, map[string][]string{}}
	for table, gs := range r.Conflicts {
		for _, g := range gs {
			v.Conflicts[table] = append(v.Conflicts[table], g.String())
		}
	}
	return v
}

// conflicts builds the expected Conflicts map from key GUIDs.
func conflicts(recs, tasks, mems []data.UUID) map[string][]data.UUID {
	m := map[string][]data.UUID{}
	for table, gs := range map[string][]data.UUID{tRec: recs, tTask: tasks, tMem: mems} {
		if len(gs) > 0 {
			m[table] = gs
		}
	}
	return m
}

func assertResult(t *testing.T, what string, want, got *store.HistoryBatchResult) {
	t.Helper()
	if diff := cmp.Diff(viewOf(want), viewOf(got)); diff != "" {
		t.Errorf("%s: result (-want +got):\n%s", what, diff)
	}
}

// assertContent checks that the destination holds exactly the given
// records (with their attribute rows and tasks) and memberships, listed in
// the order they were added, with identities assigned by the destination
// and each attribute row under its own record's RecordId. The cases add
// records in ChangeTimeUtc order, as one import from one source does (a
// bundle keeps records in the order they were added, docs/bundle-format.md
// §6 "Order").
func (h *hist) assertContent(t *testing.T, recs []store.HistoryRecord, mems []data.Row) {
	t.Helper()
	// Canonical scan order: records by (ChangeTimeUtc, RecordId), children
	// grouped in their parent's order.
	added := recs
	recs = slices.Clone(recs)
	ti := h.rec.MustIndex("ChangeTimeUtc")
	slices.SortStableFunc(recs, func(a, b store.HistoryRecord) int { return a.Record[ti].AsTime().Compare(b.Record[ti].AsTime()) })

	rid := h.rec.MustIndex("RecordId")
	got := scanAll(t, h.d, tRec)
	if len(got) != len(recs) {
		t.Fatalf("%s holds %d rows, want %d", tRec, len(got), len(recs))
	}
	ids := make([]data.Value, len(got))
	seen := map[int64]bool{}
	for i, r := range got {
		if r[rid].Kind != data.Int || r[rid].Int <= 0 || seen[r[rid].Int] {
			t.Fatalf("%s row %d has RecordId %v; want distinct positive identity values", tRec, i+1, r[rid])
		}
		seen[r[rid].Int] = true
		ids[i] = r[rid]
	}
	var wantRecs, wantAttrs, wantTasks []data.Row
	for i, r := range recs {
		rr := r.Record.Clone()
		rr[rid] = ids[i]
		wantRecs = append(wantRecs, rr)
		for _, a := range r.Attributes {
			a = a.Clone()
			a[h.attr.MustIndex("RecordId")] = ids[i]
			wantAttrs = append(wantAttrs, a)
		}
		wantTasks = append(wantTasks, r.Tasks...)
	}
	assertRows(t, tRec, wantRecs, got)
	gotAttrs := scanAll(t, h.d, tAttr)
	assertRows(t, tAttr, wantAttrs, gotAttrs)

	gotTasks := scanAll(t, h.d, tTask)
	tid := h.task.MustIndex("TaskId")
	if len(gotTasks) == len(wantTasks) {
		seen := map[int64]bool{}
		for i, r := range gotTasks {
			if r[tid].Kind != data.Int || r[tid].Int <= 0 || seen[r[tid].Int] {
				t.Errorf("%s row %d has TaskId %v; want distinct positive identity values", tTask, i+1, r[tid])
			}
			seen[r[tid].Int] = true
			wantTasks[i] = wantTasks[i].Clone()
			wantTasks[i][tid] = r[tid]
		}
	}
	assertRows(t, tTask, wantTasks, gotTasks)

	gotMems := scanAll(t, h.d, tMem)
	if len(gotMems) == len(mems) {
		mems = withIDs(mems, h.mem.MustIndex("MembershipId"), identities(t, tMem, gotMems, h.mem.MustIndex("MembershipId"), len(mems)))
	}
	assertRows(t, tMem, mems, gotMems)
	h.checkOrder(t, got, gotAttrs, gotTasks, gotMems)
	// RecordId values follow the order the records were added in.
	byGUID := map[data.UUID]int64{}
	for _, r := range got {
		byGUID[r[h.rec.MustIndex("RecordGuid")].AsGUID()] = r[rid].Int
	}
	for i := 1; i < len(added); i++ {
		if p, c := byGUID[h.recGUID(added[i-1])], byGUID[h.recGUID(added[i])]; c <= p {
			t.Errorf("record %s was added after %s but has RecordId %d, not more than %d", h.recGUID(added[i]), h.recGUID(added[i-1]), c, p)
		}
	}
}

// snapshot reads every history table, for "nothing changed" checks.
func (h *hist) snapshot(t *testing.T) map[string][]data.Row {
	t.Helper()
	s := map[string][]data.Row{}
	for _, table := range []string{tRec, tAttr, tTask, tMem, tRun} {
		s[table] = scanAll(t, h.d, table)
	}
	return s
}

func assertUnchanged(t *testing.T, what string, before, after map[string][]data.Row) {
	t.Helper()
	for _, table := range []string{tRec, tAttr, tTask, tMem, tRun} {
		if !slices.EqualFunc(before[table], after[table], data.Row.Equal) {
			t.Errorf("%s changed %s: %d rows before, %d after", what, table, len(before[table]), len(after[table]))
		}
	}
}

// canonical renders a destination's history content without identity
// values (each attribute row names its record by RecordGuid), sorted, so
// two destinations, or a destination and the reference model, compare;
// ordered also checks the order of the scans (checkOrder).
func (h *hist) canonical(t *testing.T, ordered bool) map[string][]string {
	t.Helper()
	rid, gi := h.rec.MustIndex("RecordId"), h.rec.MustIndex("RecordGuid")
	recs := scanAll(t, h.d, tRec)
	parent := map[int64]data.Value{}
	for _, r := range recs {
		parent[r[rid].Int] = r[gi]
	}
	attrs, tasks, mems := scanAll(t, h.d, tAttr), scanAll(t, h.d, tTask), scanAll(t, h.d, tMem)
	if ordered {
		h.checkOrder(t, recs, attrs, tasks, mems)
	}
	for _, a := range attrs {
		a[h.attr.MustIndex("RecordId")] = parent[a[h.attr.MustIndex("RecordId")].Int]
	}
	return h.render(recs, attrs, tasks, mems)
}

// checkOrder checks the scan order that holds whatever order rows were
// added in (store.Source): attribute rows and tasks grouped in the order of
// their records, by Seq and TaskId within a record; memberships by
// MembershipId. An import that reads the destination as a source
// merge-joins on it.
func (h *hist) checkOrder(t *testing.T, recs, attrs, tasks, mems []data.Row) {
	t.Helper()
	rid, gi := h.rec.MustIndex("RecordId"), h.rec.MustIndex("RecordGuid")
	posByID, posByGUID := map[int64]int{}, map[data.UUID]int{}
	for i, r := range recs {
		posByID[r[rid].Int], posByGUID[r[gi].AsGUID()] = i, i
	}
	type key struct{ parent, n int64 }
	check := func(table string, rows []data.Row, k func(data.Row) key) {
		for i := 1; i < len(rows); i++ {
			a, b := k(rows[i-1]), k(rows[i])
			if b.parent < a.parent || (b.parent == a.parent && b.n <= a.n) {
				t.Errorf("%s row %d comes after row %d in a scan, out of order (records' scan order, then %s)", table, i+1, i,
					map[string]string{tAttr: "Seq", tTask: "TaskId", tMem: "MembershipId"}[table])
				return
			}
		}
	}
	ar, as := h.attr.MustIndex("RecordId"), h.attr.MustIndex("Seq")
	check(tAttr, attrs, func(r data.Row) key { return key{int64(posByID[r[ar].Int]), r[as].Int} })
	tr, ti := h.task.MustIndex("RecordGuid"), h.task.MustIndex("TaskId")
	check(tTask, tasks, func(r data.Row) key { return key{int64(posByGUID[r[tr].AsGUID()]), r[ti].Int} })
	mi := h.mem.MustIndex("MembershipId")
	check(tMem, mems, func(r data.Row) key { return key{0, r[mi].Int} })
}

// canonicalOf renders records and memberships the way canonical does.
func (h *hist) canonicalOf(recs []store.HistoryRecord, mems []data.Row) map[string][]string {
	var rs, as, ts []data.Row
	for _, r := range recs {
		rs = append(rs, r.Record)
		for _, a := range r.Attributes {
			a = a.Clone()
			a[h.attr.MustIndex("RecordId")] = guid(h.recGUID(r))
			as = append(as, a)
		}
		ts = append(ts, r.Tasks...)
	}
	return h.render(rs, as, ts, mems)
}

func (h *hist) render(recs, attrs, tasks, mems []data.Row) map[string][]string {
	out := map[string][]string{}
	for _, e := range []struct {
		table string
		rows  []data.Row
		id    int // identity column, left out
	}{{tRec, recs, h.rec.MustIndex("RecordId")}, {tAttr, attrs, -1}, {tTask, tasks, h.task.MustIndex("TaskId")},
		{tMem, mems, h.mem.MustIndex("MembershipId")}} {
		lines := []string{}
		for _, r := range e.rows {
			var b strings.Builder
			for i, v := range r {
				if i == e.id {
					continue
				}
				b.WriteString(v.Kind.String())
				b.WriteByte(' ')
				s := v.String()
				if len(s) > 80 {
					s = fmt.Sprintf("%s…(%d)", s[:60], len(s))
				}
				b.WriteString(s)
				b.WriteString(" | ")
			}
			lines = append(lines, b.String())
		}
		slices.Sort(lines)
		out[e.table] = lines
	}
	return out
}

// --- the cases ---

// sample is a batch of new records (with and without attribute rows and
// tasks) and memberships.
func (h *hist) sample() ([]store.HistoryRecord, []data.Row) {
	recs := []store.HistoryRecord{
		h.record(histSrc, 1, 2, 1),
		h.record(histSrc, 2, 0),
		h.record(histSrc, 3, 3, 2, 3),
		h.record(histSrc, 4, 1, 4),
	}
	return recs, []data.Row{h.membership(histSrc, 1), h.membership(histSrc, 2), h.membership(histSrc, 3)}
}

func testHistAdd(t *testing.T, h *hist) {
	h.start(t)
	recs, mems := h.sample()
	res := h.write(t, 1, recs, mems...)
	assertResult(t, "new rows", &store.HistoryBatchResult{RecordsAdded: 4, TasksAdded: 4, MembershipsAdded: 3, AttributesAdded: 6}, res)
	h.assertContent(t, recs, mems)
}

func testHistSameAgain(t *testing.T, h *hist) {
	h.start(t)
	recs, mems := h.sample()
	h.write(t, 1, recs, mems...)
	before := h.snapshot(t)
	res := h.write(t, 2, recs, mems...)
	assertResult(t, "the same batch again", &store.HistoryBatchResult{RecordsDuplicate: 4, TasksDuplicate: 4, MembershipsDuplicate: 3}, res)
	assertUnchanged(t, "writing the same batch again", before, h.snapshot(t))
	h.assertContent(t, recs, mems)
}

// testHistConflicts: new GUIDs with an existing natural key are conflicts,
// listed by GUID and not inserted; the same id from another installation
// is not the same natural key.
func testHistConflicts(t *testing.T, h *hist) {
	h.start(t)
	r1, r2 := h.record(histSrc, 1, 2, 1), h.record(histSrc, 2, 1, 2)
	m1 := h.membership(histSrc, 1)
	h.write(t, 1, []store.HistoryRecord{r1, r2}, m1)

	c1 := h.clashRecord(h.record(histSrc, 1, 1), "clash/record/1") // NK of r1
	c1.Tasks = []data.Row{h.taskOf(histSrc, 10, h.recGUID(c1))}
	o1 := h.record(histOther, 1, 1, 11) // same ids, another installation
	r3 := h.record(histSrc, 3, 1, 3)
	clashTask := newGUID(h.task, "TaskGuid", h.taskOf(histSrc, 2, h.recGUID(r3)), "clash/task/2") // NK of r2's task
	r3.Tasks = append(r3.Tasks, clashTask)
	clashMem := newGUID(h.mem, "MembershipGuid", m1, "clash/membership/1")
	m2, o1m := h.membership(histSrc, 2), h.membership(histOther, 1)

	res := h.write(t, 2, []store.HistoryRecord{c1, r3, o1}, clashMem, m2, o1m)
	assertResult(t, "natural-key conflicts", &store.HistoryBatchResult{
		RecordsAdded: 2, TasksAdded: 2, MembershipsAdded: 2, AttributesAdded: 2,
		Conflicts: conflicts([]data.UUID{h.recGUID(c1)},
			[]data.UUID{h.guidOf(h.task, c1.Tasks[0]), h.guidOf(h.task, clashTask)},
			[]data.UUID{h.guidOf(h.mem, clashMem)}),
	}, res)
	h.assertContent(t, []store.HistoryRecord{r1, r2, only(r3, r3.Tasks[0]), o1}, []data.Row{m1, m2, o1m})
}

// testHistNative: native rows (Origin* NULL) have the natural key
// (destination InstallationId, identity); imported rows only their origin.
func testHistNative(t *testing.T, h *hist) {
	n := h.record(HistoryDestIID, 1, 1)
	n.Record = native(h.rec, newGUID(h.rec, "RecordGuid", n.Record, "native/record"))
	n.Tasks = []data.Row{native(h.task, newGUID(h.task, "TaskGuid", h.taskOf(HistoryDestIID, 1, h.recGUID(n)), "native/task"))}
	nm := native(h.mem, newGUID(h.mem, "MembershipGuid", h.membership(HistoryDestIID, 1), "native/membership"))
	res := h.write(t, 1, []store.HistoryRecord{n}, nm)
	assertResult(t, "native rows", &store.HistoryBatchResult{RecordsAdded: 1, TasksAdded: 1, MembershipsAdded: 1, AttributesAdded: 1}, res)
	nid := scanAll(t, h.d, tRec)[0][h.rec.MustIndex("RecordId")].Int
	tid := scanAll(t, h.d, tTask)[0][h.task.MustIndex("TaskId")].Int
	mid := scanAll(t, h.d, tMem)[0][h.mem.MustIndex("MembershipId")].Int

	h.start(t)
	claim := h.record(HistoryDestIID, nid, 1, 500) // "I am native record nid"
	other := h.record(histSrc, nid, 2, tid)        // the same id from another installation
	claimTask := h.taskOf(HistoryDestIID, tid, h.recGUID(other))
	other.Tasks = append(other.Tasks, claimTask)
	claimMem, otherMem := h.membership(HistoryDestIID, mid), h.membership(histSrc, mid)
	res = h.write(t, 2, []store.HistoryRecord{claim, other}, claimMem, otherMem)
	assertResult(t, "rows claiming native rows' natural keys", &store.HistoryBatchResult{
		RecordsAdded: 1, TasksAdded: 1, MembershipsAdded: 1, AttributesAdded: 2,
		Conflicts: conflicts([]data.UUID{h.recGUID(claim)},
			[]data.UUID{h.guidOf(h.task, claim.Tasks[0]), h.guidOf(h.task, claimTask)},
			[]data.UUID{h.guidOf(h.mem, claimMem)}),
	}, res)

	// An imported row's identity is not part of its natural key.
	var oid int64
	for _, r := range scanAll(t, h.d, tRec) {
		if r[h.rec.MustIndex("RecordGuid")].AsGUID() == h.recGUID(other) {
			oid = r[h.rec.MustIndex("RecordId")].Int
		}
	}
	byID := h.record(HistoryDestIID, oid, 0)
	res = h.write(t, 3, []store.HistoryRecord{byID})
	assertResult(t, "the identity of an imported row", &store.HistoryBatchResult{RecordsAdded: 1}, res)
	h.assertContent(t, []store.HistoryRecord{n, only(other, other.Tasks[0]), byID}, []data.Row{nm, otherMem})
}

// testHistRepeats: inside one batch a repeated GUID is a duplicate of the
// row added first; a repeated natural key under another GUID a conflict.
func testHistRepeats(t *testing.T, h *hist) {
	h.start(t)
	r5, r6 := h.record(histSrc, 5, 2, 7), h.record(histSrc, 6, 1, 8)
	c6 := h.clashRecord(r6, "clash/record/6")
	clashTask := newGUID(h.task, "TaskGuid", h.taskOf(histSrc, 7, h.recGUID(r6)), "clash/task/7")
	r6.Tasks = append(r6.Tasks, clashTask)
	m1 := h.membership(histSrc, 1)
	clashMem := newGUID(h.mem, "MembershipGuid", m1, "clash/membership/1")
	res := h.write(t, 1, []store.HistoryRecord{r5, r5, r6, c6}, m1, m1, clashMem)
	assertResult(t, "repeats inside one batch", &store.HistoryBatchResult{
		RecordsAdded: 2, RecordsDuplicate: 1, TasksAdded: 2, TasksDuplicate: 1, MembershipsAdded: 1, MembershipsDuplicate: 1,
		AttributesAdded: 3,
		Conflicts:       conflicts([]data.UUID{h.recGUID(c6)}, []data.UUID{h.guidOf(h.task, clashTask)}, []data.UUID{h.guidOf(h.mem, clashMem)}),
	}, res)
	h.assertContent(t, []store.HistoryRecord{r5, only(r6, r6.Tasks[0])}, []data.Row{m1})
}

// testHistTasks: tasks under a duplicate record are still checked by
// TaskGuid (a new one is added); every task of a conflicting record is a
// conflict, even one whose TaskGuid exists.
func testHistTasks(t *testing.T, h *hist) {
	h.start(t)
	r1, r2 := h.record(histSrc, 1, 1, 1), h.record(histSrc, 2, 1, 4)
	h.write(t, 1, []store.HistoryRecord{r1, r2})

	dup := h.record(histSrc, 1, 1, 1, 2)
	c1 := h.clashRecord(r1, "clash/record/1")
	known := h.taskOf(histSrc, 1, h.recGUID(c1)) // task 1's GUID and NK, under the conflicting record
	c1.Tasks = []data.Row{h.taskOf(histSrc, 3, h.recGUID(c1)), known}
	res := h.write(t, 2, []store.HistoryRecord{dup, c1})
	assertResult(t, "tasks of duplicate and conflicting records", &store.HistoryBatchResult{
		RecordsDuplicate: 1, TasksAdded: 1, TasksDuplicate: 1,
		Conflicts: conflicts([]data.UUID{h.recGUID(c1)}, []data.UUID{h.guidOf(h.task, c1.Tasks[0]), h.guidOf(h.task, known)}, nil),
	}, res)
	// Compared without order: a bundle appends task 2 after record 2's
	// task, where a scan returns it (docs/bundle-format.md §6 "Order").
	if diff := cmp.Diff(h.canonicalOf([]store.HistoryRecord{dup, r2}, nil), h.canonical(t, false)); diff != "" {
		t.Errorf("content (-want +got):\n%s", diff)
	}
}

// testHistMixed writes batches drawn at random from a pool of records,
// tasks and memberships (new ones, ones already written, and ones that
// share a natural key with another) and compares every result and the
// final content with refModel, the contract written as plainly as
// possible.
//
// The pool is consistent, as a real source is: a GUID always comes with
// the same natural key and a task with the same record, and no row repeats
// within a batch. BatchSizeDoesNotMatter covers a row repeated after a
// skipped copy.
func testHistMixed(t *testing.T, h *hist) {
	h.start(t)
	rng := rand.New(rand.NewPCG(8, 3))
	var pool []store.HistoryRecord
	var mems []data.Row
	k := int64(0)
	for i := int64(1); i <= 24; i++ {
		var tasks []int64
		for range rng.IntN(3) {
			k++
			tasks = append(tasks, k)
		}
		pool = append(pool, h.record(histSrc, i, rng.IntN(4), tasks...))
	}
	n := len(pool)
	for i := 0; i < n; i++ {
		switch {
		case i%4 == 3: // a record under another GUID, with tasks of its own
			c := h.clashRecord(pool[i], fmt.Sprintf("clash/record/%d", i))
			c.Tasks = []data.Row{h.taskOf(histSrc, int64(1000+i), h.recGUID(c))}
			pool = append(pool, c)
		case i%4 == 1 && len(pool[i].Tasks) > 0: // a task under another GUID, moved to the next record
			j := i + 1
			ct := newGUID(h.task, "TaskGuid", pool[i].Tasks[0], fmt.Sprintf("clash/task/%d", i))
			ct[h.task.MustIndex("RecordGuid")] = guid(h.recGUID(pool[j]))
			pool[j].Tasks = append(pool[j].Tasks, ct)
		}
	}
	for m := int64(1); m <= 16; m++ {
		mems = append(mems, h.membership(histSrc, m))
		if m%4 == 0 {
			mems = append(mems, newGUID(h.mem, "MembershipGuid", mems[len(mems)-1], fmt.Sprintf("clash/membership/%d", m)))
		}
	}

	ref := newRefModel(h)
	var seen [9]int // added, duplicate, conflict × records, tasks, memberships
	for seq := 1; seq <= 5; seq++ {
		recs := pick(rng, pool, 14)
		mb := pick(rng, mems, 7)
		want := ref.write(recs, mb)
		got := h.write(t, seq, recs, mb...)
		assertResult(t, fmt.Sprintf("batch %d", seq), want, got)
		for i, n := range []int{want.RecordsAdded, want.RecordsDuplicate, len(want.Conflicts[tRec]), want.TasksAdded, want.TasksDuplicate,
			len(want.Conflicts[tTask]), want.MembershipsAdded, want.MembershipsDuplicate, len(want.Conflicts[tMem])} {
			seen[i] += n
		}
	}
	if slices.Contains(seen[:], 0) {
		t.Errorf("the batches do not produce every outcome for every entity (added, duplicate, conflict × records, tasks, memberships: %v)", seen)
	}
	if diff := cmp.Diff(h.canonicalOf(ref.recs, ref.mems), h.canonical(t, true)); diff != "" {
		t.Errorf("content after the batches (-reference +destination):\n%s", diff)
	}
}

func pick[T any](rng *rand.Rand, pool []T, n int) []T {
	idx := rng.Perm(len(pool))[:n]
	out := make([]T, n)
	for i, j := range idx {
		out[i] = pool[j]
	}
	return out
}

// refModel is the WriteHistoryBatch contract for imported rows, one row at a
// time: a GUID present is a duplicate; else a natural key present is a
// conflict; else the row is added, and its keys are present from then on.
// Tasks of a conflicting record are conflicts.
type refModel struct {
	h     *hist
	guids map[string]map[data.UUID]bool
	nks   map[string]map[refNK]bool
	at    map[data.UUID]int // RecordGuid → index in recs
	recs  []store.HistoryRecord
	mems  []data.Row
}

type refNK struct {
	iid data.UUID
	id  int64
}

func newRefModel(h *hist) *refModel {
	m := &refModel{h: h, guids: map[string]map[data.UUID]bool{}, nks: map[string]map[refNK]bool{}, at: map[data.UUID]int{}}
	for _, table := range []string{tRec, tTask, tMem} {
		m.guids[table], m.nks[table] = map[data.UUID]bool{}, map[refNK]bool{}
	}
	return m
}

// classify returns 'a'dded, 'd'uplicate or 'c'onflict.
func (m *refModel) classify(t *data.Table, r data.Row, origin string) byte {
	g := m.h.guidOf(t, r)
	k := refNK{r[t.MustIndex("OriginInstallationId")].AsGUID(), r[t.MustIndex(origin)].Int}
	switch {
	case m.guids[t.Name][g]:
		return 'd'
	case m.nks[t.Name][k]:
		return 'c'
	}
	m.guids[t.Name][g], m.nks[t.Name][k] = true, true
	return 'a'
}

func (m *refModel) write(recs []store.HistoryRecord, mems []data.Row) *store.HistoryBatchResult {
	h := m.h
	res := &store.HistoryBatchResult{Conflicts: map[string][]data.UUID{}}
	for _, r := range recs {
		g := h.recGUID(r)
		what := m.classify(h.rec, r.Record, "OriginRecordId")
		switch what {
		case 'a':
			res.RecordsAdded++
			res.AttributesAdded += len(r.Attributes)
			m.at[g] = len(m.recs)
			m.recs = append(m.recs, only(r))
		case 'd':
			res.RecordsDuplicate++
		default:
			res.Conflicts[tRec] = append(res.Conflicts[tRec], g)
		}
		for _, tk := range r.Tasks {
			tw := byte('c')
			if what != 'c' {
				tw = m.classify(h.task, tk, "OriginTaskId")
			}
			switch tw {
			case 'a':
				res.TasksAdded++
				m.recs[m.at[g]].Tasks = append(m.recs[m.at[g]].Tasks, tk)
			case 'd':
				res.TasksDuplicate++
			default:
				res.Conflicts[tTask] = append(res.Conflicts[tTask], h.guidOf(h.task, tk))
			}
		}
	}
	for _, mr := range mems {
		switch m.classify(h.mem, mr, "OriginMembershipId") {
		case 'a':
			res.MembershipsAdded++
			m.mems = append(m.mems, mr)
		case 'd':
			res.MembershipsDuplicate++
		default:
			res.Conflicts[tMem] = append(res.Conflicts[tMem], h.guidOf(h.mem, mr))
		}
	}
	return res
}

// testHistFailed: a batch that cannot be written leaves nothing of itself
// behind, and the destination takes the next batch.
func testHistFailed(t *testing.T, h *hist) {
	h.start(t)
	r1 := h.record(histSrc, 1, 2, 1)
	h.write(t, 1, []store.HistoryRecord{r1}, h.membership(histSrc, 1))
	before := h.snapshot(t)

	recs := []store.HistoryRecord{h.record(histSrc, 2, 2, 2), h.record(histSrc, 3, 1)}
	bad := h.membership(histSrc, 3)
	bad[h.mem.MustIndex("GroupDn")] = null // NOT NULL
	_, err := h.d.WriteHistoryBatch(context.Background(), &store.HistoryBatch{Seq: 2, Records: recs,
		Memberships: []data.Row{h.membership(histSrc, 2), bad}})
	if err == nil {
		t.Fatal("WriteHistoryBatch accepted a TemporalMembership row with a NULL GroupDn")
	}
	assertUnchanged(t, "a failed batch", before, h.snapshot(t))

	res := h.write(t, 3, recs, h.membership(histSrc, 2))
	assertResult(t, "the batch after a failed one", &store.HistoryBatchResult{RecordsAdded: 2, TasksAdded: 1, MembershipsAdded: 1, AttributesAdded: 3}, res)
	h.assertContent(t, append([]store.HistoryRecord{r1}, recs...), []data.Row{h.membership(histSrc, 1), h.membership(histSrc, 2)})
}

// testHistRuns: ImportRun rows through StartRun and FinishRun (§5.1, §7.1).
func testHistRuns(t *testing.T, h *hist) {
	ctx := context.Background()
	col := func(r data.Row, name string) data.Value { return r[h.run.MustIndex(name)] }
	runRow := func(vals map[string]data.Value) data.Row { return rowOf(h.run, vals) }
	if n := count(t, h.d, tRun); n != 0 {
		t.Fatalf("a new destination has %d ImportRun rows", n)
	}

	// A run with no mode and no cutoff: those columns are NULL.
	started := time.Now().UTC().Add(-time.Minute).Truncate(time.Millisecond)
	a := store.ImportRun{Kind: "History", SourceInstallationID: histSrc, SourceVersion: "7.6.3",
		SourceServer: "sql01.corp.example", SourceDatabase: "ARS_MH Grüße", StartedUTC: started}
	idA, clock, err := h.d.StartRun(ctx, a)
	if err != nil {
		t.Fatalf("StartRun: %v", err)
	}
	if clock.Location() != time.UTC || clock.Nanosecond()%int(time.Millisecond) != 0 || time.Until(clock).Abs() > 10*time.Minute {
		t.Errorf("StartRun clock = %v, want the current UTC time in whole milliseconds", clock)
	}
	rowA := runRow(map[string]data.Value{"ImportRunId": i64(idA), "Kind": str("History"), "SourceInstallationId": guid(histSrc),
		"SourceVersion": str("7.6.3"), "SourceServer": str("sql01.corp.example"), "SourceDatabase": str("ARS_MH Grüße"),
		"StartedUtc": data.TimeValue(started), "Outcome": str("Running"), "AddedCount": i64(0), "SkippedCount": i64(0)})
	assertRows(t, "ImportRun after StartRun", []data.Row{rowA}, scanAll(t, h.d, tRun))

	report := `[{"entity":"ChangeRecord","key":"3b0f6c2e-9a41-4c1d-8e2f-0a1b2c3d4e5f","reason":"CONFLICT","detail":"Grüße 😀"}]`
	fin := store.RunFinish{Outcome: "Succeeded", FinishedUTC: clock.Add(1500 * time.Millisecond), CutoffUTC: &clock,
		AddedCount: 120, SkippedCount: 7, ReportJSON: report}
	if err := h.d.FinishRun(ctx, idA, fin); err != nil {
		t.Fatalf("FinishRun: %v", err)
	}
	rowA = rowA.Clone()
	for name, v := range map[string]data.Value{"Outcome": str("Succeeded"), "FinishedUtc": data.TimeValue(fin.FinishedUTC),
		"CutoffUtc": data.TimeValue(clock), "AddedCount": i64(120), "SkippedCount": i64(7), "Report": str(report)} {
		rowA[h.run.MustIndex(name)] = v
	}
	assertRows(t, "ImportRun after FinishRun", []data.Row{rowA}, scanAll(t, h.d, tRun))

	// A DateRange run with its cutoff given at the start, started and
	// finished at the destination's clock, failed with no report.
	from, to, cut := histT0, histT0.Add(48*time.Hour), histT0.Add(72*time.Hour+5*time.Millisecond)
	b := store.ImportRun{Kind: "History", SourceInstallationID: histOther, SourceVersion: "8.1.5", SourceServer: "sql02",
		SourceDatabase: "MH", Mode: "DateRange", RangeFromUTC: &from, RangeToUTC: &to, CutoffUTC: &cut}
	idB, clockB, err := h.d.StartRun(ctx, b)
	if err != nil {
		t.Fatalf("second StartRun: %v", err)
	}
	if idB <= idA {
		t.Errorf("second ImportRunId = %d, want more than %d", idB, idA)
	}
	if err := h.d.FinishRun(ctx, idB, store.RunFinish{Outcome: "Failed", AddedCount: 3, SkippedCount: 1}); err != nil {
		t.Fatalf("FinishRun: %v", err)
	}
	rows := scanAll(t, h.d, tRun)
	if len(rows) != 2 {
		t.Fatalf("ImportRun holds %d rows, want 2", len(rows))
	}
	assertRows(t, "ImportRun", []data.Row{rowA}, rows[:1])
	rb := rows[1]
	near := func(v data.Value) bool { return v.Kind == data.Time && v.AsTime().Sub(clockB).Abs() <= 5*time.Second }
	if !near(col(rb, "StartedUtc")) || !near(col(rb, "FinishedUtc")) || col(rb, "FinishedUtc").AsTime().Before(col(rb, "StartedUtc").AsTime()) {
		t.Errorf("StartedUtc %s, FinishedUtc %s: want the destination's clock (%s) when none is given",
			col(rb, "StartedUtc"), col(rb, "FinishedUtc"), clockB.Format(time.RFC3339Nano))
	}
	wantB := runRow(map[string]data.Value{"ImportRunId": i64(idB), "Kind": str("History"), "SourceInstallationId": guid(histOther),
		"SourceVersion": str("8.1.5"), "SourceServer": str("sql02"), "SourceDatabase": str("MH"), "Mode": str("DateRange"),
		"RangeFromUtc": data.TimeValue(from), "RangeToUtc": data.TimeValue(to), "CutoffUtc": data.TimeValue(cut),
		"StartedUtc": col(rb, "StartedUtc"), "FinishedUtc": col(rb, "FinishedUtc"), "Outcome": str("Failed"),
		"AddedCount": i64(3), "SkippedCount": i64(1), "Report": str("[]")})
	assertRows(t, "the second ImportRun row", []data.Row{wantB}, rows[1:])

	// Finishing a run that does not exist is an error and changes nothing.
	if err := h.d.FinishRun(ctx, idB+100, store.RunFinish{Outcome: "Succeeded", FinishedUTC: clock, ReportJSON: "[]"}); err == nil {
		t.Errorf("FinishRun of ImportRunId %d, which does not exist, succeeded", idB+100)
	}
	assertRows(t, "ImportRun after a bad FinishRun", rows, scanAll(t, h.d, tRun))
	if n := count(t, h.d, tRun); n != 2 {
		t.Errorf("Count(ImportRun) = %d, want 2", n)
	}
}

// testHistReRun: a run that stopped after its first batches is re-run from
// the start: only the rest is added, the first rows keep their run.
func testHistReRun(t *testing.T, h *hist) {
	ctx := context.Background()
	build := func() ([]store.HistoryRecord, []data.Row) {
		var recs []store.HistoryRecord
		var mems []data.Row
		for i := int64(1); i <= 10; i++ {
			recs = append(recs, h.record(histSrc, i, int(i%3), 2*i, 2*i+1))
		}
		for i := int64(1); i <= 6; i++ {
			mems = append(mems, h.membership(histSrc, i))
		}
		return recs, mems
	}
	run1 := h.start(t)
	recs1, mems1 := build()
	h.write(t, 1, recs1[:5])
	h.write(t, 2, nil, mems1[:3]...)
	if err := h.d.FinishRun(ctx, run1, store.RunFinish{Outcome: "Failed", FinishedUTC: time.Now().UTC().Truncate(time.Millisecond)}); err != nil {
		t.Fatalf("FinishRun: %v", err)
	}

	h.start(t)
	recs2, mems2 := build()
	res := h.write(t, 1, recs2)
	assertResult(t, "records of the re-run", &store.HistoryBatchResult{RecordsAdded: 5, RecordsDuplicate: 5, TasksAdded: 10, TasksDuplicate: 10,
		AttributesAdded: 4}, res)
	res = h.write(t, 2, nil, mems2...)
	assertResult(t, "memberships of the re-run", &store.HistoryBatchResult{MembershipsAdded: 3, MembershipsDuplicate: 3}, res)
	want := append(slices.Clone(recs1[:5]), recs2[5:]...)
	wantMems := append(slices.Clone(mems1[:3]), mems2[3:]...)
	h.assertContent(t, want, wantMems)

	// A third, identical run adds nothing.
	before := h.snapshot(t)
	res = h.write(t, 1, recs2, mems2...)
	assertResult(t, "an identical third run", &store.HistoryBatchResult{RecordsDuplicate: 10, TasksDuplicate: 20, MembershipsDuplicate: 6}, res)
	assertUnchanged(t, "an identical third run", before, h.snapshot(t))
}

// testHistSplit writes the same rows into a as one batch and into b one
// row per batch: the outcome, row by row, and the content must be the
// same. The rows repeat copies of rows skipped earlier in the batch: a
// record skipped as a conflict (twice), a task of a conflicting record
// that comes back under a new record, a conflicting membership (twice).
func testHistSplit(t *testing.T, a, b *hist) {
	for _, h := range []*hist{a, b} {
		h.start(t)
		h.write(t, 1, []store.HistoryRecord{h.record(histSrc, 1, 1, 1)}, h.membership(histSrc, 1))
	}
	h := a
	c1 := h.clashRecord(h.record(histSrc, 1, 1), "clash/record/1") // conflicts with record 1
	x := h.taskOf(histSrc, 100, h.recGUID(c1))                     // a conflict with its record
	c1.Tasks = []data.Row{x}
	r2 := h.record(histSrc, 2, 1)
	x2 := x.Clone() // the same task (GUID and NK) again, now under a record that is added
	x2[h.task.MustIndex("RecordGuid")] = guid(h.recGUID(r2))
	r2.Tasks = []data.Row{x2}
	cm := newGUID(h.mem, "MembershipGuid", h.membership(histSrc, 1), "clash/membership/1")
	recs, mems := []store.HistoryRecord{c1, c1, r2}, []data.Row{cm, cm, h.membership(histSrc, 2)}

	whole := viewOf(a.write(t, 2, recs, mems...))
	split := viewOf(&store.HistoryBatchResult{})
	seq := 2
	add := func(r *store.HistoryBatchResult) {
		v := viewOf(r)
		split.RecordsAdded += v.RecordsAdded
		split.RecordsDuplicate += v.RecordsDuplicate
		split.TasksAdded += v.TasksAdded
		split.TasksDuplicate += v.TasksDuplicate
		split.MembershipsAdded += v.MembershipsAdded
		split.MembershipsDuplicate += v.MembershipsDuplicate
		split.AttributesAdded += v.AttributesAdded
		for table, gs := range v.Conflicts {
			split.Conflicts[table] = append(split.Conflicts[table], gs...)
		}
	}
	for _, r := range recs {
		add(b.write(t, seq, []store.HistoryRecord{r}))
		seq++
	}
	for _, m := range mems {
		add(b.write(t, seq, nil, m))
		seq++
	}
	if diff := cmp.Diff(split, whole); diff != "" {
		t.Errorf("one batch and the same rows one per batch differ (-one per batch +one batch):\n%s", diff)
	}
	if diff := cmp.Diff(b.canonical(t, true), a.canonical(t, true)); diff != "" {
		t.Errorf("content after one batch and after one per batch differ (-one per batch +one batch):\n%s", diff)
	}
	// Spelled out, as the reference model has it.
	want := newRefModel(h)
	want.write([]store.HistoryRecord{h.record(histSrc, 1, 1, 1)}, []data.Row{h.membership(histSrc, 1)})
	if diff := cmp.Diff(viewOf(want.write(recs, mems)), whole); diff != "" {
		t.Errorf("one batch (-reference +destination):\n%s", diff)
	}
}
