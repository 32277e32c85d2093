package principals

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
)

// Options change what Plan may do to the destination.
type Options struct {
	// Force resolves conflicts: a login with another SID is dropped and
	// recreated with the source's (never the caller's own login), a login
	// of the same SID gets the source's password and properties, and a user
	// mapped to another login is mapped to the source's.
	Force bool
}

// AzureAdvice is the guide's advice for logins on Azure SQL.
const AzureAdvice = "Azure SQL cannot take SQL Server logins from this tool (a limitation of Azure SQL): " +
	"migrate them with Azure Data Studio (Migrate SQL Server logins to Azure SQL) or, for a managed instance, " +
	"Azure Database Migration Service (classic), then run the copy again for the users that map to them"

// Plan compares the source and destination snapshots and returns, in the
// order they must run, one Action per login (of the copied users), user,
// role, role membership and permission of the source database. A second
// Plan after the first one ran reports everything it created as
// AlreadyPresent.
func Plan(src, dst *Snapshot, opts Options) []Action {
	p := newPlanner(src, dst, opts)
	users := p.candidateUsers()
	var out []Action
	for _, l := range p.neededLogins(users) {
		out = append(out, p.planLogin(l))
	}
	for _, u := range users {
		out = append(out, p.planUser(u))
	}
	out = append(out, p.planRoles()...)
	out = append(out, p.planMemberships()...)
	out = append(out, p.planPermissions()...)
	return out
}

type dstPrincipal struct {
	user *User
	role *Role
}

type planner struct {
	src, dst *Snapshot
	opts     Options

	srcLoginBySID map[string]*Login
	dstLoginByKey map[string]*Login // by folded name
	dstLoginBySID map[string]*Login
	dstPrincipals map[string]dstPrincipal // users and roles by folded name
	dstUserBySID  map[string]*User
	dstMembers    map[string]bool
	dstPerms      map[string]string // permKey → state
	dstSchemas    map[string]bool
	dstObjects    map[string]*Object
	srcConnect    map[string]bool // users with a CONNECT row in the source

	// loginFor maps a source login (by SID) to the destination login its
	// users are created for, and loginWhy says why a login is not usable.
	loginFor map[string]string
	loginWhy map[string]string
	// effSID is each destination login's SID once the plan ran (by folded name).
	effSID map[string][]byte
	// avail: database principals (folded names) that exist in the
	// destination as the source has them once the plan ran.
	avail     map[string]bool
	roleOrder map[string]int
}

func sidKey(b []byte) string { return string(b) }

// Hex is a SID or hash as 0x… for messages.
func Hex(b []byte) string { return "0x" + strings.ToUpper(hex.EncodeToString(b)) }

func newPlanner(src, dst *Snapshot, opts Options) *planner {
	p := &planner{src: src, dst: dst, opts: opts,
		srcLoginBySID: map[string]*Login{}, dstLoginByKey: map[string]*Login{}, dstLoginBySID: map[string]*Login{},
		dstPrincipals: map[string]dstPrincipal{}, dstUserBySID: map[string]*User{}, dstMembers: map[string]bool{},
		dstPerms: map[string]string{}, dstSchemas: map[string]bool{}, dstObjects: map[string]*Object{}, srcConnect: map[string]bool{},
		loginFor: map[string]string{}, loginWhy: map[string]string{}, effSID: map[string][]byte{},
		avail: map[string]bool{}, roleOrder: map[string]int{}}
	for i := range src.Logins {
		if l := &src.Logins[i]; len(l.SID) > 0 {
			p.srcLoginBySID[sidKey(l.SID)] = l
		}
	}
	for i := range dst.Logins {
		l := &dst.Logins[i]
		p.dstLoginByKey[fold(l.Name)] = l
		p.effSID[fold(l.Name)] = l.SID
		if len(l.SID) > 0 {
			p.dstLoginBySID[sidKey(l.SID)] = l
		}
	}
	for i := range dst.Users {
		u := &dst.Users[i]
		p.dstPrincipals[fold(u.Name)] = dstPrincipal{user: u}
		if len(u.SID) > 0 {
			p.dstUserBySID[sidKey(u.SID)] = u
		}
	}
	for i := range dst.Roles {
		r := &dst.Roles[i]
		p.dstPrincipals[fold(r.Name)] = dstPrincipal{role: r}
		if r.Fixed {
			p.avail[fold(r.Name)] = true
		}
	}
	// public and guest are in every database, even where a catalog omits them.
	p.avail["public"], p.avail["guest"] = true, true
	for _, m := range dst.Memberships {
		p.dstMembers[memberKey(m)] = true
	}
	for _, pm := range dst.Permissions {
		p.dstPerms[permKey(pm)] = pm.State
	}
	for _, s := range dst.Schemas {
		p.dstSchemas[fold(s)] = true
	}
	for i := range dst.Objects {
		o := &dst.Objects[i]
		p.dstObjects[fold(o.Schema)+"."+fold(o.Name)] = o
	}
	for _, pm := range src.Permissions {
		if pm.Class == ClassDatabase && pm.Permission == "CONNECT" {
			p.srcConnect[fold(pm.Grantee)] = true
		}
	}
	return p
}

