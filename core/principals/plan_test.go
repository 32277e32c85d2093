package principals

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func sid(n byte) []byte { return []byte{1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, n} }

var hash1 = []byte{0x02, 0x00, 0xAB, 0xCD, 0xEF, 0x01}

// Names with quotes, brackets and non-ASCII letters travel everywhere.
const (
	quoted  = "O'Brien]x"
	unicode = "Zoë_Ωmega"
	roleQ   = "Rôle]'s"
)

// fixedRoles is what every SQL Server database has.
func fixedRoles() []Role {
	var out []Role
	for _, n := range []string{"public", "db_owner", "db_datareader", "db_datawriter", "db_ddladmin"} {
		out = append(out, Role{Name: n, Owner: "dbo", Fixed: true})
	}
	return out
}

// richSource is a source database with every kind of principal.
func richSource() *Snapshot {
	return &Snapshot{
		Server: "sql01", Database: "ARConfig76",
		Caller:        Caller{Login: "CORP\\admin", SID: sid(99)},
		CanReadHashes: true, CanSeeLogins: true,
		Logins: []Login{
			{Name: "sa", Type: LoginSQL, SID: []byte{1}, PasswordHash: hash1},
			{Name: "CORP\\admin", Type: LoginWindows, SID: sid(99)},
			{Name: "ARService", Type: LoginSQL, SID: sid(1), PasswordHash: hash1, DefaultDatabase: "ARConfig76", DefaultLanguage: "us_english", CheckPolicy: true, CheckExpiration: true},
			{Name: quoted, Type: LoginSQL, SID: sid(2), PasswordHash: hash1, DefaultDatabase: "OtherDB", DefaultLanguage: "Deutsch", Disabled: true},
			{Name: "CORP\\ars-svc", Type: LoginWindows, SID: sid(3), DefaultDatabase: "master"},
			{Name: "CORP\\AR Admins", Type: LoginWindowsGroup, SID: sid(4)},
			{Name: "entra@corp.example.com", Type: LoginExternal, SID: sid(5)},
			{Name: "NT AUTHORITY\\NETWORK SERVICE", Type: LoginWindows, SID: []byte{1, 1, 0, 0, 0, 0, 0, 5, 20, 0, 0, 0}},
			{Name: "##MS_PolicyEventProcessingLogin##", Type: LoginSQL, SID: sid(7)},
		},
		Users: []User{
			{Name: "dbo", Type: UserSQL, Auth: AuthInstance, SID: []byte{1}, DefaultSchema: "dbo"},
			{Name: "guest", Type: UserSQL, Auth: AuthInstance, SID: []byte{0}},
			{Name: "INFORMATION_SCHEMA", Type: UserSQL, Auth: AuthNone},
			{Name: "sys", Type: UserSQL, Auth: AuthNone},
			{Name: "ARService", Type: UserSQL, Auth: AuthInstance, SID: sid(1), DefaultSchema: "dbo"},
			{Name: unicode, Type: UserSQL, Auth: AuthInstance, SID: sid(2), DefaultSchema: "dbo"},
			{Name: "CORP\\ars-svc", Type: UserWindows, Auth: AuthWindows, SID: sid(3), DefaultSchema: "dbo"},
			{Name: "CORP\\AR Admins", Type: UserWindowsGroup, Auth: AuthWindows, SID: sid(4)},
			{Name: "entra@corp.example.com", Type: UserExternal, Auth: AuthExternal, SID: sid(5)},
			{Name: "NT AUTHORITY\\NETWORK SERVICE", Type: UserWindows, Auth: AuthWindows, SID: []byte{1, 1, 0, 0, 0, 0, 0, 5, 20, 0, 0, 0}},
			{Name: "CORP\\jdoe", Type: UserWindows, Auth: AuthWindows, SID: sid(10)}, // no login: via a group
			{Name: "nologin", Type: UserSQL, Auth: AuthNone, SID: sid(11), DefaultSchema: "dbo"},
			{Name: "contained", Type: UserSQL, Auth: AuthDatabase, SID: sid(12)},
			{Name: "orphan", Type: UserSQL, Auth: AuthInstance, SID: sid(13)},
			{Name: "polproc", Type: UserSQL, Auth: AuthInstance, SID: sid(7)},
			{Name: "certuser", Type: UserCertificate, Auth: AuthNone, SID: sid(14)},
			{Name: "approle", Type: UserAppRole, Auth: AuthNone},
			{Name: "##MS_AgentSigningCertificate##", Type: UserCertificate, Auth: AuthNone, SID: sid(15)},
		},
		Roles: append(fixedRoles(),
			Role{Name: "ar_readers", Owner: "dbo"},
			Role{Name: "ar_all", Owner: "dbo"},
			Role{Name: roleQ, Owner: "ar_owner_role"},
			Role{Name: "ar_owner_role", Owner: "dbo"},
		),
		Memberships: []Membership{
			{Role: "db_owner", Member: "dbo"},
			{Role: "db_owner", Member: "ARService"},
			{Role: "db_datareader", Member: "ar_readers"},
			{Role: "ar_readers", Member: unicode},
			{Role: "ar_all", Member: "ar_readers"}, // nested
			{Role: roleQ, Member: "CORP\\AR Admins"},
			{Role: "ar_readers", Member: "orphan"}, // not copied
		},
		Permissions: []Permission{
			{State: StateGrant, Class: ClassDatabase, Permission: "CONNECT", Grantee: "ARService", Grantor: "dbo"},
			{State: StateGrant, Class: ClassDatabase, Permission: "CONNECT", Grantee: unicode, Grantor: "dbo"},
			{State: StateGrant, Class: ClassDatabase, Permission: "CONNECT", Grantee: "CORP\\ars-svc", Grantor: "dbo"},
			{State: StateGrant, Class: ClassDatabase, Permission: "CONNECT", Grantee: "CORP\\AR Admins", Grantor: "dbo"},
			{State: StateGrant, Class: ClassDatabase, Permission: "CONNECT", Grantee: "entra@corp.example.com", Grantor: "dbo"},
			{State: StateGrant, Class: ClassDatabase, Permission: "CONNECT", Grantee: "CORP\\jdoe", Grantor: "dbo"},
			// nologin has no CONNECT: it must stay without.
			{State: StateGrant, Class: ClassDatabase, Permission: "VIEW DEFINITION", Grantee: "ar_readers", Grantor: "dbo"},
			{State: StateGrant, Class: ClassSchema, Permission: "SELECT", Grantee: "ar_readers", Grantor: "dbo", Schema: "dbo"},
			{State: StateGrantWithOption, Class: ClassObject, Permission: "EXECUTE", Grantee: roleQ, Grantor: "dbo", Schema: "dbo", Object: "spGet]'"},
			{State: StateDeny, Class: ClassObject, Permission: "SELECT", Grantee: unicode, Grantor: "dbo", Schema: "dbo", Object: "Secrets", Column: "Value"},
			{State: StateGrant, Class: ClassObject, Permission: "SELECT", Grantee: "nologin", Grantor: "ARService", Schema: "dbo", Object: "Settings"},
			{State: StateGrant, Class: ClassObject, Permission: "SELECT", Grantee: "ARService", Grantor: "dbo", Schema: "dbo", Object: "Gone"},
			{State: StateGrant, Class: ClassObject, Permission: "EXECUTE", Grantee: "ARService", Grantor: "dbo", Schema: "sys", Object: "sp_helptext"},
			{State: StateGrant, Class: "ASSEMBLY", Permission: "EXECUTE", Grantee: "ARService", Grantor: "dbo", Object: "ARClr"},
			{State: StateGrant, Class: ClassDatabase, Permission: "CONNECT", Grantee: "orphan", Grantor: "dbo"},
			{State: StateGrant, Class: ClassDatabase, Permission: "CONNECT", Grantee: "dbo", Grantor: "dbo"},
		},
		Schemas: []string{"dbo", "sys"},
		Objects: []Object{{Schema: "dbo", Name: "Settings", Columns: []string{"Name", "Value"}}, {Schema: "dbo", Name: "Secrets", Columns: []string{"Id", "Value"}}, {Schema: "dbo", Name: "spGet]'"}, {Schema: "dbo", Name: "Gone"}},
	}
}

