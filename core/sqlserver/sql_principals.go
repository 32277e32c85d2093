package sqlserver

import (
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/principals"
)

// The T-SQL of Copy-ARDatabasePrincipals: the catalog reads of a principals
// snapshot and one guarded statement per planned change.
//
// Every change is one IF statement that checks the catalog first, so a
// statement (and a script of them) can run again and changes nothing the
// second time. Names are quoted as identifiers (quoteIdent); values are
// parameters when the engine sends the statement and N'…' literals (one
// helper, quoteString) in a script. DDL cannot take parameters: SIDs and
// password hashes are hex literals rendered from bytes (hexLiteral), never
// from text, and permission names must be keywords (permissionPattern).

// Catalog reads.
const (
	// sqlPrincipalServer: who reads, where, and which engine (EngineEdition
	// 5 is Azure SQL Database, 8 Azure SQL Managed Instance).
	sqlPrincipalServer = `SELECT SUSER_SNAME(), SUSER_SID(), DB_NAME(), @@SERVERNAME,
  COALESCE(CAST(SERVERPROPERTY('EngineEdition') AS int), 0),
  COALESCE(CAST(SERVERPROPERTY('ProductMajorVersion') AS int), 0);`

	// sqlLoginRights (not on Azure SQL Database, which has no server
	// permissions): CONTROL SERVER reads password hashes; VIEW ANY
	// DEFINITION or ALTER ANY LOGIN shows every login; and whether the
	// server has sys.sql_logins at all.
	sqlLoginRights = `SELECT COALESCE(HAS_PERMS_BY_NAME(NULL, NULL, N'CONTROL SERVER'), 0),
  CASE WHEN COALESCE(HAS_PERMS_BY_NAME(NULL, NULL, N'VIEW ANY DEFINITION'), 0) = 1
    OR COALESCE(HAS_PERMS_BY_NAME(NULL, NULL, N'ALTER ANY LOGIN'), 0) = 1 THEN 1 ELSE 0 END,
  CASE WHEN OBJECT_ID(N'sys.sql_logins') IS NULL THEN 0 ELSE 1 END;`

	sqlServerLogins = `SELECT p.name, p.sid, p.type, p.is_disabled, COALESCE(p.default_database_name, N''), COALESCE(p.default_language_name, N'')
FROM sys.server_principals AS p
WHERE p.type IN ('S', 'U', 'G', 'E', 'X', 'C', 'K')
ORDER BY p.name;`

	// sqlSQLLogins: password_hash is NULL without CONTROL SERVER.
	sqlSQLLogins = `SELECT l.name, l.password_hash, l.is_policy_checked, l.is_expiration_checked
FROM sys.sql_logins AS l;`

	// sqlDatabasePrincipals: every user and role with its owner (roles only).
	sqlDatabasePrincipals = `SELECT p.name, p.type, p.sid, COALESCE(p.default_schema_name, N''), COALESCE(p.authentication_type_desc, N''),
  CASE WHEN p.owning_principal_id IS NULL THEN N'' ELSE COALESCE(USER_NAME(p.owning_principal_id), N'') END
FROM sys.database_principals AS p
ORDER BY p.name;`

	sqlRoleMembers = `SELECT r.name, m.name
FROM sys.database_role_members AS rm
JOIN sys.database_principals AS r ON r.principal_id = rm.role_principal_id
JOIN sys.database_principals AS m ON m.principal_id = rm.member_principal_id
ORDER BY r.name, m.name;`

	// sqlDatabasePermissions names each permission's securable: a schema, or
	// an object (system objects included) and its column.
	sqlDatabasePermissions = `SELECT p.state_desc, p.class_desc, p.permission_name, gee.name, gor.name,
  COALESCE(s.name, os.name, N''), COALESCE(o.name, N''), COALESCE(c.name, N''), p.major_id
FROM sys.database_permissions AS p
JOIN sys.database_principals AS gee ON gee.principal_id = p.grantee_principal_id
JOIN sys.database_principals AS gor ON gor.principal_id = p.grantor_principal_id
LEFT JOIN sys.schemas AS s ON p.class = 3 AND s.schema_id = p.major_id
LEFT JOIN sys.all_objects AS o ON p.class = 1 AND o.object_id = p.major_id
LEFT JOIN sys.schemas AS os ON os.schema_id = o.schema_id
LEFT JOIN sys.all_columns AS c ON p.class = 1 AND p.minor_id <> 0 AND c.object_id = p.major_id AND c.column_id = p.minor_id
WHERE p.state IN ('G', 'D', 'W')
ORDER BY p.class, p.major_id, p.minor_id, gee.name, p.permission_name;`

	sqlSchemaNames = `SELECT name FROM sys.schemas ORDER BY name;`

	// sqlObjectColumns lists the user objects permissions can name, with
	// their columns (none for procedures and functions).
	sqlObjectColumns = `SELECT s.name, o.name, COALESCE(c.name, N'')
FROM sys.objects AS o
JOIN sys.schemas AS s ON s.schema_id = o.schema_id
LEFT JOIN sys.columns AS c ON c.object_id = o.object_id
WHERE o.is_ms_shipped = 0 AND o.parent_object_id = 0
ORDER BY s.name, o.name, c.column_id;`

	sqlDatabaseNames = `SELECT name FROM sys.databases ORDER BY name;`
)

