package ops

import (
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/storetest/testdb"
	"github.com/activeroles/arupgrade/core/upgrade"
)

// The upgrade on SQL Server (AR_TEST_SQLSERVER; skipped without it): the
// 7.6 Combined sample loaded into a database becomes two new 8.2 databases
// the upgrade creates on the server, principals are copied (or the summary
// says why not), and the same command again does nothing.
func TestSQLServerUpgrade(t *testing.T) {
	testdb.Server(t)
	dir := t.TempDir()
	src, _, key, pw := upgradeSample(t, dir, "7.6")
	srcLoc := testdb.LoadBundle(t, src["path"].(string))
	srcConn, password := testdb.ConnString(t, srcLoc)
	serverConn, _ := testdb.ConnString(t, "master")
	cfgName, mhName := testdb.Name("arupg_up_cfg"), testdb.Name("arupg_up_mh")
	testdb.DropLater(t, cfgName)
	testdb.DropLater(t, mhName)
	params := upgradeParams(t, map[string]any{"connectionString": srcConn, "password": password}, nil, "", key, pw)
	params["destination"] = map[string]any{"connectionString": serverConn, "password": password}
	params["configurationDatabase"], params["historyDatabase"] = cfgName, mhName
	params["planPath"] = dir + "/plan.json"
	evs, o := runOp(t, "upgrade", params)
	if o.Outcome != engine.Succeeded {
		t.Fatalf("upgrade: %s", describeOutcome(o))
	}
	sum := summaryOf(t, evs)
	for _, s := range sum.Steps {
		if s.Status != upgrade.StatusSucceeded {
			t.Errorf("step %s: %s %s", s.Name, s.Status, s.Error)
		}
	}
	if !strings.Contains(sum.ConfigurationDatabase, cfgName) {
		t.Errorf("configuration database %s", sum.ConfigurationDatabase)
	}
	evs2, o2 := runOp(t, "upgrade", params)
	if o2.Outcome != engine.Succeeded || summaryOf(t, evs2).Outcome != "AlreadyComplete" {
		t.Fatalf("second run: %s", describeOutcome(o2))
	}
}
