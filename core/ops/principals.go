package ops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/dbopen"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/principals"
	"github.com/activeroles/arupgrade/core/sqlserver"
	"github.com/activeroles/arupgrade/core/store"
)

func init() {
	engine.Register("copy-principals", runCopyPrincipals)
}

// ResultPrincipal is the result type of one copied (or not copied)
// principal: principals.Action's name, type, action and reason.
const ResultPrincipal = "PrincipalCopyResult"

// CodeNoPrincipals: an endpoint that holds no principals: a bundle
// destination, or a bundle source exported without them.
const CodeNoPrincipals = "AR-NOPRINCIPALS"

type copyPrincipalsParams struct {
	Source      dbopen.Endpoint `json:"source"`
	Destination dbopen.Endpoint `json:"destination"`
	ScriptPath  string          `json:"scriptPath"`
	Force       bool            `json:"force"`
	WhatIf      bool            `json:"whatIf"`
}

// principalSource is where principals are read: a SQL Server database
// (*sqlserver.Database) or a bundle that recorded them at export
// (*bundle.Bundle).
type principalSource interface {
	ReadPrincipals(ctx context.Context) (*principals.Snapshot, error)
	Close() error
}

// principalDB is a database whose principals can be read and changed
// (*sqlserver.Database).
type principalDB interface {
	principalSource
	ApplyPrincipalsProgress(ctx context.Context, acts []principals.Action, progress func(done, total int)) error
}

var (
	_ principalDB     = (*sqlserver.Database)(nil)
	_ principalSource = (*bundle.Bundle)(nil)
)

// noPrincipals is the answer for a bundle destination: a file cannot hold
// logins, which the user must hear rather than see an empty copy.
func noPrincipals(ep *dbopen.Endpoint) *arerr.Error {
	return arerr.Errorf(CodeNoPrincipals, arerr.CatInvalidArgument,
		"Copy the principals into the SQL Server database the bundle is imported into, or write them as a script with "+arerr.Param("scriptPath")+".",
		"The destination %s is a bundle, which cannot hold SQL Server logins, users, roles or permissions.", ep.Describe())
}

// notRecorded is the answer for a bundle source exported without principals.
func notRecorded(ep *dbopen.Endpoint) *arerr.Error {
	return arerr.Errorf(CodeNoPrincipals, arerr.CatInvalidArgument,
		"Export the SQL Server database again with this version ("+arerr.Command("export")+" records the principals), or copy them from that database (name it with "+arerr.Param("source")+").",
		"The source %s was exported without database users, logins, roles and permissions (by an earlier version, or it was written by an import): this bundle was exported without principals, so there is nothing to copy from it.", ep.Describe())
}

// openPrincipalSource opens the source of a copy: a SQL Server database or a bundle.
func openPrincipalSource(ctx context.Context, ep *dbopen.Endpoint, em *engine.Emitter) (principalSource, error) {
	s, err := dbopen.OpenSource(ctx, ep, em)
	if err != nil {
		return nil, err
	}
	ps, ok := s.(principalSource)
	if !ok {
		_ = s.Close()
		return nil, notRecorded(ep)
	}
	return ps, nil
}

// openPrincipalDB connects to a SQL Server destination for its principals.
func openPrincipalDB(ctx context.Context, ep *dbopen.Endpoint, em *engine.Emitter) (principalDB, error) {
	if ep.IsBundle() {
		return nil, noPrincipals(ep)
	}
	s, err := dbopen.OpenSource(ctx, ep, em)
	if err != nil {
		return nil, err
	}
	db, ok := s.(principalDB)
	if !ok {
		_ = s.Close()
		return nil, noPrincipals(ep)
	}
	return db, nil
}

// readPrincipals reads one side's snapshot, naming the side on failure.
func readPrincipals(ctx context.Context, db principalSource, ep *dbopen.Endpoint, side string) (*principals.Snapshot, error) {
	s, err := db.ReadPrincipals(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		if errors.Is(err, bundle.ErrNoPrincipals) {
			return nil, notRecorded(ep)
		}
		return nil, arerr.Wrap(err, "AR-READ", arerr.CatReadError,
			"Check that the account may read the catalog views of the database (db_datareader is enough; CONTROL SERVER also reads password hashes).",
			"Cannot read the database principals of the %s %s", side, ep.Describe())
	}
	return s, nil
}

