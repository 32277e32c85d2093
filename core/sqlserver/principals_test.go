package sqlserver

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/DATA-DOG/go-sqlmock"
	"github.com/google/go-cmp/cmp"
	mssql "github.com/microsoft/go-mssqldb"

	"github.com/activeroles/arupgrade/core/principals"
)

var (
	sidA  = []byte{1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 0xAA}
	sidB  = []byte{1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 0xBB}
	hashA = []byte{0x02, 0x00, 0x11, 0x22}
)

// expectPrincipalCatalog pins the catalog reads of an on-premises server in
// their order and answers them with one principal of each kind.
func expectPrincipalCatalog(m sqlmock.Sqlmock, rights []driver.Value) {
	m.ExpectQuery(sqlPrincipalServer).WithoutArgs().WillReturnRows(
		sqlmock.NewRows([]string{"caller", "sid", "db", "server", "edition", "major"}).AddRow("CORP\\admin", sidB, "ARConfig76", "SQL01", int64(3), int64(15)))
	m.ExpectQuery(sqlLoginRights).WithoutArgs().WillReturnRows(sqlmock.NewRows([]string{"control", "see", "sqllogins"}).AddRow(rights...))
	m.ExpectQuery(sqlServerLogins).WithoutArgs().WillReturnRows(
		sqlmock.NewRows([]string{"name", "sid", "type", "disabled", "db", "lang"}).
			AddRow("ARService", sidA, "S", false, "ARConfig76", "us_english").
			AddRow("CORP\\admin", sidB, "U", false, "master", "us_english").
			AddRow("off'line]", []byte{9}, "S", true, "", ""))
	if rights[2] == int64(1) {
		m.ExpectQuery(sqlSQLLogins).WithoutArgs().WillReturnRows(
			sqlmock.NewRows([]string{"name", "hash", "policy", "expiration"}).
				AddRow("ARService", hashA, true, false).
				AddRow("off'line]", nil, false, false))
	}
	m.ExpectQuery(sqlDatabaseNames).WithoutArgs().WillReturnRows(sqlmock.NewRows([]string{"name"}).AddRow("ARConfig76").AddRow("master"))
	expectDatabaseCatalog(m)
}

// expectDatabaseCatalog pins the reads of the database's own catalog.
func expectDatabaseCatalog(m sqlmock.Sqlmock) {
	m.ExpectQuery(sqlDatabasePrincipals).WithoutArgs().WillReturnRows(
		sqlmock.NewRows([]string{"name", "type", "sid", "schema", "auth", "owner"}).
			AddRow("ARService", "S", sidA, "dbo", "INSTANCE", "").
			AddRow("ar_readers", "R", nil, "", "NONE", "dbo").
			AddRow("db_owner", "R", nil, "", "NONE", "dbo").
			AddRow("public", "R", nil, "", "NONE", "dbo").
			AddRow("nologin", "S", []byte{7}, "dbo", "NONE", ""))
	m.ExpectQuery(sqlRoleMembers).WithoutArgs().WillReturnRows(
		sqlmock.NewRows([]string{"role", "member"}).AddRow("ar_readers", "nologin").AddRow("db_owner", "ARService"))
	m.ExpectQuery(sqlDatabasePermissions).WithoutArgs().WillReturnRows(
		sqlmock.NewRows([]string{"state", "class", "perm", "grantee", "grantor", "schema", "object", "column", "major"}).
			AddRow("GRANT", "DATABASE", "CONNECT ", "ARService", "dbo", "", "", "", int64(0)).
			AddRow("GRANT", "SCHEMA", "SELECT", "ar_readers", "dbo", "dbo", "", "", int64(1)).
			AddRow("DENY", "OBJECT_OR_COLUMN", "SELECT", "nologin", "dbo", "dbo", "Secrets", "Value", int64(565577053)).
			AddRow("GRANT", "ASSEMBLY", "EXECUTE", "ARService", "dbo", "", "", "", int64(65536)))
	m.ExpectQuery(sqlSchemaNames).WithoutArgs().WillReturnRows(sqlmock.NewRows([]string{"name"}).AddRow("dbo").AddRow("sys"))
	m.ExpectQuery(sqlObjectColumns).WithoutArgs().WillReturnRows(
		sqlmock.NewRows([]string{"schema", "name", "column"}).
			AddRow("dbo", "Secrets", "Id").AddRow("dbo", "Secrets", "Value").AddRow("dbo", "spGet", ""))
}

