package ops

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/fixture"
	"github.com/activeroles/arupgrade/core/upgrade"
)

// upgradeSample writes a source for the upgrade: a 7.6 Combined database, or
// an 8.1 configuration and history pair. It returns the params' sources
// and the key files.
func upgradeSample(t *testing.T, dir, kind string) (src, hist map[string]any, key, pw string) {
	t.Helper()
	switch kind {
	case "7.6":
		p := filepath.Join(dir, "ar76.arbundle")
		r := makeSample(t, p, fixture.Spec{Version: "7.6", Role: "combined", HistoryRecords: 300, ConfigObjects: 150, Seed: 76})
		return bundleParam(p, false), nil, r.KeyBackupPath, r.KeyPasswordPath
	default:
		c, h := filepath.Join(dir, "ar81.arbundle"), filepath.Join(dir, "ar81-mh.arbundle")
		r := makeSample(t, c, fixture.Spec{Version: "8.1", Role: "configuration", ConfigObjects: 150, Seed: 81})
		makeSample(t, h, fixture.Spec{Version: "8.1", Role: "history", HistoryRecords: 300, Seed: 81})
		return bundleParam(c, false), bundleParam(h, false), r.KeyBackupPath, r.KeyPasswordPath
	}
}

func upgradeParams(t *testing.T, src, hist map[string]any, out, key, pwFile string) map[string]any {
	t.Helper()
	pw, err := os.ReadFile(pwFile)
	if err != nil {
		t.Fatal(err)
	}
	p := map[string]any{"source": src, "destination": map[string]any{"path": out}, "keyBackupPath": key,
		"keyBackupPassword": strings.TrimSpace(string(pw)), "servicesServer": "ars82.corp.example.com", "allWebSites": true, "batchSize": 50}
	if hist != nil {
		p["sourceHistory"] = hist
	}
	return p
}

func resultsOf(evs []engine.Event, typ string) []engine.Event {
	var out []engine.Event
	for _, e := range evs {
		if e.ResultType == typ {
			out = append(out, e)
		}
	}
	return out
}

func summaryOf(t *testing.T, evs []engine.Event) upgrade.Summary {
	t.Helper()
	s := resultsOf(evs, upgrade.ResultSummary)
	if len(s) != 1 {
		t.Fatalf("want one UpgradeSummary, got %d", len(s))
	}
	var sum upgrade.Summary
	if err := json.Unmarshal(s[0].Data, &sum); err != nil {
		t.Fatal(err)
	}
	return sum
}

