package ops

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/fixture"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/upgrade"
)

// upgradeCollectorSample writes an earlier Collector database of the
// version (with the hard cases: escapes, unknown enumerations, a too-long
// name) beside the upgrade's sources.
func upgradeCollectorSample(t *testing.T, dir, version string, events int) map[string]any {
	t.Helper()
	p := filepath.Join(dir, "collector"+strings.ReplaceAll(version, ".", "")+".arbundle")
	makeSample(t, p, fixture.Spec{Version: version, Role: "collector", HistoryRecords: events, Seed: 15, Anomalies: true})
	return bundleParam(p, false)
}

func stepOf(sum upgrade.Summary, name string) *upgrade.StepState {
	for i := range sum.Steps {
		if sum.Steps[i].Name == name {
			return &sum.Steps[i]
		}
	}
	return nil
}

// The upgrade with a Collector source, on bundles (7.6 Combined + 7.6
// Collector, 8.1 pair + 8.1 Collector): -WhatIf plans the third database
// and the Collector step last, with the Collector import's checks; the run
// imports the events last into ActiveRoles820_Collector exactly as
// import-collector does by hand, and the summary says so; a second run
// does nothing and the Collector database is unchanged.
func TestUpgradeWithCollector(t *testing.T) {
	for _, kind := range []string{"7.6", "8.1"} {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			src, hist, key, pw := upgradeSample(t, dir, kind)
			col := upgradeCollectorSample(t, dir, kind, 200)
			out := filepath.Join(dir, "out")
			params := upgradeParams(t, src, hist, out, key, pw)
			params["collectorSource"] = col

			// The plan.
			whatIf := map[string]any{}
			for k, v := range params {
				whatIf[k] = v
			}
			whatIf["whatIf"] = true
			evs, o := runOp(t, "upgrade", whatIf)
			if o.Outcome != engine.Succeeded {
				t.Fatalf("what-if: %s", describeOutcome(o))
			}
			var plan upgrade.Plan
			if err := json.Unmarshal(resultsOf(evs, upgrade.ResultPlan)[0].Data, &plan); err != nil {
				t.Fatal(err)
			}
			if c := plan.Collector(); c == nil || c.Name != model.DefaultCollectorDatabase || !c.DefaultName {
				t.Fatalf("plan databases %+v: want %s", plan.Databases, model.DefaultCollectorDatabase)
			}
			last := plan.Steps[len(plan.Steps)-1]
			if last.Name != upgrade.StepImportCollector || last.Creates != model.DefaultCollectorDatabase || last.Skip != "" {
				t.Fatalf("last planned step %+v", last)
			}
			wantFP := 2 // the source and the Collector source; the history source too when split
			if hist != nil {
				wantFP = 3
			}
			if len(plan.Fingerprints) != wantFP || plan.Fingerprints[wantFP-1].Role != string(model.RoleCollector) {
				t.Fatalf("fingerprints %+v", plan.Fingerprints)
			}
			if !strings.Contains(plan.NameRule, "_Collector") {
				t.Errorf("name rule %q does not name the Collector database", plan.NameRule)
			}
			collectorChecks := 0
			for _, c := range plan.Checks {
				if strings.Contains(c.Message, "Collector") {
					collectorChecks++
				}
			}
			if collectorChecks == 0 {
				t.Errorf("no Collector import check in the plan: %+v", plan.Checks)
			}
			if left := dirEntries(out); len(left) != 1 || left[0] != upgrade.DefaultPlanFile {
				t.Fatalf("what-if wrote more than the plan: %v", left)
			}
			if err := os.Remove(filepath.Join(out, upgrade.DefaultPlanFile)); err != nil {
				t.Fatal(err)
			}

			// The run.
			evs, o = runOp(t, "upgrade", params)
			if o.Outcome != engine.Succeeded {
				t.Fatalf("upgrade: %s", describeOutcome(o))
			}
			var lastResult string
			for _, e := range evs {
				if e.Type == engine.TypeResult && e.ResultType != upgrade.ResultSummary {
					lastResult = e.ResultType
				}
			}
			if lastResult != "CollectorImportResult" {
				t.Errorf("the last step's result is %s, want CollectorImportResult", lastResult)
			}
			sum := summaryOf(t, evs)
			if sum.Outcome != "Succeeded" || len(sum.Steps) != 6 || sum.Steps[5].Name != upgrade.StepImportCollector {
				t.Fatalf("summary: %+v", sum)
			}
			cs := stepOf(sum, upgrade.StepImportCollector)
			if cs.Status != upgrade.StatusSucceeded || cs.Counts["added"] == 0 || cs.Counts["sourceEvents"] != 200 || !strings.Contains(cs.Detail, "events added") {
				t.Errorf("Collector step %+v", cs)
			}
			colDB := filepath.Join(out, model.DefaultCollectorDatabase+".arbundle")
			if !strings.HasSuffix(sum.CollectorDatabase, model.DefaultCollectorDatabase+".arbundle") || !strings.Contains(sum.Message, model.DefaultCollectorDatabase) {
				t.Errorf("summary names %q, message %q", sum.CollectorDatabase, sum.Message)
			}
			cited := false
			for _, f := range sum.FollowUps {
				if f.GuideSection == "Upgrading the Collector and Report Pack" {
					cited = true
				}
			}
			if !cited {
				t.Errorf("no follow-up cites the Collector section: %+v", sum.FollowUps)
			}

			// import-collector by hand gives the same events.
			hand := filepath.Join(t.TempDir(), "c82.arbundle")
			if _, o := runOp(t, "import-collector", map[string]any{"source": col, "destination": bundleParam(hand, true), "batchSize": 50}); o.Outcome != engine.Succeeded {
				t.Fatalf("import-collector: %s", describeOutcome(o))
			}
			got, _ := dump(t, colDB)
			want, _ := dump(t, hand)
			sameTables(t, "Collector", got, want)
			if int64(len(got["CollectedEvent"])) != cs.Counts["added"] {
				t.Errorf("%d events in the Collector database, the step says %d added", len(got["CollectedEvent"]), cs.Counts["added"])
			}

			// Again: nothing to do, nothing added.
			evs2, o2 := runOp(t, "upgrade", params)
			if o2.Outcome != engine.Succeeded {
				t.Fatalf("second run: %s", describeOutcome(o2))
			}
			if s2 := summaryOf(t, evs2); s2.Outcome != "AlreadyComplete" || len(resultsOf(evs2, "CollectorImportResult")) != 0 {
				t.Errorf("second run: %s, %d Collector results", s2.Outcome, len(resultsOf(evs2, "CollectorImportResult")))
			}
			again, _ := dump(t, colDB)
			sameTables(t, "Collector after the second run", again, got)
		})
	}
}