// systemUsers exist in every database and are never copied.
var systemUsers = map[string]bool{"dbo": true, "guest": true, "information_schema": true, "sys": true}

func isSystemUser(name string) bool {
	return systemUsers[fold(name)] || strings.HasPrefix(name, "##")
}

// candidateUsers are the source's database users other than the built-in
// ones, by name.
func (p *planner) candidateUsers() []*User {
	var out []*User
	for i := range p.src.Users {
		if u := &p.src.Users[i]; !isSystemUser(u.Name) {
			out = append(out, u)
		}
	}
	sort.Slice(out, func(i, j int) bool { return less(out[i].Name, out[j].Name) })
	return out
}

func less(a, b string) bool {
	if fa, fb := fold(a), fold(b); fa != fb {
		return fa < fb
	}
	return a < b
}

func mapsToLogin(u *User) bool {
	switch u.Auth {
	case AuthInstance, AuthWindows, AuthExternal:
		return len(u.SID) > 0
	}
	return false
}

// srcLogin is the source login a user maps to, or nil.
func (p *planner) srcLogin(u *User) *Login {
	if !mapsToLogin(u) {
		return nil
	}
	return p.srcLoginBySID[sidKey(u.SID)]
}

// neededLogins are the source logins the candidate users map to, by name.
func (p *planner) neededLogins(users []*User) []*Login {
	seen := map[string]bool{}
	var out []*Login
	for _, u := range users {
		if u.Type == UserCertificate || u.Type == UserAsymmetricKey || u.Type == UserAppRole {
			continue
		}
		if l := p.srcLogin(u); l != nil && !seen[sidKey(l.SID)] {
			seen[sidKey(l.SID)] = true
			out = append(out, l)
		}
	}
	sort.Slice(out, func(i, j int) bool { return less(out[i].Name, out[j].Name) })
	return out
}

func loginType(t string) string {
	switch t {
	case LoginWindows:
		return TypeWindowsLogin
	case LoginWindowsGroup:
		return TypeWindowsGroup
	case LoginExternal, LoginExternalGroup:
		return TypeExternalLogin
	}
	return TypeSQLLogin
}

func isWindowsLogin(t string) bool  { return t == LoginWindows || t == LoginWindowsGroup }
func isExternalLogin(t string) bool { return t == LoginExternal || t == LoginExternalGroup }

