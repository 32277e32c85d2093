package ops

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/fixture"
)

// Requests that cannot copy anything are refused with a code, an exit code
// and a remedy, before any connection is made.
func TestCopyPrincipalsRefuses(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.arbundle")
	if _, err := fixture.WriteBundle(context.Background(), src, fixture.Spec{Version: "7.6", Role: "configuration", ConfigObjects: 20, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	// Unreachable on purpose: every case must be refused before connecting.
	sql := map[string]any{"server": "sql-unreachable.invalid", "database": "ARConfig82", "auth": "Windows", "connectTimeoutSeconds": 1}
	tests := []struct {
		name   string
		params map[string]any
		code   string
		exit   int
		text   string
	}{
		{"bundle source", map[string]any{"source": map[string]any{"path": src}, "destination": sql},
			CodeNoPrincipals, arerr.ExitInvalidInput, "bundles do not record database users"},
		{"bundle source, script", map[string]any{"source": map[string]any{"path": src}, "scriptPath": filepath.Join(dir, "p.sql")},
			CodeNoPrincipals, arerr.ExitInvalidInput, "nothing to copy from it"},
		{"bundle destination", map[string]any{"source": sql, "destination": map[string]any{"path": filepath.Join(dir, "d.arbundle")}},
			CodeNoPrincipals, arerr.ExitInvalidInput, "cannot hold SQL Server logins"},
		{"no destination", map[string]any{"source": sql},
			"AR-PARAMS", arerr.ExitInvalidInput, "No destination"},
		{"no source", map[string]any{"destination": sql},
			"AR-PARAMS", arerr.ExitInvalidInput, "No source"},
		{"destination to create", map[string]any{"source": sql, "destination": map[string]any{"server": "sql02", "database": "New", "create": true}},
			"AR-PARAMS", arerr.ExitInvalidInput, "existing database"},
		{"unknown parameter", map[string]any{"source": sql, "destination": sql, "forse": true},
			"AR-PARAMS", arerr.ExitInvalidInput, "not valid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			results, out := runOp(t, "copy-principals", tc.params)
			if out.Outcome != engine.Failed || out.Error == nil || out.Error.Code != tc.code || out.ExitCode != tc.exit {
				t.Fatalf("outcome %+v %+v, want %s exit %d", out, out.Error, tc.code, tc.exit)
			}
			if !strings.Contains(out.Error.Message, tc.text) || out.Error.Remedy == "" {
				t.Errorf("error %q (remedy %q), want one saying %q with a remedy", out.Error.Message, out.Error.Remedy, tc.text)
			}
			if len(results) != 0 {
				t.Errorf("%d results for a refused request", len(results))
			}
		})
	}
}

// The imports copy principals by default; a bundle cannot hold them, which
// the history import reports as AR-W006 and in its result, without failing.
// -SkipPrincipals turns both off.
func TestHistoryImportPrincipalsFromBundle(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.arbundle")
	if _, err := fixture.WriteBundle(context.Background(), src, fixture.Spec{Version: "7.6", Role: "combined", ConfigObjects: 20, HistoryRecords: 30, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	for _, skip := range []bool{false, true} {
		params := map[string]any{"source": map[string]any{"path": src},
			"destination":    map[string]any{"path": filepath.Join(dir, "h"+map[bool]string{false: "1", true: "2"}[skip]+".arbundle"), "create": true},
			"skipPrincipals": skip}
		raw, _ := json.Marshal(params)
		var warnings []string
		var result struct {
			Principals struct {
				Copied bool   `json:"copied"`
				Reason string `json:"reason"`
			} `json:"principals"`
		}
		out := engine.Run(context.Background(), engine.Request{Operation: "import-history", Params: raw, LogFile: "-"}, func(e engine.Event) {
			switch e.Type {
			case engine.TypeWarning:
				warnings = append(warnings, e.Code)
			case engine.TypeResult:
				if err := json.Unmarshal(e.Data, &result); err != nil {
					t.Error(err)
				}
			}
		})
		if out.Outcome != engine.Succeeded {
			t.Fatalf("skip=%v: %+v", skip, out.Error)
		}
		w006 := strings.Contains(strings.Join(warnings, ","), "AR-W006")
		switch {
		case skip && (w006 || result.Principals.Reason != "skipped at your request (-SkipPrincipals)"):
			t.Errorf("-SkipPrincipals: warnings %v, principals %+v", warnings, result.Principals)
		case !skip && (!w006 || result.Principals.Copied || !strings.Contains(result.Principals.Reason, "is a bundle")):
			t.Errorf("default: warnings %v, principals %+v", warnings, result.Principals)
		}
	}
}

func TestActionCounts(t *testing.T) {
	c := actionCounts{"Created": 2, "AlreadyPresent": 5, "Failed": 1}
	if got := c.String(); got != "2 created, 5 already present, 1 failed" {
		t.Errorf("summary %q", got)
	}
	if got := (actionCounts{}).String(); got != "nothing to copy" {
		t.Errorf("empty summary %q", got)
	}
}
