package historyimport

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/store"
)

var everySource = []struct{ version, role string }{
	{"7.5", "combined"}, {"7.5", "history"}, {"7.6", "combined"}, {"7.6", "history"},
	{"8.0", "history"}, {"8.1", "history"}, {"8.2", "history"},
}

const testRecords = 2000

func TestImportEveryVersionExactlyOnce(t *testing.T) {
	for _, sv := range everySource {
		t.Run(sv.version+"-"+sv.role, func(t *testing.T) {
			s := source(t, sv.version, sv.role, testRecords, false)
			dst := filepath.Join(t.TempDir(), "mh.arbundle")
			rep := &recorder{}
			res, err := importCtx(context.Background(), t, s.path, dst, Options{BatchSize: 300}, nil, rep)
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			if res.Outcome != OutcomeSucceeded {
				t.Fatalf("outcome %s", res.Outcome)
			}
			rc, tc, mc := res.Entity(EntityChangeRecord), res.Entity(EntityApprovalTask), res.Entity(EntityTemporalMembership)
			if rc.Imported != s.res.Entities["ChangeRecord"] || rc.Imported != testRecords {
				t.Fatalf("imported %d records, source has %d", rc.Imported, s.res.Entities["ChangeRecord"])
			}
			if tc.Imported != s.res.Entities["ApprovalTask"] {
				t.Fatalf("imported %d tasks, source has %d", tc.Imported, s.res.Entities["ApprovalTask"])
			}
			if want := s.res.Entities["TemporalMembership"] - s.res.UnfinishedMemberships; mc.Imported != want || mc.UnfinishedSkipped != s.res.UnfinishedMemberships {
				t.Fatalf("memberships imported %d unfinished %d, want %d and %d", mc.Imported, mc.UnfinishedSkipped, want, s.res.UnfinishedMemberships)
			}
			if s.res.UnfinishedMemberships > 0 && rep.warned(model.W005UnfinishedMembershipsSkipped.ID) == "" {
				t.Fatalf("no AR-W005 warning: %v", rep.warnings)
			}
			if rep.warned(WarnPrincipalsNotCopied) == "" || res.Principals.Copied {
				t.Fatalf("principals: %+v, warnings %v", res.Principals, rep.warnings)
			}
			if res.ReportEntries != 0 {
				t.Fatalf("clean sample has report entries: %+v", res.Report)
			}
			if !strings.Contains(rep.logBuf.String(), `"message":"batch committed"`) {
				t.Fatalf("no batch log lines")
			}
			checkInvariants(t, s, dst)
			runs := importRuns(t, dst)
			if len(runs) != 1 || runs[0]["Outcome"].Str != "Succeeded" || runs[0]["Kind"].Str != "History" || runs[0]["Mode"].Str != "All" ||
				runs[0]["AddedCount"].Int != res.Added() || runs[0]["CutoffUtc"].IsNull() {
				t.Fatalf("ImportRun rows %v", runs)
			}
			first := content(t, dst)

			// A second run adds nothing and changes nothing but ImportRun.
			res2, err := importInto(t, s.path, dst, Options{BatchSize: 300}, nil)
			if err != nil {
				t.Fatalf("second import: %v", err)
			}
			if res2.Added() != 0 || res2.Entity(EntityChangeRecord).AlreadyPresent != testRecords ||
				res2.Entity(EntityApprovalTask).AlreadyPresent != tc.Imported || res2.Entity(EntityTemporalMembership).AlreadyPresent != mc.Imported ||
				res2.Entity(EntityChangeRecordAttribute).AlreadyPresent != res.Entity(EntityChangeRecordAttribute).Imported {
				t.Fatalf("second run: %+v", res2.Entities)
			}
			sameContent(t, content(t, dst), first)
			if runs := importRuns(t, dst); len(runs) != 2 || runs[1]["AddedCount"].Int != 0 || runs[1]["SkippedCount"].Int != res2.SkippedTotal() {
				t.Fatalf("ImportRun rows after the second run: %v", runs)
			}
		})
	}
}