// The whole upgrade on bundles: a 7.6 Combined database becomes two 8.2
// bundles with the wizard's default names, an 8.1 pair an 8.2 pair; each
// step's result object comes out, then one summary with the follow-ups; the
// databases hold what the steps run by hand produce; a second run does
// nothing and says so.
func TestUpgradeEndToEnd(t *testing.T) {
	for _, kind := range []string{"7.6", "8.1"} {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			src, hist, key, pw := upgradeSample(t, dir, kind)
			out := filepath.Join(dir, "out")
			params := upgradeParams(t, src, hist, out, key, pw)
			evs, o := runOp(t, "upgrade", params)
			if o.Outcome != engine.Succeeded {
				t.Fatalf("upgrade: %s", describeOutcome(o))
			}
			for _, typ := range []string{"ConfigurationImportResult", "ServicesAssociationResult", "HistoryImportResult", "WebSiteResult"} {
				if len(resultsOf(evs, typ)) == 0 {
					t.Errorf("no %s emitted", typ)
				}
			}
			sum := summaryOf(t, evs)
			if sum.Outcome != "Succeeded" || len(sum.Steps) != 5 {
				t.Fatalf("summary: %+v", sum)
			}
			want := map[string]string{upgrade.StepImportConfiguration: "Succeeded", upgrade.StepAssociateServices: "Succeeded",
				upgrade.StepImportHistory: "Succeeded", upgrade.StepCopyPrincipals: "Skipped", upgrade.StepCreateWebSites: "Succeeded"}
			for _, s := range sum.Steps {
				if want[s.Name] != s.Status {
					t.Errorf("step %s: %s (%s), want %s", s.Name, s.Status, s.Error, want[s.Name])
				}
			}
			sections := map[string]bool{}
			for _, f := range sum.FollowUps {
				sections[f.GuideSection] = true
			}
			for _, s := range []string{"Configuring Active Roles 8.2 during in-place upgrade", "Upgrading the Active Roles Administration Service"} {
				if !sections[s] {
					t.Errorf("no follow-up citing %q: %+v", s, sum.FollowUps)
				}
			}
			cfg, mh := filepath.Join(out, "ActiveRoles820.arbundle"), filepath.Join(out, "ActiveRoles820_MH.arbundle")

			// The same steps by hand give the same databases.
			hand := t.TempDir()
			hcfg, hmh := filepath.Join(hand, "c.arbundle"), filepath.Join(hand, "h.arbundle")
			hsrc := src
			if hist != nil {
				hsrc = hist
			}
			for _, step := range []struct {
				op string
				p  map[string]any
			}{
				{"import-configuration", map[string]any{"source": src, "destination": bundleParam(hcfg, true), "keyBackupPath": key,
					"keyBackupPassword": params["keyBackupPassword"], "servicesServer": "ars82.corp.example.com", "skipPrincipals": true}},
				{"import-history", map[string]any{"source": hsrc, "destination": bundleParam(hmh, true), "skipPrincipals": true, "batchSize": 50}},
			} {
				if _, o := runOp(t, step.op, step.p); o.Outcome != engine.Succeeded {
					t.Fatalf("%s: %s", step.op, describeOutcome(o))
				}
			}
			gotH, _ := dump(t, mh)
			wantH, _ := dump(t, hmh)
			sameTables(t, "history", gotH, wantH)
			gotC, _ := dump(t, cfg)
			wantC, _ := dump(t, hcfg)
			for _, tb := range []string{"ManagedDomain", "ManagedUnit", "AccessTemplate", "Policy", "ScheduledTask", "DynamicGroup"} {
				if len(gotC[tb]) != len(wantC[tb]) {
					t.Errorf("%s: %d rows by the upgrade, %d by hand", tb, len(gotC[tb]), len(wantC[tb]))
				}
			}
			if len(gotC["WebInterfaceSite"]) <= len(wantC["WebInterfaceSite"]) {
				t.Errorf("no 8.2 site was created: %d sites, %d without the site step", len(gotC["WebInterfaceSite"]), len(wantC["WebInterfaceSite"]))
			}

			// Again: nothing to do.
			evs2, o2 := runOp(t, "upgrade", params)
			if o2.Outcome != engine.Succeeded {
				t.Fatalf("second run: %s", describeOutcome(o2))
			}
			if s2 := summaryOf(t, evs2); s2.Outcome != "AlreadyComplete" || !strings.Contains(s2.Message, "nothing was done") {
				t.Errorf("second run summary: %s %q", s2.Outcome, s2.Message)
			}
			if len(resultsOf(evs2, "ConfigurationImportResult")) != 0 {
				t.Error("the second run ran a step again")
			}
			again, _ := dump(t, mh)
			sameTables(t, "history after the second run", again, gotH)
		})
	}
}