// runCopyPrincipals is the guide's "Copy database users, permissions,
// logins and roles": plan against the destination, then carry the plan
// out, write it as a script, or (WhatIf) only report it. One
// PrincipalCopyResult per login, user, role, membership and permission.
func runCopyPrincipals(ctx context.Context, raw json.RawMessage, em *engine.Emitter) error {
	var p copyPrincipalsParams
	if err := decodeParams(raw, &p, `{"source":{"server":"sql01.corp.example.com","database":"ARConfig76"},"destination":{"server":"sql02.corp.example.com","database":"ARConfig82"}}`); err != nil {
		return err
	}
	switch {
	case p.Source.IsZero():
		return arerr.Errorf("AR-PARAMS", arerr.CatInvalidArgument, "Name the source database (the earlier version's Active Roles database on SQL Server).", "No source was given.")
	case p.Destination.IsZero() && p.ScriptPath == "":
		return arerr.Errorf("AR-PARAMS", arerr.CatInvalidArgument, "Name the destination database, or write a script with "+arerr.Param("scriptPath")+".", "No destination was given.")
	case p.Destination.Create:
		return arerr.Errorf("AR-PARAMS", arerr.CatInvalidArgument, "Import into the new database first ("+arerr.Command("import-configuration")+" copies the principals too), then copy them into it.",
			"Principals are copied into an existing database; they cannot create one.")
	case p.ScriptPath != "" && p.Destination.IsBundle():
		em.Log().Info().Str("destination", p.Destination.Describe()).Msg("the destination is a bundle: the script is planned against an empty destination")
	case p.Destination.IsBundle():
		return noPrincipals(&p.Destination)
	}
	src, err := openPrincipalSource(ctx, &p.Source, em)
	if err != nil {
		return err
	}
	defer src.Close()
	srcSnap, err := readPrincipals(ctx, src, &p.Source, "source")
	if err != nil {
		return err
	}
	dstSnap := &principals.Snapshot{}
	var dst principalDB
	if !p.Destination.IsZero() && !p.Destination.IsBundle() {
		if dst, err = openPrincipalDB(ctx, &p.Destination, em); err != nil {
			return err
		}
		defer dst.Close()
		if !p.WhatIf && p.ScriptPath == "" {
			// One writer per destination, like the imports; taken before the
			// destination is read, so the plan is made against what the
			// copy changes. A script or -WhatIf changes nothing: no lock.
			release, err := lockPrincipalDest(ctx, dst, &p.Destination, "copy-principals")
			if err != nil {
				return err
			}
			defer releaseLock(release, em)
		}
		if dstSnap, err = readPrincipals(ctx, dst, &p.Destination, "destination"); err != nil {
			return err
		}
	}
	acts := principals.Plan(srcSnap, dstSnap, principals.Options{Force: p.Force})
	switch {
	case p.WhatIf:
	case p.ScriptPath != "":
		dstName := "(none given: planned against an empty destination)"
		if !p.Destination.IsZero() {
			dstName = p.Destination.Describe()
		}
		h := sqlserver.PrincipalScript{Source: p.Source.Describe(), Destination: dstName, Database: dstSnap.Database,
			Producer: "arupgrade " + engine.Version, Written: time.Now()}
		if err := writePrincipalScript(p.ScriptPath, acts, h); err != nil {
			return err
		}
		em.Log().Info().Str("script", p.ScriptPath).Msg("wrote the principals script")
	default:
		if err := dst.ApplyPrincipalsProgress(ctx, acts, principalProgress(em)); err != nil {
			if ctx.Err() == nil {
				return err
			}
			// Cancelled: the results still tell what was done (and what not).
			if err := emitPrincipals(acts, em); err != nil {
				return err
			}
			c := countActions(acts)
			c.log(em, false)
			return copyCancelled(acts)
		}
	}
	if err := emitPrincipals(acts, em); err != nil {
		return err
	}
	c := countActions(acts)
	c.log(em, p.WhatIf || p.ScriptPath != "")
	if c[principals.Failed] > 0 {
		return arerr.Errorf("AR-PRINCIPALS", arerr.CatWriteError,
			"See each Failed result's reason (the server's message), fix it, and run the command again: what was copied is reported AlreadyPresent.",
			"%d of %d database principals could not be copied.", c[principals.Failed], len(acts))
	}
	return nil
}

