package principals

// Result types (Action.Type): what a result row is about.
const (
	TypeSQLLogin      = "SqlLogin"
	TypeWindowsLogin  = "WindowsLogin"
	TypeWindowsGroup  = "WindowsGroup"
	TypeExternalLogin = "ExternalLogin"
	TypeUser          = "User"
	TypeRole          = "Role"
	TypeMembership    = "Membership"
	TypePermission    = "Permission"
)

// Outcomes (Action.Action).
const (
	Created        = "Created"
	Updated        = "Updated"
	AlreadyPresent = "AlreadyPresent"
	Skipped        = "Skipped"
	Conflict       = "Conflict"
	Failed         = "Failed"
)

// Reasons of the actions a cancelled copy did not carry out (Action
// Skipped, or Failed for one cut short).
const (
	ReasonNotDone     = "not done: the copy was cancelled before it (run the copy again to finish it)"
	ReasonInterrupted = "interrupted: the copy was cancelled while this was being copied (run the copy again to finish it)"
)

// Action is what the copy does (or would do) about one login, user, role,
// membership or permission: the result row a user sees
// (PrincipalCopyResult) and the statements that carry it out, in order.
type Action struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Action string `json:"action"`
	Reason string `json:"reason"`
	// Statements are empty unless Action is Created or Updated.
	Statements []Statement `json:"-"`
}

// Op is one kind of change; core/sqlserver renders each as T-SQL.
type Op string

// The changes a plan can make.
const (
	// OpCreateLogin creates Login: a SQL login with its SID and password
	// hash, a Windows login or group, or a Microsoft Entra login; disabled
	// when Login.Disabled (one step, so that a re-run never disables a
	// login it did not create).
	OpCreateLogin Op = "CreateLogin"
	// OpAlterLogin sets Login's properties (and its password hash when
	// Login.PasswordHash is set) on an existing login of the same SID.
	OpAlterLogin Op = "AlterLogin"
	// OpDisableLogin and OpEnableLogin set Login's state.
	OpDisableLogin Op = "DisableLogin"
	OpEnableLogin  Op = "EnableLogin"
	// OpDropLogin drops the destination's login named Login.Name whose SID
	// is not Login.SID (-Force on a conflict); never the caller's own.
	OpDropLogin Op = "DropLogin"
	// OpCreateUser creates User: FOR LOGIN LoginName when LoginName is set,
	// else WITHOUT LOGIN (AuthNone), for the Windows principal itself
	// (AuthWindows) or FROM EXTERNAL PROVIDER (AuthExternal). NoConnect
	// takes back the CONNECT that CREATE USER grants, for a user that had
	// none in the source (in the same step, for the same reason).
	OpCreateUser Op = "CreateUser"
	// OpRemapUser maps the existing User to the login LoginName.
	OpRemapUser Op = "RemapUser"
	// OpSetDefaultSchema sets User's default schema.
	OpSetDefaultSchema Op = "SetDefaultSchema"
	// OpCreateRole creates Role (owned by Role.Owner when set).
	OpCreateRole Op = "CreateRole"
	// OpAddMember adds Membership.Member to Membership.Role.
	OpAddMember Op = "AddMember"
	// OpGrant grants or denies Permission as its State says (Cascade: a
	// DENY over a grant WITH GRANT OPTION). Grantor "" is the default (dbo).
	OpGrant Op = "Grant"
	// OpRevokeGrantOption turns a GRANT WITH GRANT OPTION into a plain GRANT.
	OpRevokeGrantOption Op = "RevokeGrantOption"
)

// Statement is one change. Only the fields its Op names are set.
type Statement struct {
	Op         Op
	Login      *Login
	User       *User
	LoginName  string
	Role       *Role
	Membership *Membership
	Permission *Permission
	Cascade    bool
	NoConnect  bool
}