// blankDestination is a new 8.2 database on another server, read by the
// same administrator: its schema is there, no principals of the source.
func blankDestination() *Snapshot {
	return &Snapshot{
		Server: "sql02", Database: "ARConfig82",
		Caller:        Caller{Login: "CORP\\admin", SID: sid(99)},
		CanReadHashes: true, CanSeeLogins: true, ExternalPrincipals: true,
		Logins: []Login{
			{Name: "sa", Type: LoginSQL, SID: []byte{1}},
			{Name: "CORP\\admin", Type: LoginWindows, SID: sid(99)},
			{Name: "NT AUTHORITY\\NETWORK SERVICE", Type: LoginWindows, SID: []byte{1, 1, 0, 0, 0, 0, 0, 5, 20, 0, 0, 0}},
		},
		Users: []User{
			{Name: "dbo", Type: UserSQL, Auth: AuthInstance, SID: sid(99), DefaultSchema: "dbo"},
			{Name: "guest", Type: UserSQL, Auth: AuthInstance, SID: []byte{0}},
		},
		Roles:     fixedRoles(),
		Schemas:   []string{"dbo", "sys"},
		Objects:   []Object{{Schema: "dbo", Name: "settings", Columns: []string{"Name", "Value"}}, {Schema: "dbo", Name: "Secrets", Columns: []string{"Id", "Value"}}, {Schema: "dbo", Name: "spGet]'"}},
		Databases: []string{"master", "ARConfig82", "OtherDB"},
	}
}

type row struct{ Type, Name, Action string }

func rows(acts []Action) []row {
	out := make([]row, len(acts))
	for i, a := range acts {
		out[i] = row{a.Type, a.Name, a.Action}
	}
	return out
}

func find(t *testing.T, acts []Action, typ, name string) Action {
	t.Helper()
	for _, a := range acts {
		if a.Type == typ && a.Name == name {
			return a
		}
	}
	t.Fatalf("no %s %q in the plan:\n%v", typ, name, rows(acts))
	return Action{}
}

