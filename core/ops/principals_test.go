package ops

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/fixture"
	"github.com/activeroles/arupgrade/core/principals"
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
			CodeNoPrincipals, arerr.ExitInvalidInput, "this bundle was exported without principals"},
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
		case skip && (w006 || result.Principals.Reason != "skipped at your request ('skipPrincipals')"):
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

// withPrincipals writes a copy of the bundle src with snap recorded in its
// header, as Export-ARDatabase writes a SQL Server database's.
func withPrincipals(t *testing.T, src, out string, snap *principals.Snapshot) {
	t.Helper()
	ctx := context.Background()
	b, err := bundle.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	h := b.Header()
	h.Principals, h.CreatedUTC = snap, time.Time{}
	w, err := bundle.Create(out, h)
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range h.Tables {
		rows, err := b.Scan(ctx, tb.Name)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			if err := w.Write(tb.Name, rows.Row()); err != nil {
				t.Fatal(err)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// exportedPrincipals is what an export of a SQL Server database with a SQL
// login (hash readable), its user, a role and a membership records.
func exportedPrincipals() *principals.Snapshot {
	sid := []byte{0x41, 0x52, 0x55, 0x50, 0x01}
	return &principals.Snapshot{Server: "SQL01", Database: "ARConfig76", Caller: principals.Caller{Login: "CORP\\admin", SID: []byte{1, 5, 9}},
		CanReadHashes: true, CanSeeLogins: true,
		Logins: []principals.Login{{Name: "ar_svc_O'Br]ien", Type: principals.LoginSQL, SID: sid, PasswordHash: []byte{0x02, 0x00, 0xAB, 0xCD},
			DefaultDatabase: "ARConfig76", DefaultLanguage: "us_english", CheckPolicy: true}},
		Users:       []principals.User{{Name: "ar_svc", Type: principals.UserSQL, Auth: principals.AuthInstance, SID: sid, DefaultSchema: "dbo"}},
		Roles:       []principals.Role{{Name: "ar_readers_Zoë", Owner: "dbo"}, {Name: "public", Fixed: true}},
		Memberships: []principals.Membership{{Role: "ar_readers_Zoë", Member: "ar_svc"}},
		Schemas:     []string{"dbo"},
	}
}

// Item 7 of issue 10: Export-ARDatabase records the source's principals in
// the bundle (a bundle source's carry over; one without them is exported
// with AR-W006 saying so), and the bundle is a source of
// Copy-ARDatabasePrincipals -ScriptPath: the script creates the SQL login
// with its SID and password hash.
func TestCopyPrincipalsFromExportedBundle(t *testing.T) {
	dir := t.TempDir()
	fix := filepath.Join(dir, "fixture.arbundle")
	if _, err := fixture.WriteBundle(context.Background(), fix, fixture.Spec{Version: "7.6", Role: "configuration", ConfigObjects: 20, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	want := exportedPrincipals()
	src := filepath.Join(dir, "src.arbundle")
	withPrincipals(t, fix, src, want)

	// Export carries the principals over.
	exported := filepath.Join(dir, "exported.arbundle")
	results, out := runOp(t, "export", map[string]any{"source": map[string]any{"path": src}, "out": exported})
	if out.Outcome != engine.Succeeded || len(results) != 1 {
		t.Fatalf("export: %+v %+v", out, out.Error)
	}
	var res struct {
		Principals *struct {
			Logins, Users, Roles, PasswordHashes int
		} `json:"principals"`
	}
	if err := json.Unmarshal(results[0].Data, &res); err != nil || res.Principals == nil ||
		res.Principals.Logins != 1 || res.Principals.Users != 1 || res.Principals.Roles != 2 || res.Principals.PasswordHashes != 1 {
		t.Errorf("export result principals %s (%v)", results[0].Data, err)
	}
	b, err := bundle.Open(exported)
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.ReadPrincipals(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("principals in the exported bundle (-source +exported):\n%s", diff)
	}

	// The exported bundle is the source of a script.
	script := filepath.Join(dir, "principals.sql")
	results, out = runOp(t, "copy-principals", map[string]any{"source": map[string]any{"path": exported}, "scriptPath": script})
	if out.Outcome != engine.Succeeded {
		t.Fatalf("copy-principals from the bundle: %+v", out.Error)
	}
	actions := map[string]string{}
	for _, r := range results {
		var a principals.Action
		if err := json.Unmarshal(r.Data, &a); err != nil {
			t.Fatal(err)
		}
		actions[a.Type+" "+a.Name] = a.Action
	}
	for _, k := range []string{"SqlLogin ar_svc_O'Br]ien", "User ar_svc", "Role ar_readers_Zoë"} {
		if actions[k] != principals.Created {
			t.Errorf("%s: %q, want Created (all: %v)", k, actions[k], actions)
		}
	}
	text, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"CREATE LOGIN [ar_svc_O'Br]]ien] WITH PASSWORD = 0x0200ABCD HASHED, SID = 0x4152555001",
		"CREATE USER [ar_svc] FOR LOGIN [ar_svc_O'Br]]ien]",
		"THIS SCRIPT HOLDS THE PASSWORD HASHES OF 1 SQL SERVER LOGIN(S)",
	} {
		if !strings.Contains(string(text), s) {
			t.Errorf("the script lacks %q:\n%s", s, text)
		}
	}

	// A bundle without principals exports to one without, losing nothing:
	// no warning, and the new bundle says it has none.
	var warnings []string
	plain := filepath.Join(dir, "plain.arbundle")
	raw, _ := json.Marshal(map[string]any{"source": map[string]any{"path": fix}, "out": plain})
	o := engine.Run(context.Background(), engine.Request{Operation: "export", Params: raw, LogFile: "-"}, func(e engine.Event) {
		if e.Type == engine.TypeWarning {
			warnings = append(warnings, e.Code+": "+e.Message)
		}
	})
	if o.Outcome != engine.Succeeded || len(warnings) != 0 {
		t.Errorf("export of a bundle without principals: %s, warnings %q", o.Outcome, warnings)
	}
	if b, err := bundle.Open(plain); err != nil {
		t.Fatal(err)
	} else if _, err := b.ReadPrincipals(context.Background()); !errors.Is(err, bundle.ErrNoPrincipals) {
		t.Errorf("the export of a bundle without principals: %v, want ErrNoPrincipals", err)
	}
}
