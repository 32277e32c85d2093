package ops

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