func ops(a Action) []Op {
	var out []Op
	for _, s := range a.Statements {
		out = append(out, s.Op)
	}
	return out
}

func TestPlanRichSourceIntoBlankDestination(t *testing.T) {
	acts := Plan(richSource(), blankDestination(), Options{})
	want := []row{
		{TypeSQLLogin, "##MS_PolicyEventProcessingLogin##", Skipped},
		{TypeSQLLogin, "ARService", Created},
		{TypeWindowsGroup, "CORP\\AR Admins", Created},
		{TypeWindowsLogin, "CORP\\ars-svc", Created},
		{TypeExternalLogin, "entra@corp.example.com", Created},
		{TypeWindowsLogin, "NT AUTHORITY\\NETWORK SERVICE", Skipped},
		{TypeSQLLogin, quoted, Created},
		{TypeRole, "approle", Skipped},
		{TypeUser, "ARService", Created},
		{TypeUser, "certuser", Skipped},
		{TypeUser, "contained", Skipped},
		{TypeUser, "CORP\\AR Admins", Created},
		{TypeUser, "CORP\\ars-svc", Created},
		{TypeUser, "CORP\\jdoe", Created},
		{TypeUser, "entra@corp.example.com", Created},
		{TypeUser, "nologin", Created},
		{TypeUser, "NT AUTHORITY\\NETWORK SERVICE", Created},
		{TypeUser, "orphan", Skipped},
		{TypeUser, "polproc", Skipped},
		{TypeUser, unicode, Created},
		{TypeRole, "ar_all", Created},
		{TypeRole, "ar_owner_role", Created},
		{TypeRole, "ar_readers", Created},
		{TypeRole, roleQ, Created}, // after its owner
		{TypeMembership, "ar_readers in db_datareader", Created},
		{TypeMembership, "ARService in db_owner", Created},
		{TypeMembership, "ar_readers in ar_all", Created},
		{TypeMembership, "orphan in ar_readers", Skipped},
		{TypeMembership, unicode + " in ar_readers", Created},
		{TypeMembership, "CORP\\AR Admins in " + roleQ, Created},
	}
	got := rows(acts)
	if len(got) < len(want) {
		t.Fatalf("plan:\n%v", got)
	}
	// Logins, users, roles and memberships in their order.
	if diff := cmp.Diff(want, got[:len(want)]); diff != "" {
		t.Fatalf("plan (-want +got):\n%s", diff)
	}
	// Then the permissions, the implicit CONNECT of a created user as present.
	perms := map[string]string{}
	var permOrder []string
	for _, a := range acts[len(want):] {
		if a.Type != TypePermission {
			t.Fatalf("%v after the permissions", a)
		}
		perms[a.Name] = a.Action + ": " + a.Reason
		permOrder = append(permOrder, a.Name)
	}
	wantPerms := map[string]string{
		"GRANT CONNECT TO ARService":                                      "AlreadyPresent: ",
		"GRANT CONNECT TO CORP\\AR Admins":                                "AlreadyPresent: ",
		"GRANT CONNECT TO CORP\\ars-svc":                                  "AlreadyPresent: ",
		"GRANT CONNECT TO CORP\\jdoe":                                     "AlreadyPresent: ",
		"GRANT CONNECT TO entra@corp.example.com":                         "AlreadyPresent: ",
		"GRANT CONNECT TO orphan":                                         "Skipped: the grantee orphan was not copied",
		"GRANT CONNECT TO " + unicode:                                     "AlreadyPresent: ",
		"GRANT VIEW DEFINITION TO ar_readers":                             "Created: ",
		"GRANT SELECT ON SCHEMA dbo TO ar_readers":                        "Created: ",
		"GRANT EXECUTE ON ASSEMBLY ARClr TO ARService":                    "Skipped: permissions on ASSEMBLY securables are not copied: grant it again on the destination",
		"GRANT SELECT ON dbo.Gone TO ARService":                           "Skipped: the object dbo.Gone does not exist in the destination",
		"DENY SELECT ON dbo.Secrets (Value) TO " + unicode:                "Created: ",
		"GRANT EXECUTE ON dbo.spGet]' TO " + roleQ + " WITH GRANT OPTION": "Created: ",
		"GRANT SELECT ON dbo.Settings TO nologin":                         "Created: granted as ARService",
		"GRANT EXECUTE ON sys.sp_helptext TO ARService":                   "Created: ",
	}
	if diff := cmp.Diff(wantPerms, perms); diff != "" {
		t.Errorf("permissions (-want +got):\n%s", diff)
	}
	// A grantor's own grants come before the grants it makes.
	if permOrder[len(permOrder)-1] != "GRANT SELECT ON dbo.Settings TO nologin" {
		t.Errorf("the grant made by ARService is not last: %v", permOrder)
	}

	// What each created principal is made of.
	ars := find(t, acts, TypeSQLLogin, "ARService")
	if diff := cmp.Diff([]Op{OpCreateLogin}, ops(ars)); diff != "" {
		t.Errorf("ARService login ops: %s", diff)
	}
	l := ars.Statements[0].Login
	if !bytes.Equal(l.SID, sid(1)) || !bytes.Equal(l.PasswordHash, hash1) || l.DefaultDatabase != "ARConfig82" || !l.CheckPolicy || !l.CheckExpiration {
		t.Errorf("ARService login %+v: want the source's SID and hash, the destination database as default, the policy flags", l)
	}
	q := find(t, acts, TypeSQLLogin, quoted)
	if diff := cmp.Diff([]Op{OpCreateLogin}, ops(q)); diff != "" || !q.Statements[0].Login.Disabled {
		t.Errorf("disabled login: %s %+v", diff, q.Statements[0].Login)
	}
	if q.Statements[0].Login.DefaultDatabase != "OtherDB" || q.Statements[0].Login.DefaultLanguage != "Deutsch" {
		t.Errorf("default database/language %+v", q.Statements[0].Login)
	}
	if s := find(t, acts, TypeUser, unicode).Statements[0]; s.Op != OpCreateUser || s.LoginName != quoted {
		t.Errorf("user %s: %+v, want CREATE USER for the login %s", unicode, s, quoted)
	}
	if s := find(t, acts, TypeUser, "CORP\\jdoe").Statements[0]; s.LoginName != "" || s.User.Auth != AuthWindows {
		t.Errorf("Windows user without login: %+v", s)
	}
	// The built-in account's login exists on the destination: the user maps to it.
	if s := find(t, acts, TypeUser, "NT AUTHORITY\\NETWORK SERVICE").Statements[0]; s.LoginName != "NT AUTHORITY\\NETWORK SERVICE" {
		t.Errorf("NETWORK SERVICE user: %+v", s)
	}
	if s := find(t, acts, TypeUser, "nologin").Statements[0]; s.Op != OpCreateUser || !s.NoConnect {
		t.Errorf("a user without CONNECT in the source: %+v, want CREATE USER without CONNECT", s)
	}
	if s := find(t, acts, TypeUser, "ARService").Statements[0]; s.NoConnect {
		t.Errorf("a user with CONNECT in the source: %+v", s)
	}
	if s := find(t, acts, TypeRole, roleQ).Statements[0]; s.Role.Owner != "ar_owner_role" {
		t.Errorf("owned role %+v", s.Role)
	}
	if s := find(t, acts, TypePermission, "GRANT SELECT ON dbo.Settings TO nologin").Statements[0]; s.Permission.Grantor != "ARService" {
		t.Errorf("grantor %+v", s.Permission)
	}
	for _, a := range acts {
		switch a.Action {
		case Created, Updated:
			if len(a.Statements) == 0 {
				t.Errorf("%s %s is %s without statements", a.Type, a.Name, a.Action)
			}
		default:
			if len(a.Statements) != 0 {
				t.Errorf("%s %s is %s with statements", a.Type, a.Name, a.Action)
			}
		}
		if a.Action == Skipped && a.Reason == "" {
			t.Errorf("%s %s skipped without a reason", a.Type, a.Name)
		}
	}
	if r := find(t, acts, TypeUser, "polproc").Reason; !strings.Contains(r, "##MS_PolicyEventProcessingLogin## was not copied (a certificate-based system login") {
		t.Errorf("user of a ##…## login: %q", r)
	}
	if r := find(t, acts, TypeUser, "orphan").Reason; !strings.Contains(r, "orphaned in the source") {
		t.Errorf("orphan reason %q", r)
	}
	if r := find(t, acts, TypeUser, "contained").Reason; !strings.Contains(r, "SID = "+Hex(sid(12))) {
		t.Errorf("contained user reason %q", r)
	}
}