// tsqlValues collects a statement's values: @pN parameters for a statement
// the engine sends, N'…' literals for a script.
type tsqlValues struct {
	literal bool
	args    []any
}

// str returns the placeholder (or literal) of one string value.
func (v *tsqlValues) str(s string) string {
	if v.literal {
		return quoteString(s)
	}
	v.args = append(v.args, s)
	return "@p" + strconv.Itoa(len(v.args))
}

// quoteString is a T-SQL Unicode string literal: N'…' with ' doubled. It is
// the only way text becomes a literal in this package.
func quoteString(s string) string { return "N'" + strings.ReplaceAll(s, "'", "''") + "'" }

// hexLiteral renders bytes read from a catalog (a SID, a password hash) as
// 0x…; max is the catalog column's size.
func hexLiteral(kind string, b []byte, max int) (string, error) {
	if len(b) == 0 || len(b) > max {
		return "", fmt.Errorf("%s of %d bytes: expected 1 to %d", kind, len(b), max)
	}
	return "0x" + strings.ToUpper(hex.EncodeToString(b)), nil
}

// permissionPattern is what sys.database_permissions.permission_name holds:
// keywords, which are written into the statement as they are.
var permissionPattern = regexp.MustCompile(`^[A-Z]+( [A-Z]+){0,4}$`)

// checkName refuses a principal or securable name SQL Server cannot have;
// in a script (literal) also line breaks, which a GO-splitting tool could
// cut a statement at.
func checkName(kind, name string, literal bool) error {
	switch {
	case name == "":
		return fmt.Errorf("%s name is empty", kind)
	case utf8.RuneCountInString(name) > 128:
		return fmt.Errorf("%s name %q is longer than 128 characters", kind, name)
	case strings.ContainsRune(name, 0):
		return fmt.Errorf("%s name %q contains a NUL character", kind, name)
	case literal && strings.ContainsAny(name, "\r\n"):
		return fmt.Errorf("%s name %q contains a line break, which a script cannot hold safely; copy it without %s", kind, name, arerr.Param("scriptPath"))
	}
	return nil
}

// ident checks and quotes one name.
func ident(kind, name string, literal bool) (string, error) {
	if err := checkName(kind, name, literal); err != nil {
		return "", err
	}
	return quoteIdent(name), nil
}

// onOff renders a login option.
func onOff(b bool) string {
	if b {
		return "ON"
	}
	return "OFF"
}

// loginOptions are the WITH options of CREATE/ALTER LOGIN after the
// password and SID: default database and language, and for SQL logins the
// password policy (CHECK_EXPIRATION needs CHECK_POLICY, so the order
// depends on which is being turned off).
func loginOptions(l *principals.Login, literal bool) ([]string, error) {
	var out []string
	if l.DefaultDatabase != "" {
		db, err := ident("database", l.DefaultDatabase, literal)
		if err != nil {
			return nil, err
		}
		out = append(out, "DEFAULT_DATABASE = "+db)
	}
	if l.DefaultLanguage != "" {
		lang, err := ident("language", l.DefaultLanguage, literal)
		if err != nil {
			return nil, err
		}
		out = append(out, "DEFAULT_LANGUAGE = "+lang)
	}
	if l.Type == principals.LoginSQL {
		if l.CheckPolicy {
			out = append(out, "CHECK_POLICY = ON", "CHECK_EXPIRATION = "+onOff(l.CheckExpiration))
		} else {
			out = append(out, "CHECK_EXPIRATION = OFF", "CHECK_POLICY = OFF")
		}
	}
	return out, nil
}