func TestReadPrincipals(t *testing.T) {
	d, m := newMock(t, OpenOptions{}, nil)
	expectPrincipalCatalog(m, []driver.Value{int64(1), int64(1), int64(1)})
	s, err := d.ReadPrincipals(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := &principals.Snapshot{
		Server: "SQL01", Database: "ARConfig76", Caller: principals.Caller{Login: "CORP\\admin", SID: sidB},
		CanReadHashes: true, CanSeeLogins: true,
		Logins: []principals.Login{
			{Name: "ARService", Type: "S", SID: sidA, PasswordHash: hashA, DefaultDatabase: "ARConfig76", DefaultLanguage: "us_english", CheckPolicy: true},
			{Name: "CORP\\admin", Type: "U", SID: sidB, DefaultDatabase: "master", DefaultLanguage: "us_english"},
			{Name: "off'line]", Type: "S", SID: []byte{9}, Disabled: true},
		},
		Users: []principals.User{
			{Name: "ARService", Type: "S", Auth: "INSTANCE", SID: sidA, DefaultSchema: "dbo"},
			{Name: "nologin", Type: "S", Auth: "NONE", SID: []byte{7}, DefaultSchema: "dbo"},
		},
		Roles:       []principals.Role{{Name: "ar_readers", Owner: "dbo"}, {Name: "db_owner", Owner: "dbo", Fixed: true}, {Name: "public", Owner: "dbo", Fixed: true}},
		Memberships: []principals.Membership{{Role: "ar_readers", Member: "nologin"}, {Role: "db_owner", Member: "ARService"}},
		Permissions: []principals.Permission{
			{State: "GRANT", Class: "DATABASE", Permission: "CONNECT", Grantee: "ARService", Grantor: "dbo"},
			{State: "GRANT", Class: "SCHEMA", Permission: "SELECT", Grantee: "ar_readers", Grantor: "dbo", Schema: "dbo"},
			{State: "DENY", Class: "OBJECT_OR_COLUMN", Permission: "SELECT", Grantee: "nologin", Grantor: "dbo", Schema: "dbo", Object: "Secrets", Column: "Value"},
			{State: "GRANT", Class: "ASSEMBLY", Permission: "EXECUTE", Grantee: "ARService", Grantor: "dbo", Object: "#65536"},
		},
		Schemas:   []string{"dbo", "sys"},
		Objects:   []principals.Object{{Schema: "dbo", Name: "Secrets", Columns: []string{"Id", "Value"}}, {Schema: "dbo", Name: "spGet"}},
		Databases: []string{"ARConfig76", "master"},
	}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("snapshot (-want +got):\n%s", diff)
	}
}

// Without CONTROL SERVER, or on a server that lacks sys.sql_logins, no hash
// is read (and the planner reports each SQL login with what to do).
func TestReadPrincipalsWithoutHashes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		rights []driver.Value
	}{
		{"no CONTROL SERVER", []driver.Value{int64(0), int64(0), int64(1)}},
		{"no sys.sql_logins", []driver.Value{int64(1), int64(1), int64(0)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, m := newMock(t, OpenOptions{}, nil)
			expectPrincipalCatalog(m, tc.rights)
			s, err := d.ReadPrincipals(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if s.CanReadHashes {
				t.Error("CanReadHashes without the right or the view")
			}
			if tc.rights[2] == int64(0) && s.Logins[0].PasswordHash != nil {
				t.Error("a hash without sys.sql_logins")
			}
		})
	}
}