func TestPlanSecondRunChangesNothing(t *testing.T) {
	for _, tc := range []struct {
		name string
		dst  func() *Snapshot
	}{
		{"SQL Server", blankDestination},
		{"Azure SQL", azureDestination},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, dst := richSource(), tc.dst()
			first := Plan(src, dst, Options{})
			apply(t, dst, first)
			second := Plan(src, dst, Options{})
			if len(second) != len(first) {
				t.Fatalf("second plan has %d actions, the first %d", len(second), len(first))
			}
			created := 0
			for i, a := range second {
				f := first[i]
				switch {
				case f.Action == Created || f.Action == Updated:
					created++
					if a.Action != AlreadyPresent {
						t.Errorf("second run: %s %s is %s (%s), want AlreadyPresent", a.Type, a.Name, a.Action, a.Reason)
					}
				case a.Action != f.Action:
					t.Errorf("second run: %s %s is %s, the first run said %s", a.Type, a.Name, a.Action, f.Action)
				}
				if len(a.Statements) != 0 {
					t.Errorf("second run would change %s %s: %v", a.Type, a.Name, ops(a))
				}
			}
			if created < 10 {
				t.Errorf("only %d actions created anything in the first run", created)
			}
		})
	}
}

func azureDestination() *Snapshot {
	d := blankDestination()
	d.IsAzureSQL, d.NoWindowsLogins, d.ExternalPrincipals = true, true, true
	d.Logins, d.Databases, d.CanReadHashes = nil, nil, false
	d.Caller = Caller{Login: "aradmin", SID: sid(98)}
	d.Users[0].SID = sid(98)
	return d
}

