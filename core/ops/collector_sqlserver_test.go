package ops

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/fixture"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/sqlserver"
	"github.com/activeroles/arupgrade/core/storetest/testdb"
)

// TestSQLServerImportCollectorDefaultName (AR_TEST_SQLSERVER): import-collector
// into a new SQL Server database named by the server alone creates
// ActiveRoles820_Collector; -WhatIf before it creates nothing; the same
// import into the new database again adds nothing.
func TestSQLServerImportCollectorDefaultName(t *testing.T) {
	srv := testdb.Server(t)
	ctx := context.Background()
	master := srv
	master.Database = "master"
	m, err := sqlserver.Open(ctx, master, sqlserver.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	exists := func() bool {
		ok, err := m.DatabaseExists(ctx, model.DefaultCollectorDatabase)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	defer m.Close()
	if exists() {
		t.Skipf("%s already exists on the test server; this test creates it", model.DefaultCollectorDatabase)
	}
	testdb.DropLater(t, model.DefaultCollectorDatabase)

	src := filepath.Join(t.TempDir(), "c81.arbundle")
	if _, err := fixture.WriteBundle(ctx, src, fixture.Spec{Version: "8.1", Role: "collector", HistoryRecords: 300, Seed: 4}); err != nil {
		t.Fatal(err)
	}
	conn, pw := testdb.ConnString(t, "placeholder")
	conn = strings.Replace(conn, ";Database=placeholder", "", 1)
	run := func(dst map[string]any, whatIf bool) collectorResult {
		t.Helper()
		raw, _ := json.Marshal(map[string]any{"source": map[string]any{"path": src}, "destination": dst, "batchSize": 120, "whatIf": whatIf})
		var res []engine.Event
		out := engine.Run(ctx, engine.Request{Operation: "import-collector", Params: raw, LogFile: "-"}, func(e engine.Event) {
			if e.Type == engine.TypeResult {
				res = append(res, e)
			}
		})
		if out.Outcome != engine.Succeeded {
			t.Fatalf("import-collector (whatIf %v): %+v", whatIf, out.Error)
		}
		return collectorResultOf(t, res)
	}
	create := map[string]any{"connectionString": conn, "password": pw, "create": true}

	plan := run(create, true)
	if exists() {
		t.Fatal("-WhatIf created the database")
	}
	first := run(create, false)
	if !exists() || first.Added != 300 || first.Added != plan.Added || first.ImportRunID == 0 {
		t.Fatalf("import: %+v (WhatIf said %+v; database created: %v)", first, plan, exists())
	}
	again := run(map[string]any{"connectionString": conn + ";Database=" + model.DefaultCollectorDatabase, "password": pw}, false)
	if again.Added != 0 || again.Duplicates != 300 {
		t.Fatalf("re-run: %+v", again)
	}
}