func TestAnomaliesAreReportedAndRecordsKept(t *testing.T) {
	for _, v := range []string{"7.6", "8.1"} {
		t.Run(v, func(t *testing.T) {
			s := source(t, v, "history", 600, true)
			dst := filepath.Join(t.TempDir(), "mh.arbundle")
			res, err := importInto(t, s.path, dst, Options{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Entity(EntityChangeRecord).Imported; got != 600 {
				t.Fatalf("imported %d records", got)
			}
			reasons := map[string]int{}
			for _, e := range res.Report {
				reasons[e.Reason]++
			}
			for _, a := range s.res.Anomalies {
				if a.Reason != "" && reasons[a.Reason] == 0 {
					t.Errorf("anomaly %+v not reported; report %+v", a, res.Report)
				}
			}
			runs := importRuns(t, dst)
			if rep := runs[0]["Report"].Str; !strings.Contains(rep, "INVALID_SID") {
				t.Fatalf("ImportRun.Report %s", rep)
			}
		})
	}
}

func TestValidationWritesNothing(t *testing.T) {
	hist := source(t, "8.1", "history", 200, false)
	conf := source(t, "8.1", "configuration", 0, false)
	dir := t.TempDir()
	used := filepath.Join(dir, "used.arbundle")
	if _, err := importInto(t, hist.path, used, Options{}, nil); err != nil {
		t.Fatal(err)
	}
	today := DateOf(time.Now())
	tomorrow := DateOf(time.Now().AddDate(0, 0, 1))
	early, late := Date{2024, 1, 10}, Date{2024, 1, 9}
	cases := []struct {
		name string
		src  string
		opts Options
		code string
	}{
		{"future end", hist.path, Options{From: &today, To: &tomorrow}, "AR-E012"},
		{"future start", hist.path, Options{From: &tomorrow, To: &tomorrow}, "AR-E012"},
		{"end before start", hist.path, Options{From: &early, To: &late}, "AR-E013"},
		{"configuration source", conf.path, Options{}, "AR-E003"},
		{"same database", hist.path, Options{SameDatabase: true}, "AR-E009"},
		{"history destination as source", used, Options{}, "AR-E009"}, // used into used
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, dst := range []string{used, filepath.Join(dir, "blank-"+c.code+".arbundle")} {
				src := c.src
				if c.name == "history destination as source" {
					dst = used
				}
				before := fileHash(t, dst)
				_, err := importInto(t, src, dst, c.opts, nil)
				var ee *arerr.Error
				if !errors.As(err, &ee) || ee.Code != c.code || ee.Remedy == "" || ee.Exit != arerr.ExitPreflight {
					t.Fatalf("err = %#v, want %s", err, c.code)
				}
				if after := fileHash(t, dst); after != before {
					t.Fatalf("destination %s changed", dst)
				}
			}
		})
	}
	// Preflight reports every check, with the failures.
	s := openSource(t, conf.path)
	d := openDest(t, filepath.Join(dir, "pf.arbundle"))
	checks, err := Preflight(context.Background(), s, d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, c := range checks {
		seen[c.Code] = c.Status
	}
	for _, code := range []string{"AR-E001", "AR-E002", "AR-E003", "AR-E004", "AR-E005", "AR-E006", "AR-E007", "AR-E009", "AR-E012", "AR-E013", "AR-E016", "AR-W001", "AR-W005"} {
		if seen[code] == "" {
			t.Errorf("no %s check in %+v", code, checks)
		}
	}
	if seen["AR-E003"] != StatusFail || seen["AR-E001"] != StatusPass {
		t.Fatalf("checks %+v", checks)
	}
}

func TestPreflightWarnings(t *testing.T) {
	s := source(t, "7.6", "history", 1000, false)
	src := openSource(t, s.path)
	d := openDest(t, filepath.Join(t.TempDir(), "pf.arbundle"))
	checks, err := Preflight(context.Background(), src, d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range checks {
		if c.Status == StatusFail {
			t.Fatalf("check failed: %+v", c)
		}
		if c.Code == "AR-W005" && (s.res.UnfinishedMemberships > 0) != (c.Status == StatusWarning) {
			t.Fatalf("W005 %+v with %d unfinished", c, s.res.UnfinishedMemberships)
		}
		if c.Code == "AR-W001" && (s.res.PendingApprovals > 0) != (c.Status == StatusWarning) {
			t.Fatalf("W001 %+v with %d pending", c, s.res.PendingApprovals)
		}
	}
}

func TestDateRange(t *testing.T) {
	s := source(t, "8.1", "history", 1500, false)
	// All: only finished memberships.
	all := filepath.Join(t.TempDir(), "all.arbundle")
	resAll, err := importInto(t, s.path, all, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.res.UnfinishedMemberships == 0 {
		t.Fatal("the sample has no unfinished memberships")
	}
	// A range covering everything: every membership, unfinished ones included.
	from, to := Date{2000, 1, 1}, DateOf(time.Now())
	wide := filepath.Join(t.TempDir(), "wide.arbundle")
	res, err := importInto(t, s.path, wide, Options{From: &from, To: &to}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Entity(EntityTemporalMembership).Imported, s.res.Entities["TemporalMembership"]; got != want {
		t.Fatalf("DateRange imported %d memberships, want all %d", got, want)
	}
	if resAll.Entity(EntityTemporalMembership).Imported+s.res.UnfinishedMemberships != res.Entity(EntityTemporalMembership).Imported {
		t.Fatalf("All %d + unfinished %d != DateRange %d", resAll.Entity(EntityTemporalMembership).Imported, s.res.UnfinishedMemberships, res.Entity(EntityTemporalMembership).Imported)
	}
	runs := importRuns(t, wide)
	if runs[0]["Mode"].Str != "DateRange" || !runs[0]["RangeFromUtc"].Equal(data.TimeValue(from.Time())) || !runs[0]["RangeToUtc"].Equal(data.TimeValue(to.Time().AddDate(0, 0, 1))) {
		t.Fatalf("ImportRun %v", runs[0])
	}

	// A narrow range: exactly the records whose time lies in it.
	recs, rt := readTable(t, s.path, "ChangeRecord")
	mid := recs[len(recs)/2][rt.MustIndex("ChangeTimeUtc")].AsTime()
	f, e := DateOf(mid.AddDate(0, -2, 0)), DateOf(mid)
	lo, hi := f.Time(), e.Time().AddDate(0, 0, 1)
	var want int64
	for _, r := range recs {
		if tt := r[rt.MustIndex("ChangeTimeUtc")].AsTime(); !tt.Before(lo) && tt.Before(hi) {
			want++
		}
	}
	narrow := filepath.Join(t.TempDir(), "narrow.arbundle")
	res, err = importInto(t, s.path, narrow, Options{From: &f, To: &e, BatchSize: 64}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rc := res.Entity(EntityChangeRecord)
	if rc.Imported != want || rc.Excluded != int64(len(recs))-want || want == 0 {
		t.Fatalf("narrow range imported %d excluded %d, want %d of %d", rc.Imported, rc.Excluded, want, len(recs))
	}
	// Tasks of exactly the selected records.
	got, _ := readTable(t, narrow, "ApprovalTask")
	if int64(len(got)) != res.Entity(EntityApprovalTask).Imported {
		t.Fatalf("tasks %d vs result %d", len(got), res.Entity(EntityApprovalTask).Imported)
	}
}

func TestWhatIfWritesNothing(t *testing.T) {
	s := source(t, "7.6", "combined", 800, false)
	dst := filepath.Join(t.TempDir(), "mh.arbundle")
	res, err := importInto(t, s.path, dst, Options{WhatIf: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if fileHash(t, dst) != "absent" {
		t.Fatal("WhatIf created the destination")
	}
	if res.Outcome != OutcomeWhatIf || res.Entity(EntityChangeRecord).Imported != 800 {
		t.Fatalf("WhatIf %+v", res)
	}
	real, err := importInto(t, s.path, dst, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range real.Entities {
		if real.Entities[i].Imported != res.Entities[i].Imported {
			t.Fatalf("WhatIf %+v, real %+v", res.Entities[i], real.Entities[i])
		}
	}
	before := fileHash(t, dst)
	again, err := importInto(t, s.path, dst, Options{WhatIf: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.Added() != 0 || again.Entity(EntityChangeRecord).AlreadyPresent != 800 || fileHash(t, dst) != before {
		t.Fatalf("WhatIf after the import: %+v", again.Entities)
	}
}

// faultyDest fails WriteHistoryBatch as its fail function says.
type faultyDest struct {
	store.HistoryDestination
	mu    sync.Mutex
	calls map[int]int
	fail  func(seq, call int) error
	after func(seq int) // called after a successful write
}

func (f *faultyDest) WriteHistoryBatch(ctx context.Context, b *store.HistoryBatch) (*store.HistoryBatchResult, error) {
	f.mu.Lock()
	if f.calls == nil {
		f.calls = map[int]int{}
	}
	f.calls[b.Seq]++
	n := f.calls[b.Seq]
	f.mu.Unlock()
	if f.fail != nil {
		if err := f.fail(b.Seq, n); err != nil {
			return nil, err
		}
	}
	res, err := f.HistoryDestination.WriteHistoryBatch(ctx, b)
	if err == nil && f.after != nil {
		f.after(b.Seq)
	}
	return res, err
}

type transientErr struct{}

func (transientErr) Error() string   { return "deadlock victim (test)" }
func (transientErr) Transient() bool { return true }

var errPermanent = errors.New("constraint violation (test)")

// baseline is an uninterrupted import's content of a sample.
var (
	baselineMu sync.Mutex
	baselines  = map[string][]string{}
)

func baseline(t *testing.T, s *sample) []string {
	t.Helper()
	baselineMu.Lock()
	defer baselineMu.Unlock()
	if c, ok := baselines[s.path]; ok {
		return c
	}
	dst := filepath.Join(t.TempDir(), "baseline.arbundle")
	if _, err := importInto(t, s.path, dst, Options{}, nil); err != nil {
		t.Fatal(err)
	}
	c := content(t, dst)
	baselines[s.path] = c
	return c
}

func TestRetries(t *testing.T) {
	s := source(t, "7.6", "history", 1000, false)
	want := baseline(t, s)
	cases := []struct {
		name    string
		fail    func(seq, call int) error
		ok      bool
		calls   int // calls of batch 2
		retries int
	}{
		{"transient then success", func(seq, call int) error {
			if seq == 2 && call <= 3 {
				return transientErr{}
			}
			return nil
		}, true, 4, 3},
		{"transient exhausted", func(seq, call int) error {
			if seq == 2 {
				return transientErr{}
			}
			return nil
		}, false, 4, 3},
		{"other then success", func(seq, call int) error {
			if seq == 2 && call == 1 {
				return errPermanent
			}
			return nil
		}, true, 2, 1},
		{"other exhausted", func(seq, call int) error {
			if seq == 2 {
				return errPermanent
			}
			return nil
		}, false, 2, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dst := filepath.Join(t.TempDir(), "mh.arbundle")
			var fd *faultyDest
			res, err := importInto(t, s.path, dst, Options{BatchSize: 100}, func(d store.HistoryDestination) store.HistoryDestination {
				fd = &faultyDest{HistoryDestination: d, fail: c.fail}
				return fd
			})
			if fd.calls[2] != c.calls || res.Retries != c.retries {
				t.Fatalf("batch 2 written %d times, %d retries; want %d and %d", fd.calls[2], res.Retries, c.calls, c.retries)
			}
			if c.ok {
				if err != nil {
					t.Fatal(err)
				}
				sameContent(t, content(t, dst), want)
				return
			}
			var ee *arerr.Error
			if !errors.As(err, &ee) || !strings.Contains(ee.Message, "Batch 2 (source records") || !strings.Contains(ee.Remedy, "continues where it stopped") {
				t.Fatalf("err = %v", err)
			}
			if res.Outcome != OutcomeFailed || res.Entity(EntityChangeRecord).Imported != 100 || res.Entity(EntityChangeRecord).Failed != 100 {
				t.Fatalf("result %+v", res.Entities)
			}
			if runs := importRuns(t, dst); runs[0]["Outcome"].Str != "Failed" || runs[0]["AddedCount"].Int < 100 {
				t.Fatalf("ImportRun %v", runs[0])
			}
			// A re-run completes the import.
			if _, err := importInto(t, s.path, dst, Options{BatchSize: 100}, nil); err != nil {
				t.Fatal(err)
			}
			sameContent(t, content(t, dst), want)
		})
	}
}

// Ctrl+C stops after the batch in flight, and a re-run completes the
// import. On the pipelined path (a bundle destination) two batches are in
// flight: the one being committed and the one begun after it.
func TestCancelAfterBatchesThenResume(t *testing.T) {
	s := source(t, "8.0", "history", 1000, false)
	want := baseline(t, s)
	paths := []struct {
		name     string
		inFlight int // batches committed after the one that saw the cancel
		wrap     func(after func(seq int)) func(store.HistoryDestination) store.HistoryDestination
	}{
		{"one batch at a time", 0, func(after func(int)) func(store.HistoryDestination) store.HistoryDestination {
			return func(d store.HistoryDestination) store.HistoryDestination {
				return &faultyDest{HistoryDestination: d, after: after}
			}
		}},
		{"pipelined", 1, func(after func(int)) func(store.HistoryDestination) store.HistoryDestination {
			return pipelined(func(f *faultyBeginner) { f.after = after })
		}},
	}
	for _, p := range paths {
		for _, n := range []int{1, 4, 9} {
			dst := filepath.Join(t.TempDir(), "mh.arbundle")
			ctx, cancel := context.WithCancel(context.Background())
			res, err := importCtx(ctx, t, s.path, dst, Options{BatchSize: 100}, p.wrap(func(seq int) {
				if seq == n {
					cancel()
				}
			}), nil)
			cancel()
			var ee *arerr.Error
			if !errors.As(err, &ee) || ee.Category != arerr.CatOperationStopped || ee.Exit != arerr.ExitCancelled || !errors.Is(err, context.Canceled) {
				t.Fatalf("%s, cancel after %d: err = %v", p.name, n, err)
			}
			done := n + p.inFlight
			if res.Outcome != OutcomeCancelled || res.Batches != done || res.Entity(EntityChangeRecord).Imported != int64(100*done) ||
				!strings.Contains(ee.Message, fmt.Sprintf("after batch %d;", done)) {
				t.Fatalf("%s, cancel after %d: %+v batches %d: %s", p.name, n, res.Entities, res.Batches, ee.Message)
			}
			if runs := importRuns(t, dst); runs[0]["Outcome"].Str != "Failed" {
				t.Fatalf("ImportRun %v", runs[0])
			}
			if _, err := importInto(t, s.path, dst, Options{BatchSize: 100}, nil); err != nil {
				t.Fatal(err)
			}
			sameContent(t, content(t, dst), want)
		}
	}
}

func TestCancelledBeforeStartWritesNothing(t *testing.T) {
	s := source(t, "8.1", "history", 200, false)
	dst := filepath.Join(t.TempDir(), "mh.arbundle")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := importCtx(ctx, t, s.path, dst, Options{}, nil, nil)
	var ee *arerr.Error
	if !errors.As(err, &ee) || ee.Category != arerr.CatOperationStopped {
		t.Fatalf("err = %v", err)
	}
	if fileHash(t, dst) != "absent" {
		t.Fatal("a cancelled import created the destination")
	}
}

// A batch size above LargeBatchSize warns once (AR-W008) and still imports
// everything; up to it, and the default, say nothing.
func TestLargeBatchWarns(t *testing.T) {
	s := source(t, "8.1", "history", 300, false)
	for _, tc := range []struct {
		batch int
		warn  bool
	}{{0, false}, {LargeBatchSize, false}, {LargeBatchSize + 1, true}, {MaxBatchSize, true}} {
		t.Run(strconv.Itoa(tc.batch), func(t *testing.T) {
			rep := &recorder{}
			res, err := importCtx(context.Background(), t, s.path, filepath.Join(t.TempDir(), "mh.arbundle"), Options{BatchSize: tc.batch}, nil, rep)
			if err != nil {
				t.Fatal(err)
			}
			if res.Entity(EntityChangeRecord).Imported != 300 {
				t.Fatalf("imported %d records", res.Entity(EntityChangeRecord).Imported)
			}
			var n int
			for _, w := range rep.warnings {
				if strings.HasPrefix(w, WarnLargeBatch+":") {
					n++
				}
			}
			msg := rep.warned(WarnLargeBatch)
			switch {
			case !tc.warn && n != 0:
				t.Fatalf("batch %d: unexpected %s", tc.batch, msg)
			case tc.warn && (n != 1 || !strings.Contains(msg, strconv.Itoa(tc.batch)+" records") || !strings.Contains(msg, strconv.Itoa(LargeBatchSize))):
				t.Fatalf("batch %d: %d warnings, %q", tc.batch, n, msg)
			}
		})
	}
}