// CONTROL SERVER sees every login even where HAS_PERMS_BY_NAME does not
// report the VIEW ANY DEFINITION it implies; without either, logins may be
// hidden.
func TestReadPrincipalsSeesLogins(t *testing.T) {
	for _, tc := range []struct {
		name   string
		rights []driver.Value
		want   bool
	}{
		{"CONTROL SERVER only", []driver.Value{int64(1), int64(0), int64(1)}, true},
		{"VIEW ANY DEFINITION", []driver.Value{int64(0), int64(1), int64(1)}, true},
		{"neither", []driver.Value{int64(0), int64(0), int64(1)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, m := newMock(t, OpenOptions{}, nil)
			expectPrincipalCatalog(m, tc.rights)
			s, err := d.ReadPrincipals(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if s.CanSeeLogins != tc.want {
				t.Errorf("CanSeeLogins %v, want %v", s.CanSeeLogins, tc.want)
			}
		})
	}
}

// A server that cannot answer the rights question grants nothing.
func TestReadPrincipalsRightsUnknown(t *testing.T) {
	d, m := newMock(t, OpenOptions{}, nil)
	m.ExpectQuery(sqlPrincipalServer).WillReturnRows(
		sqlmock.NewRows([]string{"caller", "sid", "db", "server", "edition", "major"}).AddRow("sa", []byte{1}, "AR", nil, int64(3), int64(0)))
	m.ExpectQuery(sqlLoginRights).WillReturnError(mssql.Error{Number: 4121, Message: "Cannot find either column \"dbo\" or the user-defined function"})
	m.ExpectQuery(sqlServerLogins).WillReturnRows(sqlmock.NewRows([]string{"name", "sid", "type", "disabled", "db", "lang"}))
	m.ExpectQuery(sqlDatabaseNames).WillReturnRows(sqlmock.NewRows([]string{"name"}))
	expectDatabaseCatalog(m)
	s, err := d.ReadPrincipals(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s.CanReadHashes || s.CanSeeLogins || s.Server != "sql01.corp.example.com" {
		t.Errorf("rights unknown: %+v", s)
	}
}

// Azure SQL Database has no server logins: none are read.
func TestReadPrincipalsAzure(t *testing.T) {
	d, m := newMock(t, OpenOptions{}, nil)
	m.ExpectQuery(sqlPrincipalServer).WillReturnRows(
		sqlmock.NewRows([]string{"caller", "sid", "db", "server", "edition", "major"}).AddRow("admin@corp", []byte{3}, "ARConfig82", "arsql", int64(5), int64(12)))
	expectDatabaseCatalog(m)
	s, err := d.ReadPrincipals(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !s.IsAzureSQL || !s.NoWindowsLogins || !s.ExternalPrincipals || s.Logins != nil || s.Databases != nil {
		t.Errorf("Azure snapshot: %+v", s)
	}
}

// A catalog without authentication_type_desc: the type is inferred.
func TestInferAuth(t *testing.T) {
	logins := map[string]bool{string(sidA): true}
	for _, tc := range []struct {
		typ  string
		sid  []byte
		want string
	}{
		{"S", sidA, principals.AuthInstance},
		{"S", sidB, principals.AuthInstance}, // orphaned
		{"S", nil, principals.AuthNone},
		{"S", []byte{0, 0, 0, 0}, principals.AuthNone},
		{"U", sidB, principals.AuthWindows},
		{"G", sidB, principals.AuthWindows},
		{"E", sidB, principals.AuthExternal},
		{"C", sidB, principals.AuthNone},
	} {
		if got := inferAuth(tc.typ, tc.sid, logins); got != tc.want {
			t.Errorf("inferAuth(%s, %x) = %s, want %s", tc.typ, tc.sid, got, tc.want)
		}
	}
}

func TestPrincipalStatementText(t *testing.T) {
	hostile := "a]b'; DROP TABLE x; --"
	login := &principals.Login{Name: hostile, Type: principals.LoginSQL, SID: []byte{0xAB, 0x01}, PasswordHash: []byte{0x02, 0x00, 0xFF},
		DefaultDatabase: "ARConfig82", DefaultLanguage: "us_english", CheckPolicy: true, CheckExpiration: false, Disabled: true}
	tests := []struct {
		name     string
		st       principals.Statement
		literal  bool
		wantText string
		wantArgs []any
	}{
		{"SQL login, sent", principals.Statement{Op: principals.OpCreateLogin, Login: login}, false,
			"IF NOT EXISTS (SELECT 1 FROM sys.server_principals WHERE name = @p1)\nBEGIN\n" +
				"    CREATE LOGIN [a]]b'; DROP TABLE x; --] WITH PASSWORD = 0x0200FF HASHED, SID = 0xAB01, DEFAULT_DATABASE = [ARConfig82], DEFAULT_LANGUAGE = [us_english], CHECK_POLICY = ON, CHECK_EXPIRATION = OFF;\n" +
				"    ALTER LOGIN [a]]b'; DROP TABLE x; --] DISABLE;\nEND;",
			[]any{hostile}},
		{"SQL login, scripted", principals.Statement{Op: principals.OpCreateLogin, Login: login}, true,
			"IF NOT EXISTS (SELECT 1 FROM sys.server_principals WHERE name = N'a]b''; DROP TABLE x; --')\nBEGIN\n" +
				"    CREATE LOGIN [a]]b'; DROP TABLE x; --] WITH PASSWORD = 0x0200FF HASHED, SID = 0xAB01, DEFAULT_DATABASE = [ARConfig82], DEFAULT_LANGUAGE = [us_english], CHECK_POLICY = ON, CHECK_EXPIRATION = OFF;\n" +
				"    ALTER LOGIN [a]]b'; DROP TABLE x; --] DISABLE;\nEND;",
			nil},
		{"Windows group login", principals.Statement{Op: principals.OpCreateLogin, Login: &principals.Login{Name: `CORP\AR Admins`, Type: "G", SID: []byte{1}}}, false,
			"IF NOT EXISTS (SELECT 1 FROM sys.server_principals WHERE name = @p1)\n    CREATE LOGIN [CORP\\AR Admins] FROM WINDOWS;",
			[]any{`CORP\AR Admins`}},
		{"drop never the caller's", principals.Statement{Op: principals.OpDropLogin, Login: &principals.Login{Name: "svc", SID: []byte{0xAB}}}, false,
			"IF EXISTS (SELECT 1 FROM sys.server_principals AS p WHERE p.name = @p1 AND p.sid <> 0xAB\n" +
				"    AND p.sid <> SUSER_SID() AND NOT EXISTS (SELECT 1 FROM sys.login_token AS t WHERE t.sid = p.sid))\n    DROP LOGIN [svc];",
			[]any{"svc"}},
		{"user for login without CONNECT", principals.Statement{Op: principals.OpCreateUser, User: &principals.User{Name: "Zoë]", DefaultSchema: "dbo"}, LoginName: "Zoë]", NoConnect: true}, false,
			"IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = @p1)\nBEGIN\n    CREATE USER [Zoë]]] FOR LOGIN [Zoë]]] WITH DEFAULT_SCHEMA = [dbo];\n    REVOKE CONNECT FROM [Zoë]]];\nEND;",
			[]any{"Zoë]"}},
		{"remap", principals.Statement{Op: principals.OpRemapUser, User: &principals.User{Name: "u"}, LoginName: "l"}, false,
			"IF EXISTS (SELECT 1 FROM sys.database_principals AS d WHERE d.name = @p1\n" +
				"    AND NOT EXISTS (SELECT 1 FROM sys.server_principals AS s WHERE s.name = @p2 AND s.sid = d.sid))\n    ALTER USER [u] WITH LOGIN = [l];",
			[]any{"u", "l"}},
		{"member", principals.Statement{Op: principals.OpAddMember, Membership: &principals.Membership{Role: "db_datareader", Member: "r'1"}}, true,
			"IF NOT EXISTS (SELECT 1 FROM sys.database_role_members\n" +
				"    WHERE role_principal_id = DATABASE_PRINCIPAL_ID(N'db_datareader') AND member_principal_id = DATABASE_PRINCIPAL_ID(N'r''1'))\n" +
				"    ALTER ROLE [db_datareader] ADD MEMBER [r'1];",
			nil},
		{"column DENY", principals.Statement{Op: principals.OpGrant, Cascade: true, Permission: &principals.Permission{State: "DENY", Class: "OBJECT_OR_COLUMN", Permission: "SELECT", Grantee: "u", Schema: "dbo", Object: "T]", Column: "c"}}, false,
			"IF NOT EXISTS (SELECT 1 FROM sys.database_permissions WHERE class = 1 AND major_id = OBJECT_ID(@p3) AND minor_id = COLUMNPROPERTY(OBJECT_ID(@p3), @p4, 'ColumnId') AND permission_name = @p1 AND grantee_principal_id = DATABASE_PRINCIPAL_ID(@p2) AND state = 'D')\n" +
				"    DENY SELECT ([c]) ON OBJECT::[dbo].[T]]] TO [u] CASCADE;",
			[]any{"SELECT", "u", "[dbo].[T]]]", "c"}},
		{"schema grant with option as grantor", principals.Statement{Op: principals.OpGrant, Permission: &principals.Permission{State: "GRANT_WITH_GRANT_OPTION", Class: "SCHEMA", Permission: "VIEW DEFINITION", Grantee: "u", Grantor: "g", Schema: "ar"}}, true,
			"IF NOT EXISTS (SELECT 1 FROM sys.database_permissions WHERE class = 3 AND major_id = SCHEMA_ID(N'ar') AND minor_id = 0 AND permission_name = N'VIEW DEFINITION' AND grantee_principal_id = DATABASE_PRINCIPAL_ID(N'u') AND state = 'W')\n" +
				"    GRANT VIEW DEFINITION ON SCHEMA::[ar] TO [u] WITH GRANT OPTION AS [g];",
			nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text, args, err := principalStatement(tc.st, tc.literal)
			if err != nil {
				t.Fatal(err)
			}
			if text != tc.wantText {
				t.Errorf("text:\n%s\nwant:\n%s", text, tc.wantText)
			}
			if diff := cmp.Diff(tc.wantArgs, args); diff != "" {
				t.Errorf("args (-want +got):\n%s", diff)
			}
		})
	}
}

// Input that could change a statement's meaning is refused, never rendered.
func TestPrincipalStatementRefuses(t *testing.T) {
	long := strings.Repeat("x", 129)
	tests := []struct {
		name    string
		st      principals.Statement
		literal bool
		want    string
	}{
		{"not a permission", principals.Statement{Op: principals.OpGrant, Permission: &principals.Permission{State: "GRANT", Class: "DATABASE", Permission: "SELECT TO x; DROP", Grantee: "u"}}, false, "not a T-SQL permission"},
		{"unknown state", principals.Statement{Op: principals.OpGrant, Permission: &principals.Permission{State: "REVOKE", Class: "DATABASE", Permission: "CONNECT", Grantee: "u"}}, false, "state"},
		{"other class", principals.Statement{Op: principals.OpGrant, Permission: &principals.Permission{State: "GRANT", Class: "ASSEMBLY", Permission: "EXECUTE", Grantee: "u"}}, false, "not copied"},
		{"SID too long", principals.Statement{Op: principals.OpCreateLogin, Login: &principals.Login{Name: "l", Type: "S", SID: make([]byte, 86), PasswordHash: []byte{1}}}, false, "SID of l of 86 bytes"},
		{"no hash", principals.Statement{Op: principals.OpCreateLogin, Login: &principals.Login{Name: "l", Type: "S", SID: []byte{1}}}, false, "password hash of l of 0 bytes"},
		{"long name", principals.Statement{Op: principals.OpCreateRole, Role: &principals.Role{Name: long}}, false, "longer than 128"},
		{"NUL", principals.Statement{Op: principals.OpCreateRole, Role: &principals.Role{Name: "a\x00b"}}, false, "NUL"},
		{"line break in a script", principals.Statement{Op: principals.OpCreateRole, Role: &principals.Role{Name: "a\nGO\nDROP"}}, true, "line break"},
		{"certificate login", principals.Statement{Op: principals.OpCreateLogin, Login: &principals.Login{Name: "c", Type: "C", SID: []byte{1}}}, false, "cannot be created"},
		{"no subject", principals.Statement{Op: principals.OpCreateUser}, false, "without its subject"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text, _, err := principalStatement(tc.st, tc.literal)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v (text %q), want one containing %q", err, text, tc.want)
			}
		})
	}
	// The same line break is fine in a statement the engine sends.
	if _, _, err := principalStatement(principals.Statement{Op: principals.OpCreateRole, Role: &principals.Role{Name: "a\nb"}}, false); err != nil {
		t.Errorf("line break in a sent statement: %v", err)
	}
}