// sqlCreateLogin creates a login unless one of its name exists: a SQL
// login with its password hash and SID, a Windows login or group, or a
// Microsoft Entra login; disabled in the same step when the source's is.
func sqlCreateLogin(l *principals.Login, v *tsqlValues) (string, error) {
	name, err := ident("login", l.Name, v.literal)
	if err != nil {
		return "", err
	}
	opts, err := loginOptions(l, v.literal)
	if err != nil {
		return "", err
	}
	var create string
	switch l.Type {
	case principals.LoginSQL:
		hash, err := hexLiteral("password hash of "+l.Name, l.PasswordHash, 256)
		if err != nil {
			return "", err
		}
		sid, err := hexLiteral("SID of "+l.Name, l.SID, 85)
		if err != nil {
			return "", err
		}
		create = "CREATE LOGIN " + name + " WITH PASSWORD = " + hash + " HASHED, SID = " + sid
		for _, o := range opts {
			create += ", " + o
		}
	case principals.LoginWindows, principals.LoginWindowsGroup:
		create = "CREATE LOGIN " + name + " FROM WINDOWS"
		if len(opts) > 0 {
			create += " WITH " + strings.Join(opts, ", ")
		}
	case principals.LoginExternal, principals.LoginExternalGroup:
		create = "CREATE LOGIN " + name + " FROM EXTERNAL PROVIDER"
	default:
		return "", fmt.Errorf("login %s of type %q cannot be created", l.Name, l.Type)
	}
	guard := "IF NOT EXISTS (SELECT 1 FROM sys.server_principals WHERE name = " + v.str(l.Name) + ")\n"
	if !l.Disabled {
		return guard + "    " + create + ";", nil
	}
	return guard + "BEGIN\n    " + create + ";\n    ALTER LOGIN " + name + " DISABLE;\nEND;", nil
}

// sqlAlterLogin gives the existing login of the same SID the source's
// password hash (when set) and options.
func sqlAlterLogin(l *principals.Login, v *tsqlValues) (string, error) {
	name, err := ident("login", l.Name, v.literal)
	if err != nil {
		return "", err
	}
	sid, err := hexLiteral("SID of "+l.Name, l.SID, 85)
	if err != nil {
		return "", err
	}
	opts, err := loginOptions(l, v.literal)
	if err != nil {
		return "", err
	}
	if l.Type == principals.LoginSQL && len(l.PasswordHash) > 0 {
		hash, err := hexLiteral("password hash of "+l.Name, l.PasswordHash, 256)
		if err != nil {
			return "", err
		}
		opts = append([]string{"PASSWORD = " + hash + " HASHED"}, opts...)
	}
	if len(opts) == 0 {
		return "", fmt.Errorf("login %s: nothing to change", l.Name)
	}
	return "IF EXISTS (SELECT 1 FROM sys.server_principals WHERE name = " + v.str(l.Name) + " AND sid = " + sid + ")\n" +
		"    ALTER LOGIN " + name + " WITH " + strings.Join(opts, ", ") + ";", nil
}

// sqlSetLoginState disables or enables a login.
func sqlSetLoginState(l *principals.Login, disable bool, v *tsqlValues) (string, error) {
	name, err := ident("login", l.Name, v.literal)
	if err != nil {
		return "", err
	}
	if disable {
		return "IF EXISTS (SELECT 1 FROM sys.server_principals WHERE name = " + v.str(l.Name) + " AND is_disabled = 0)\n    ALTER LOGIN " + name + " DISABLE;", nil
	}
	return "IF EXISTS (SELECT 1 FROM sys.server_principals WHERE name = " + v.str(l.Name) + " AND is_disabled = 1)\n    ALTER LOGIN " + name + " ENABLE;", nil
}