// -WhatIf writes a plan and nothing else; the plan holds no secret; running
// it by its path alone executes exactly that plan (its names, its steps);
// a source that changed since is refused, and so is another command aimed
// at the same plan file.
func TestUpgradePlanRoundTrip(t *testing.T) {
	dir := t.TempDir()
	src, hist, key, pw := upgradeSample(t, dir, "8.1")
	out := filepath.Join(dir, "out")
	planPath := filepath.Join(dir, "plan.json")
	params := upgradeParams(t, src, hist, out, key, pw)
	params["planPath"] = planPath
	params["configurationDatabase"] = "AR82"
	params["whatIf"] = true
	evs, o := runOp(t, "upgrade", params)
	if o.Outcome != engine.Succeeded {
		t.Fatalf("what-if: %s", describeOutcome(o))
	}
	if len(resultsOf(evs, upgrade.ResultPlan)) != 1 || len(resultsOf(evs, "PrerequisiteCheck")) < 10 {
		t.Fatalf("want one UpgradePlan and every check, got %d plans, %d checks", len(resultsOf(evs, upgrade.ResultPlan)), len(resultsOf(evs, "PrerequisiteCheck")))
	}
	if left := dirEntries(out); len(left) != 0 {
		t.Fatalf("what-if wrote into the destination: %v", left)
	}
	b, err := os.ReadFile(planPath)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), params["keyBackupPassword"].(string)) {
		t.Fatal("the plan holds the key backup password")
	}
	plan, _, err := upgrade.ReadPlan(planPath)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Configuration().Name != "AR82" || plan.History().Name != "ActiveRoles820_MH" || len(plan.Fingerprints) != 2 {
		t.Fatalf("plan: names %s/%s, %d fingerprints", plan.Configuration().Name, plan.History().Name, len(plan.Fingerprints))
	}

	// Another command at the same plan file is refused.
	other := upgradeParams(t, src, hist, out, key, pw)
	other["planPath"] = planPath
	if _, o := runOp(t, "upgrade", other); o.Outcome != engine.Failed || o.Error.Code != "AR-PLAN" {
		t.Fatalf("another command on the plan: %s", describeOutcome(o))
	}

	// A changed source is refused before anything is written.
	saved, err := os.ReadFile(src["path"].(string))
	if err != nil {
		t.Fatal(err)
	}
	changed := filepath.Join(t.TempDir(), "changed.arbundle")
	makeSample(t, changed, fixture.Spec{Version: "8.1", Role: "configuration", ConfigObjects: 160, Seed: 81})
	copyFile(t, changed, src["path"].(string))
	run := map[string]any{"planPath": planPath, "keyBackupPassword": params["keyBackupPassword"]}
	if _, o := runOp(t, "upgrade", run); o.Outcome != engine.Failed || o.Error.Code != "AR-PLAN-STALE" {
		t.Fatalf("changed source: %s", describeOutcome(o))
	}
	if left := dirEntries(out); len(left) != 0 {
		t.Fatalf("a refused plan wrote into the destination: %v", left)
	}
	if err := os.WriteFile(src["path"].(string), saved, 0o644); err != nil {
		t.Fatal(err)
	}

	// The plan by its path alone runs exactly that plan.
	evs, o = runOp(t, "upgrade", run)
	if o.Outcome != engine.Succeeded {
		t.Fatalf("run the plan: %s", describeOutcome(o))
	}
	sum := summaryOf(t, evs)
	if !strings.HasSuffix(sum.ConfigurationDatabase, "AR82.arbundle") || !fileExists(filepath.Join(out, "AR82.arbundle")) || !fileExists(filepath.Join(out, "ActiveRoles820_MH.arbundle")) {
		t.Fatalf("the run did not make the plan's databases: %s, %v", sum.ConfigurationDatabase, dirEntries(out))
	}
}

// One failing check fails the plan: every check is still listed, the plan
// file is not written and nothing is created.
func TestUpgradePlanRefusedByAnyCheck(t *testing.T) {
	dir := t.TempDir()
	src, hist, key, pw := upgradeSample(t, dir, "7.6")
	out := filepath.Join(dir, "out")
	params := upgradeParams(t, src, hist, out, key, pw)
	params["servicesServer"] = "ars82" // not an FQDN: AR-E017
	params["whatIf"] = true
	evs, o := runOp(t, "upgrade", params)
	if o.Outcome != engine.Failed || o.Error.Code != "AR-E017" || o.ExitCode != arerr.ExitPreflight {
		t.Fatalf("outcome: %s", describeOutcome(o))
	}
	if n := len(resultsOf(evs, "PrerequisiteCheck")); n < 10 {
		t.Errorf("only %d checks listed", n)
	}
	if fileExists(filepath.Join(out, upgrade.DefaultPlanFile)) || fileExists(filepath.Join(out, "ActiveRoles820.arbundle")) {
		t.Errorf("a refused plan left files: %v", dirEntries(out))
	}
}

// dirEntries lists a folder that may not exist.
func dirEntries(dir string) []string {
	es, _ := os.ReadDir(dir)
	var n []string
	for _, e := range es {
		n = append(n, e.Name())
	}
	return n
}
