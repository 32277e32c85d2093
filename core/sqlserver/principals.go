package sqlserver

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode"

	mssql "github.com/microsoft/go-mssqldb"

	"github.com/activeroles/arupgrade/core/principals"
)

// Engine editions (SERVERPROPERTY('EngineEdition')) without server logins
// of their own (Azure SQL Database) or without Windows authentication.
const (
	editionAzureSQLDatabase = 5
	editionManagedInstance  = 8
)

// ReadPrincipals reads the principals snapshot of d's server and database:
// the logins (with password hashes where the account may read them), the
// database's users, roles, memberships and permissions, and the securables
// permissions can name.
func (d *Database) ReadPrincipals(ctx context.Context) (*principals.Snapshot, error) {
	q, release, err := d.reader(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	r := &principalReader{d: d, q: q}
	s, err := r.read(ctx)
	if err != nil {
		return nil, err
	}
	return s, nil
}

type principalReader struct {
	d *Database
	q queryer
}

// query runs one catalog read and calls scan for each row.
func (r *principalReader) query(ctx context.Context, op, stmt string, scan func(*sql.Rows) error) error {
	qctx, cancel := r.d.cmdCtx(ctx)
	defer cancel()
	rows, err := r.q.QueryContext(qctx, stmt)
	if err != nil {
		return r.d.wrap(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return r.d.wrap(op, err)
		}
	}
	if err := rows.Err(); err != nil {
		return r.d.wrap(op, err)
	}
	return nil
}

func (r *principalReader) read(ctx context.Context) (*principals.Snapshot, error) {
	s := &principals.Snapshot{}
	var (
		callerName, dbName, server sql.NullString
		edition, major             int
	)
	err := r.query(ctx, "read the server and caller", sqlPrincipalServer, func(rows *sql.Rows) error {
		return rows.Scan(&callerName, &s.Caller.SID, &dbName, &server, &edition, &major)
	})
	if err != nil {
		return nil, err
	}
	s.Caller.Login, s.Database, s.Server = callerName.String, dbName.String, server.String
	if s.Server == "" {
		s.Server = r.d.opts.ServerName()
	}
	s.IsAzureSQL = edition == editionAzureSQLDatabase || r.d.opts.DatabaseType == AzureSQL
	s.NoWindowsLogins = s.IsAzureSQL || edition == editionManagedInstance
	s.ExternalPrincipals = s.IsAzureSQL || edition == editionManagedInstance || major >= 16
	if !s.IsAzureSQL {
		if err := r.logins(ctx, s); err != nil {
			return nil, err
		}
	}
	if err := r.database(ctx, s); err != nil {
		return nil, err
	}
	return s, nil
}

// logins reads the server's logins; password hashes only where the server
// has sys.sql_logins and shows them (CONTROL SERVER).
func (r *principalReader) logins(ctx context.Context, s *principals.Snapshot) error {
	var control, seeAll, hasSQLLogins int
	err := r.query(ctx, "read login permissions", sqlLoginRights, func(rows *sql.Rows) error {
		return rows.Scan(&control, &seeAll, &hasSQLLogins)
	})
	switch {
	case err != nil && ctx.Err() != nil:
		return err
	case err != nil:
		// A server that cannot answer the question grants nothing: hashes
		// are not read and unmatched users are reported as possibly hidden.
		control, seeAll, hasSQLLogins = 0, 0, 0
	}
	// CONTROL SERVER implies VIEW ANY DEFINITION, which not every server's
	// HAS_PERMS_BY_NAME reports for it.
	s.CanReadHashes, s.CanSeeLogins = control == 1, seeAll == 1 || control == 1
	byName := map[string]int{}
	err = r.query(ctx, "read logins", sqlServerLogins, func(rows *sql.Rows) error {
		var l principals.Login
		if err := rows.Scan(&l.Name, &l.SID, &l.Type, &l.Disabled, &l.DefaultDatabase, &l.DefaultLanguage); err != nil {
			return err
		}
		l.Type = strings.TrimSpace(l.Type)
		byName[l.Name] = len(s.Logins)
		s.Logins = append(s.Logins, l)
		return nil
	})
	if err != nil {
		return err
	}
	if hasSQLLogins == 1 {
		err = r.query(ctx, "read SQL logins", sqlSQLLogins, func(rows *sql.Rows) error {
			var (
				name           string
				hash           []byte
				policy, expire bool
			)
			if err := rows.Scan(&name, &hash, &policy, &expire); err != nil {
				return err
			}
			if i, ok := byName[name]; ok {
				l := &s.Logins[i]
				l.CheckPolicy, l.CheckExpiration = policy, expire
				if len(hash) > 0 {
					l.PasswordHash = hash
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	} else {
		s.CanReadHashes = false
	}
	return r.query(ctx, "read databases", sqlDatabaseNames, func(rows *sql.Rows) error {
		var n string
		if err := rows.Scan(&n); err != nil {
			return err
		}
		s.Databases = append(s.Databases, n)
		return nil
	})
}

// database reads the database's principals, memberships, permissions and securables.
func (r *principalReader) database(ctx context.Context, s *principals.Snapshot) error {
	logins := map[string]bool{}
	for _, l := range s.Logins {
		logins[string(l.SID)] = true
	}
	err := r.query(ctx, "read database principals", sqlDatabasePrincipals, func(rows *sql.Rows) error {
		var (
			name, typ, schema, auth, owner string
			sid                            []byte
		)
		if err := rows.Scan(&name, &typ, &sid, &schema, &auth, &owner); err != nil {
			return err
		}
		typ = strings.TrimSpace(typ)
		if typ == "R" {
			s.Roles = append(s.Roles, principals.Role{Name: name, Owner: owner, Fixed: fixedRoles[strings.ToLower(name)]})
			return nil
		}
		if auth == "" {
			auth = inferAuth(typ, sid, logins)
		}
		s.Users = append(s.Users, principals.User{Name: name, Type: typ, Auth: auth, SID: sid, DefaultSchema: schema})
		return nil
	})
	if err != nil {
		return err
	}
	err = r.query(ctx, "read role memberships", sqlRoleMembers, func(rows *sql.Rows) error {
		var m principals.Membership
		if err := rows.Scan(&m.Role, &m.Member); err != nil {
			return err
		}
		s.Memberships = append(s.Memberships, m)
		return nil
	})
	if err != nil {
		return err
	}
	err = r.query(ctx, "read permissions", sqlDatabasePermissions, func(rows *sql.Rows) error {
		var (
			p     principals.Permission
			major int64
		)
		if err := rows.Scan(&p.State, &p.Class, &p.Permission, &p.Grantee, &p.Grantor, &p.Schema, &p.Object, &p.Column, &major); err != nil {
			return err
		}
		p.Permission = strings.TrimSpace(p.Permission)
		switch p.Class {
		case principals.ClassDatabase:
			p.Schema, p.Object, p.Column = "", "", ""
		case principals.ClassSchema:
			p.Object, p.Column = "", ""
		case principals.ClassObject:
		default:
			p.Schema, p.Object, p.Column = "", fmt.Sprintf("#%d", major), ""
		}
		s.Permissions = append(s.Permissions, p)
		return nil
	})
	if err != nil {
		return err
	}
	err = r.query(ctx, "read schemas", sqlSchemaNames, func(rows *sql.Rows) error {
		var n string
		if err := rows.Scan(&n); err != nil {
			return err
		}
		s.Schemas = append(s.Schemas, n)
		return nil
	})
	if err != nil {
		return err
	}
	return r.query(ctx, "read objects", sqlObjectColumns, func(rows *sql.Rows) error {
		var schema, name, col string
		if err := rows.Scan(&schema, &name, &col); err != nil {
			return err
		}
		if n := len(s.Objects); n == 0 || s.Objects[n-1].Schema != schema || s.Objects[n-1].Name != name {
			s.Objects = append(s.Objects, principals.Object{Schema: schema, Name: name})
		}
		if col != "" {
			o := &s.Objects[len(s.Objects)-1]
			o.Columns = append(o.Columns, col)
		}
		return nil
	})
}

// fixedRoles are the fixed database roles and public, by name: the names
// are reserved, so they need no catalog flag.
var fixedRoles = map[string]bool{"public": true, "db_owner": true, "db_accessadmin": true, "db_securityadmin": true,
	"db_ddladmin": true, "db_backupoperator": true, "db_datareader": true, "db_datawriter": true,
	"db_denydatareader": true, "db_denydatawriter": true}

// inferAuth is a user's authentication type where the catalog does not say
// (authentication_type_desc NULL): from its type, and for SQL users from
// whether a login has its SID.
func inferAuth(typ string, sid []byte, logins map[string]bool) string {
	switch typ {
	case principals.UserWindows, principals.UserWindowsGroup:
		return principals.AuthWindows
	case principals.UserExternal, principals.UserExternalGroup:
		return principals.AuthExternal
	case principals.UserSQL:
		if len(sid) > 0 && (logins[string(sid)] || len(logins) == 0) {
			return principals.AuthInstance
		}
		if len(sid) > 0 && !allZero(sid) {
			return principals.AuthInstance // orphaned: reported as such
		}
	}
	return principals.AuthNone
}

func allZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}

// PrincipalCancelGrace is how long the principal in hand may still be
// copied after the run is cancelled: Ctrl+C stops the copy after the
// current principal (as the import wizards stop after the current step),
// but a statement waiting on a lock is cancelled after this rather than
// hold Ctrl+C for the command timeout.
var PrincipalCancelGrace = 15 * time.Second

// ApplyPrincipals carries out the planned actions in order, statement by
// statement. An action whose statement fails becomes Failed with the
// server's message, and the copy goes on with the next action (its
// dependants then fail or are guarded away on their own).
//
// Cancellation stops it after the action in hand (within
// PrincipalCancelGrace): the actions it did not reach become Skipped
// ("not done"), one cut short becomes Failed, so the actions tell exactly
// what was done, and the context's error is returned.
func (d *Database) ApplyPrincipals(ctx context.Context, acts []principals.Action) error {
	return d.ApplyPrincipalsProgress(ctx, acts, nil)
}

// ApplyPrincipalsProgress is ApplyPrincipals calling progress (when not
// nil) after each action that has statements: done of total such actions.
func (d *Database) ApplyPrincipalsProgress(ctx context.Context, acts []principals.Action, progress func(done, total int)) error {
	total, done := 0, 0
	for _, a := range acts {
		if len(a.Statements) > 0 {
			total++
		}
	}
	for i := range acts {
		a := &acts[i]
		if len(a.Statements) == 0 {
			continue
		}
		if ctx.Err() != nil {
			notDone(acts[i:], principals.ReasonNotDone)
			return d.wrap("copy principals", context.Cause(ctx))
		}
		actx, stop := afterGrace(ctx, PrincipalCancelGrace)
		for _, st := range a.Statements {
			text, args, err := principalStatement(st, false)
			if err == nil {
				qctx, cancel := d.cmdCtx(actx)
				_, err = d.db.ExecContext(qctx, text, args...)
				cancel()
			}
			if err != nil {
				if actx.Err() != nil {
					stop()
					a.Action, a.Reason = principals.Failed, principals.ReasonInterrupted
					notDone(acts[i+1:], principals.ReasonNotDone)
					return d.wrap("copy principals", context.Cause(ctx))
				}
				a.Action, a.Reason = principals.Failed, failure(err)
				break
			}
		}
		stop()
		done++
		if progress != nil {
			progress(done, total)
		}
	}
	return nil
}

// notDone marks the actions a cancelled copy did not carry out.
func notDone(acts []principals.Action, reason string) {
	for i := range acts {
		if len(acts[i].Statements) > 0 {
			acts[i].Action, acts[i].Reason = principals.Skipped, reason
		}
	}
}

// afterGrace returns a context that outlives ctx's cancellation by grace
// and then ends too; stop releases it.
func afterGrace(ctx context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	gctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var (
		mu    sync.Mutex
		timer *time.Timer
	)
	stopAfter := context.AfterFunc(ctx, func() {
		mu.Lock()
		timer = time.AfterFunc(grace, cancel)
		mu.Unlock()
	})
	return gctx, func() {
		stopAfter()
		mu.Lock()
		if timer != nil {
			timer.Stop()
		}
		mu.Unlock()
		cancel()
	}
}

// failure is a failed statement's reason: the server's message and number.
func failure(err error) string {
	var me mssql.Error
	if errors.As(err, &me) {
		return fmt.Sprintf("%s (SQL Server error %d)", me.Message, me.Number)
	}
	return err.Error()
}

// PrincipalScript describes a principals script for its header.
type PrincipalScript struct {
	Source, Destination string // for people: server/database or a bundle path
	// Database is the destination database the script must run in ("" when
	// not known: no check).
	Database string
	Producer string
	Written  time.Time
}

// WritePrincipalScript writes the planned actions as a T-SQL script a DBA
// can review and run (sqlcmd, SQL Server Management Studio): one guarded
// statement per change, in dependency order, each a GO-separated batch, so
// it can be run again and changes nothing the second time. Actions that
// change nothing are listed as comments. The header says whether the
// script holds password hashes. An action whose statement cannot be
// scripted becomes Failed; the rest is written.
func WritePrincipalScript(w io.Writer, acts []principals.Action, h PrincipalScript) error {
	var body strings.Builder
	hashes := 0
	for i := range acts {
		a := &acts[i]
		var stmts []string
		for _, st := range a.Statements {
			text, _, err := principalStatement(st, true)
			if err != nil {
				a.Action, a.Reason = principals.Failed, "cannot be scripted: "+err.Error()
				stmts = nil
				break
			}
			if st.Login != nil && len(st.Login.PasswordHash) > 0 && (st.Op == principals.OpCreateLogin || st.Op == principals.OpAlterLogin) {
				hashes++
			}
			stmts = append(stmts, text)
		}
		line := "-- " + a.Type + " " + a.Name + ": " + a.Action
		if a.Reason != "" {
			line += " (" + a.Reason + ")"
		}
		if len(stmts) == 0 {
			body.WriteString(comment(line) + "\n")
			continue
		}
		body.WriteString("\n" + comment(line) + "\n")
		for _, s := range stmts {
			body.WriteString(s + "\nGO\n")
		}
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "-- Active Roles database principals: logins, users, roles, role memberships and permissions")
	fmt.Fprintln(bw, comment("-- Source: "+h.Source))
	fmt.Fprintln(bw, comment("-- Destination: "+h.Destination))
	fmt.Fprintln(bw, comment("-- Written "+h.Written.UTC().Format(time.RFC3339)+" by "+h.Producer))
	if hashes > 0 {
		fmt.Fprintf(bw, "-- WARNING: THIS SCRIPT HOLDS THE PASSWORD HASHES OF %d SQL SERVER LOGIN(S) (CREATE/ALTER LOGIN ... HASHED).\n", hashes)
		fmt.Fprintln(bw, "-- Anyone who reads it can attack those passwords offline: keep it as secret as the passwords, and delete it after use.")
	} else {
		fmt.Fprintln(bw, "-- This script holds no password hashes.")
	}
	fmt.Fprintln(bw, "-- Run it connected to the destination database as a member of sysadmin (logins) or db_owner (the rest),")
	fmt.Fprintln(bw, "-- e.g. sqlcmd -S <server> -d <database> -b -i <this file>. Each statement checks the catalog first:")
	fmt.Fprintln(bw, "-- running the script again changes nothing.")
	fmt.Fprintln(bw, sqlScriptPrologue)
	fmt.Fprintln(bw, "GO")
	if h.Database != "" {
		if err := checkName("database", h.Database, true); err != nil {
			return err
		}
		fmt.Fprintln(bw, sqlScriptDatabaseCheck(h.Database))
		fmt.Fprintln(bw, "GO")
	}
	bw.WriteString(body.String())
	return bw.Flush()
}

// comment keeps text on its comment line: any control or line-separating
// character (which could end the comment and start a statement) becomes a space.
func comment(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\u0085' {
			return ' '
		}
		return r
	}, s)
}
