package collectorimport

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/store"
	"github.com/activeroles/arupgrade/core/storetest/testdb"
)

// runLoc imports between two testdb locations (bundle paths or sql: scratch databases).
func runLoc(t *testing.T, src, dst string, opts Options) *Result {
	t.Helper()
	s, err := testdb.Open(src)
	if err != nil {
		t.Fatalf("open %s: %v", src, err)
	}
	defer s.Close()
	d, err := testdb.OpenHistoryDestination(dst)
	if err != nil {
		t.Fatalf("open %s: %v", dst, err)
	}
	defer d.Close()
	res, err := Run(context.Background(), s, d, opts, nil)
	if err != nil {
		t.Fatalf("import %s → %s: %v", src, dst, err)
	}
	return res
}

func readAll(t *testing.T, loc, table string) ([]data.Row, *data.Table) {
	t.Helper()
	s, err := testdb.Open(loc)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	in, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tb := in.Table(table)
	if tb == nil {
		t.Fatalf("%s has no %s table", loc, table)
	}
	rs, err := s.Scan(ctx, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var out []data.Row
	for rs.Next() {
		out = append(out, rs.Row().Clone())
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out, tb
}

// eventLines renders a destination's events as sorted lines without the
// identity EventId and the ImportRunId, so two imports compare equal.
func eventLines(t *testing.T, loc string) []string {
	t.Helper()
	rows, tb := readAll(t, loc, "CollectedEvent")
	var lines []string
	for _, r := range rows {
		var b strings.Builder
		for i, c := range tb.Columns {
			// Column names as the catalog spells them (Babelfish: lower case).
			n := strings.ToLower(c.Name)
			if n == "eventid" || n == "importrunid" {
				continue
			}
			b.WriteString(n + "=" + r[i].String() + " ")
		}
		lines = append(lines, b.String())
	}
	sort.Strings(lines)
	return lines
}

func sameLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d events, want %d", what, len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: event %d differs:\n got %s\nwant %s", what, i, got[i], want[i])
		}
	}
}

// checkSQLInvariants applies §13.5's invariants to a new 8.2 Collector
// database on SQL Server: its Settings are exactly the three of a new
// Collector database, each event has one row with its GUID and NK, its
// Properties a JSON object, its ImportRunId a succeeded Collector run.
func checkSQLInvariants(t *testing.T, dst string, runs ...*Result) {
	t.Helper()
	settings, st := readAll(t, dst, "Settings")
	got := map[string]string{}
	for _, r := range settings {
		got[r[st.MustIndex("Name")].Str] = r[st.MustIndex("Value")].Str
	}
	if len(got) != 3 || got[model.SettingSchemaVersion] != "8.2.0" || got[model.SettingDatabaseRole] != "Collector" {
		t.Errorf("Settings %v, want SchemaVersion 8.2.0, DatabaseRole Collector and InstallationId only", got)
	}
	if _, err := data.ParseUUID(got[model.SettingInstallationID]); err != nil {
		t.Errorf("InstallationId %q: %v", got[model.SettingInstallationID], err)
	}
	rows, tb := readAll(t, dst, "CollectedEvent")
	gi, oi, oid, pi, ri := tb.MustIndex("EventGuid"), tb.MustIndex("OriginInstallationId"), tb.MustIndex("OriginEventId"), tb.MustIndex("Properties"), tb.MustIndex("ImportRunId")
	guids, nks := map[data.UUID]bool{}, map[string]bool{}
	runIDs := map[int64]bool{}
	var added int64
	for _, r := range runs {
		runIDs[r.ImportRunID] = true
		added += r.Added
	}
	for _, r := range rows {
		g, nk := r[gi].AsGUID(), r[oi].String()+"/"+r[oid].String()
		if guids[g] || nks[nk] {
			t.Fatalf("event %s (NK %s) twice", g, nk)
		}
		guids[g], nks[nk] = true, true
		var m map[string]string
		if err := json.Unmarshal([]byte(r[pi].Str), &m); err != nil {
			t.Fatalf("event %s Properties %q is not a JSON object of strings: %v", g, r[pi].Str, err)
		}
		if !runIDs[r[ri].Int] {
			t.Fatalf("event %s ImportRunId %d is none of this test's runs", g, r[ri].Int)
		}
	}
	if int64(len(rows)) != added {
		t.Fatalf("%d events in the destination, the runs added %d", len(rows), added)
	}
	ir, it := readAll(t, dst, "ImportRun")
	for _, r := range ir {
		if r[it.MustIndex("Kind")].Str != "Collector" || r[it.MustIndex("Outcome")].Str != "Succeeded" {
			t.Errorf("ImportRun %v", r)
		}
	}
}

