package sqlserver

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/activeroles/arupgrade/core/principals"
)

// opBuilders names the builder that renders each change, for the dialect
// check's statement names.
var opBuilders = map[principals.Op]string{
	principals.OpCreateLogin:       "sqlCreateLogin",
	principals.OpAlterLogin:        "sqlAlterLogin",
	principals.OpDisableLogin:      "sqlSetLoginState",
	principals.OpEnableLogin:       "sqlSetLoginState",
	principals.OpDropLogin:         "sqlDropLogin",
	principals.OpCreateUser:        "sqlCreateUser",
	principals.OpRemapUser:         "sqlRemapUser",
	principals.OpSetDefaultSchema:  "sqlSetDefaultSchema",
	principals.OpCreateRole:        "sqlCreateRole",
	principals.OpAddMember:         "sqlAddMember",
	principals.OpGrant:             "sqlGrant",
	principals.OpRevokeGrantOption: "sqlRevokeGrantOption",
}

var (
	dialectSID  = []byte{0x01, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x15, 0x00, 0x00, 0x00, 0xA1, 0xB2}
	dialectHash = append([]byte{0x02, 0x00}, bytes.Repeat([]byte{0x5A, 0xC3}, 34)...)
)

// principalChanges is every kind of change, with name used for every
// principal, schema, object and column: one of each form of each statement.
func principalChanges(name string) []principals.Statement {
	sqlLogin := principals.Login{Name: name, Type: principals.LoginSQL, SID: dialectSID, PasswordHash: dialectHash,
		DefaultDatabase: name, DefaultLanguage: "us_english", CheckPolicy: true, CheckExpiration: true}
	disabled := sqlLogin
	disabled.Disabled, disabled.CheckPolicy, disabled.CheckExpiration = true, false, false
	win := principals.Login{Name: `CORP\` + name, Type: principals.LoginWindows, SID: dialectSID, DefaultDatabase: name, DefaultLanguage: "Deutsch"}
	group := principals.Login{Name: `CORP\` + name, Type: principals.LoginWindowsGroup, SID: dialectSID}
	ext := principals.Login{Name: name + "@corp.example.com", Type: principals.LoginExternal, SID: dialectSID}
	noHash := sqlLogin
	noHash.PasswordHash = nil
	user := principals.User{Name: name, Type: principals.UserSQL, Auth: principals.AuthInstance, SID: dialectSID, DefaultSchema: name}
	bare := principals.User{Name: name, Type: principals.UserSQL, Auth: principals.AuthNone}
	winUser := principals.User{Name: `CORP\` + name, Type: principals.UserWindows, Auth: principals.AuthWindows, SID: dialectSID, DefaultSchema: "dbo"}
	extUser := principals.User{Name: name + "@corp.example.com", Type: principals.UserExternal, Auth: principals.AuthExternal, SID: dialectSID}
	perm := func(state, class, p, schema, object, column, grantor string) *principals.Permission {
		return &principals.Permission{State: state, Class: class, Permission: p, Grantee: name, Grantor: grantor, Schema: schema, Object: object, Column: column}
	}
	return []principals.Statement{
		{Op: principals.OpCreateLogin, Login: &sqlLogin},
		{Op: principals.OpCreateLogin, Login: &disabled},
		{Op: principals.OpCreateLogin, Login: &win},
		{Op: principals.OpCreateLogin, Login: &group},
		{Op: principals.OpCreateLogin, Login: &ext},
		{Op: principals.OpAlterLogin, Login: &sqlLogin},
		{Op: principals.OpAlterLogin, Login: &noHash},
		{Op: principals.OpAlterLogin, Login: &win},
		{Op: principals.OpDisableLogin, Login: &sqlLogin},
		{Op: principals.OpEnableLogin, Login: &sqlLogin},
		{Op: principals.OpDropLogin, Login: &sqlLogin},
		{Op: principals.OpCreateUser, User: &user, LoginName: name},
		{Op: principals.OpCreateUser, User: &user, LoginName: name, NoConnect: true},
		{Op: principals.OpCreateUser, User: &bare},
		{Op: principals.OpCreateUser, User: &winUser},
		{Op: principals.OpCreateUser, User: &extUser},
		{Op: principals.OpRemapUser, User: &user, LoginName: name},
		{Op: principals.OpSetDefaultSchema, User: &user},
		{Op: principals.OpCreateRole, Role: &principals.Role{Name: name}},
		{Op: principals.OpCreateRole, Role: &principals.Role{Name: name, Owner: name}},
		{Op: principals.OpAddMember, Membership: &principals.Membership{Role: name, Member: name}},
		{Op: principals.OpGrant, Permission: perm(principals.StateGrant, principals.ClassDatabase, "CONNECT", "", "", "", "")},
		{Op: principals.OpGrant, Permission: perm(principals.StateGrant, principals.ClassDatabase, "VIEW DEFINITION", "", "", "", name)},
		{Op: principals.OpGrant, Permission: perm(principals.StateGrant, principals.ClassSchema, "SELECT", name, "", "", "")},
		{Op: principals.OpGrant, Permission: perm(principals.StateGrantWithOption, principals.ClassObject, "EXECUTE", name, name, "", name)},
		{Op: principals.OpGrant, Permission: perm(principals.StateDeny, principals.ClassObject, "SELECT", name, name, name, "")},
		{Op: principals.OpGrant, Permission: perm(principals.StateDeny, principals.ClassObject, "UPDATE", name, name, "", name), Cascade: true},
		{Op: principals.OpRevokeGrantOption, Permission: perm(principals.StateGrant, principals.ClassObject, "SELECT", name, name, "", "")},
		{Op: principals.OpRevokeGrantOption, Permission: perm(principals.StateGrant, principals.ClassSchema, "ALTER", name, "", "", name)},
	}
}

// principalDialectStatements is every principals statement for
// dialectStatements: the catalog reads, each change as the engine sends it
// (parameters) and as a script holds it (literals) for every sample name,
// and every batch of a script.
func principalDialectStatements(t testing.TB) []namedStatement {
	var out []namedStatement
	add := func(name, text string) { out = append(out, namedStatement{Name: name, Text: text}) }
	one := func(name, text string) { out = append(out, namedStatement{Name: name, Text: text, Statements: 1}) }
	add("sqlPrincipalServer", sqlPrincipalServer)
	add("sqlLoginRights", sqlLoginRights)
	add("sqlServerLogins", sqlServerLogins)
	add("sqlSQLLogins", sqlSQLLogins)
	add("sqlDatabasePrincipals", sqlDatabasePrincipals)
	add("sqlRoleMembers", sqlRoleMembers)
	add("sqlDatabasePermissions", sqlDatabasePermissions)
	add("sqlSchemaNames", sqlSchemaNames)
	add("sqlObjectColumns", sqlObjectColumns)
	add("sqlDatabaseNames", sqlDatabaseNames)
	add("sqlScriptPrologue", sqlScriptPrologue)
	for _, n := range dialectNames {
		one("sqlScriptDatabaseCheck "+strconv.Quote(n), sqlScriptDatabaseCheck(n))
		var acts []principals.Action
		for i, st := range principalChanges(n) {
			at := " " + string(st.Op) + " #" + strconv.Itoa(i+1) + " " + strconv.Quote(n)
			for _, literal := range []bool{false, true} {
				text, _, err := principalStatement(st, literal)
				if err != nil {
					t.Fatalf("%s: %v", at, err)
				}
				mode := " (parameters)"
				if literal {
					mode = " (script)"
				}
				out = append(out, namedStatement{Name: opBuilders[st.Op] + at + mode, Text: text, Statements: 1, Since: since(st)})
			}
			acts = append(acts, principals.Action{Name: n, Type: principals.TypeUser, Action: principals.Created, Reason: "line\nbreak", Statements: []principals.Statement{st}})
		}
		// The script: each GO-separated batch, comments included.
		var b strings.Builder
		if err := WritePrincipalScript(&b, acts, PrincipalScript{Source: n, Destination: n, Database: n, Producer: "test", Written: time.Unix(0, 0)}); err != nil {
			t.Fatal(err)
		}
		batches := scriptBatches(b.String())
		names := []string{"sqlScriptPrologue", "sqlScriptDatabaseCheck"}
		for _, st := range principalChanges(n) {
			names = append(names, opBuilders[st.Op])
		}
		if len(batches) != len(names) {
			t.Fatalf("script for %q: %d batches, want %d:\n%s", n, len(batches), len(names), b.String())
		}
		changes := principalChanges(n)
		for i, batch := range batches {
			s := namedStatement{Name: names[i] + " script batch " + strconv.Itoa(i+1) + " " + strconv.Quote(n), Text: batch, Statements: 1}
			if i >= 2 {
				s.Since = since(changes[i-2])
			}
			out = append(out, s)
		}
	}
	return out
}

// since is the oldest SQL Server a change is sent to: Microsoft Entra
// logins only to servers that accept them (SQL Server 2022, Azure).
func since(st principals.Statement) int {
	if st.Op == principals.OpCreateLogin && (st.Login.Type == principals.LoginExternal || st.Login.Type == principals.LoginExternalGroup) {
		return 16
	}
	return 0
}

// scriptBatches splits a script at its GO lines, as sqlcmd does, leaving
// out a trailing batch of comments only.
func scriptBatches(script string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.SplitAfter(script, "\n") {
		if strings.TrimSpace(line) == "GO" {
			out = append(out, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteString(line)
	}
	for _, line := range strings.Split(cur.String(), "\n") {
		if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "--") {
			out = append(out, cur.String())
			break
		}
	}
	return out
}
