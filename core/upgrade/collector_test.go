package upgrade

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/collectorimport"
	"github.com/activeroles/arupgrade/core/configimport"
	"github.com/activeroles/arupgrade/core/dbopen"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/fixture"
	"github.com/activeroles/arupgrade/core/historyimport"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/website"
)

// fakeSteps records the calls the upgrade makes; the Collector import fails
// as collectorErrs says, one error per call (nil: it succeeds).
type fakeSteps struct {
	mu            sync.Mutex
	calls         []string
	collectorErrs []error
	collectorDsts []dbopen.Endpoint
}

func (f *fakeSteps) call(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, name)
}

func (f *fakeSteps) CheckConfiguration(context.Context, ConfigStep) ([]model.Check, *configimport.Result, error) {
	f.call("CheckConfiguration")
	return []model.Check{{Code: "AR-E001", Status: model.StatusPass, Message: "configuration"}}, nil, nil
}

func (f *fakeSteps) CheckHistory(context.Context, HistoryStep) ([]model.Check, error) {
	f.call("CheckHistory")
	return nil, nil
}

func (f *fakeSteps) ImportConfiguration(context.Context, ConfigStep) (*configimport.Result, error) {
	f.call(StepImportConfiguration)
	return &configimport.Result{}, nil
}

func (f *fakeSteps) AssociateServices(context.Context, dbopen.Endpoint, string) (*configimport.ServicesResult, error) {
	f.call(StepAssociateServices)
	return &configimport.ServicesResult{}, nil
}

func (f *fakeSteps) ImportHistory(context.Context, HistoryStep) (*historyimport.Result, error) {
	f.call(StepImportHistory)
	return &historyimport.Result{Entities: []historyimport.EntityCounts{{Entity: historyimport.EntityChangeRecord},
		{Entity: historyimport.EntityApprovalTask}, {Entity: historyimport.EntityTemporalMembership}}}, nil
}

func (f *fakeSteps) CopyPrincipals(context.Context, dbopen.Endpoint, dbopen.Endpoint) (bool, string) {
	f.call(StepCopyPrincipals)
	return false, "fake"
}

func (f *fakeSteps) ListWebSites(context.Context, dbopen.Endpoint) ([]website.SiteInfo, error) {
	f.call("ListWebSites")
	return nil, nil
}

func (f *fakeSteps) NewWebSite(context.Context, dbopen.Endpoint, website.Request) (*website.Result, error) {
	f.call("NewWebSite")
	return &website.Result{}, nil
}

func (f *fakeSteps) CheckCollector(_ context.Context, s CollectorStep) ([]model.Check, error) {
	f.call("CheckCollector")
	return []model.Check{{Code: "AR-E003", Status: model.StatusPass, Message: "The source is a Collector database."}}, nil
}

func (f *fakeSteps) ImportCollector(_ context.Context, s CollectorStep) (*collectorimport.Result, error) {
	f.call(StepImportCollector)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.collectorDsts = append(f.collectorDsts, s.Destination)
	if len(f.collectorErrs) > 0 {
		err := f.collectorErrs[0]
		f.collectorErrs = f.collectorErrs[1:]
		if err != nil {
			return nil, err
		}
	}
	return &collectorimport.Result{SourceEvents: 10, Added: 9, Skipped: 1, Conflicts: 1, ReportEntries: 1, Batches: 1}, nil
}

// opSteps is the fake the registered test operation uses.
var opSteps *fakeSteps

func init() {
	engine.Register("upgrade-collector-test", func(ctx context.Context, raw json.RawMessage, em *engine.Emitter) error {
		var p Params
		if err := json.Unmarshal(raw, &p); err != nil {
			return err
		}
		return Run(ctx, &p, opSteps, em)
	})
}

// run runs the upgrade with steps and returns its summary or plan (the last
// result) and its outcome.
func run(t *testing.T, steps *fakeSteps, params map[string]any) (last json.RawMessage, out engine.Event) {
	t.Helper()
	opSteps = steps
	raw, err := json.Marshal(params)
	if err != nil {
		t.Fatal(err)
	}
	out = engine.Run(context.Background(), engine.Request{Operation: "upgrade-collector-test", Params: raw, LogFile: "-"}, func(e engine.Event) {
		if e.Type == engine.TypeResult && (e.ResultType == ResultSummary || e.ResultType == ResultPlan) {
			last = e.Data
		}
	})
	return last, out
}

// sources writes a 7.6 Combined database and a 7.6 Collector database.
func sources(t *testing.T) (dir, combined, collector string) {
	t.Helper()
	dir = t.TempDir()
	combined, collector = filepath.Join(dir, "ar76.arbundle"), filepath.Join(dir, "c76.arbundle")
	for _, s := range []struct {
		path string
		spec fixture.Spec
	}{{combined, fixture.Spec{Version: "7.6", Role: "combined", HistoryRecords: 20, ConfigObjects: 20, Seed: 1}},
		{collector, fixture.Spec{Version: "7.6", Role: "collector", HistoryRecords: 20, Seed: 2}}} {
		if _, err := fixture.WriteBundle(context.Background(), s.path, s.spec); err != nil {
			t.Fatal(err)
		}
	}
	return dir, combined, collector
}

func baseParams(dir, combined string) map[string]any {
	return map[string]any{"source": map[string]any{"path": combined}, "destination": map[string]any{"path": filepath.Join(dir, "out")},
		"skipEncryptedData": true, "servicesServer": "ars82.corp.example.com"}
}