// A Collector database given as the configuration or history source, or
// another database given as the Collector source, fails the plan with
// AR-E003 (exit 3) and nothing is written; so does a name for the new
// Collector database without a Collector source (AR-PARAMS) and a
// Collector name taken by another new database.
func TestUpgradeCollectorRefusals(t *testing.T) {
	dir := t.TempDir()
	src, _, key, pw := upgradeSample(t, dir, "7.6")
	cfg81, hist81, _, _ := upgradeSample(t, dir, "8.1")
	col := upgradeCollectorSample(t, dir, "7.6", 40)
	tests := []struct {
		name string
		edit func(p map[string]any)
		code string
	}{
		{"Collector database as the source", func(p map[string]any) { p["source"] = col }, "AR-E003"},
		{"Collector database as the history source", func(p map[string]any) {
			p["source"], p["sourceHistory"] = cfg81, col
		}, "AR-E003"},
		{"history database as the Collector source", func(p map[string]any) { p["collectorSource"] = hist81 }, "AR-E003"},
		{"Combined database as the Collector source", func(p map[string]any) { p["collectorSource"] = src }, "AR-E003"},
		{"Collector name without a Collector source", func(p map[string]any) { p["collectorDatabase"] = "RP82" }, "AR-PARAMS"},
		{"Collector connection string with a password", func(p map[string]any) {
			p["collectorSource"] = map[string]any{"connectionString": "Server=sql-rp.corp.example.com;Database=ARCollector76;User Id=rp;Password=Rp-Secret-1"}
		}, "AR-PARAMS"},
		{"Collector name taken by the configuration database", func(p map[string]any) {
			p["collectorSource"], p["collectorDatabase"], p["configurationDatabase"] = col, "AR82", "ar82"
		}, "AR-PARAMS"},
	}
	for _, tt := range tests {
		for _, whatIf := range []bool{true, false} {
			t.Run(tt.name+map[bool]string{true: " (what-if)", false: ""}[whatIf], func(t *testing.T) {
				out := filepath.Join(t.TempDir(), "out")
				p := upgradeParams(t, src, nil, out, key, pw)
				p["whatIf"] = whatIf
				tt.edit(p)
				_, o := runOp(t, "upgrade", p)
				if o.Outcome != engine.Failed || o.Error == nil || o.Error.Code != tt.code {
					t.Fatalf("outcome: %s, want %s", describeOutcome(o), tt.code)
				}
				if tt.name == "Collector connection string with a password" && !strings.Contains(describeOutcome(o), "holds a password") {
					t.Errorf("refused for another reason: %s", describeOutcome(o))
				}
				if strings.Contains(describeOutcome(o), "Rp-Secret-1") {
					t.Errorf("the error shows the password: %s", describeOutcome(o))
				}
				if tt.code == "AR-E003" && o.ExitCode != 3 {
					t.Errorf("exit code %d, want 3", o.ExitCode)
				}
				if left := dirEntries(out); len(left) != 0 {
					t.Errorf("a refused upgrade wrote %v", left)
				}
			})
		}
	}
}