// sqlDropLogin drops the login of that name whose SID is not l.SID (the
// one about to be created), and never one of the caller's own login token
// (its login and the Windows groups it came through).
func sqlDropLogin(l *principals.Login, v *tsqlValues) (string, error) {
	name, err := ident("login", l.Name, v.literal)
	if err != nil {
		return "", err
	}
	sid, err := hexLiteral("SID of "+l.Name, l.SID, 85)
	if err != nil {
		return "", err
	}
	return "IF EXISTS (SELECT 1 FROM sys.server_principals AS p WHERE p.name = " + v.str(l.Name) + " AND p.sid <> " + sid + "\n" +
		"    AND p.sid <> SUSER_SID() AND NOT EXISTS (SELECT 1 FROM sys.login_token AS t WHERE t.sid = p.sid))\n" +
		"    DROP LOGIN " + name + ";", nil
}

// sqlCreateUser creates a user unless a principal of its name exists: for
// a login, WITHOUT LOGIN, for a Windows account or from the external
// provider, with its default schema; without CONNECT when noConnect.
func sqlCreateUser(u *principals.User, login string, noConnect bool, v *tsqlValues) (string, error) {
	name, err := ident("user", u.Name, v.literal)
	if err != nil {
		return "", err
	}
	create := "CREATE USER " + name
	switch {
	case login != "":
		l, err := ident("login", login, v.literal)
		if err != nil {
			return "", err
		}
		create += " FOR LOGIN " + l
	case u.Auth == principals.AuthNone:
		create += " WITHOUT LOGIN"
	case u.Auth == principals.AuthWindows:
	case u.Auth == principals.AuthExternal:
		create += " FROM EXTERNAL PROVIDER"
	default:
		return "", fmt.Errorf("user %s (%s) cannot be created without a login", u.Name, u.Auth)
	}
	// A Windows group cannot have a default schema before SQL Server 2012;
	// every supported server allows it.
	if u.DefaultSchema != "" {
		s, err := ident("schema", u.DefaultSchema, v.literal)
		if err != nil {
			return "", err
		}
		create += " WITH DEFAULT_SCHEMA = " + s
	}
	guard := "IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = " + v.str(u.Name) + ")\n"
	if !noConnect {
		return guard + "    " + create + ";", nil
	}
	return guard + "BEGIN\n    " + create + ";\n    REVOKE CONNECT FROM " + name + ";\nEND;", nil
}

// sqlRemapUser maps an existing user to a login, unless it is mapped to it.
func sqlRemapUser(u *principals.User, login string, v *tsqlValues) (string, error) {
	name, err := ident("user", u.Name, v.literal)
	if err != nil {
		return "", err
	}
	l, err := ident("login", login, v.literal)
	if err != nil {
		return "", err
	}
	return "IF EXISTS (SELECT 1 FROM sys.database_principals AS d WHERE d.name = " + v.str(u.Name) + "\n" +
		"    AND NOT EXISTS (SELECT 1 FROM sys.server_principals AS s WHERE s.name = " + v.str(login) + " AND s.sid = d.sid))\n" +
		"    ALTER USER " + name + " WITH LOGIN = " + l + ";", nil
}

// sqlSetDefaultSchema sets a user's default schema.
func sqlSetDefaultSchema(u *principals.User, v *tsqlValues) (string, error) {
	name, err := ident("user", u.Name, v.literal)
	if err != nil {
		return "", err
	}
	s, err := ident("schema", u.DefaultSchema, v.literal)
	if err != nil {
		return "", err
	}
	return "IF EXISTS (SELECT 1 FROM sys.database_principals WHERE name = " + v.str(u.Name) +
		" AND COALESCE(default_schema_name, N'') <> " + v.str(u.DefaultSchema) + ")\n" +
		"    ALTER USER " + name + " WITH DEFAULT_SCHEMA = " + s + ";", nil
}

// sqlCreateRole creates a database role unless a principal of its name exists.
func sqlCreateRole(r *principals.Role, v *tsqlValues) (string, error) {
	name, err := ident("role", r.Name, v.literal)
	if err != nil {
		return "", err
	}
	create := "CREATE ROLE " + name
	if r.Owner != "" {
		o, err := ident("owner", r.Owner, v.literal)
		if err != nil {
			return "", err
		}
		create += " AUTHORIZATION " + o
	}
	return "IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = " + v.str(r.Name) + ")\n    " + create + ";", nil
}