// The Collector step runs only when a Collector source is given, and then
// last, after every other step; its preflight is part of the plan; the
// summary names the Collector database only then.
func TestCollectorStepOnlyWhenAskedAndLast(t *testing.T) {
	for _, withCollector := range []bool{false, true} {
		t.Run(map[bool]string{false: "without", true: "with"}[withCollector], func(t *testing.T) {
			dir, combined, collector := sources(t)
			p := baseParams(dir, combined)
			if withCollector {
				p["collectorSource"] = map[string]any{"path": collector}
			}
			f := &fakeSteps{}
			last, out := run(t, f, p)
			if out.Outcome != engine.Succeeded {
				t.Fatalf("outcome %s: %+v", out.Outcome, out.Error)
			}
			var sum Summary
			if err := json.Unmarshal(last, &sum); err != nil {
				t.Fatal(err)
			}
			got := strings.Join(f.calls, ",")
			want := "CheckConfiguration,CheckHistory,ImportConfiguration,AssociateServices,ImportHistory"
			if withCollector {
				want = "CheckConfiguration,CheckHistory,CheckCollector,ImportConfiguration,AssociateServices,ImportHistory,ImportCollector"
			}
			if got != want {
				t.Errorf("calls %s\nwant  %s", got, want)
			}
			names := []string{}
			for _, s := range sum.Steps {
				names = append(names, s.Name)
			}
			wantSteps := "ImportConfiguration,AssociateServices,ImportHistory,CopyPrincipals,CreateWebSites"
			if withCollector {
				wantSteps += ",ImportCollector"
			}
			if strings.Join(names, ",") != wantSteps {
				t.Errorf("summary steps %v, want %s", names, wantSteps)
			}
			hasField := strings.Contains(string(last), `"collectorDatabase"`)
			if hasField != withCollector || strings.HasSuffix(sum.CollectorDatabase, model.DefaultCollectorDatabase+".arbundle") != withCollector {
				t.Errorf("summary collectorDatabase %q (field present: %v)", sum.CollectorDatabase, hasField)
			}
			if withCollector {
				s := sum.Steps[5]
				if s.Counts["added"] != 9 || s.Counts["conflicts"] != 1 || !strings.Contains(s.Detail, "9 events added") {
					t.Errorf("Collector step %+v", s)
				}
			}
		})
	}
}

// A Collector step that fails is recorded as Failed after the other steps
// succeeded; the same command runs the Collector step alone; when the
// failed attempt had created the Collector database (AR-E008 on the
// retry), the step continues in it; a finished upgrade runs nothing.
func TestCollectorStepFailureResumes(t *testing.T) {
	dir, combined, collector := sources(t)
	p := baseParams(dir, combined)
	p["collectorSource"] = map[string]any{"path": collector}
	boom := arerr.Errorf("AR-DESTINATION-WRITE", arerr.CatWriteError, "Run it again.", "disk trouble")
	exists := arerr.Errorf(model.E008DatabaseNameExists.ID, arerr.CatResourceExists, "Choose another name.", "A database named x already exists.")
	f := &fakeSteps{collectorErrs: []error{boom, exists, nil}}

	_, out := run(t, f, p)
	if out.Outcome != engine.Failed || out.Error == nil || out.Error.Code != "AR-DESTINATION-WRITE" {
		t.Fatalf("first run: %s %+v", out.Outcome, out.Error)
	}
	st, err := readState(StatePath(DefaultPlanPath(dbopen.Endpoint{Path: filepath.Join(dir, "out")})))
	if err != nil || st == nil {
		t.Fatalf("state: %v", err)
	}
	for _, s := range st.Steps {
		want := StatusSucceeded
		switch s.Name {
		case StepImportCollector:
			want = StatusFailed
		case StepCopyPrincipals, StepCreateWebSites:
			want = StatusSkipped
		}
		if s.Status != want {
			t.Errorf("state: step %s %s, want %s", s.Name, s.Status, want)
		}
	}

	f.calls = nil
	last, out := run(t, f, p)
	if out.Outcome != engine.Succeeded {
		t.Fatalf("second run: %s %+v", out.Outcome, out.Error)
	}
	if got := strings.Join(f.calls, ","); got != "ImportCollector,ImportCollector" {
		t.Errorf("second run calls %s, want the Collector step alone (then its retry in the database it created)", got)
	}
	if len(f.collectorDsts) != 3 || !f.collectorDsts[0].Create || !f.collectorDsts[1].Create || f.collectorDsts[2].Create {
		t.Errorf("Collector destinations' Create: %+v", f.collectorDsts)
	}
	var sum Summary
	if err := json.Unmarshal(last, &sum); err != nil {
		t.Fatal(err)
	}
	if s := sum.Steps[len(sum.Steps)-1]; s.Name != StepImportCollector || s.Status != StatusSucceeded || s.Attempts != 2 {
		t.Errorf("Collector step %+v", s)
	}

	f.calls = nil
	if _, out := run(t, f, p); out.Outcome != engine.Succeeded || len(f.calls) != 0 {
		t.Errorf("third run: %s, calls %v", out.Outcome, f.calls)
	}
}

// A plan made without a Collector source is not run by a command that asks
// for one (nor the reverse): that is another upgrade (AR-PLAN).
func TestCollectorSourceIsPartOfTheRequest(t *testing.T) {
	dir, combined, collector := sources(t)
	p := baseParams(dir, combined)
	p["whatIf"] = true
	if _, out := run(t, &fakeSteps{}, p); out.Outcome != engine.Succeeded {
		t.Fatalf("plan: %+v", out.Error)
	}
	delete(p, "whatIf")
	p["collectorSource"] = map[string]any{"path": collector}
	f := &fakeSteps{}
	_, out := run(t, f, p)
	if out.Outcome != engine.Failed || out.Error == nil || out.Error.Code != "AR-PLAN" || len(f.calls) != 0 {
		t.Fatalf("outcome %s %+v, calls %v", out.Outcome, out.Error, f.calls)
	}
}