// When a default name is taken, the first free N is used for all three new
// databases (ActiveRoles820_2, _2_MH, _2_Collector); a name given is used
// as it is. The Collector source's password never reaches the plan file.
func TestUpgradeCollectorNames(t *testing.T) {
	dir := t.TempDir()
	src, _, key, pw := upgradeSample(t, dir, "7.6")
	col := upgradeCollectorSample(t, dir, "8.1", 40)
	out := filepath.Join(dir, "out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	// A file of that name is enough for the name to be taken.
	if err := os.WriteFile(filepath.Join(out, model.DefaultCollectorDatabase+".arbundle"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		given string
		want  []string
	}{
		{"", []string{"ActiveRoles820_2", "ActiveRoles820_2_MH", "ActiveRoles820_2_Collector"}},
		{"RP82", []string{"ActiveRoles820", "ActiveRoles820_MH", "RP82"}},
	} {
		p := upgradeParams(t, src, nil, out, key, pw)
		withSecret := map[string]any{"password": "Rp-Secret-2"}
		for k, v := range col {
			withSecret[k] = v
		}
		planPath := filepath.Join(t.TempDir(), "plan.json")
		p["collectorSource"], p["whatIf"], p["planPath"] = withSecret, true, planPath
		if tt.given != "" {
			p["collectorDatabase"] = tt.given
		}
		evs, o := runOp(t, "upgrade", p)
		if o.Outcome != engine.Succeeded {
			t.Fatalf("what-if with %q: %s", tt.given, describeOutcome(o))
		}
		var plan upgrade.Plan
		if err := json.Unmarshal(resultsOf(evs, upgrade.ResultPlan)[0].Data, &plan); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, d := range plan.Databases {
			names = append(names, d.Name)
		}
		if strings.Join(names, ",") != strings.Join(tt.want, ",") {
			t.Errorf("given %q: databases %v, want %v", tt.given, names, tt.want)
		}
		if b, err := os.ReadFile(planPath); err != nil || strings.Contains(string(b), "Rp-Secret-2") {
			t.Errorf("the plan file holds the Collector source's password (or cannot be read: %v)", err)
		}
	}
}