func TestApplyPrincipals(t *testing.T) {
	d, m := newMock(t, OpenOptions{}, nil)
	role := principals.Statement{Op: principals.OpCreateRole, Role: &principals.Role{Name: "ar_readers"}}
	member := principals.Statement{Op: principals.OpAddMember, Membership: &principals.Membership{Role: "ar_readers", Member: "ghost"}}
	grant := principals.Statement{Op: principals.OpGrant, Permission: &principals.Permission{State: "GRANT", Class: "SCHEMA", Permission: "SELECT", Grantee: "ar_readers", Schema: "dbo"}}
	acts := []principals.Action{
		{Name: "ar_readers", Type: principals.TypeRole, Action: principals.Created, Statements: []principals.Statement{role}},
		{Name: "sa", Type: principals.TypeSQLLogin, Action: principals.Skipped, Reason: "system"},
		{Name: "ghost in ar_readers", Type: principals.TypeMembership, Action: principals.Created, Statements: []principals.Statement{member}},
		{Name: "GRANT SELECT ON SCHEMA dbo TO ar_readers", Type: principals.TypePermission, Action: principals.Created, Statements: []principals.Statement{grant}},
	}
	for _, st := range []principals.Statement{role, member, grant} {
		text, args, err := principalStatement(st, false)
		if err != nil {
			t.Fatal(err)
		}
		e := m.ExpectExec(text).WithArgs(toDriver(args)...)
		if st.Op == principals.OpAddMember {
			e.WillReturnError(mssql.Error{Number: 15151, Message: "Cannot add the principal 'ghost', because it does not exist or you do not have permission."})
		} else {
			e.WillReturnResult(sqlmock.NewResult(0, 0))
		}
	}
	var progress []string
	if err := d.ApplyPrincipalsProgress(context.Background(), acts, func(done, total int) {
		progress = append(progress, fmt.Sprintf("%d/%d", done, total))
	}); err != nil {
		t.Fatal(err)
	}
	// Progress counts the actions that change something, failed ones included.
	if diff := cmp.Diff([]string{"1/3", "2/3", "3/3"}, progress); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}
	got := []string{}
	for _, a := range acts {
		got = append(got, a.Action+": "+a.Reason)
	}
	want := []string{
		"Created: ",
		"Skipped: system",
		"Failed: Cannot add the principal 'ghost', because it does not exist or you do not have permission. (SQL Server error 15151)",
		"Created: ",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
}