func TestPlanAzureDestination(t *testing.T) {
	acts := Plan(richSource(), azureDestination(), Options{})
	for _, a := range acts {
		switch a.Type {
		case TypeSQLLogin, TypeWindowsLogin, TypeWindowsGroup, TypeExternalLogin:
			if a.Action != Skipped {
				t.Errorf("login %s on Azure SQL: %s, want Skipped", a.Name, a.Action)
			}
			if systemLogin(&Login{Name: a.Name}) == "" && !strings.Contains(a.Reason, "Azure Data Studio") {
				t.Errorf("login %s: reason %q lacks the guide's advice", a.Name, a.Reason)
			}
		}
	}
	want := map[string]string{
		"ARService":                     Skipped, // its login cannot be synchronised
		"CORP\\ars-svc":                 Skipped, // Windows
		"CORP\\jdoe":                    Skipped,
		"entra@corp.example.com":        Created, // FROM EXTERNAL PROVIDER
		"nologin":                       Created, // WITHOUT LOGIN
		"NT AUTHORITY\\NETWORK SERVICE": Skipped,
	}
	for name, action := range want {
		a := find(t, acts, TypeUser, name)
		if a.Action != action {
			t.Errorf("user %s: %s (%s), want %s", name, a.Action, a.Reason, action)
		}
	}
	if r := find(t, acts, TypeUser, "ARService").Reason; !strings.Contains(r, "Azure Data Studio") {
		t.Errorf("ARService reason %q", r)
	}
	if s := find(t, acts, TypeUser, "entra@corp.example.com").Statements[0]; s.LoginName != "" || s.User.Auth != AuthExternal {
		t.Errorf("Entra user on Azure: %+v", s)
	}
	if a := find(t, acts, TypeRole, "ar_readers"); a.Action != Created {
		t.Errorf("roles are copied to Azure SQL: %+v", a)
	}
	if a := find(t, acts, TypePermission, "GRANT SELECT ON SCHEMA dbo TO ar_readers"); a.Action != Created {
		t.Errorf("permissions are copied to Azure SQL: %+v", a)
	}
}

func TestPlanWithoutPasswordHashes(t *testing.T) {
	src := richSource()
	src.CanReadHashes = false
	for i := range src.Logins {
		src.Logins[i].PasswordHash = nil
	}
	acts := Plan(src, blankDestination(), Options{})
	a := find(t, acts, TypeSQLLogin, "ARService")
	if a.Action != Skipped || !strings.Contains(a.Reason, "CONTROL SERVER") || !strings.Contains(a.Reason, Hex(sid(1))) {
		t.Errorf("SQL login without a readable hash: %s %q", a.Action, a.Reason)
	}
	if a := find(t, acts, TypeWindowsLogin, "CORP\\ars-svc"); a.Action != Created {
		t.Errorf("Windows logins are copied without hashes: %s", a.Action)
	}
	if a := find(t, acts, TypeUser, "ARService"); a.Action != Skipped || !strings.Contains(a.Reason, "its login ARService was not copied") {
		t.Errorf("user of an uncopied login: %s %q", a.Action, a.Reason)
	}
	if a := find(t, acts, TypeMembership, "ARService in db_owner"); a.Action != Skipped {
		t.Errorf("membership of an uncopied user: %s", a.Action)
	}
}

func TestPlanLoginsNotVisible(t *testing.T) {
	src := richSource()
	src.CanSeeLogins = false
	src.Logins = src.Logins[:2]
	a := find(t, Plan(src, blankDestination(), Options{}), TypeUser, "ARService")
	if a.Action != Skipped || !strings.Contains(a.Reason, "VIEW ANY DEFINITION") {
		t.Errorf("user whose login the reader cannot see: %s %q", a.Action, a.Reason)
	}
}

func TestPlanCallerLoginIsNeverTouched(t *testing.T) {
	src := richSource()
	// The administrator running the copy has a user in the source database.
	src.Users = append(src.Users, User{Name: "CORP\\admin", Type: UserWindows, Auth: AuthWindows, SID: sid(99)})
	dst := blankDestination()
	// On the destination the same name has another SID: a conflict even with -Force.
	dst.Logins[1].SID = sid(97)
	dst.Caller.SID = sid(97)
	dst.Users[0].SID = sid(97)
	for _, force := range []bool{false, true} {
		acts := Plan(src, dst, Options{Force: force})
		a := find(t, acts, TypeWindowsLogin, "CORP\\admin")
		if a.Action != Skipped || !strings.Contains(a.Reason, "running the copy") || len(a.Statements) != 0 {
			t.Errorf("force=%v: caller's login %s %q %v", force, a.Action, a.Reason, ops(a))
		}
		u := find(t, acts, TypeUser, "CORP\\admin")
		if u.Action != Skipped || !strings.Contains(u.Reason, "dbo") {
			t.Errorf("force=%v: caller's user %s %q: want Skipped, it is dbo on the destination", force, u.Action, u.Reason)
		}
	}

	// A destination login of another SID that runs the copy is never dropped.
	src = richSource()
	dst = blankDestination()
	dst.Logins = append(dst.Logins, Login{Name: "ARService", Type: LoginSQL, SID: sid(50)})
	dst.Caller = Caller{Login: "ARService", SID: sid(50)}
	a := find(t, Plan(src, dst, Options{Force: true}), TypeSQLLogin, "ARService")
	if a.Action != Skipped || len(a.Statements) != 0 {
		t.Errorf("the caller's login under -Force: %s %v", a.Action, ops(a))
	}
}

