package ops

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/fixture"
	"github.com/activeroles/arupgrade/core/storetest/testdb"
	"github.com/activeroles/arupgrade/core/upgrade"
)

// The upgrade with a Collector source on SQL Server (AR_TEST_SQLSERVER;
// skipped without it): a 7.6 Combined and a 7.6 Collector sample loaded
// into databases become three new 8.2 databases on the server, the
// Collector one last with the events import-collector brings into a bundle;
// the same command again does nothing.
func TestSQLServerUpgradeWithCollector(t *testing.T) {
	testdb.Server(t)
	dir := t.TempDir()
	src, _, key, pw := upgradeSample(t, dir, "7.6")
	// Without the anomalies: a value too long for SQL Server's column cannot be loaded.
	colPath := filepath.Join(dir, "collector76.arbundle")
	makeSample(t, colPath, fixture.Spec{Version: "7.6", Role: "collector", HistoryRecords: 300, Seed: 15})
	col := bundleParam(colPath, false)
	srcConn, password := testdb.ConnString(t, testdb.LoadBundle(t, src["path"].(string)))
	colConn, _ := testdb.ConnString(t, testdb.LoadBundle(t, col["path"].(string)))
	serverConn, _ := testdb.ConnString(t, "master")
	cfgName, mhName, colName := testdb.Name("arupg_upc_cfg"), testdb.Name("arupg_upc_mh"), testdb.Name("arupg_upc_col")
	for _, n := range []string{cfgName, mhName, colName} {
		testdb.DropLater(t, n)
	}
	params := upgradeParams(t, map[string]any{"connectionString": srcConn, "password": password}, nil, "", key, pw)
	params["destination"] = map[string]any{"connectionString": serverConn, "password": password}
	params["collectorSource"] = map[string]any{"connectionString": colConn, "password": password}
	params["configurationDatabase"], params["historyDatabase"], params["collectorDatabase"] = cfgName, mhName, colName
	params["planPath"] = filepath.Join(dir, "plan.json")
	evs, o := runOp(t, "upgrade", params)
	if o.Outcome != engine.Succeeded {
		t.Fatalf("upgrade: %s", describeOutcome(o))
	}
	sum := summaryOf(t, evs)
	if last := sum.Steps[len(sum.Steps)-1]; last.Name != upgrade.StepImportCollector || last.Status != upgrade.StatusSucceeded {
		t.Fatalf("last step %+v", last)
	}
	if !strings.Contains(sum.CollectorDatabase, colName) {
		t.Errorf("Collector database %s, want %s", sum.CollectorDatabase, colName)
	}

	// The same events as import-collector into a bundle.
	hand := filepath.Join(t.TempDir(), "c82.arbundle")
	res, o := runOp(t, "import-collector", map[string]any{"source": col, "destination": bundleParam(hand, true)})
	if o.Outcome != engine.Succeeded {
		t.Fatalf("import-collector: %s", describeOutcome(o))
	}
	want := collectorResultOf(t, res)
	step := sum.Steps[len(sum.Steps)-1]
	if step.Counts["added"] != want.Added || step.Counts["skipped"] != want.Skipped {
		t.Errorf("the upgrade's Collector step %v, import-collector into a bundle %+v", step.Counts, want)
	}

	evs2, o2 := runOp(t, "upgrade", params)
	if o2.Outcome != engine.Succeeded || summaryOf(t, evs2).Outcome != "AlreadyComplete" {
		t.Fatalf("second run: %s", describeOutcome(o2))
	}
}