// principalProgress reports the copy's progress (Write-Progress): principals
// done of those to change.
func principalProgress(em *engine.Emitter) func(done, total int) {
	return func(done, total int) {
		em.Progress(engine.Progress{Activity: "Copying database principals", Rows: int64(done), Total: int64(total),
			Percent: 100 * float64(done) / float64(total), Completed: done == total})
	}
}

// emitPrincipals sends one PrincipalCopyResult per action.
func emitPrincipals(acts []principals.Action, em *engine.Emitter) error {
	for _, a := range acts {
		if err := em.Result(ResultPrincipal, a); err != nil {
			return err
		}
	}
	return nil
}

// copyCancelled is the error of a copy stopped by Ctrl+C after some of its
// changes: it wraps context.Canceled (outcome cancelled) and counts what
// was done and what not.
func copyCancelled(acts []principals.Action) error {
	done, notDone := actionCounts{}, 0
	for _, a := range acts {
		if a.Reason == principals.ReasonNotDone || a.Reason == principals.ReasonInterrupted {
			notDone++
			continue
		}
		done[a.Action]++
	}
	e := arerr.Errorf("AR-CANCELLED", arerr.CatOperationStopped,
		"Run the same command again to copy the rest: what was copied is then reported AlreadyPresent.",
		"The copy of the database principals was cancelled: %d not done (%s); each result says which.", notDone, done)
	e.Err = context.Canceled
	return e
}

// lockPrincipalDest takes the destination's writer lock (AR-E019 while
// another run holds it). A destination that cannot be locked is used as before.
func lockPrincipalDest(ctx context.Context, db principalDB, ep *dbopen.Endpoint, operation string) (func() error, error) {
	src, ok := db.(store.Source)
	if !ok {
		return func() error { return nil }, nil
	}
	return dbopen.Claim(ctx, ep, src, operation, &dbopen.Destination{})
}

// writePrincipalScript writes the script next to its final name and
// renames it into place, readable by the owner only: it can hold password
// hashes.
func writePrincipalScript(path string, acts []principals.Action, h sqlserver.PrincipalScript) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".principals-*.sql.tmp")
	if err != nil {
		return arerr.WriteErr(err, path, "Choose a folder you can write to.", "Cannot write the script %s", path)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a successful rename there is nothing left to remove
	if err := f.Chmod(0o600); err != nil && !isUnsupported(err) {
		_ = f.Close()
		return arerr.WriteErr(err, path, "Choose a folder you can write to.", "Cannot write the script %s", path)
	}
	if err := sqlserver.WritePrincipalScript(f, acts, h); err != nil {
		_ = f.Close()
		return arerr.WriteErr(err, path, "Choose a folder you can write to.", "Cannot write the script %s", path)
	}
	if err := f.Close(); err != nil {
		return arerr.WriteErr(err, path, "Choose a folder you can write to.", "Cannot write the script %s", path)
	}
	if err := os.Rename(tmp, path); err != nil {
		return arerr.WriteErr(err, path, "Check the path: it must name a file, not a folder.", "Cannot write the script %s", path)
	}
	return nil
}

// isUnsupported: file modes mean little on Windows; a failed chmod there is not an error.
func isUnsupported(err error) bool {
	return strings.Contains(strings.ToLower(err.Error()), "not supported")
}

// actionCounts counts actions by outcome.
type actionCounts map[string]int

func countActions(acts []principals.Action) actionCounts {
	c := actionCounts{}
	for _, a := range acts {
		c[a.Action]++
	}
	return c
}

func (c actionCounts) String() string {
	var parts []string
	for _, k := range []string{principals.Created, principals.Updated, principals.AlreadyPresent, principals.Skipped, principals.Conflict, principals.Failed} {
		if c[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c[k], strings.ToLower(splitWords(k))))
		}
	}
	if len(parts) == 0 {
		return "nothing to copy"
	}
	return strings.Join(parts, ", ")
}

