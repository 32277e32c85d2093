// Package principals plans the copy of an Active Roles database's SQL Server
// principals (the guide's "Copy database users, permissions, logins and
// roles"): the server logins its users map to, the users, the roles and their
// memberships, and the database-, schema- and object-level permissions.
//
// It is pure: a Snapshot describes what one server and database hold, Plan
// compares a source and a destination Snapshot and returns one Action per
// principal, membership and permission, each with the Statements that would
// make the destination match. core/sqlserver reads Snapshots, renders
// Statements as T-SQL and runs them; nothing here knows SQL.
package principals

import "strings"

// Login types, as sys.server_principals.type spells them.
const (
	LoginSQL           = "S"
	LoginWindows       = "U"
	LoginWindowsGroup  = "G"
	LoginExternal      = "E" // Microsoft Entra user or application
	LoginExternalGroup = "X" // Microsoft Entra group
	LoginCertificate   = "C"
	LoginAsymmetricKey = "K"
)

// Database principal types, as sys.database_principals.type spells them.
const (
	UserSQL           = "S"
	UserWindows       = "U"
	UserWindowsGroup  = "G"
	UserExternal      = "E"
	UserExternalGroup = "X"
	UserCertificate   = "C"
	UserAsymmetricKey = "K"
	UserAppRole       = "A"
)

// Authentication types of database users (sys.database_principals.authentication_type_desc).
const (
	AuthNone     = "NONE"     // WITHOUT LOGIN (or a role)
	AuthInstance = "INSTANCE" // mapped to a SQL Server login
	AuthDatabase = "DATABASE" // contained user with a password
	AuthWindows  = "WINDOWS"  // Windows user or group
	AuthExternal = "EXTERNAL" // Microsoft Entra principal
)

// Permission states (sys.database_permissions.state_desc).
const (
	StateGrant           = "GRANT"
	StateDeny            = "DENY"
	StateGrantWithOption = "GRANT_WITH_GRANT_OPTION"
)

// Permission classes that are copied (sys.database_permissions.class_desc).
const (
	ClassDatabase = "DATABASE"
	ClassSchema   = "SCHEMA"
	ClassObject   = "OBJECT_OR_COLUMN"
)

// Snapshot is what one server and database hold: the server's logins, the
// database's principals and permissions, the securables permissions can
// name, and what the account that read it may see and do.
type Snapshot struct {
	// Server and Database name where it was read, for messages and for the
	// default-database mapping (a login whose default database is the
	// source database gets the destination database).
	Server   string `json:"server"`
	Database string `json:"database"`
	// Caller is the login that read the snapshot (the login running the copy).
	Caller Caller `json:"caller"`
	// CanReadHashes: sys.sql_logins.password_hash is readable (CONTROL SERVER).
	CanReadHashes bool `json:"canReadHashes"`
	// CanSeeLogins: every login is visible (VIEW ANY DEFINITION or ALTER ANY
	// LOGIN), so a user without a matching login is really orphaned.
	CanSeeLogins bool `json:"canSeeLogins"`
	// IsAzureSQL: an Azure SQL Database, which has no server logins this tool
	// can synchronise (guide: use Azure Data Studio or Azure DMS).
	IsAzureSQL bool `json:"isAzureSql"`
	// NoWindowsLogins: the server cannot authenticate Windows principals
	// (Azure SQL Database and Managed Instance).
	NoWindowsLogins bool `json:"noWindowsLogins"`
	// ExternalPrincipals: the server accepts Microsoft Entra principals
	// (FROM EXTERNAL PROVIDER).
	ExternalPrincipals bool `json:"externalPrincipals"`

	Logins      []Login      `json:"logins"`
	Users       []User       `json:"users"`
	Roles       []Role       `json:"roles"`
	Memberships []Membership `json:"memberships"`
	Permissions []Permission `json:"permissions"`
	Schemas     []string     `json:"schemas"`
	Objects     []Object     `json:"objects"`
	// Databases are the server's database names (nil: unknown).
	Databases []string `json:"databases,omitempty"`
}

// Caller is the login a connection runs as (SUSER_SNAME(), SUSER_SID()).
type Caller struct {
	Login string `json:"login"`
	SID   []byte `json:"sid"`
}

// Login is one server login.
type Login struct {
	Name string `json:"name"`
	Type string `json:"type"` // Login* constants
	SID  []byte `json:"sid"`
	// PasswordHash is the SQL login's hash as stored (nil: not readable or
	// not a SQL login). It lets the login be recreated with the same password.
	PasswordHash    []byte `json:"passwordHash,omitempty"`
	DefaultDatabase string `json:"defaultDatabase"`
	DefaultLanguage string `json:"defaultLanguage"`
	CheckPolicy     bool   `json:"checkPolicy"`
	CheckExpiration bool   `json:"checkExpiration"`
	Disabled        bool   `json:"disabled"`
}

// User is one database principal that is not a role (application roles
// included, so they can be reported).
type User struct {
	Name          string `json:"name"`
	Type          string `json:"type"` // User* constants
	Auth          string `json:"auth"` // Auth* constants
	SID           []byte `json:"sid"`
	DefaultSchema string `json:"defaultSchema"`
}

// Role is one database role; Fixed for the fixed roles and public.
type Role struct {
	Name  string `json:"name"`
	Owner string `json:"owner"`
	Fixed bool   `json:"fixed"`
}

// Membership is one row of sys.database_role_members, by name.
type Membership struct {
	Role   string `json:"role"`
	Member string `json:"member"`
}

// Permission is one row of sys.database_permissions with its securable by name.
type Permission struct {
	State      string `json:"state"` // State* constants
	Class      string `json:"class"` // Class* constants, or another class_desc (reported, not copied)
	Permission string `json:"permission"`
	Grantee    string `json:"grantee"`
	Grantor    string `json:"grantor"`
	Schema     string `json:"schema,omitempty"` // SCHEMA: its name; OBJECT_OR_COLUMN: the object's schema
	Object     string `json:"object,omitempty"`
	Column     string `json:"column,omitempty"`
}

// Object is a schema-scoped object permissions can name, with its columns.
type Object struct {
	Schema  string   `json:"schema"`
	Name    string   `json:"name"`
	Columns []string `json:"columns,omitempty"`
}

// fold is the key names are compared by: SQL Server's usual
// case-insensitive collations.
func fold(s string) string { return strings.ToLower(s) }