// A 7.6 and an 8.1 Collector database on SQL Server import into new 8.2
// Collector databases on SQL Server: §13.5's invariants hold, the events
// equal the bundle import's, a re-run adds nothing, and the 8.1 database an
// earlier upgrade made from the 7.6 one adds only its own events.
func TestSQLServerCollectorImport(t *testing.T) {
	testdb.Server(t)
	pt := t // the databases live to the end of the test: the last step uses both
	dsts, srcs, bases, bundles := map[string]string{}, map[string]string{}, map[string]string{}, map[string]string{}
	for _, v := range []string{"7.6", "8.1"} {
		t.Run(v, func(t *testing.T) {
			bundleSrc, _ := sample(pt, v, "collector", 400, true)
			base := filepath.Join(pt.TempDir(), "base.arbundle")
			want := runLoc(t, bundleSrc, base, Options{BatchSize: 100})

			src := testdb.LoadBundle(pt, bundleSrc)
			dst := testdb.Scratch(pt)
			res := runLoc(t, src, dst, Options{BatchSize: 100})
			if res.Added != want.Added || res.Skipped != want.Skipped || res.ReportEntries != want.ReportEntries || !res.DestinationInitialized {
				t.Fatalf("SQL Server: added %d skipped %d report %d initialised %v; bundle: added %d skipped %d report %d",
					res.Added, res.Skipped, res.ReportEntries, res.DestinationInitialized, want.Added, want.Skipped, want.ReportEntries)
			}
			sameLines(t, "SQL Server vs bundle", eventLines(t, dst), eventLines(t, base))
			checkSQLInvariants(t, dst, res)

			again := runLoc(t, src, dst, Options{BatchSize: 70})
			if again.Added != 0 || again.Duplicates != res.Added || again.Conflicts != 0 {
				t.Fatalf("re-run added %d, duplicates %d, conflicts %d (want 0, %d, 0)", again.Added, again.Duplicates, again.Conflicts, res.Added)
			}
			sameLines(t, "after the re-run", eventLines(t, dst), eventLines(t, base))
			srcs[v], dsts[v], bases[v], bundles[v] = src, dst, base, bundleSrc
		})
	}
	if dsts["7.6"] == "" || srcs["8.1"] == "" {
		return
	}
	// The same on bundles is the reference: the sample's 8.1 events that an
	// earlier upgrade brought from its 7.6 events are duplicates, none a conflict.
	want := runLoc(t, bundles["8.1"], bases["7.6"], Options{})
	r := runLoc(t, srcs["8.1"], dsts["7.6"], Options{})
	if r.Added != want.Added || r.Duplicates != want.Duplicates || r.Conflicts != 0 || want.Duplicates == 0 {
		t.Fatalf("8.1 into the 7.6 import: added %d, duplicates %d, conflicts %d; bundles: %d, %d, %d",
			r.Added, r.Duplicates, r.Conflicts, want.Added, want.Duplicates, want.Conflicts)
	}
	sameLines(t, "7.6 then 8.1", eventLines(t, dsts["7.6"]), eventLines(t, bases["7.6"]))
}

// cancelDest cancels the run once batch at is written.
type cancelDest struct {
	store.HistoryDestination
	cancel     context.CancelFunc
	at, writes int
}

func (d *cancelDest) WriteHistoryBatch(ctx context.Context, b *store.HistoryBatch) (*store.HistoryBatchResult, error) {
	r, err := d.HistoryDestination.WriteHistoryBatch(ctx, b)
	if d.writes++; d.writes == d.at {
		d.cancel()
	}
	return r, err
}

// Stopped while the next batch is being read from a SQL Server source, the
// import leaves the batches written so far, and a re-run from the same
// source ends as an uninterrupted import would.
func TestSQLServerCollectorCancel(t *testing.T) {
	testdb.Server(t)
	bundleSrc, _ := sample(t, "7.6", "collector", 400, true)
	base := filepath.Join(t.TempDir(), "base.arbundle")
	want := runLoc(t, bundleSrc, base, Options{BatchSize: 50})
	src, dst := testdb.LoadBundle(t, bundleSrc), testdb.Scratch(t)
	s, err := testdb.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d, err := testdb.OpenHistoryDestination(dst)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cd := &cancelDest{HistoryDestination: d, cancel: cancel, at: 2}
	res, err := Run(ctx, s, cd, Options{BatchSize: 50}, nil)
	var ee *arerr.Error
	if !errors.As(err, &ee) || ee.Code != "AR-CANCELLED" || res == nil || res.Batches != 2 || cd.writes != 2 {
		t.Fatalf("Run: %v (result %+v, %d writes), want AR-CANCELLED after 2 batches", err, res, cd.writes)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if n := len(eventLines(t, dst)); n != int(res.Added) {
		t.Fatalf("%d events in the destination, %d reported added", n, res.Added)
	}
	again := runLoc(t, src, dst, Options{BatchSize: 50})
	if again.Added+res.Added != want.Added || again.Duplicates != res.Added {
		t.Fatalf("re-run added %d (duplicates %d) after %d; an uninterrupted import adds %d", again.Added, again.Duplicates, res.Added, want.Added)
	}
	sameLines(t, "stopped and re-run vs uninterrupted", eventLines(t, dst), eventLines(t, base))
}
