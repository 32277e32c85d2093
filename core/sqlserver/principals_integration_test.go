package sqlserver

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/activeroles/arupgrade/core/principals"
)

// principalFixture is a source database with logins, users, roles,
// memberships and permissions of every kind the server accepts, and a
// destination with the same schema and no principals (as an import leaves
// it). What the server cannot do is recorded in gaps, by capability: each
// statement is tried, and a refusal names what is missing.
type principalFixture struct {
	srv                Options
	src, dst           *Database
	srcOpts, dstOpts   Options
	loginA, loginB     string // SQL logins (server-wide, dropped at the end)
	password           string
	userA, userB, bare string
	readers, all, own  string
	gaps               []string
}

func (f *principalFixture) gap(format string, args ...any) {
	f.gaps = append(f.gaps, fmt.Sprintf(format, args...))
}

// try runs a setup statement; a refusal is a gap of the server.
func (f *principalFixture) try(t *testing.T, d *Database, what, stmt string) bool {
	t.Helper()
	if _, err := d.db.ExecContext(context.Background(), stmt); err != nil {
		f.gap("%s is refused (%v)", what, err)
		return false
	}
	return true
}

func must(t *testing.T, d *Database, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := d.db.ExecContext(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func newPrincipalFixture(t *testing.T) *principalFixture {
	srv := integrationServer(t)
	f := &principalFixture{srv: srv}
	f.srcOpts, f.dstOpts = scratch(t, srv), scratch(t, srv)
	f.src, f.dst = openScratch(t, f.srcOpts, OpenOptions{}), openScratch(t, f.dstOpts, OpenOptions{})
	tag := fmt.Sprintf("%d", time.Now().UnixNano()%1e8)
	// Names with a quote, a closing bracket and non-ASCII letters.
	f.loginA, f.loginB = "arupg_O'Br]ien_Zoë_"+tag, "arupg_svc_"+tag
	f.password = "Arupg-Pr1ncipal!" + tag
	f.userA, f.userB, f.bare = "u'ser]Zoë", "svc", "no_login"
	f.readers, f.all, f.own = "ar_read]ers'", "ar_all", "ar_owned"
	if !f.try(t, f.src, "a ] in a bracketed name ([a]]b])", "CREATE ROLE [arupg_probe]]x]; DROP ROLE [arupg_probe]]x];") {
		for _, n := range []*string{&f.loginA, &f.userA, &f.readers} {
			*n = strings.ReplaceAll(*n, "]", "")
		}
	}
	for _, l := range []string{f.loginA, f.loginB} {
		must(t, f.src, "CREATE LOGIN "+quoteIdent(l)+" WITH PASSWORD = "+quoteString(f.password)+";")
		l := l
		t.Cleanup(func() {
			_, _ = f.src.db.ExecContext(context.Background(), "IF EXISTS (SELECT 1 FROM sys.server_principals WHERE name = @p1) DROP LOGIN "+quoteIdent(l)+";", l)
		})
	}
	f.try(t, f.src, "ALTER LOGIN … DISABLE", "ALTER LOGIN "+quoteIdent(f.loginB)+" DISABLE;")
	for _, d := range []*Database{f.src, f.dst} {
		must(t, d, "CREATE SCHEMA [ar s'1];", "CREATE TABLE dbo.Conf (Id int NOT NULL, Secret int NULL);", "CREATE PROCEDURE dbo.spGet AS SELECT 1;")
	}
	must(t, f.src,
		"CREATE USER "+quoteIdent(f.userA)+" FOR LOGIN "+quoteIdent(f.loginA)+" WITH DEFAULT_SCHEMA = [ar s'1];",
		"CREATE USER "+quoteIdent(f.userB)+" FOR LOGIN "+quoteIdent(f.loginB)+";",
		"CREATE ROLE "+quoteIdent(f.readers)+";",
		"CREATE ROLE "+quoteIdent(f.all)+";",
		"ALTER ROLE "+quoteIdent(f.readers)+" ADD MEMBER "+quoteIdent(f.userA)+";",
		"ALTER ROLE "+quoteIdent(f.all)+" ADD MEMBER "+quoteIdent(f.readers)+";", // nested
		"GRANT SELECT ON SCHEMA::[dbo] TO "+quoteIdent(f.readers)+";",
		"GRANT EXECUTE ON OBJECT::[dbo].[spGet] TO "+quoteIdent(f.userB)+" WITH GRANT OPTION;",
		"GRANT SELECT ([Id]) ON OBJECT::[dbo].[Conf] TO "+quoteIdent(f.userB)+";",
	)
	f.try(t, f.src, "CREATE USER … WITHOUT LOGIN", "CREATE USER "+quoteIdent(f.bare)+" WITHOUT LOGIN WITH DEFAULT_SCHEMA = [dbo];")
	f.try(t, f.src, "CREATE ROLE … AUTHORIZATION", "CREATE ROLE "+quoteIdent(f.own)+" AUTHORIZATION "+quoteIdent(f.all)+";")
	f.try(t, f.src, "ALTER ROLE db_datareader ADD MEMBER (fixed-role membership)", "ALTER ROLE [db_datareader] ADD MEMBER "+quoteIdent(f.userB)+";")
	f.try(t, f.src, "DENY", "DENY SELECT ([Secret]) ON OBJECT::[dbo].[Conf] TO "+quoteIdent(f.all)+";")
	f.try(t, f.src, "GRANT on the database", "GRANT VIEW DEFINITION TO "+quoteIdent(f.readers)+";")
	return f
}

// TestIntegrationPrincipals copies a source with logins, users, roles and
// permissions of every kind into a destination on the same server and
// compares the catalogs; a second plan changes nothing. When the server
// shows password hashes and accepts CREATE LOGIN … HASHED, SID = …, the
// logins are dropped first, so the copy creates them again, and one logs
// in with its old password.
func TestIntegrationPrincipals(t *testing.T) {
	f := newPrincipalFixture(t)
	ctx := context.Background()
	src, err := f.src.ReadPrincipals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	permsReported := len(src.Permissions) > 0
	if !permsReported {
		f.gap("sys.database_permissions reports none of the grants just made")
	}
	recreate := f.hashedLogins(t, src)
	if recreate {
		// The copy must create these logins again from the snapshot alone.
		for _, l := range []string{f.loginA, f.loginB} {
			must(t, f.src, "DROP LOGIN "+quoteIdent(l)+";")
		}
	}
	for _, g := range f.gaps {
		t.Logf("not covered on this server: %s", g)
	}

	dst, err := f.dst.ReadPrincipals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	acts := principals.Plan(src, dst, principals.Options{})
	if err := f.dst.ApplyPrincipals(ctx, acts); err != nil {
		t.Fatal(err)
	}
	copied := map[string]bool{} // folded names of the users and roles the copy made or found
	for _, a := range acts {
		t.Logf("%-14s %-13s %-40s %s", a.Action, a.Type, a.Name, a.Reason)
		if a.Action == principals.Failed {
			t.Errorf("%s %s failed: %s", a.Type, a.Name, a.Reason)
		}
		if (a.Type == principals.TypeUser || a.Type == principals.TypeRole) && a.Action != principals.Skipped && a.Action != principals.Conflict {
			copied[strings.ToLower(a.Name)] = true
		}
	}
	for _, n := range []string{f.userA, f.userB, f.readers, f.all} {
		if !copied[strings.ToLower(n)] {
			t.Errorf("%s was not copied", n)
		}
	}

	after, err := f.dst.ReadPrincipals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	compareCatalogs(t, src, after, copied, permsReported, recreate)

	// A second run changes nothing.
	for _, a := range principals.Plan(src, after, principals.Options{}) {
		if a.Action == principals.Created || a.Action == principals.Updated || len(a.Statements) > 0 {
			t.Errorf("second run: %s %s is %s (%s)", a.Type, a.Name, a.Action, a.Reason)
		}
	}

	if recreate {
		// The recreated login logs in with the password it had.
		o := f.dstOpts
		o.User, o.Password, o.Auth = f.loginA, f.password, AuthSQL
		d, err := Open(ctx, o, OpenOptions{})
		if err != nil {
			t.Fatalf("the copied login %s cannot log in with its old password: %v", f.loginA, err)
		}
		_ = d.Close()
	}
}

// hashedLogins reports whether logins can be recreated from the snapshot
// on this server: their hashes are readable and CREATE LOGIN … HASHED,
// SID = … is accepted (probed with a throwaway login).
func (f *principalFixture) hashedLogins(t *testing.T, s *principals.Snapshot) bool {
	var hash []byte
	for _, l := range s.Logins {
		if l.Name == f.loginA {
			hash = l.PasswordHash
		}
	}
	if !s.CanReadHashes || len(hash) == 0 {
		var view int
		_ = f.src.db.QueryRowContext(context.Background(), "SELECT CASE WHEN OBJECT_ID(N'sys.sql_logins') IS NULL THEN 0 ELSE 1 END;").Scan(&view)
		if view == 0 {
			f.gap("the server has no sys.sql_logins, so no password hash can be read: logins are not created again (CREATE LOGIN … HASHED, SID = …) and none logs in with its old password")
		} else {
			f.gap("password hashes are not readable (sys.sql_logins.password_hash needs CONTROL SERVER): logins are not created again")
		}
		return false
	}
	probe := fmt.Sprintf("arupg_probe_%d", time.Now().UnixNano()%1e8)
	sid := []byte{0x41, 0x52, 0x55, 0x50, byte(time.Now().UnixNano()), byte(time.Now().UnixNano() >> 8), 0x01, 0x02}
	text, args, err := principalStatement(principals.Statement{Op: principals.OpCreateLogin,
		Login: &principals.Login{Name: probe, Type: principals.LoginSQL, SID: sid, PasswordHash: hash}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.src.db.ExecContext(context.Background(), text, args...); err != nil {
		f.gap("CREATE LOGIN … WITH PASSWORD = 0x… HASHED, SID = 0x… is refused (%v): logins are not created again", err)
		return false
	}
	must(t, f.src, "DROP LOGIN "+quoteIdent(probe)+";")
	return true
}

// compareCatalogs checks that the destination holds the source's copied
// principals as the source has them.
func compareCatalogs(t *testing.T, src, dst *principals.Snapshot, copied map[string]bool, perms, logins bool) {
	t.Helper()
	loginSID := func(s *principals.Snapshot, sid []byte) *principals.Login {
		for i := range s.Logins {
			if bytes.Equal(s.Logins[i].SID, sid) {
				return &s.Logins[i]
			}
		}
		return nil
	}
	dstUsers := map[string]principals.User{}
	for _, u := range dst.Users {
		dstUsers[strings.ToLower(u.Name)] = u
	}
	for _, u := range src.Users {
		if !copied[strings.ToLower(u.Name)] {
			continue
		}
		d, ok := dstUsers[strings.ToLower(u.Name)]
		switch {
		case !ok:
			t.Errorf("user %s is not in the destination", u.Name)
			continue
		case d.Type != u.Type || d.Auth != u.Auth || !strings.EqualFold(d.DefaultSchema, u.DefaultSchema):
			t.Errorf("user %s: destination %+v, source %+v", u.Name, d, u)
		}
		if u.Auth != principals.AuthInstance {
			continue
		}
		sl, dl := loginSID(src, u.SID), loginSID(dst, d.SID)
		if sl == nil || dl == nil || sl.Name != dl.Name {
			t.Errorf("user %s maps to login %v in the destination, %v in the source", u.Name, dl, sl)
			continue
		}
		if logins {
			if !bytes.Equal(dl.SID, sl.SID) || !bytes.Equal(dl.PasswordHash, sl.PasswordHash) || dl.Disabled != sl.Disabled {
				t.Errorf("login %s: SID %x hash %x disabled %v, source %x %x %v", sl.Name, dl.SID, dl.PasswordHash, dl.Disabled, sl.SID, sl.PasswordHash, sl.Disabled)
			}
		}
	}
	dstRoles := map[string]bool{}
	for _, r := range dst.Roles {
		dstRoles[strings.ToLower(r.Name)] = true
	}
	for _, r := range src.Roles {
		if copied[strings.ToLower(r.Name)] && !dstRoles[strings.ToLower(r.Name)] {
			t.Errorf("role %s is not in the destination", r.Name)
		}
	}
	keep := func(name string) bool { return copied[strings.ToLower(name)] }
	var wantM, gotM []string
	for _, m := range src.Memberships {
		if keep(m.Member) && (keep(m.Role) || fixedRoles[strings.ToLower(m.Role)]) {
			wantM = append(wantM, strings.ToLower(m.Role+" ∋ "+m.Member))
		}
	}
	for _, m := range dst.Memberships {
		if keep(m.Member) {
			gotM = append(gotM, strings.ToLower(m.Role+" ∋ "+m.Member))
		}
	}
	sort.Strings(wantM)
	sort.Strings(gotM)
	if diff := cmp.Diff(wantM, gotM); diff != "" {
		t.Errorf("role memberships (-source +destination):\n%s", diff)
	}
	if !perms {
		return
	}
	permSet := func(s *principals.Snapshot) []string {
		var out []string
		for _, p := range s.Permissions {
			if keep(p.Grantee) {
				out = append(out, strings.ToLower(strings.Join([]string{p.State, p.Class, p.Permission, p.Grantee, p.Schema, p.Object, p.Column}, "|")))
			}
		}
		sort.Strings(out)
		return out
	}
	if diff := cmp.Diff(permSet(src), permSet(dst)); diff != "" {
		t.Errorf("permissions (-source +destination):\n%s", diff)
	}
}

// TestIntegrationPrincipalScript writes the copy as a script planned
// against an empty destination, runs it batch by batch into a new
// database, then runs it again: the second run changes nothing, and a
// plan against the result finds everything present.
func TestIntegrationPrincipalScript(t *testing.T) {
	f := newPrincipalFixture(t)
	ctx := context.Background()
	src, err := f.src.ReadPrincipals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dst, err := f.dst.ReadPrincipals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := WritePrincipalScript(&b, principals.Plan(src, dst, principals.Options{}),
		PrincipalScript{Source: f.srcOpts.Location(), Destination: f.dstOpts.Location(), Database: dst.Database, Producer: "test", Written: time.Now()}); err != nil {
		t.Fatal(err)
	}
	// Run in the wrong database, the script stops at its check and the
	// batches after it do not run.
	t.Run("wrong database", func(t *testing.T) {
		conn, err := f.src.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer discardSession(conn)
		batches := scriptBatches(b.String())
		_, err = conn.ExecContext(ctx, batches[1])
		if err == nil || !strings.Contains(err.Error(), "This script is for the database "+dst.Database) {
			t.Fatalf("the database check in %s: %v", src.Database, err)
		}
		if _, err := conn.ExecContext(ctx, "CREATE ROLE [arupg_noexec_probe];"); err != nil {
			t.Skipf("not covered on this server: SET NOEXEC ON (%v)", err)
		}
		var n int
		if err := f.src.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM sys.database_principals WHERE name = N'arupg_noexec_probe';").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Skip("not covered on this server: SET NOEXEC ON is accepted but statements still run")
		}
	})
	for run := 1; run <= 2; run++ {
		for i, batch := range scriptBatches(b.String()) {
			if _, err := f.dst.db.ExecContext(ctx, batch); err != nil {
				t.Fatalf("run %d, batch %d: %v\n%s", run, i+1, err, batch)
			}
		}
		after, err := f.dst.ReadPrincipals(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range principals.Plan(src, after, principals.Options{}) {
			if a.Action == principals.Created || a.Action == principals.Updated {
				t.Errorf("after run %d of the script: %s %s is still %s", run, a.Type, a.Name, a.Action)
			}
		}
	}
}