func TestPlanConflicts(t *testing.T) {
	type check struct{ typ, name, action, reason string }
	tests := []struct {
		name   string
		dst    func(d *Snapshot)
		force  bool
		checks []check
		ops    map[string][]Op // name → ops
	}{
		{
			name: "login with another SID",
			dst: func(d *Snapshot) {
				d.Logins = append(d.Logins, Login{Name: "arservice", Type: LoginSQL, SID: sid(60)})
			},
			checks: []check{
				{TypeSQLLogin, "ARService", Conflict, "another SID"},
				{TypeUser, "ARService", Created, "for the login arservice"},
			},
		},
		{
			name: "login with another SID, forced",
			dst: func(d *Snapshot) {
				d.Logins = append(d.Logins, Login{Name: "ARService", Type: LoginSQL, SID: sid(60)})
				d.Users = append(d.Users, User{Name: "ARService", Type: UserSQL, Auth: AuthInstance, SID: sid(60), DefaultSchema: "dbo"})
			},
			force: true,
			checks: []check{
				{TypeSQLLogin, "ARService", Updated, "dropped and created again"},
				// Its user followed the old SID: re-mapped to the new login.
				{TypeUser, "ARService", Updated, "orphaned"},
			},
			ops: map[string][]Op{"login ARService": {OpDropLogin, OpCreateLogin}, "user ARService": {OpRemapUser}},
		},
		{
			name: "same SID, other properties",
			dst: func(d *Snapshot) {
				d.Logins = append(d.Logins, Login{Name: quoted, Type: LoginSQL, SID: sid(2), PasswordHash: []byte{9}, DefaultDatabase: "master", DefaultLanguage: "Deutsch"})
			},
			checks: []check{{TypeSQLLogin, quoted, AlreadyPresent, "password, default database, enabled state; left as it is"}},
		},
		{
			name: "same SID, other properties, forced",
			dst: func(d *Snapshot) {
				d.Logins = append(d.Logins, Login{Name: quoted, Type: LoginSQL, SID: sid(2), PasswordHash: []byte{9}, DefaultDatabase: "master", DefaultLanguage: "Deutsch"})
			},
			force:  true,
			checks: []check{{TypeSQLLogin, quoted, Updated, "password, default database, enabled state (-Force)"}},
			ops:    map[string][]Op{"login " + quoted: {OpAlterLogin, OpDisableLogin}},
		},
		{
			name: "SID taken by another login",
			dst: func(d *Snapshot) {
				d.Logins = append(d.Logins, Login{Name: "svc_old", Type: LoginSQL, SID: sid(1)})
			},
			checks: []check{
				{TypeSQLLogin, "ARService", Conflict, "as the login svc_old"},
				{TypeUser, "ARService", Skipped, "its login ARService was not copied"},
			},
		},
		{
			name: "orphaned destination user",
			dst: func(d *Snapshot) {
				d.Users = append(d.Users, User{Name: unicode, Type: UserSQL, Auth: AuthInstance, SID: sid(77), DefaultSchema: "ar"})
			},
			checks: []check{{TypeUser, unicode, Updated, "re-mapped to the login " + quoted + " (it was orphaned); default schema set to dbo"}},
			ops:    map[string][]Op{"user " + unicode: {OpRemapUser, OpSetDefaultSchema}},
		},
		{
			name: "user mapped to another login",
			dst: func(d *Snapshot) {
				d.Logins = append(d.Logins, Login{Name: "other", Type: LoginSQL, SID: sid(78)})
				d.Users = append(d.Users, User{Name: "ARService", Type: UserSQL, Auth: AuthInstance, SID: sid(78), DefaultSchema: "dbo"})
			},
			checks: []check{
				{TypeUser, "ARService", Conflict, "mapped to the login other"},
				{TypeMembership, "ARService in db_owner", Skipped, "not copied"},
				{TypePermission, "GRANT CONNECT TO ARService", Skipped, "not copied"},
			},
		},
		{
			name: "user mapped to another login, forced",
			dst: func(d *Snapshot) {
				d.Logins = append(d.Logins, Login{Name: "other", Type: LoginSQL, SID: sid(78)})
				d.Users = append(d.Users, User{Name: "ARService", Type: UserSQL, Auth: AuthInstance, SID: sid(78), DefaultSchema: "dbo"})
			},
			force:  true,
			checks: []check{{TypeUser, "ARService", Updated, "re-mapped from the login other to ARService (-Force)"}},
		},
		{
			name: "login already has a user of another name",
			dst: func(d *Snapshot) {
				d.Logins = append(d.Logins, Login{Name: "ARService", Type: LoginSQL, SID: sid(1), PasswordHash: hash1, DefaultDatabase: "ARConfig82", DefaultLanguage: "us_english", CheckPolicy: true, CheckExpiration: true})
				d.Users = append(d.Users, User{Name: "svc", Type: UserSQL, Auth: AuthInstance, SID: sid(1)})
			},
			checks: []check{
				{TypeSQLLogin, "ARService", AlreadyPresent, "same SID"},
				{TypeUser, "ARService", Conflict, "already has the user svc"},
			},
		},
		{
			name: "names taken by the other kind",
			dst: func(d *Snapshot) {
				d.Roles = append(d.Roles, Role{Name: "nologin", Owner: "dbo"})
				d.Users = append(d.Users, User{Name: "ar_readers", Type: UserSQL, Auth: AuthNone})
			},
			checks: []check{
				{TypeUser, "nologin", Conflict, "a role of this name"},
				{TypeRole, "ar_readers", Conflict, "a user of this name"},
				{TypeMembership, "ar_readers in ar_all", Skipped, "the member ar_readers was not copied"},
			},
		},
		{
			name: "permission states differ",
			dst: func(d *Snapshot) {
				d.Users = append(d.Users, User{Name: "nologin", Type: UserSQL, Auth: AuthNone, SID: sid(11), DefaultSchema: "dbo"})
				d.Roles = append(d.Roles, Role{Name: roleQ, Owner: "dbo"}, Role{Name: "ar_readers", Owner: "dbo"})
				d.Permissions = append(d.Permissions,
					Permission{State: StateGrantWithOption, Class: ClassObject, Permission: "SELECT", Grantee: "nologin", Schema: "dbo", Object: "Settings"},
					Permission{State: StateDeny, Class: ClassObject, Permission: "EXECUTE", Grantee: roleQ, Schema: "dbo", Object: "spGet]'"},
					Permission{State: StateGrant, Class: ClassSchema, Permission: "SELECT", Grantee: "ar_readers", Schema: "DBO"},
				)
			},
			checks: []check{
				{TypePermission, "GRANT SELECT ON dbo.Settings TO nologin", Updated, "reduced to GRANT"},
				{TypePermission, "GRANT EXECUTE ON dbo.spGet]' TO " + roleQ + " WITH GRANT OPTION", Updated, "was DENY"},
				{TypePermission, "GRANT SELECT ON SCHEMA dbo TO ar_readers", AlreadyPresent, ""},
			},
			ops: map[string][]Op{"permission GRANT SELECT ON dbo.Settings TO nologin": {OpRevokeGrantOption}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dst := blankDestination()
			tc.dst(dst)
			acts := Plan(richSource(), dst, Options{Force: tc.force})
			for _, c := range tc.checks {
				a := find(t, acts, c.typ, c.name)
				if a.Action != c.action || !strings.Contains(a.Reason, c.reason) {
					t.Errorf("%s %s: %s %q, want %s containing %q", c.typ, c.name, a.Action, a.Reason, c.action, c.reason)
				}
			}
			for key, want := range tc.ops {
				kind, name, _ := strings.Cut(key, " ")
				typ := map[string]string{"login": TypeSQLLogin, "user": TypeUser, "permission": TypePermission}[kind]
				if got := ops(find(t, acts, typ, name)); !cmp.Equal(got, want) {
					t.Errorf("%s: ops %v, want %v", key, got, want)
				}
			}
		})
	}
}