// sqlAddMember adds a member to a role unless it is one.
func sqlAddMember(m *principals.Membership, v *tsqlValues) (string, error) {
	role, err := ident("role", m.Role, v.literal)
	if err != nil {
		return "", err
	}
	member, err := ident("member", m.Member, v.literal)
	if err != nil {
		return "", err
	}
	return "IF NOT EXISTS (SELECT 1 FROM sys.database_role_members\n" +
		"    WHERE role_principal_id = DATABASE_PRINCIPAL_ID(" + v.str(m.Role) + ") AND member_principal_id = DATABASE_PRINCIPAL_ID(" + v.str(m.Member) + "))\n" +
		"    ALTER ROLE " + role + " ADD MEMBER " + member + ";", nil
}

// stateCodes are sys.database_permissions.state for each state.
var stateCodes = map[string]string{principals.StateGrant: "G", principals.StateDeny: "D", principals.StateGrantWithOption: "W"}

// permissionParts renders what GRANT, DENY and REVOKE share: the
// permission with its column, the ON clause, the grantee, and the
// catalog condition that finds the permission row.
func permissionParts(p *principals.Permission, v *tsqlValues) (perm, on, grantee, where string, err error) {
	if !permissionPattern.MatchString(p.Permission) {
		return "", "", "", "", fmt.Errorf("permission name %q is not a T-SQL permission", p.Permission)
	}
	if grantee, err = ident("grantee", p.Grantee, v.literal); err != nil {
		return "", "", "", "", err
	}
	perm = p.Permission
	where = "permission_name = " + v.str(p.Permission) + " AND grantee_principal_id = DATABASE_PRINCIPAL_ID(" + v.str(p.Grantee) + ")"
	switch p.Class {
	case principals.ClassDatabase:
		where = "class = 0 AND major_id = 0 AND minor_id = 0 AND " + where
	case principals.ClassSchema:
		s, err := ident("schema", p.Schema, v.literal)
		if err != nil {
			return "", "", "", "", err
		}
		on = " ON SCHEMA::" + s
		where = "class = 3 AND major_id = SCHEMA_ID(" + v.str(p.Schema) + ") AND minor_id = 0 AND " + where
	case principals.ClassObject:
		s, err := ident("schema", p.Schema, v.literal)
		if err != nil {
			return "", "", "", "", err
		}
		o, err := ident("object", p.Object, v.literal)
		if err != nil {
			return "", "", "", "", err
		}
		on = " ON OBJECT::" + s + "." + o
		obj := v.str(s + "." + o)
		minor := "0"
		if p.Column != "" {
			c, err := ident("column", p.Column, v.literal)
			if err != nil {
				return "", "", "", "", err
			}
			perm += " (" + c + ")"
			minor = "COLUMNPROPERTY(OBJECT_ID(" + obj + "), " + v.str(p.Column) + ", 'ColumnId')"
		}
		where = "class = 1 AND major_id = OBJECT_ID(" + obj + ") AND minor_id = " + minor + " AND " + where
	default:
		return "", "", "", "", fmt.Errorf("permissions on %s securables are not copied", p.Class)
	}
	return perm, on, grantee, where, nil
}

// asGrantor is the AS clause for a grantor other than dbo.
func asGrantor(p *principals.Permission, v *tsqlValues) (string, error) {
	if p.Grantor == "" {
		return "", nil
	}
	g, err := ident("grantor", p.Grantor, v.literal)
	if err != nil {
		return "", err
	}
	return " AS " + g, nil
}

// sqlGrant grants or denies a permission unless the destination has it in
// that state; cascade for a DENY over a grant WITH GRANT OPTION.
func sqlGrant(p *principals.Permission, cascade bool, v *tsqlValues) (string, error) {
	state, ok := stateCodes[p.State]
	if !ok {
		return "", fmt.Errorf("permission state %q", p.State)
	}
	perm, on, grantee, where, err := permissionParts(p, v)
	if err != nil {
		return "", err
	}
	as, err := asGrantor(p, v)
	if err != nil {
		return "", err
	}
	var stmt string
	switch p.State {
	case principals.StateGrant:
		stmt = "GRANT " + perm + on + " TO " + grantee + as
	case principals.StateGrantWithOption:
		stmt = "GRANT " + perm + on + " TO " + grantee + " WITH GRANT OPTION" + as
	default:
		stmt = "DENY " + perm + on + " TO " + grantee
		if cascade {
			stmt += " CASCADE"
		}
		stmt += as
	}
	return "IF NOT EXISTS (SELECT 1 FROM sys.database_permissions WHERE " + where + " AND state = '" + state + "')\n    " + stmt + ";", nil
}

