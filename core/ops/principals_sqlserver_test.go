package ops

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/fixture"
	"github.com/activeroles/arupgrade/core/principals"
	"github.com/activeroles/arupgrade/core/storetest/testdb"
)

// TestSQLServerImportCopiesPrincipals (AR_TEST_SQLSERVER): a configuration
// import from a SQL Server source into a new database copies the source's
// roles, memberships and users by default, without AR-W006; copy-principals
// afterwards finds everything present; -SkipPrincipals copies nothing; and
// a script can be written instead.
func TestSQLServerImportCopiesPrincipals(t *testing.T) {
	testdb.Server(t)
	ctx := context.Background()
	dir := t.TempDir()
	bundle := filepath.Join(dir, "src.arbundle")
	if _, err := fixture.WriteBundle(ctx, bundle, fixture.Spec{Version: "8.1", Role: "configuration", ConfigObjects: 50, Seed: 11}); err != nil {
		t.Fatal(err)
	}
	srcLoc := testdb.LoadBundle(t, bundle)

	// The source's principals, made with the product's own statements.
	srcDB, err := testdb.OpenSQL(srcLoc)
	if err != nil {
		t.Fatal(err)
	}
	defer srcDB.Close()
	readers, all := "ar_read'ers_Zoë", "ar_all"
	setup := []principals.Action{
		{Name: readers, Statements: []principals.Statement{{Op: principals.OpCreateRole, Role: &principals.Role{Name: readers}}}},
		{Name: all, Statements: []principals.Statement{{Op: principals.OpCreateRole, Role: &principals.Role{Name: all}}}},
		{Name: "nested", Statements: []principals.Statement{{Op: principals.OpAddMember, Membership: &principals.Membership{Role: all, Member: readers}}}},
		{Name: "no_login", Statements: []principals.Statement{{Op: principals.OpCreateUser, User: &principals.User{Name: "no_login", Type: principals.UserSQL, Auth: principals.AuthNone, DefaultSchema: "dbo"}}}},
	}
	if err := srcDB.ApplyPrincipals(ctx, setup); err != nil {
		t.Fatal(err)
	}
	wantUser := true
	for _, a := range setup {
		if a.Action == principals.Failed {
			if a.Name != "no_login" {
				t.Fatalf("setup %s: %s", a.Name, a.Reason)
			}
			t.Logf("not covered on this server: a user WITHOUT LOGIN (%s)", a.Reason)
			wantUser = false
		}
	}

	srcConn, pw := testdb.ConnString(t, srcLoc)
	endpoint := func(conn string, create bool) map[string]any {
		return map[string]any{"connectionString": conn, "password": pw, "create": create}
	}
	importInto := func(skip bool) (string, map[string]any, []string) {
		name := testdb.Name("arupg_pr82")
		testdb.DropLater(t, name)
		dstConn, _ := testdb.ConnString(t, name)
		raw, _ := json.Marshal(map[string]any{"source": endpoint(srcConn, false), "destination": endpoint(dstConn, true),
			"skipEncryptedData": true, "servicesServer": "ars82.corp.example.com", "skipPrincipals": skip})
		var res map[string]any
		var warnings []string
		out := engine.Run(ctx, engine.Request{Operation: "import-configuration", Params: raw, LogFile: "-"}, func(e engine.Event) {
			switch e.Type {
			case engine.TypeResult:
				_ = json.Unmarshal(e.Data, &res)
			case engine.TypeWarning:
				warnings = append(warnings, e.Code+": "+e.Message)
			}
		})
		if out.Outcome != engine.Succeeded {
			t.Fatalf("import (skipPrincipals=%v): %+v", skip, out.Error)
		}
		return name, res["principals"].(map[string]any), warnings
	}

	dstName, got, warnings := importInto(false)
	if got["copied"] != true || !strings.Contains(got["reason"].(string), "created") {
		t.Errorf("principals after the import: %v", got)
	}
	for _, w := range warnings {
		if strings.HasPrefix(w, "AR-W006") {
			t.Errorf("AR-W006 although the principals were copied: %s", w)
		}
	}
	dstDB, err := testdb.OpenSQL("sql:" + dstName)
	if err != nil {
		t.Fatal(err)
	}
	defer dstDB.Close()
	snap, err := dstDB.ReadPrincipals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	has := func(s *principals.Snapshot, name string) bool {
		for _, r := range s.Roles {
			if strings.EqualFold(r.Name, name) {
				return true
			}
		}
		for _, u := range s.Users {
			if strings.EqualFold(u.Name, name) {
				return true
			}
		}
		return false
	}
	for _, n := range []string{readers, all} {
		if !has(snap, n) {
			t.Errorf("role %s was not copied by the import", n)
		}
	}
	if wantUser && !has(snap, "no_login") {
		t.Error("user no_login was not copied by the import")
	}
	nested := false
	for _, m := range snap.Memberships {
		nested = nested || (strings.EqualFold(m.Role, all) && strings.EqualFold(m.Member, readers))
	}
	if !nested {
		t.Errorf("the nested membership was not copied: %v", snap.Memberships)
	}

	// copy-principals afterwards: nothing left to do.
	dstConn, _ := testdb.ConnString(t, dstName)
	results, out := runOp(t, "copy-principals", map[string]any{"source": endpoint(srcConn, false), "destination": endpoint(dstConn, false)})
	if out.Outcome != engine.Succeeded {
		t.Fatalf("copy-principals: %+v", out.Error)
	}
	if len(results) == 0 {
		t.Fatal("copy-principals reported nothing")
	}
	for _, r := range results {
		var a principals.Action
		if err := json.Unmarshal(r.Data, &a); err != nil || r.ResultType != ResultPrincipal {
			t.Fatalf("result %s %s: %v", r.ResultType, r.Data, err)
		}
		if a.Action == principals.Created || a.Action == principals.Updated || a.Action == principals.Failed {
			t.Errorf("copy-principals after the import: %s %s is %s (%s)", a.Type, a.Name, a.Action, a.Reason)
		}
	}

	// The script of the same copy.
	script := filepath.Join(dir, "principals.sql")
	if _, out := runOp(t, "copy-principals", map[string]any{"source": endpoint(srcConn, false), "destination": endpoint(dstConn, false), "scriptPath": script}); out.Outcome != engine.Succeeded {
		t.Fatalf("copy-principals --script-path: %+v", out.Error)
	}
	fi, err := os.Stat(script)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("script mode %v, want 0600 (it may hold password hashes)", fi.Mode().Perm())
	}
	if b, _ := os.ReadFile(script); !strings.Contains(string(b), "-- Active Roles database principals") || !strings.Contains(string(b), "IF DB_NAME() <> N'"+dstName+"'") {
		t.Errorf("script:\n%s", b)
	}

	// -SkipPrincipals copies nothing.
	skipName, got, _ := importInto(true)
	if got["copied"] != false || got["reason"] != "skipped at your request (-SkipPrincipals)" {
		t.Errorf("principals with skipPrincipals: %v", got)
	}
	skipDB, err := testdb.OpenSQL("sql:" + skipName)
	if err != nil {
		t.Fatal(err)
	}
	defer skipDB.Close()
	if s, err := skipDB.ReadPrincipals(ctx); err != nil || has(s, readers) {
		t.Errorf("skipPrincipals: the role was copied anyway (err %v)", err)
	}
}