func TestPlanForcedLoginRecreateNeedsHash(t *testing.T) {
	src := richSource()
	src.Logins[2].PasswordHash = nil
	dst := blankDestination()
	dst.Logins = append(dst.Logins, Login{Name: "ARService", Type: LoginSQL, SID: sid(60)})
	a := find(t, Plan(src, dst, Options{Force: true}), TypeSQLLogin, "ARService")
	if a.Action != Conflict || len(a.Statements) != 0 || !strings.Contains(a.Reason, "cannot be recreated") {
		t.Errorf("a login that could not be created again is never dropped: %s %q %v", a.Action, a.Reason, ops(a))
	}
}

// A source whose catalog reports no CONNECT at all (no permissions): the
// created users keep the CONNECT that CREATE USER gives.
func TestPlanSourceWithoutPermissions(t *testing.T) {
	src := richSource()
	src.Permissions = nil
	for _, a := range Plan(src, blankDestination(), Options{}) {
		for _, s := range a.Statements {
			if s.NoConnect {
				t.Errorf("%s %s: CONNECT revoked although the source reports no permissions", a.Type, a.Name)
			}
		}
	}
}

func TestPlanWindowsUserNamedOtherThanItsAccount(t *testing.T) {
	src := richSource()
	src.Users = append(src.Users, User{Name: "jsmith", Type: UserWindows, Auth: AuthWindows, SID: sid(40)})
	a := find(t, Plan(src, blankDestination(), Options{}), TypeUser, "jsmith")
	if a.Action != Skipped || !strings.Contains(a.Reason, "not its account name") {
		t.Errorf("Windows user without login named jsmith: %s %q", a.Action, a.Reason)
	}
}