// systemLogin says why a login is never copied ("" when it may be).
func systemLogin(l *Login) string {
	n := fold(l.Name)
	switch {
	case n == "sa" || bytes.Equal(l.SID, []byte{1}):
		return "sa is a system login: it exists on every server and is never copied"
	case strings.HasPrefix(l.Name, "##") && strings.HasSuffix(l.Name, "##"):
		return "a certificate-based system login (##…##): never copied"
	case strings.HasPrefix(n, `nt service\`), strings.HasPrefix(n, `nt authority\`), strings.HasPrefix(n, `builtin\`):
		return "a built-in Windows account of the server: never copied"
	case l.Type == LoginCertificate || l.Type == LoginAsymmetricKey:
		return "mapped to a certificate or asymmetric key, which this tool does not copy"
	}
	return ""
}

// isCaller reports whether l is the login running the copy (on either side).
func (p *planner) isCaller(l *Login) bool {
	for _, c := range []Caller{p.src.Caller, p.dst.Caller} {
		if (len(c.SID) > 0 && bytes.Equal(c.SID, l.SID)) || (c.Login != "" && fold(c.Login) == fold(l.Name)) {
			return true
		}
	}
	return false
}

func (p *planner) isDstCaller(l *Login) bool {
	c := p.dst.Caller
	return (len(c.SID) > 0 && bytes.Equal(c.SID, l.SID)) || (c.Login != "" && fold(c.Login) == fold(l.Name))
}

// mapLogin records that users of the source login l are created for the
// destination login name.
func (p *planner) mapLogin(l *Login, name string) { p.loginFor[sidKey(l.SID)] = name }

// defaultDatabase maps a login's default database: the source database
// becomes the destination database; a database the destination server
// lacks becomes master, with a note.
func (p *planner) defaultDatabase(name string) (string, string) {
	switch {
	case name == "":
		return "", ""
	case p.src.Database != "" && p.dst.Database != "" && fold(name) == fold(p.src.Database):
		return p.dst.Database, ""
	case p.dst.Databases != nil && !containsFold(p.dst.Databases, name):
		return "master", fmt.Sprintf("default database %s does not exist on the destination server: master instead", name)
	}
	return name, ""
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if fold(x) == fold(s) {
			return true
		}
	}
	return false
}

// desired is the login as the destination should have it.
func (p *planner) desired(l *Login) (Login, string) {
	d := *l
	db, note := p.defaultDatabase(l.DefaultDatabase)
	d.DefaultDatabase = db
	if l.Type != LoginSQL {
		d.PasswordHash, d.CheckPolicy, d.CheckExpiration = nil, false, false
	}
	return d, note
}

// loginDiffs lists what differs between the desired login and the
// destination's login of the same SID.
func loginDiffs(want *Login, have *Login) []string {
	var out []string
	if want.Type == LoginSQL && len(want.PasswordHash) > 0 && len(have.PasswordHash) > 0 && !bytes.Equal(want.PasswordHash, have.PasswordHash) {
		out = append(out, "password")
	}
	if want.DefaultDatabase != "" && fold(want.DefaultDatabase) != fold(have.DefaultDatabase) {
		out = append(out, "default database")
	}
	if want.DefaultLanguage != "" && fold(want.DefaultLanguage) != fold(have.DefaultLanguage) {
		out = append(out, "default language")
	}
	if want.Type == LoginSQL && (want.CheckPolicy != have.CheckPolicy || want.CheckExpiration != have.CheckExpiration) {
		out = append(out, "password policy")
	}
	if want.Disabled != have.Disabled {
		out = append(out, "enabled state")
	}
	return out
}

func joinNotes(notes ...string) string {
	var keep []string
	for _, n := range notes {
		if n != "" {
			keep = append(keep, n)
		}
	}
	return strings.Join(keep, "; ")
}

// createLogin is the statement that creates l as desired.
func createLogin(want Login) []Statement { return []Statement{{Op: OpCreateLogin, Login: &want}} }

func (p *planner) planLogin(l *Login) Action {
	a := Action{Name: l.Name, Type: loginType(l.Type)}
	same := p.dstLoginByKey[fold(l.Name)]
	sameSID := same != nil && bytes.Equal(same.SID, l.SID)
	key := sidKey(l.SID)
	skip := func(reason string) Action {
		a.Action, a.Reason = Skipped, reason
		p.loginWhy[key] = reason
		return a
	}
	if why := systemLogin(l); why != "" {
		if same != nil && (sameSID || isWindowsLogin(l.Type)) {
			p.mapLogin(l, same.Name) // built-in accounts are the same on every server
		}
		return skip(why)
	}
	if p.isCaller(l) {
		if same != nil {
			p.mapLogin(l, same.Name)
		}
		return skip("the login running the copy: never copied or changed")
	}
	switch {
	case p.dst.IsAzureSQL:
		return skip(AzureAdvice)
	case isWindowsLogin(l.Type) && p.dst.NoWindowsLogins:
		return skip("the destination server cannot authenticate Windows accounts; create a Microsoft Entra login or a SQL login instead")
	case isExternalLogin(l.Type) && !p.dst.ExternalPrincipals:
		return skip("the destination server does not accept Microsoft Entra logins (SQL Server 2022 with Azure Arc, Azure SQL Managed Instance)")
	}
	want, note := p.desired(l)
	switch {
	case sameSID:
		p.mapLogin(l, same.Name)
		diffs := loginDiffs(&want, same)
		switch {
		case len(diffs) == 0:
			a.Action, a.Reason = AlreadyPresent, "same SID"
		case p.opts.Force:
			a.Action, a.Reason = Updated, joinNotes("set to the source's: "+strings.Join(diffs, ", ")+" (-Force)", note)
			alter := want
			if !containsFold(diffs, "password") {
				alter.PasswordHash = nil
			}
			a.Statements = append(a.Statements, Statement{Op: OpAlterLogin, Login: &alter})
			if want.Disabled != same.Disabled {
				op := OpEnableLogin
				if want.Disabled {
					op = OpDisableLogin
				}
				a.Statements = append(a.Statements, Statement{Op: op, Login: &alter})
			}
		default:
			a.Action, a.Reason = AlreadyPresent, "same SID; differs from the source in: "+strings.Join(diffs, ", ")+"; left as it is (-Force makes it match)"
		}
		return a
	case same != nil:
		// Users are created for the destination's login of that name.
		p.mapLogin(l, same.Name)
		other := fmt.Sprintf("exists on the destination with another SID (%s, the source's is %s)", Hex(same.SID), Hex(l.SID))
		switch {
		case p.isDstCaller(same):
			a.Action, a.Reason = Conflict, other+"; it is the login running the copy, which is never dropped; users are mapped to it by name"
		case !p.opts.Force:
			a.Action, a.Reason = Conflict, other+"; users are mapped to it by name; -Force drops it and creates it again with the source's SID and password (users of other databases mapped to it lose their login)"
		case l.Type == LoginSQL && len(l.PasswordHash) == 0:
			a.Action, a.Reason = Conflict, other+"; it cannot be recreated: "+p.hashAdvice()
		case p.dstLoginBySID[key] != nil:
			a.Action, a.Reason = Conflict, other+fmt.Sprintf("; the source's SID belongs to the destination login %s: rename or drop one of them", p.dstLoginBySID[key].Name)
		default:
			a.Action, a.Reason = Updated, joinNotes("dropped and created again with the source's SID"+passwordNote(l)+" (-Force)", note)
			drop := Login{Name: same.Name, Type: same.Type, SID: l.SID}
			a.Statements = append([]Statement{{Op: OpDropLogin, Login: &drop}}, createLogin(want)...)
			p.effSID[fold(same.Name)] = l.SID
		}
		return a
	case p.dstLoginBySID[key] != nil:
		a.Action, a.Reason = Conflict, fmt.Sprintf("the destination has this SID (%s) as the login %s: rename or drop one of them, then run the copy again", Hex(l.SID), p.dstLoginBySID[key].Name)
		p.loginWhy[key] = a.Reason
		return a
	case l.Type == LoginSQL && len(l.PasswordHash) == 0:
		return skip(fmt.Sprintf("%s; or create it on the destination with SID = %s and its password, then run the copy again", p.hashAdvice(), Hex(l.SID)))
	}
	a.Action, a.Reason = Created, joinNotes(createdNote(l), note)
	a.Statements = createLogin(want)
	p.mapLogin(l, l.Name)
	p.effSID[fold(l.Name)] = l.SID
	return a
}

func (p *planner) hashAdvice() string {
	if p.src.CanReadHashes {
		return "its password hash could not be read"
	}
	return "its password hash cannot be read: the account reading the source needs CONTROL SERVER (sysadmin)"
}

func passwordNote(l *Login) string {
	if l.Type == LoginSQL {
		return " and password"
	}
	return ""
}

func createdNote(l *Login) string {
	switch l.Type {
	case LoginSQL:
		n := "with the source's SID and password"
		if l.Disabled {
			n += ", disabled"
		}
		return n
	case LoginWindows, LoginWindowsGroup:
		return "for the Windows account"
	}
	return "from the external provider"
}

// userForm is how a user is created on the destination.
type userForm struct {
	login string // FOR LOGIN login; "" for the forms below
	auth  string // AuthNone (WITHOUT LOGIN), AuthWindows, AuthExternal
	note  string
}

func (p *planner) planUser(u *User) Action {
	a := Action{Name: u.Name, Type: TypeUser}
	skip := func(reason string) Action { a.Action, a.Reason = Skipped, reason; return a }
	switch {
	case u.Type == UserCertificate || u.Type == UserAsymmetricKey:
		return skip("mapped to a certificate or asymmetric key, which this tool does not copy: create it again from the certificate or key")
	case u.Type == UserAppRole:
		a.Type = TypeRole
		return skip("an application role: its password cannot be read; create it again on the destination with a password")
	case u.Auth == AuthDatabase:
		return skip(fmt.Sprintf("a contained user with a password, which cannot be read: create it on the destination with its password and SID = %s", Hex(u.SID)))
	}
	form, why := p.userForm(u)
	if why != "" {
		return skip(why)
	}
	d := p.dstPrincipals[fold(u.Name)]
	switch {
	case d.role != nil:
		a.Action, a.Reason = Conflict, "the destination has a role of this name"
		return a
	case d.user != nil:
		return p.existingUser(a, u, d.user, form)
	}
	if form.login != "" {
		if other := p.dstUserBySID[sidKey(p.effSID[fold(form.login)])]; other != nil && len(p.effSID[fold(form.login)]) > 0 {
			if fold(other.Name) == "dbo" {
				return skip(fmt.Sprintf("its login %s owns the destination database (it is dbo there)", form.login))
			}
			a.Action, a.Reason = Conflict, fmt.Sprintf("its login %s already has the user %s in the destination", form.login, other.Name)
			return a
		}
	}
	want := *u
	a.Action, a.Reason = Created, form.note
	// CREATE USER grants CONNECT; a user without it in the source stays
	// without. A source where no user has CONNECT is taken to report no
	// permissions at all (a catalog that hides them), not to have only
	// disabled users: nothing is revoked then.
	create := Statement{Op: OpCreateUser, User: &want, LoginName: form.login, NoConnect: len(p.srcConnect) > 0 && !p.srcConnect[fold(u.Name)]}
	a.Statements = []Statement{create}
	if !create.NoConnect {
		p.dstPerms[permKey(Permission{Class: ClassDatabase, Permission: "CONNECT", Grantee: u.Name})] = StateGrant
	}
	p.avail[fold(u.Name)] = true
	return a
}

// userForm decides how u is created, or says why it cannot be.
func (p *planner) userForm(u *User) (userForm, string) {
	windows := u.Type == UserWindows || u.Type == UserWindowsGroup
	external := u.Type == UserExternal || u.Type == UserExternalGroup
	noWindows := p.dst.NoWindowsLogins || p.dst.IsAzureSQL
	if !mapsToLogin(u) {
		if u.Type == UserSQL {
			return userForm{auth: AuthNone, note: "WITHOUT LOGIN, as in the source"}, ""
		}
		return userForm{}, fmt.Sprintf("a user of type %s without a SID, which this tool does not copy", u.Type)
	}
	l := p.srcLoginBySID[sidKey(u.SID)]
	if l != nil {
		if name, ok := p.loginFor[sidKey(l.SID)]; ok {
			note := ""
			if name != u.Name {
				note = "for the login " + name
			}
			return userForm{login: name, note: note}, ""
		}
	}
	switch {
	case windows && !noWindows && !strings.Contains(u.Name, `\`):
		return userForm{}, "a Windows user without a login whose name is not its account name (DOMAIN\\name): map it to a login on the source, or create it on the destination"
	case windows && !noWindows:
		note := "for the Windows account itself (it has no login on the source server)"
		if l != nil {
			note = "for the Windows account itself (its login " + l.Name + " was not copied)"
		}
		return userForm{auth: AuthWindows, note: note}, ""
	case windows:
		return userForm{}, "a Windows user: the destination cannot authenticate Windows accounts; create a Microsoft Entra user instead"
	case external && p.dst.ExternalPrincipals:
		return userForm{auth: AuthExternal, note: "from the external provider"}, ""
	case external:
		return userForm{}, "a Microsoft Entra user: the destination does not accept Microsoft Entra principals"
	case l != nil:
		why := p.loginWhy[sidKey(l.SID)]
		if p.dst.IsAzureSQL {
			return userForm{}, "its login " + l.Name + " is not copied: " + AzureAdvice
		}
		return userForm{}, fmt.Sprintf("its login %s was not copied (%s)", l.Name, why)
	case !p.src.CanSeeLogins:
		return userForm{}, fmt.Sprintf("its login (SID %s) is not visible to the account reading the source: it needs VIEW ANY DEFINITION or ALTER ANY LOGIN there", Hex(u.SID))
	}
	return userForm{}, fmt.Sprintf("orphaned in the source: no login has its SID (%s); map it to a login on the source (ALTER USER … WITH LOGIN) or drop it", Hex(u.SID))
}

// existingUser compares u with the destination's user of the same name.
func (p *planner) existingUser(a Action, u, d *User, form userForm) Action {
	present := func() Action {
		a.Action, a.Reason = AlreadyPresent, ""
		p.avail[fold(u.Name)] = true
		return p.defaultSchema(a, u, d)
	}
	switch form.login {
	case "":
		if d.Type == u.Type && d.Auth == form.auth && (form.auth == AuthNone || bytes.Equal(d.SID, u.SID)) {
			return present()
		}
		a.Action, a.Reason = Conflict, "the destination has a user of this name of another kind or SID"
		return a
	}
	eff := p.effSID[fold(form.login)]
	if bytes.Equal(d.SID, eff) {
		return present()
	}
	remap := func(reason string) Action {
		a.Action, a.Reason = Updated, reason
		a.Statements = []Statement{{Op: OpRemapUser, User: u, LoginName: form.login}}
		p.avail[fold(u.Name)] = true
		return p.defaultSchema(a, u, d)
	}
	if !mapsToLogin(d) || d.Type != u.Type {
		a.Action, a.Reason = Conflict, "the destination has a user of this name of another kind"
		return a
	}
	holder := p.dstLoginBySID[sidKey(d.SID)]
	switch {
	case holder == nil || fold(holder.Name) == fold(form.login):
		// No login has its SID (or its login is being created again): orphaned.
		return remap("re-mapped to the login " + form.login + " (it was orphaned)")
	case p.isDstCaller(holder):
		a.Action, a.Reason = Conflict, fmt.Sprintf("mapped to the login %s, which runs the copy; never re-mapped", holder.Name)
		return a
	case p.opts.Force:
		return remap(fmt.Sprintf("re-mapped from the login %s to %s (-Force)", holder.Name, form.login))
	}
	a.Action, a.Reason = Conflict, fmt.Sprintf("mapped to the login %s in the destination; -Force maps it to %s", holder.Name, form.login)
	return a
}

// defaultSchema adds the statement that gives an existing user the
// source's default schema.
func (p *planner) defaultSchema(a Action, u, d *User) Action {
	if u.DefaultSchema == "" || fold(u.DefaultSchema) == fold(d.DefaultSchema) {
		return a
	}
	if a.Action == AlreadyPresent {
		a.Action = Updated
	}
	a.Reason = joinNotes(a.Reason, "default schema set to "+u.DefaultSchema)
	a.Statements = append(a.Statements, Statement{Op: OpSetDefaultSchema, User: u})
	return a
}

// planRoles creates the user-defined roles, owners before the roles they own.
func (p *planner) planRoles() []Action {
	byName := map[string]*Role{}
	var roles []*Role
	for i := range p.src.Roles {
		r := &p.src.Roles[i]
		if r.Fixed || fold(r.Name) == "public" {
			continue
		}
		byName[fold(r.Name)] = r
		roles = append(roles, r)
	}
	sort.Slice(roles, func(i, j int) bool { return less(roles[i].Name, roles[j].Name) })
	var ordered []*Role
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(r *Role)
	visit = func(r *Role) {
		k := fold(r.Name)
		if state[k] != 0 {
			return // done, or an ownership cycle SQL Server cannot have
		}
		state[k] = 1
		if o := byName[fold(r.Owner)]; o != nil && o != r {
			visit(o)
		}
		state[k] = 2
		ordered = append(ordered, r)
	}
	for _, r := range roles {
		visit(r)
	}
	var out []Action
	for i, r := range ordered {
		p.roleOrder[fold(r.Name)] = i + 1
		a := Action{Name: r.Name, Type: TypeRole}
		d := p.dstPrincipals[fold(r.Name)]
		switch {
		case d.user != nil:
			a.Action, a.Reason = Conflict, "the destination has a user of this name"
		case d.role != nil:
			a.Action = AlreadyPresent
			p.avail[fold(r.Name)] = true
		default:
			want := Role{Name: r.Name}
			a.Action = Created
			if r.Owner != "" && fold(r.Owner) != "dbo" {
				if p.avail[fold(r.Owner)] {
					want.Owner = r.Owner
					a.Reason = "owned by " + r.Owner
				} else {
					a.Reason = "owned by dbo: its owner " + r.Owner + " was not copied"
				}
			}
			a.Statements = []Statement{{Op: OpCreateRole, Role: &want}}
			p.avail[fold(r.Name)] = true
		}
		out = append(out, a)
	}
	return out
}

func memberKey(m Membership) string { return fold(m.Role) + "\x00" + fold(m.Member) }

// planMemberships adds members to fixed and user-defined roles, nested
// roles in the order the roles were created.
func (p *planner) planMemberships() []Action {
	ms := make([]Membership, 0, len(p.src.Memberships))
	for _, m := range p.src.Memberships {
		if isSystemUser(m.Member) || fold(m.Role) == "public" {
			continue // dbo is in db_owner by definition
		}
		ms = append(ms, m)
	}
	sort.SliceStable(ms, func(i, j int) bool {
		oi, oj := p.roleOrder[fold(ms[i].Role)], p.roleOrder[fold(ms[j].Role)]
		if oi != oj {
			return oi < oj // fixed roles (0) first
		}
		if fold(ms[i].Role) != fold(ms[j].Role) {
			return less(ms[i].Role, ms[j].Role)
		}
		return less(ms[i].Member, ms[j].Member)
	})
	var out []Action
	for _, m := range ms {
		a := Action{Name: m.Member + " in " + m.Role, Type: TypeMembership}
		switch {
		case !p.avail[fold(m.Role)]:
			a.Action, a.Reason = Skipped, "the role "+m.Role+" was not copied"
		case !p.avail[fold(m.Member)]:
			a.Action, a.Reason = Skipped, "the member "+m.Member+" was not copied"
		case p.dstMembers[memberKey(m)]:
			a.Action = AlreadyPresent
		default:
			mm := m
			a.Action = Created
			a.Statements = []Statement{{Op: OpAddMember, Membership: &mm}}
		}
		out = append(out, a)
	}
	return out
}

func permKey(pm Permission) string {
	return strings.Join([]string{pm.Class, fold(pm.Schema), fold(pm.Object), fold(pm.Column), pm.Permission, fold(pm.Grantee)}, "\x00")
}

var classOrder = map[string]int{ClassDatabase: 0, ClassSchema: 1, ClassObject: 2}

// Describe names a permission for people: GRANT SELECT ON dbo.T TO u.
func Describe(pm Permission) string {
	verb := "GRANT"
	switch pm.State {
	case StateDeny:
		verb = "DENY"
	}
	var on string
	switch pm.Class {
	case ClassDatabase:
	case ClassSchema:
		on = " ON SCHEMA " + pm.Schema
	case ClassObject:
		on = " ON " + pm.Schema + "." + pm.Object
		if pm.Column != "" {
			on += " (" + pm.Column + ")"
		}
	default:
		on = " ON " + pm.Class
		if pm.Object != "" {
			on += " " + pm.Object
		}
	}
	s := verb + " " + pm.Permission + on + " TO " + pm.Grantee
	if pm.State == StateGrantWithOption {
		s += " WITH GRANT OPTION"
	}
	return s
}

// securable says whether a permission's securable exists in the
// destination ("" when it does).
func (p *planner) securable(pm Permission) string {
	sys := func(s string) bool { f := fold(s); return f == "sys" || f == "information_schema" }
	switch pm.Class {
	case ClassDatabase:
		return ""
	case ClassSchema:
		if sys(pm.Schema) || p.dstSchemas[fold(pm.Schema)] {
			return ""
		}
		return "the schema " + pm.Schema + " does not exist in the destination"
	}
	if sys(pm.Schema) {
		return "" // system objects are in every database
	}
	o := p.dstObjects[fold(pm.Schema)+"."+fold(pm.Object)]
	switch {
	case o == nil:
		return "the object " + pm.Schema + "." + pm.Object + " does not exist in the destination"
	case pm.Column != "" && !containsFold(o.Columns, pm.Column):
		return "the column " + pm.Column + " of " + pm.Schema + "." + pm.Object + " does not exist in the destination"
	}
	return ""
}

func (p *planner) planPermissions() []Action {
	perms := make([]Permission, 0, len(p.src.Permissions))
	for _, pm := range p.src.Permissions {
		if isSystemUser(pm.Grantee) && fold(pm.Grantee) != "guest" {
			continue // dbo and sys cannot be granted anything
		}
		if fold(pm.Grantor) == "dbo" || !p.avail[fold(pm.Grantor)] {
			pm.Grantor = "" // the default grantor, dbo
		}
		perms = append(perms, pm)
	}
	sort.SliceStable(perms, func(i, j int) bool {
		a, b := perms[i], perms[j]
		if (a.Grantor == "") != (b.Grantor == "") {
			return a.Grantor == "" // a grantor's own grants first
		}
		if ca, cb := classOrder[a.Class], classOrder[b.Class]; ca != cb {
			return ca < cb
		}
		for _, c := range [][2]string{{a.Schema, b.Schema}, {a.Object, b.Object}, {a.Column, b.Column}, {a.Grantee, b.Grantee}, {a.Permission, b.Permission}} {
			if fold(c[0]) != fold(c[1]) {
				return less(c[0], c[1])
			}
		}
		return false
	})
	var out []Action
	for _, pm := range perms {
		a := Action{Name: Describe(pm), Type: TypePermission}
		if _, ok := classOrder[pm.Class]; !ok {
			a.Action, a.Reason = Skipped, "permissions on "+pm.Class+" securables are not copied: grant it again on the destination"
			out = append(out, a)
			continue
		}
		if !p.avail[fold(pm.Grantee)] {
			a.Action, a.Reason = Skipped, "the grantee "+pm.Grantee+" was not copied"
			out = append(out, a)
			continue
		}
		if why := p.securable(pm); why != "" {
			a.Action, a.Reason = Skipped, why
			out = append(out, a)
			continue
		}
		have, ok := p.dstPerms[permKey(pm)]
		want := pm
		switch {
		case ok && have == pm.State:
			a.Action = AlreadyPresent
		case ok && have == StateGrantWithOption && pm.State == StateGrant:
			a.Action, a.Reason = Updated, "the destination's GRANT WITH GRANT OPTION reduced to GRANT"
			a.Statements = []Statement{{Op: OpRevokeGrantOption, Permission: &want}}
		case ok:
			a.Action, a.Reason = Updated, "was "+strings.ReplaceAll(have, "_", " ")+" in the destination"
			a.Statements = []Statement{{Op: OpGrant, Permission: &want, Cascade: have == StateGrantWithOption}}
		default:
			a.Action = Created
			a.Statements = []Statement{{Op: OpGrant, Permission: &want}}
		}
		if pm.Grantor != "" && len(a.Statements) > 0 {
			a.Reason = joinNotes(a.Reason, "granted as "+pm.Grantor)
		}
		out = append(out, a)
	}
	return out
}
