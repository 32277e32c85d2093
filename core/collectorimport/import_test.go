package collectorimport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/fixture"
	"github.com/activeroles/arupgrade/core/historyimport"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/store"
	"github.com/rs/zerolog"
)

func sample(t *testing.T, version, role string, n int, anomalies bool) (string, *fixture.Result) {
	t.Helper()
	p := filepath.Join(t.TempDir(), version+role+".arbundle")
	res, err := fixture.WriteBundle(context.Background(), p, fixture.Spec{Version: version, Role: role, HistoryRecords: n, Seed: 5, Anomalies: anomalies})
	if err != nil {
		t.Fatal(err)
	}
	return p, res
}

func importInto(t *testing.T, src, dst string, opts Options) (*Result, error) {
	t.Helper()
	return importWith(t, src, dst, opts, nil)
}

// importWith is importInto reporting to rep.
func importWith(t *testing.T, src, dst string, opts Options, rep historyimport.Reporter) (*Result, error) {
	t.Helper()
	s, err := bundle.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d, err := bundle.OpenHistoryDestination(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	return Run(context.Background(), s, d, opts, rep)
}

func events(t *testing.T, path string) map[data.UUID]data.Row {
	t.Helper()
	b, err := bundle.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	rs, err := b.Scan(context.Background(), "CollectedEvent")
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	ev, _ := model.TableOf(model.Target, model.RoleCollector, "CollectedEvent")
	gi := ev.MustIndex("EventGuid")
	out := map[data.UUID]data.Row{}
	for rs.Next() {
		r := rs.Row().Clone()
		if _, dup := out[r[gi].AsGUID()]; dup {
			t.Fatalf("EventGuid %s twice in the destination", r[gi].AsGUID())
		}
		out[r[gi].AsGUID()] = r
	}
	return out
}

// §13.5 on every source version: counts, GUIDs, report entries, a re-run adds nothing.
func TestImportEveryVersion(t *testing.T) {
	for _, v := range []string{"7.5", "7.6", "8.0", "8.1", "8.2"} {
		t.Run(v, func(t *testing.T) {
			src, fx := sample(t, v, "collector", 400, true)
			dst := filepath.Join(t.TempDir(), "dst.arbundle")
			res, err := importInto(t, src, dst, Options{BatchSize: 37})
			if err != nil {
				t.Fatal(err)
			}
			tooLong := int64(0)
			want := map[string]int{}
			for _, a := range fx.Anomalies {
				want[a.Reason]++
				if a.Reason == model.ReasonTooLong {
					tooLong++
				}
			}
			got := map[string]int{}
			for _, n := range res.Report {
				got[n.Reason]++
			}
			if !maps.Equal(got, want) {
				t.Errorf("report reasons %v, sample injected %v", got, want)
			}
			if res.Added != 400-tooLong || res.Skipped != tooLong || res.Outcome != "Succeeded" {
				t.Fatalf("added %d skipped %d outcome %s; want %d, %d", res.Added, res.Skipped, res.Outcome, 400-tooLong, tooLong)
			}
			rows := events(t, dst)
			if int64(len(rows)) != res.Added {
				t.Fatalf("%d destination rows, %d added", len(rows), res.Added)
			}
			ev, _ := model.TableOf(model.Target, model.RoleCollector, "CollectedEvent")
			for g, r := range rows {
				var m map[string]string
				if err := json.Unmarshal([]byte(r[ev.MustIndex("Properties")].Str), &m); err != nil {
					t.Fatalf("event %s Properties %q: %v", g, r[ev.MustIndex("Properties")].Str, err)
				}
				if r[ev.MustIndex("OriginInstallationId")].IsNull() || r[ev.MustIndex("ImportRunId")].Int != res.ImportRunID {
					t.Fatalf("event %s lacks its NK or ImportRunId", g)
				}
				if err := ev.CheckRow(r); err != nil {
					t.Fatal(err)
				}
			}
			again, err := importInto(t, src, dst, Options{BatchSize: 50})
			if err != nil {
				t.Fatal(err)
			}
			if again.Added != 0 || again.Duplicates != res.Added || len(events(t, dst)) != len(rows) {
				t.Fatalf("re-run added %d, duplicates %d", again.Added, again.Duplicates)
			}
		})
	}
}

// G1 then the G2 database an earlier upgrade made from it: the events it
// brought from G1 are not added again.
func TestG1ThenG2AddsNothingTwice(t *testing.T) {
	g1, _ := sample(t, "7.6", "collector", 400, false)
	g2, _ := sample(t, "8.1", "collector", 400, false)
	dst := filepath.Join(t.TempDir(), "dst.arbundle")
	r1, err := importInto(t, g1, dst, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r2, err := importInto(t, g2, dst, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r1.Added != 400 || r2.Duplicates != 100 || r2.Added != 300 || r2.Conflicts != 0 {
		t.Fatalf("G1 added %d; G2 added %d, duplicates %d, conflicts %d", r1.Added, r2.Added, r2.Duplicates, r2.Conflicts)
	}
	if n := len(events(t, dst)); n != 700 {
		t.Fatalf("%d events in the destination, want 700", n)
	}
}

func TestG1SingleEventMapping(t *testing.T) {
	src, fx := sample(t, "7.6", "collector", 30, false)
	dst := filepath.Join(t.TempDir(), "dst.arbundle")
	if _, err := importInto(t, src, dst, Options{}); err != nil {
		t.Fatal(err)
	}
	rows := events(t, dst)
	ev, _ := model.TableOf(model.Target, model.RoleCollector, "CollectedEvent")
	g := model.DerivedGUID(model.EntityCollectedEvent, fx.InstallationID, 1)
	r, ok := rows[g]
	if !ok {
		t.Fatalf("event 1 is not under its derived GUID %s", g)
	}
	var m map[string]string
	_ = json.Unmarshal([]byte(r[ev.MustIndex("Properties")].Str), &m)
	if m["note"] != "a;b=c" || m["user"][:5] != `CORP\` || len(m) != 3 {
		t.Errorf("props(Data) = %v", m)
	}
	if r[ev.MustIndex("OriginEventId")].Int != 1 || r[ev.MustIndex("OriginInstallationId")].AsGUID() != fx.InstallationID {
		t.Error("NK is not (iid, EventId)")
	}
	if s := r[ev.MustIndex("InitiatorSid")].Str; len(s) < 8 || s[:8] != "S-1-5-21" {
		t.Errorf("InitiatorSid %q", s)
	}
}

// A Collector database given to the wrong import, and the reverse: AR-E003, nothing written.
func TestRoleMismatch(t *testing.T) {
	hist, _ := sample(t, "8.1", "history", 20, false)
	dst := filepath.Join(t.TempDir(), "dst.arbundle")
	_, err := importInto(t, hist, dst, Options{})
	var ee *arerr.Error
	if !errors.As(err, &ee) || ee.Code != model.E003SourceRoleMismatch.ID {
		t.Fatalf("got %v, want AR-E003", err)
	}
	d, _ := bundle.OpenHistoryDestination(dst)
	if d.Exists() {
		t.Error("the destination was created")
	}
	d.Close()
}

var _ store.HistoryDestination = (*bundle.HistoryDest)(nil)

// The reverse: a Collector database given to the history import is AR-E003.
func TestHistoryImportRefusesCollector(t *testing.T) {
	src, _ := sample(t, "7.6", "collector", 20, false)
	s, err := bundle.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dst := filepath.Join(t.TempDir(), "mh.arbundle")
	d, err := bundle.OpenHistoryDestination(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	_, err = historyimport.Run(context.Background(), s, d, historyimport.Options{}, nil)
	var ee *arerr.Error
	if !errors.As(err, &ee) || ee.Code != model.E003SourceRoleMismatch.ID || d.Exists() {
		t.Fatalf("got %v (destination created: %v), want AR-E003 and nothing written", err, d.Exists())
	}
}

type warnRecorder struct {
	warnings []string
	log      zerolog.Logger
}

func (*warnRecorder) Progress(engine.Progress) {}
func (w *warnRecorder) Warn(code, msg string)  { w.warnings = append(w.warnings, code+": "+msg) }
func (w *warnRecorder) Log() *zerolog.Logger   { return &w.log }

// A batch size above historyimport.LargeBatchSize warns once (AR-W008),
// naming events, and still imports every event; the default says nothing.
func TestLargeBatchWarns(t *testing.T) {
	src, _ := sample(t, "8.1", "collector", 200, false)
	var added []int64
	for _, tc := range []struct {
		batch int
		warn  bool
	}{{0, false}, {historyimport.LargeBatchSize + 1, true}} {
		rep := &warnRecorder{log: zerolog.Nop()}
		res, err := importWith(t, src, filepath.Join(t.TempDir(), "col.arbundle"), Options{BatchSize: tc.batch}, rep)
		if err != nil {
			t.Fatal(err)
		}
		added = append(added, res.Added)
		got := strings.Join(rep.warnings, "\n")
		if tc.warn != strings.Contains(got, historyimport.WarnLargeBatch) || len(rep.warnings) > 1 ||
			tc.warn && !strings.Contains(got, fmt.Sprintf("%d events", tc.batch)) {
			t.Fatalf("batch %d: warnings %q", tc.batch, got)
		}
	}
	if added[0] == 0 || added[1] != added[0] {
		t.Fatalf("events added with each batch size: %v", added)
	}
}