func TestPlanDefaultDatabase(t *testing.T) {
	src := richSource()
	src.Logins[3].DefaultDatabase = "Missing"
	acts := Plan(src, blankDestination(), Options{})
	a := find(t, acts, TypeSQLLogin, quoted)
	if a.Statements[0].Login.DefaultDatabase != "master" || !strings.Contains(a.Reason, "Missing does not exist") {
		t.Errorf("missing default database: %q %q", a.Statements[0].Login.DefaultDatabase, a.Reason)
	}
}

func TestPlanExternalNotSupported(t *testing.T) {
	dst := blankDestination()
	dst.ExternalPrincipals = false
	acts := Plan(richSource(), dst, Options{})
	if a := find(t, acts, TypeExternalLogin, "entra@corp.example.com"); a.Action != Skipped || !strings.Contains(a.Reason, "Microsoft Entra") {
		t.Errorf("Entra login on a server without Entra: %s %q", a.Action, a.Reason)
	}
	if a := find(t, acts, TypeUser, "entra@corp.example.com"); a.Action != Skipped {
		t.Errorf("Entra user on a server without Entra: %s", a.Action)
	}
}

func TestDescribe(t *testing.T) {
	for _, tc := range []struct {
		p    Permission
		want string
	}{
		{Permission{State: StateGrant, Class: ClassDatabase, Permission: "CONNECT", Grantee: "u"}, "GRANT CONNECT TO u"},
		{Permission{State: StateDeny, Class: ClassSchema, Permission: "ALTER", Grantee: "u", Schema: "s"}, "DENY ALTER ON SCHEMA s TO u"},
		{Permission{State: StateGrantWithOption, Class: ClassObject, Permission: "SELECT", Grantee: "u", Schema: "s", Object: "o", Column: "c"}, "GRANT SELECT ON s.o (c) TO u WITH GRANT OPTION"},
	} {
		if got := Describe(tc.p); got != tc.want {
			t.Errorf("Describe = %q, want %q", got, tc.want)
		}
	}
}

// apply runs a plan against a snapshot as SQL Server would, so a second
// Plan can be checked against the result.
func apply(t *testing.T, d *Snapshot, acts []Action) {
	t.Helper()
	loginSID := func(name string) []byte {
		for _, l := range d.Logins {
			if fold(l.Name) == fold(name) {
				return l.SID
			}
		}
		t.Fatalf("no login %s", name)
		return nil
	}
	user := func(name string) *User {
		for i := range d.Users {
			if fold(d.Users[i].Name) == fold(name) {
				return &d.Users[i]
			}
		}
		t.Fatalf("no user %s", name)
		return nil
	}
	login := func(name string) *Login {
		for i := range d.Logins {
			if fold(d.Logins[i].Name) == fold(name) {
				return &d.Logins[i]
			}
		}
		t.Fatalf("no login %s", name)
		return nil
	}
	setPerm := func(p Permission) {
		for i := range d.Permissions {
			if permKey(d.Permissions[i]) == permKey(p) {
				d.Permissions[i].State = p.State
				return
			}
		}
		d.Permissions = append(d.Permissions, p)
	}
	for _, a := range acts {
		for _, s := range a.Statements {
			switch s.Op {
			case OpCreateLogin:
				d.Logins = append(d.Logins, *s.Login)
				if s.Login.Type != LoginSQL {
					d.Logins[len(d.Logins)-1].PasswordHash = nil
				}
			case OpAlterLogin:
				l := login(s.Login.Name)
				h := l.PasswordHash
				*l = *s.Login
				if s.Login.PasswordHash == nil {
					l.PasswordHash = h
				}
			case OpDisableLogin, OpEnableLogin:
				login(s.Login.Name).Disabled = s.Op == OpDisableLogin
			case OpDropLogin:
				for i, l := range d.Logins {
					if fold(l.Name) == fold(s.Login.Name) {
						d.Logins = append(d.Logins[:i], d.Logins[i+1:]...)
						break
					}
				}
			case OpCreateUser:
				u := *s.User
				switch {
				case s.LoginName != "":
					u.SID, u.Auth = loginSID(s.LoginName), map[string]string{UserSQL: AuthInstance, UserWindows: AuthWindows, UserWindowsGroup: AuthWindows}[u.Type]
					if u.Auth == "" {
						u.Auth = AuthExternal
					}
				case u.Auth == AuthNone:
					u.SID = []byte(fmt.Sprintf("new-%s", u.Name))
				}
				d.Users = append(d.Users, u)
				if !s.NoConnect {
					setPerm(Permission{State: StateGrant, Class: ClassDatabase, Permission: "CONNECT", Grantee: u.Name, Grantor: "dbo"})
				}
			case OpRemapUser:
				user(s.User.Name).SID = loginSID(s.LoginName)
			case OpSetDefaultSchema:
				user(s.User.Name).DefaultSchema = s.User.DefaultSchema
			case OpCreateRole:
				d.Roles = append(d.Roles, *s.Role)
			case OpAddMember:
				d.Memberships = append(d.Memberships, *s.Membership)
			case OpGrant:
				setPerm(*s.Permission)
			case OpRevokeGrantOption:
				p := *s.Permission
				p.State = StateGrant
				setPerm(p)
			default:
				t.Fatalf("apply: unknown op %s", s.Op)
			}
		}
	}
}
