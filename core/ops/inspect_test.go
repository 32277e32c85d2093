package ops

import (
	"context"
	"encoding/json"
	"github.com/activeroles/arupgrade/core/inspect"
	"path/filepath"
	"testing"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/fixture"
)

// run executes one operation and returns its result events and outcome.
func runOp(t *testing.T, op string, params any) ([]engine.Event, engine.Event) {
	t.Helper()
	raw, err := json.Marshal(params)
	if err != nil {
		t.Fatal(err)
	}
	var results []engine.Event
	out := engine.Run(context.Background(), engine.Request{Operation: op, Params: raw, LogFile: "-"}, func(e engine.Event) {
		if e.Type == engine.TypeResult {
			results = append(results, e)
		}
	})
	return results, out
}

// TestInspectReportsWhatTheGeneratorWrote checks Get-ARDatabaseInfo /
// arupgrade inspect on every supported version and role: version,
// generation, role and the per-entity counts.
func TestInspectReportsWhatTheGeneratorWrote(t *testing.T) {
	tests := []struct {
		version, role, wantRole, wantGen string
	}{
		{"7.5", "combined", "Combined", "G1"},
		{"7.6", "configuration", "Configuration", "G1"},
		{"7.6", "history", "ManagementHistory", "G1"},
		{"8.0", "configuration", "Configuration", "G2"},
		{"8.0", "history", "ManagementHistory", "G2"},
		{"8.1", "history", "ManagementHistory", "G2"},
		{"8.2", "configuration", "Configuration", "G3"},
		{"8.2", "history", "ManagementHistory", "G3"},
		{"7.5", "collector", "Collector", "G1"},
		{"8.0", "collector", "Collector", "G2"},
		{"8.1", "collector", "Collector", "G2"},
		{"8.2", "collector", "Collector", "G3"},
	}
	for _, tt := range tests {
		t.Run(tt.version+"-"+tt.role, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.arbundle")
			fx, err := fixture.WriteBundle(context.Background(), path, fixture.Spec{Version: tt.version, Role: tt.role, HistoryRecords: 120, ConfigObjects: 60, Seed: 7})
			if err != nil {
				t.Fatal(err)
			}
			results, out := runOp(t, "inspect", map[string]any{"source": map[string]any{"path": path}})
			if out.Outcome != engine.Succeeded || len(results) != 1 {
				t.Fatalf("outcome %+v, %d results", out, len(results))
			}
			var info inspect.DatabaseInfo
			if err := json.Unmarshal(results[0].Data, &info); err != nil {
				t.Fatal(err)
			}
			if info.Role != tt.wantRole || info.Generation != tt.wantGen || info.Version != fx.Version {
				t.Fatalf("got role %s generation %s version %s; want %s %s %s", info.Role, info.Generation, info.Version, tt.wantRole, tt.wantGen, fx.Version)
			}
			for entity, want := range fx.Entities {
				if got := info.Counts[entity]; got != want {
					t.Errorf("count of %s = %d, generator wrote %d", entity, got, want)
				}
			}
		})
	}
}

func TestInspectRefusesWhatIsNotABundle(t *testing.T) {
	dir := t.TempDir()
	_, out := runOp(t, "inspect", map[string]any{"source": map[string]any{"path": filepath.Join(dir, "missing.arbundle")}})
	if out.Outcome != engine.Failed || out.ExitCode != arerr.ExitNotFound {
		t.Fatalf("missing bundle: %+v", out)
	}
	_, out = runOp(t, "inspect", map[string]any{"source": map[string]any{"path": filepath.Join(dir, "x")}, "bogus": 1})
	if out.Outcome != engine.Failed || out.ExitCode != arerr.ExitInvalidInput {
		t.Fatalf("unknown param accepted: %+v", out)
	}
}