// Ctrl+C stops the copy after the principal in hand: it is finished (within
// the grace period) and reported as done, the ones not reached are reported
// as not done, and one the grace period cut short is Failed.
func TestApplyPrincipalsCancelled(t *testing.T) {
	role := func(n string) principals.Statement {
		return principals.Statement{Op: principals.OpCreateRole, Role: &principals.Role{Name: n}}
	}
	acts := func() []principals.Action {
		return []principals.Action{
			{Name: "r1", Type: principals.TypeRole, Action: principals.Created, Statements: []principals.Statement{role("r1")}},
			{Name: "r0", Type: principals.TypeRole, Action: principals.AlreadyPresent},
			{Name: "r2", Type: principals.TypeRole, Action: principals.Created, Statements: []principals.Statement{role("r2")}},
		}
	}
	tests := []struct {
		name  string
		grace time.Duration
		delay time.Duration
		want  []string
	}{
		{"finishes the principal in hand", 5 * time.Second, 300 * time.Millisecond,
			[]string{"Created: ", "AlreadyPresent: ", "Skipped: " + principals.ReasonNotDone}},
		{"grace period over", 50 * time.Millisecond, 5 * time.Second,
			[]string{"Failed: " + principals.ReasonInterrupted, "AlreadyPresent: ", "Skipped: " + principals.ReasonNotDone}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			old := PrincipalCancelGrace
			PrincipalCancelGrace = tc.grace
			defer func() { PrincipalCancelGrace = old }()
			d, m := newMock(t, OpenOptions{}, nil)
			text, _, _ := principalStatement(role("r1"), false)
			m.ExpectExec(text).WillDelayFor(tc.delay).WillReturnResult(sqlmock.NewResult(0, 0))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			time.AfterFunc(30*time.Millisecond, cancel)
			a := acts()
			err := d.ApplyPrincipals(ctx, a)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err %v, want context.Canceled", err)
			}
			var got []string
			for _, x := range a {
				got = append(got, x.Action+": "+x.Reason)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s", diff)
			}
			if err := m.ExpectationsWereMet(); err != nil {
				t.Error(err)
			}
		})
	}
	// Cancelled before it starts: nothing is sent, everything is not done.
	d, _ := newMock(t, OpenOptions{}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	a := acts()
	if err := d.ApplyPrincipals(ctx, a); !errors.Is(err, context.Canceled) || a[0].Action != principals.Skipped || a[2].Action != principals.Skipped {
		t.Errorf("cancelled before the start: %v %+v", err, a)
	}
}