// splitWords turns AlreadyPresent into "Already present".
func splitWords(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (c actionCounts) log(em *engine.Emitter, planned bool) {
	msg := "database principals copied"
	if planned {
		msg = "database principals planned"
	}
	em.Log().Info().Str("summary", c.String()).Msg(msg)
}

// principalsAfterImport is the imports' default last step (the guide's
// "Copy database users, permissions, logins and roles", selected by
// default): after a successful import it copies the source's principals
// into the destination. It never fails the import; what it did, or why it
// did not, is the result's principals, and anything short of a full copy
// is also warning AR-W006. The import still holds the destination's
// writer lock: this step takes none.
func principalsAfterImport(ctx context.Context, src, dst *dbopen.Endpoint, skip, whatIf bool, em *engine.Emitter) (copied bool, reason string) {
	return copyPrincipalsAfter(ctx, src, dst, skip, whatIf, "", em)
}

// principalsStep is the upgrade's CopyPrincipals step: principalsAfterImport
// run on its own, so it takes the destination's writer lock itself.
func principalsStep(ctx context.Context, src, dst *dbopen.Endpoint, em *engine.Emitter) (copied bool, reason string) {
	return copyPrincipalsAfter(ctx, src, dst, false, false, "copy-principals", em)
}

// copyPrincipalsAfter copies the principals after an import; lockAs, when
// set, is the operation the destination's writer lock is taken for.
func copyPrincipalsAfter(ctx context.Context, src, dst *dbopen.Endpoint, skip, whatIf bool, lockAs string, em *engine.Emitter) (copied bool, reason string) {
	warn := func(reason string) (bool, string) {
		em.Warn(model.W006PrincipalsNotCopied.ID, "Database users, logins and roles were not copied: "+reason)
		return false, reason
	}
	switch {
	case skip:
		return false, "skipped at your request (" + arerr.Param("skipPrincipals") + ")"
	case whatIf:
		return false, "copied after the import (" + arerr.Command("copy-principals") + " " + arerr.Param("whatIf") + " lists what would be copied)"
	case dst.IsBundle():
		return warn("the destination is a bundle, which cannot hold SQL Server logins, users, roles or permissions; " +
			"copy them with " + arerr.Command("copy-principals") + " after importing the bundle into SQL Server")
	}
	retry := " Run " + arerr.Command("copy-principals") + " with the same source and destination to copy them."
	s, err := openPrincipalSource(ctx, src, em)
	if err != nil {
		return warn(errText(err) + retry)
	}
	defer s.Close()
	d, err := openPrincipalDB(ctx, dst, em)
	if err != nil {
		return warn(errText(err) + retry)
	}
	defer d.Close()
	if lockAs != "" {
		release, err := lockPrincipalDest(ctx, d, dst, lockAs)
		if err != nil {
			return warn(errText(err) + retry)
		}
		defer releaseLock(release, em)
	}
	srcSnap, err := readPrincipals(ctx, s, src, "source")
	if err != nil {
		var e *arerr.Error
		if errors.As(err, &e) && e.Code == CodeNoPrincipals {
			return warn(e.Error()) // the retry would find none either
		}
		return warn(errText(err) + retry)
	}
	dstSnap, err := readPrincipals(ctx, d, dst, "destination")
	if err != nil {
		return warn(errText(err) + retry)
	}
	acts := principals.Plan(srcSnap, dstSnap, principals.Options{})
	applyErr := d.ApplyPrincipalsProgress(ctx, acts, principalProgress(em))
	for _, a := range acts {
		em.Log().Info().Str("name", a.Name).Str("type", a.Type).Str("action", a.Action).Str("reason", a.Reason).Msg("database principal")
	}
	c := countActions(acts)
	c.log(em, false)
	summary := "copied: " + c.String()
	if applyErr != nil {
		if ctx.Err() != nil {
			return warn("the copy was cancelled (" + c.String() + ")." + retry)
		}
		return warn("the copy was interrupted (" + errText(applyErr) + ")." + retry)
	}
	if c[principals.Conflict]+c[principals.Failed] > 0 {
		return warn(summary + "; " + arerr.Command("copy-principals") + " " + arerr.Param("whatIf") + " with the same source and destination lists each one with its reason (" + arerr.Param("force") + " resolves conflicts)")
	}
	if dstSnap.IsAzureSQL && c[principals.Skipped] > 0 {
		return warn(summary + "; " + principals.AzureAdvice)
	}
	return true, summary
}

// errText is an error's message and remedy.
func errText(err error) string {
	var e *arerr.Error
	if errors.As(err, &e) {
		return e.Error()
	}
	return err.Error()
}
