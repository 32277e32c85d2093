package ops

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/dbopen"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/fixture"
	"github.com/activeroles/arupgrade/core/model"
)

func collectorSample(t *testing.T, dir, version, role string) string {
	t.Helper()
	p := filepath.Join(dir, version+role+".arbundle")
	if _, err := fixture.WriteBundle(context.Background(), p, fixture.Spec{Version: version, Role: role, HistoryRecords: 250, Seed: 3, Anomalies: role == "collector"}); err != nil {
		t.Fatal(err)
	}
	return p
}

type collectorResult struct {
	WhatIf        bool   `json:"whatIf"`
	SourceEvents  int64  `json:"sourceEvents"`
	Added         int64  `json:"added"`
	Skipped       int64  `json:"skipped"`
	Duplicates    int64  `json:"duplicates"`
	ReportEntries int    `json:"reportEntries"`
	ImportRunID   int64  `json:"importRunId"`
	Outcome       string `json:"outcome"`
}

func collectorResultOf(t *testing.T, results []engine.Event) collectorResult {
	t.Helper()
	if len(results) != 1 || results[0].ResultType != "CollectorImportResult" {
		t.Fatalf("results %+v, want one CollectorImportResult", results)
	}
	var r collectorResult
	if err := json.Unmarshal(results[0].Data, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// import-collector: WhatIf writes nothing and counts what the run then does;
// the run creates the destination; the same command again adds nothing.
func TestImportCollectorOperation(t *testing.T) {
	dir := t.TempDir()
	src := collectorSample(t, dir, "7.6", "collector")
	dst := filepath.Join(dir, "out", "collector82.arbundle")
	params := map[string]any{"source": map[string]any{"path": src}, "destination": map[string]any{"path": dst, "create": true}, "batchSize": 60}

	whatIf := map[string]any{"source": params["source"], "destination": params["destination"], "batchSize": 60, "whatIf": true}
	res, out := runOp(t, "import-collector", whatIf)
	if out.Outcome != engine.Succeeded {
		t.Fatalf("WhatIf: %+v", out.Error)
	}
	plan := collectorResultOf(t, res)
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Fatalf("WhatIf wrote the destination (stat: %v)", err)
	}
	if !plan.WhatIf || plan.Outcome != "WhatIf" || plan.Added == 0 {
		t.Fatalf("WhatIf result %+v", plan)
	}

	res, out = runOp(t, "import-collector", params)
	if out.Outcome != engine.Succeeded {
		t.Fatalf("import: %+v", out.Error)
	}
	first := collectorResultOf(t, res)
	if first.Added != plan.Added || first.Skipped != plan.Skipped || first.SourceEvents != 250 || first.ImportRunID == 0 || first.ReportEntries == 0 {
		t.Fatalf("import %+v; WhatIf said %+v", first, plan)
	}

	// Asking to create it again is AR-E008; importing into it again adds nothing.
	_, out = runOp(t, "import-collector", params)
	if out.Error == nil || out.Error.Code != model.E008DatabaseNameExists.ID || out.ExitCode != arerr.ExitPreflight {
		t.Fatalf("create again: %+v", out)
	}
	again := map[string]any{"source": params["source"], "destination": map[string]any{"path": dst}}
	res, out = runOp(t, "import-collector", again)
	if out.Outcome != engine.Succeeded {
		t.Fatalf("re-run: %+v", out.Error)
	}
	if r := collectorResultOf(t, res); r.Added != 0 || r.Duplicates != first.Added {
		t.Fatalf("re-run %+v, want 0 added and %d duplicates", r, first.Added)
	}
}

// A Collector database given to the other imports, and another role given
// to the Collector import: AR-E003, exit 3, nothing written.
func TestCollectorRoleRefusals(t *testing.T) {
	dir := t.TempDir()
	coll := collectorSample(t, dir, "8.1", "collector")
	hist := collectorSample(t, dir, "8.1", "history")
	for _, c := range []struct{ op, src string }{
		{"import-collector", hist},
		{"import-history", coll},
	} {
		t.Run(c.op, func(t *testing.T) {
			dst := filepath.Join(t.TempDir(), "new.arbundle")
			p := map[string]any{"source": map[string]any{"path": c.src}, "destination": map[string]any{"path": dst, "create": true}}
			_, out := runOp(t, c.op, p)
			if out.Error == nil || out.Error.Code != model.E003SourceRoleMismatch.ID || out.ExitCode != arerr.ExitPreflight {
				t.Fatalf("%s: %+v", c.op, out)
			}
			if _, err := os.Stat(dst); !os.IsNotExist(err) {
				t.Fatalf("the refused run wrote %s", dst)
			}
		})
	}
}

// test-prerequisites --kind collector: one check per §13 code, Fail for a
// history source given as a Collector source; nothing written.
func TestCollectorPrerequisites(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		role string
		fail bool
	}{{"collector", false}, {"history", true}} {
		src := collectorSample(t, dir, "7.6", c.role)
		dst := filepath.Join(dir, c.role+"-dst.arbundle")
		res, out := runOp(t, "test-prerequisites", map[string]any{"kind": "collector",
			"source": map[string]any{"path": src}, "destination": map[string]any{"path": dst, "create": true}})
		if out.Outcome != engine.Succeeded {
			t.Fatalf("%s: %+v", c.role, out.Error)
		}
		var failed []string
		for _, e := range res {
			var ch model.Check
			if err := json.Unmarshal(e.Data, &ch); err != nil || e.ResultType != "PrerequisiteCheck" {
				t.Fatalf("%s: result %s %s", c.role, e.ResultType, e.Data)
			}
			if ch.Failed() {
				failed = append(failed, ch.Code)
			}
		}
		if len(res) != 11 || (c.fail && (len(failed) != 1 || failed[0] != model.E003SourceRoleMismatch.ID)) || (!c.fail && len(failed) != 0) {
			t.Fatalf("%s: %d checks, failed %v", c.role, len(res), failed)
		}
		if _, err := os.Stat(dst); !os.IsNotExist(err) {
			t.Fatalf("test-prerequisites wrote %s", dst)
		}
	}
}

// A new SQL Server destination without a database name gets the 8.2
// wizard's default; a named one, an existing one and a bundle keep theirs.
func TestDefaultCollectorDatabase(t *testing.T) {
	for _, c := range []struct {
		in   dbopen.Endpoint
		want string
	}{
		{dbopen.Endpoint{Server: "sql01", Create: true}, model.DefaultCollectorDatabase},
		{dbopen.Endpoint{ConnectionString: "Server=sql01", Create: true}, model.DefaultCollectorDatabase},
		{dbopen.Endpoint{ConnectionString: "sqlserver://sql01", Create: true}, model.DefaultCollectorDatabase},
		{dbopen.Endpoint{ConnectionString: "Server=sql01;Database=Events82", Create: true}, ""},
		{dbopen.Endpoint{Server: "sql01", Database: "Events82", Create: true}, "Events82"},
		{dbopen.Endpoint{Server: "sql01"}, ""},
		{dbopen.Endpoint{Path: "c.arbundle", Create: true}, ""},
	} {
		ep := c.in
		defaultCollectorDatabase(&ep)
		if ep.Database != c.want {
			t.Errorf("%+v: database %q, want %q", c.in, ep.Database, c.want)
		}
	}
}