// sqlRevokeGrantOption reduces a grant WITH GRANT OPTION to a plain grant.
func sqlRevokeGrantOption(p *principals.Permission, v *tsqlValues) (string, error) {
	perm, on, grantee, where, err := permissionParts(p, v)
	if err != nil {
		return "", err
	}
	as, err := asGrantor(p, v)
	if err != nil {
		return "", err
	}
	return "IF EXISTS (SELECT 1 FROM sys.database_permissions WHERE " + where + " AND state = 'W')\n" +
		"    REVOKE GRANT OPTION FOR " + perm + on + " FROM " + grantee + " CASCADE" + as + ";", nil
}

// sqlScriptPrologue starts a principals script.
const sqlScriptPrologue = `SET NOCOUNT ON;`

// sqlScriptDatabaseCheck stops a script run in another database than the
// one it was written for: the following batches compile but do not run.
// RAISERROR's message is a format string, so % is doubled.
func sqlScriptDatabaseCheck(database string) string {
	msg := "This script is for the database " + strings.ReplaceAll(database, "%", "%%") +
		": connect to it (sqlcmd -d) and run the script again. Nothing was changed."
	return "IF DB_NAME() <> " + quoteString(database) + "\n" +
		"BEGIN\n" +
		"    RAISERROR(" + quoteString(msg) + ", 16, 1);\n" +
		"    SET NOEXEC ON;\n" +
		"END;"
}

// principalStatement renders one planned change; literal for a script.
func principalStatement(s principals.Statement, literal bool) (string, []any, error) {
	v := &tsqlValues{literal: literal}
	var (
		text string
		err  error
	)
	need := func(ok bool) error {
		if !ok {
			return fmt.Errorf("%s statement without its subject", s.Op)
		}
		return nil
	}
	switch s.Op {
	case principals.OpCreateLogin:
		if err = need(s.Login != nil); err == nil {
			text, err = sqlCreateLogin(s.Login, v)
		}
	case principals.OpAlterLogin:
		if err = need(s.Login != nil); err == nil {
			text, err = sqlAlterLogin(s.Login, v)
		}
	case principals.OpDisableLogin, principals.OpEnableLogin:
		if err = need(s.Login != nil); err == nil {
			text, err = sqlSetLoginState(s.Login, s.Op == principals.OpDisableLogin, v)
		}
	case principals.OpDropLogin:
		if err = need(s.Login != nil); err == nil {
			text, err = sqlDropLogin(s.Login, v)
		}
	case principals.OpCreateUser:
		if err = need(s.User != nil); err == nil {
			text, err = sqlCreateUser(s.User, s.LoginName, s.NoConnect, v)
		}
	case principals.OpRemapUser:
		if err = need(s.User != nil && s.LoginName != ""); err == nil {
			text, err = sqlRemapUser(s.User, s.LoginName, v)
		}
	case principals.OpSetDefaultSchema:
		if err = need(s.User != nil); err == nil {
			text, err = sqlSetDefaultSchema(s.User, v)
		}
	case principals.OpCreateRole:
		if err = need(s.Role != nil); err == nil {
			text, err = sqlCreateRole(s.Role, v)
		}
	case principals.OpAddMember:
		if err = need(s.Membership != nil); err == nil {
			text, err = sqlAddMember(s.Membership, v)
		}
	case principals.OpGrant:
		if err = need(s.Permission != nil); err == nil {
			text, err = sqlGrant(s.Permission, s.Cascade, v)
		}
	case principals.OpRevokeGrantOption:
		if err = need(s.Permission != nil); err == nil {
			text, err = sqlRevokeGrantOption(s.Permission, v)
		}
	default:
		err = fmt.Errorf("unknown change %q", s.Op)
	}
	if err != nil {
		return "", nil, err
	}
	return text, v.args, nil
}