func toDriver(args []any) []driver.Value {
	out := make([]driver.Value, len(args))
	for i, a := range args {
		out[i] = a
	}
	return out
}

func TestWritePrincipalScript(t *testing.T) {
	login := principals.Login{Name: "ARService", Type: principals.LoginSQL, SID: sidA, PasswordHash: hashA, DefaultDatabase: "ARConfig82"}
	acts := []principals.Action{
		{Name: "ARService", Type: principals.TypeSQLLogin, Action: principals.Created, Statements: []principals.Statement{{Op: principals.OpCreateLogin, Login: &login}}},
		{Name: "sa", Type: principals.TypeSQLLogin, Action: principals.Skipped, Reason: "system\nDROP DATABASE x; --"},
		{Name: "bad\nname", Type: principals.TypeRole, Action: principals.Created, Statements: []principals.Statement{{Op: principals.OpCreateRole, Role: &principals.Role{Name: "bad\nname"}}}},
		{Name: "ARService", Type: principals.TypeUser, Action: principals.Created, Statements: []principals.Statement{{Op: principals.OpCreateUser, User: &principals.User{Name: "ARService", DefaultSchema: "dbo"}, LoginName: "ARService"}}},
		{Name: "ar_readers", Type: principals.TypeRole, Action: principals.AlreadyPresent},
	}
	var b strings.Builder
	err := WritePrincipalScript(&b, acts, PrincipalScript{Source: "sql01/ARConfig76", Destination: "sql02/ARConfig82", Database: "ARConfig82", Producer: "arupgrade 1.0", Written: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	script := b.String()
	if !strings.Contains(script, "-- WARNING: THIS SCRIPT HOLDS THE PASSWORD HASHES OF 1 SQL SERVER LOGIN(S)") {
		t.Errorf("the header does not mark the password hashes:\n%s", script)
	}
	if acts[2].Action != principals.Failed || !strings.Contains(acts[2].Reason, "cannot be scripted") {
		t.Errorf("a name with a line break: %+v", acts[2])
	}
	batches := scriptBatches(script)
	if len(batches) != 4 {
		t.Fatalf("%d batches, want prologue, database check, login, user:\n%s", len(batches), script)
	}
	for i, batch := range batches[2:] {
		var code []string
		for _, line := range strings.Split(batch, "\n") {
			if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "--") {
				code = append(code, l)
			}
		}
		if len(code) == 0 || !strings.HasPrefix(code[0], "IF ") {
			t.Errorf("batch %d is not guarded by an existence check:\n%s", i+3, batch)
		}
	}
	if !strings.HasPrefix(batches[1], "IF DB_NAME() <> N'ARConfig82'") {
		t.Errorf("no database check: %q", batches[1])
	}
	// A reason's line break cannot end its comment and start a statement.
	for _, line := range strings.Split(script, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "DROP DATABASE") {
			t.Errorf("comment text escaped onto its own line: %q", line)
		}
	}
	if !strings.Contains(script, "-- SqlLogin sa: Skipped (system DROP DATABASE x; --)") {
		t.Errorf("skipped actions are listed as comments:\n%s", script)
	}

	// No hashes: the header says so.
	b.Reset()
	if err := WritePrincipalScript(&b, acts[3:], PrincipalScript{Producer: "t"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "-- This script holds no password hashes.") || strings.Contains(b.String(), "DB_NAME()") {
		t.Errorf("script without hashes or database:\n%s", b.String())
	}
}
