package configimport

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/secrets"
	"github.com/activeroles/arupgrade/core/store"
)

// Codes of the checks that §12 does not number.
const (
	CodeSourcePermissions      = "AR-PERM-SOURCE"
	CodeDestinationPermissions = "AR-PERM-DESTINATION"
	CodeFreeSpace              = "AR-SPACE"
)

// preflightState is what preflight learnt; Run reuses it.
type preflightState struct {
	srcInfo, dstInfo *store.Info
	src, dst         model.Detection
	srcName, dstName string
	key              *secrets.Key // read and checked; nil when none or skipped

	addOns         []AddOnInfo
	partners       int64
	tenants        int64
	secretsNonNull int64
	pending        int64
}

func (p *preflightState) keyID() data.UUID {
	if p.key != nil {
		return p.key.ID()
	}
	return data.UUID{}
}

// Preflight runs every check of §12 that applies to a configuration import,
// plus the account's rights, the destination's free space and the caller's
// connection findings, and returns one Check per check. It writes nothing.
// The error is for failures to read the databases, not for failed checks.
func Preflight(ctx context.Context, src store.Source, dst store.ConfigDestination, opts Options) ([]Check, error) {
	checks, _, err := preflight(ctx, src, dst, opts)
	return checks, err
}

// failure turns the failed checks into the error Run returns: the first
// failing code, every failure listed.
func failure(checks []Check) error {
	var failed []Check
	for _, c := range checks {
		if c.Status == StatusFail {
			failed = append(failed, c)
		}
	}
	if len(failed) == 0 {
		return nil
	}
	first := failed[0]
	msg := first.Message
	remedy := first.Remedy
	if len(failed) > 1 {
		var parts []string
		for _, c := range failed {
			parts = append(parts, c.Code+": "+c.Message)
		}
		msg = fmt.Sprintf("The import cannot start; %d checks failed: %s", len(failed), strings.Join(parts, " | "))
		var rs []string
		for _, c := range failed {
			if c.Remedy != "" {
				rs = append(rs, c.Code+": "+c.Remedy)
			}
		}
		remedy = strings.Join(rs, " | ")
	}
	cat := first.Category
	if cat == "" {
		cat = arerr.CatInvalidOperation
	}
	e := arerr.Errorf(first.Code, cat, remedy, "%s Nothing was written.", msg)
	return e
}

// ioError wraps a read failure, or reports a cancellation as such.
func ioError(ctx context.Context, err error, code, cat, remedy, format string, args ...any) error {
	if ctx.Err() != nil {
		return arerr.Wrap(err, CodeCancelled, arerr.CatOperationStopped, "Run it again; nothing was written.", "The operation was cancelled")
	}
	return arerr.Wrap(err, code, cat, remedy, format, args...)
}

func pass(code, name, msg string) Check {
	return Check{Code: code, Name: name, Status: StatusPass, Message: msg}
}

func fail(code, name, cat, msg, remedy string) Check {
	return Check{Code: code, Name: name, Status: StatusFail, Message: msg, Remedy: remedy, Category: cat}
}

func warn(code, name, msg, remedy string) Check {
	return Check{Code: code, Name: name, Status: StatusWarning, Message: msg, Remedy: remedy}
}

func preflight(ctx context.Context, src store.Source, dst store.ConfigDestination, opts Options) ([]Check, *preflightState, error) {
	pf := &preflightState{}
	var err error
	if pf.srcInfo, err = src.Info(ctx); err != nil {
		return nil, nil, ioError(ctx, err, "AR-CONNECT", arerr.CatConnectionError, "Check the source's location and that you can read it.", "Cannot read the source database")
	}
	if pf.dstInfo, err = dst.Info(ctx); err != nil {
		return nil, nil, ioError(ctx, err, "AR-CONNECT", arerr.CatConnectionError, "Check the destination's location and that you can write to it.", "Cannot read the destination database")
	}
	pf.src, pf.dst = model.Detect(pf.srcInfo), model.Detect(pf.dstInfo)
	pf.srcName, pf.dstName = opts.SourceName, opts.DestinationName
	if pf.srcName == "" {
		pf.srcName = pf.srcInfo.Location
	}
	if pf.dstName == "" {
		pf.dstName = pf.dstInfo.Location
	}
	var checks []Check
	add := func(c Check) { checks = append(checks, c) }
	s, d := pf.src, pf.dst
	srcOK := true

	// Source.
	c := model.E001SourceNotActiveRoles
	switch s.State {
	case model.StateBlank, model.StateNotActiveRoles:
		srcOK = false
		add(fail(c.ID, c.Name, arerr.CatInvalidData, fmt.Sprintf("The source %s is not an Active Roles database: %s.", pf.srcName, s.Reason),
			"Name the Active Roles configuration database the old Administration Service uses (Configuration Center > Administration Service shows it)."))
	default:
		add(pass(c.ID, c.Name, fmt.Sprintf("The source %s is an Active Roles database.", pf.srcName)))
	}
	c = model.E002SourceVersionUnsupported
	if srcOK {
		switch s.State {
		case model.StateUnsupported, model.StateNewer:
			srcOK = false
			remedy := "Upgrade the source to Active Roles 7.5 or later with that version's tools first, then import it."
			if s.State == model.StateNewer {
				remedy = "Use the Active Roles version that created this database; this tool imports 7.5–8.2 databases."
			}
			add(fail(c.ID, c.Name, arerr.CatInvalidData,
				fmt.Sprintf("Active Roles %s is not supported as a source: only 7.5, 7.6, 8.0, 8.1 and 8.2 databases can be imported.", s.Version.Short()), remedy))
		default:
			add(pass(c.ID, c.Name, fmt.Sprintf("Active Roles %s is a supported source version.", s.Version.Short())))
		}
	}
	c = model.E003SourceRoleMismatch
	if srcOK {
		if !s.Role.HasConfiguration() {
			srcOK = false
			other := arerr.Command("import-history")
			if s.Role == model.RoleCollector {
				other = arerr.Command("import-collector")
			}
			add(fail(c.ID, c.Name, arerr.CatInvalidOperation,
				fmt.Sprintf("The source %s is a %s database; a configuration import needs a Configuration (or 7.x Combined) database.", pf.srcName, s.Role),
				"Name the configuration database as the source; import this database with "+other+" instead."))
		} else {
			add(pass(c.ID, c.Name, fmt.Sprintf("The source is a %s database.", s.Role)))
		}
	}
	c = model.E016UTCOffsetMissing
	if srcOK {
		switch {
		case s.Generation != model.G1:
			add(pass(c.ID, c.Name, "Not applicable: the source stores UTC times."))
		case !s.HasUTCOffset:
			add(fail(c.ID, c.Name, arerr.CatInvalidData,
				"The 7.x source has no valid ServerUtcOffsetMinutes setting, so its local times cannot be converted to UTC.",
				"Add the Settings row ServerUtcOffsetMinutes (the Administration Service host's offset from UTC in minutes, −720 to 840) to the source, then run again."))
		default:
			add(pass(c.ID, c.Name, fmt.Sprintf("The source's times are converted to UTC with an offset of %d minutes.", s.UTCOffsetMinutes)))
		}
	}

	// Destination.
	dstOK := true
	c = model.E004DestinationNotActiveRoles
	if d.State == model.StateNotActiveRoles {
		dstOK = false
		add(fail(c.ID, c.Name, arerr.CatInvalidData,
			fmt.Sprintf("The destination %s is neither blank nor an Active Roles database: %s.", pf.dstName, d.Reason),
			"Name a new database, a blank pre-created one, or an existing Active Roles 8.2 configuration database."))
	} else {
		add(pass(c.ID, c.Name, fmt.Sprintf("The destination is %s.", d.String())))
	}
	c = model.E005DestinationNewer
	if dstOK {
		if d.State == model.StateNewer {
			dstOK = false
			add(fail(c.ID, c.Name, arerr.CatInvalidData,
				fmt.Sprintf("The destination is an Active Roles %s database, newer than %s, the version this tool writes.", d.Version.Short(), model.Target.Short()),
				"Use the tools of that Active Roles version, or name another destination."))
		} else {
			add(pass(c.ID, c.Name, "The destination is not newer than Active Roles 8.2."))
		}
	}
	c = model.E006DestinationVersionMismatch
	if dstOK {
		if d.State == model.StateUnsupported || (d.State == model.StateSupported && d.Generation != model.G3) {
			dstOK = false
			add(fail(c.ID, c.Name, arerr.CatInvalidData,
				fmt.Sprintf("The destination is an Active Roles %s database; configuration can only be imported into an 8.2 database (Verification failed: version mismatch).", d.Version.Short()),
				"Name a new or blank database for 8.2, or clear the existing Active Roles configuration first (Knowledge Base Article 4340880)."))
		} else {
			add(pass(c.ID, c.Name, "The destination is blank or an Active Roles 8.2 database."))
		}
	}
	c = model.E007DestinationRoleMismatch
	if dstOK {
		if d.State == model.StateSupported && d.Role != model.RoleConfiguration {
			dstOK = false
			add(fail(c.ID, c.Name, arerr.CatInvalidOperation,
				fmt.Sprintf("The destination is an 8.2 %s database; configuration goes into a Configuration database.", d.Role),
				"Name the 8.2 configuration database (or a new one) as the destination."))
		} else {
			add(pass(c.ID, c.Name, "The destination holds (or will hold) configuration."))
		}
	}
	c = model.E008DatabaseNameExists
	switch {
	case opts.CreateDestination && opts.DestinationExists:
		add(fail(c.ID, c.Name, arerr.CatResourceExists,
			fmt.Sprintf("Verification failed: a database named %s already exists, so it cannot be created.", pf.dstName),
			"Choose another name for the new database, or drop the existing database first (or name it as an existing destination)."))
	case opts.CreateDestination:
		add(pass(c.ID, c.Name, fmt.Sprintf("No database named %s exists yet; it will be created.", pf.dstName)))
	default:
		add(pass(c.ID, c.Name, "Not applicable: no new database is requested."))
	}
	c = model.E009SameDatabase
	same := opts.SameDatabase || (pf.srcInfo.Location != "" && pf.srcInfo.Kind == pf.dstInfo.Kind && pf.srcInfo.Location == pf.dstInfo.Location)
	if same {
		add(fail(c.ID, c.Name, arerr.CatInvalidOperation, "The source and the destination are the same database.",
			"Import into a new database (or a blank one); the source is only read and must stay as it is."))
	} else {
		add(pass(c.ID, c.Name, "The source and the destination are different databases."))
	}

	// Source contents (only when the source is usable).
	if srcOK {
		if err := pf.readFacts(ctx, src); err != nil {
			return nil, nil, ioError(ctx, err, "AR-READ", arerr.CatReadError, "Check the source is reachable and readable.", "Cannot read the source database")
		}
		c = model.E010ReplicationPartnersPresent
		if pf.partners > 0 {
			add(fail(c.ID, c.Name, arerr.CatInvalidOperation,
				fmt.Sprintf("The source has %d replication partner(s); replicated databases cannot be imported.", pf.partners),
				"Remove the replication partners from the source database (Active Roles Console > Configuration Databases and Replication) first, then run again."))
		} else {
			add(pass(c.ID, c.Name, "The source has no replication partners."))
		}
		c = model.E011AddOnsInstalled
		w4 := model.W004AddOnsNotCopied
		names := addOnNames(pf.addOns)
		switch {
		case len(pf.addOns) > 0 && s.Generation != model.G3:
			add(fail(c.ID, c.Name, arerr.CatInvalidOperation,
				fmt.Sprintf("The source has %d add-on(s) installed: %s.", len(pf.addOns), names),
				fmt.Sprintf("Uninstall the add-ons (%s) in the Active Roles Add-on Manager of the earlier version first (and from the system, if applicable), then run again.", names)))
		case len(pf.addOns) > 0:
			add(pass(c.ID, c.Name, "Not applicable: the source is an 8.2 database."))
			add(warn(w4.ID, w4.Name, fmt.Sprintf("The source has %d add-on(s) that are not copied: %s.", len(pf.addOns), names),
				"Install the add-ons on the destination's Administration Service after the import."))
		default:
			add(pass(c.ID, c.Name, "The source has no add-ons."))
		}
		if s.Generation == model.G3 && len(pf.addOns) == 0 {
			add(pass(w4.ID, w4.Name, "The source has no add-ons."))
		}
	}

	// Key backup.
	c = model.E014KeyBackupUnreadable
	c15 := model.E015KeyBackupMismatch
	switch {
	case opts.KeyBackup == nil:
		add(pass(c.ID, c.Name, "No key backup was given: encrypted values will not be imported."))
	case opts.SkipEncryptedData:
		add(pass(c.ID, c.Name, "The key backup is not used: encrypted data is skipped at your request ("+arerr.Param("skipEncryptedData")+")."))
	default:
		k, err := secrets.ReadKeyBackup(opts.KeyBackup, opts.KeyBackupPassword)
		if err != nil {
			what := "the key backup file"
			if opts.KeyBackupPath != "" {
				what = "the key backup file " + opts.KeyBackupPath
			}
			detail := err.Error()
			if !errors.Is(err, secrets.ErrKeyBackupUnreadable) {
				detail = "it cannot be read"
			}
			add(fail(c.ID, c.Name, arerr.CatInvalidData, fmt.Sprintf("Cannot open %s: %s.", what, detail),
				"Check the password (it is case-sensitive and used exactly as typed) and that the file is the one made by Backing up the encryption key; or import without encrypted data ("+arerr.Param("skipEncryptedData")+")."))
		} else {
			pf.key = k
			add(pass(c.ID, c.Name, fmt.Sprintf("The key backup holds key %s.", k.ID())))
			if srcOK && s.Generation != model.G3 {
				if !s.HasEncryptionKeyID || s.EncryptionKeyID != k.ID() {
					want := "none"
					if s.HasEncryptionKeyID {
						want = s.EncryptionKeyID.String()
					}
					add(fail(c15.ID, c15.Name, arerr.CatInvalidData,
						fmt.Sprintf("The key backup holds key %s, but the source's values are encrypted with key %s.", k.ID(), want),
						"Use the key backup made from the source's Administration Service, or import without encrypted data ("+arerr.Param("skipEncryptedData")+")."))
				} else {
					add(pass(c15.ID, c15.Name, "The key backup matches the source's encryption key."))
				}
			}
		}
	}
	if srcOK && s.Generation == model.G3 && pf.key != nil {
		add(pass(c15.ID, c15.Name, "Not applicable: 8.2 values name their key; values under other keys must be re-entered."))
	}

	// Services server.
	c = model.E017ServiceHostInvalid
	h := model.NormalizeHost(opts.ServicesServer)
	switch {
	case h == "":
		msg, remedy := noServicesServer()
		add(fail(c.ID, c.Name, arerr.CatInvalidArgument, msg, remedy))
	case !model.IsFQDN(h):
		add(fail(c.ID, c.Name, arerr.CatInvalidArgument, fmt.Sprintf("The services server %q is not a fully qualified domain name.", opts.ServicesServer),
			"Give the FQDN of the 8.2 Administration Service ("+arerr.Param("servicesServer")+" ars01.corp.example.com: at least two labels of letters, digits and hyphens)."))
	case opts.ServicesServerIsDefault:
		add(pass(c.ID, c.Name, fmt.Sprintf("Dynamic groups, group families and scheduled tasks will run on %s, this computer (the default without %s).", h, arerr.Param("servicesServer"))))
	default:
		add(pass(c.ID, c.Name, fmt.Sprintf("Dynamic groups, group families and scheduled tasks will run on %s.", h)))
	}

	// Warnings.
	if srcOK {
		w := model.W001PendingApprovals
		switch {
		case s.Role != model.RoleCombined:
			add(pass(w.ID, w.Name, "Not applicable: the source holds no Management History."))
		case pf.pending > 0:
			add(warn(w.ID, w.Name, fmt.Sprintf("The source has %d pending approval task(s); the history import brings them over read-only.", pf.pending),
				"Approve or reject pending requests in the earlier version before the upgrade if they must still take effect."))
		default:
			add(pass(w.ID, w.Name, "The source has no pending approval tasks."))
		}
		w = model.W002SecretsWithoutKey
		noKey := pf.key == nil
		switch {
		case pf.secretsNonNull > 0 && noKey:
			add(warn(w.ID, w.Name, fmt.Sprintf("The source has %d encrypted value(s) and they will not be imported (no key backup is used).", pf.secretsNonNull),
				"Give the key backup file ("+arerr.Param("keyBackupPath")+") to import them, or re-enter each secret after the import (the result lists them)."))
		default:
			add(pass(w.ID, w.Name, "Every encrypted value can be imported, or there are none."))
		}
		w = model.W003AzureTenantsReauthenticate
		if pf.tenants > 0 {
			add(warn(w.ID, w.Name, fmt.Sprintf("The source has %d Azure tenant(s); each must be reauthenticated after the import.", pf.tenants),
				"After the import: reauthenticate each tenant (Configuration Center, Upgrade configuration wizard, Reauthenticate tenants), restart the Administration Service, then click Consent for each tenant under Azure AD Configuration."))
		} else {
			add(pass(w.ID, w.Name, "The source has no Azure tenants."))
		}
	}

	// The account's rights and free space.
	checks = append(checks, permissionChecks(ctx, src, dst, opts, pf)...)
	checks = append(checks, spaceCheck(ctx, src, dst))
	checks = append(checks, opts.EndpointWarnings...)
	return checks, pf, nil
}

func addOnNames(a []AddOnInfo) string {
	var n []string
	for _, x := range a {
		if x.Version != "" {
			n = append(n, fmt.Sprintf("%s %s", x.Name, x.Version))
		} else {
			n = append(n, x.Name)
		}
	}
	return strings.Join(n, ", ")
}

// destinationRightsProblem says which of the guide's requirements on the
// destination account is missing.
func destinationRightsProblem(p store.Permissions) string {
	if !p.DbOwner {
		return "The account does not control the destination database (no CONTROL permission, which db_owner, dbo and sysadmin have); the guide requires db_owner with default schema dbo."
	}
	return fmt.Sprintf("The account's default schema in the destination is %q; the guide requires db_owner with default schema dbo.", p.DefaultSchema)
}

func permissionChecks(ctx context.Context, src store.Source, dst store.ConfigDestination, opts Options, pf *preflightState) []Check {
	var out []Check
	if pc, ok := src.(store.PermissionChecker); ok {
		p, err := pc.Permissions(ctx)
		switch {
		case err != nil:
			out = append(out, warn(CodeSourcePermissions, "SourcePermissions", fmt.Sprintf("Cannot read your rights in the source: %v.", err),
				"Make sure the account has the db_datareader role in the source database."))
		case !p.DataReader && !p.DbOwner:
			out = append(out, fail(CodeSourcePermissions, "SourcePermissions", arerr.CatPermissionDenied,
				"The account cannot read the source: it has no SELECT permission on the source database (db_datareader, db_owner or sysadmin give it).",
				"Add the account to db_datareader in the source database (SQL Server Management Studio > Security > Users)."))
		default:
			out = append(out, pass(CodeSourcePermissions, "SourcePermissions", "The account can read the source (db_datareader)."))
		}
	} else {
		out = append(out, pass(CodeSourcePermissions, "SourcePermissions", "Not applicable: the source is a file."))
	}
	if pc, ok := dst.(store.PermissionChecker); ok {
		p, err := pc.Permissions(ctx)
		switch {
		case err != nil:
			out = append(out, warn(CodeDestinationPermissions, "DestinationPermissions", fmt.Sprintf("Cannot read your rights in the destination: %v.", err),
				"Make sure the account has db_owner with default schema dbo in the destination database."))
		case opts.CreateDestination && !p.CanCreateDatabase:
			out = append(out, fail(CodeDestinationPermissions, "DestinationPermissions", arerr.CatPermissionDenied,
				"The account may not create databases on the destination server.",
				"Grant CREATE DATABASE (dbcreator) to the account, or have a DBA pre-create a blank database and name it as the destination (Knowledge Base Article 4303098)."))
		case !opts.CreateDestination && (!p.DbOwner || !strings.EqualFold(p.DefaultSchema, "dbo")):
			out = append(out, fail(CodeDestinationPermissions, "DestinationPermissions", arerr.CatPermissionDenied,
				destinationRightsProblem(p),
				"Add the account to db_owner in the destination database and set its default schema to dbo."))
		default:
			out = append(out, pass(CodeDestinationPermissions, "DestinationPermissions", "The account may write the destination."))
		}
	} else {
		out = append(out, pass(CodeDestinationPermissions, "DestinationPermissions", "Not applicable: the destination is a file."))
	}
	return out
}

func spaceCheck(ctx context.Context, src store.Source, dst store.ConfigDestination) Check {
	ss, ok1 := src.(store.SpaceReporter)
	ds, ok2 := dst.(store.SpaceReporter)
	if !ok1 || !ok2 {
		return pass(CodeFreeSpace, "DestinationFreeSpace", "Not checked: the free space is not known for files.")
	}
	used, _, k1, err1 := ss.Space(ctx)
	_, free, k2, err2 := ds.Space(ctx)
	if err1 != nil || err2 != nil || !k1 || !k2 {
		return pass(CodeFreeSpace, "DestinationFreeSpace", "Not checked: the server does not report the sizes.")
	}
	if free < used {
		return warn(CodeFreeSpace, "DestinationFreeSpace",
			fmt.Sprintf("The destination has %d MB free; the source uses %d MB.", free>>20, used>>20),
			"Free disk space on the destination server or let the database grow before importing.")
	}
	return pass(CodeFreeSpace, "DestinationFreeSpace", fmt.Sprintf("The destination has %d MB free for the source's %d MB.", free>>20, used>>20))
}

// readFacts counts what the checks need from a usable source.
func (pf *preflightState) readFacts(ctx context.Context, src store.Source) error {
	info := pf.srcInfo
	if pf.src.Generation == model.G1 {
		if info.Table("ConfigObject") == nil || info.Table("ConfigAttribute") == nil {
			return nil // nothing to count; the import itself reports the damage
		}
		s, err := openG1(ctx, src, info, pf.src.UTCOffsetMinutes)
		if err != nil {
			return err
		}
		defer s.Close()
		want := func(c string) bool {
			cn, _ := canonicalClass(c)
			return cn == "AddOn" || cn == "ReplicationPartner" || cn == "AzureTenant" || cn == "ManagedDomain"
		}
		for {
			o, err := s.next(want)
			if err != nil {
				return err
			}
			if o == nil {
				break
			}
			switch o.entity {
			case "AddOn":
				pf.addOns = append(pf.addOns, AddOnInfo{Name: o.name, Version: o.val("Version").Str})
			case "ReplicationPartner":
				pf.partners++
			case "AzureTenant":
				pf.tenants++
				if !o.val("ClientSecret").IsNull() {
					pf.secretsNonNull++
				}
			case "ManagedDomain":
				if !o.val("OverridePassword").IsNull() {
					pf.secretsNonNull++
				}
			}
		}
		if err := s.Close(); err != nil {
			return err
		}
		if pf.src.Role == model.RoleCombined {
			if t := info.Table("ApprovalTask"); t != nil {
				si := t.Index("Status")
				if err := scanTable(ctx, src, "ApprovalTask", func(r data.Row) error {
					if r[si].Kind == data.Int && r[si].Int == 0 {
						pf.pending++
					}
					return nil
				}); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if t := info.Table("AddOn"); t != nil {
		ni, vi := t.Index("Name"), t.Index("Version")
		if err := scanTable(ctx, src, "AddOn", func(r data.Row) error {
			a := AddOnInfo{Name: r[ni].Str}
			if vi >= 0 {
				a.Version = r[vi].Str
			}
			pf.addOns = append(pf.addOns, a)
			return nil
		}); err != nil {
			return err
		}
	}
	if info.Table("ReplicationPartner") != nil {
		n, err := src.Count(ctx, "ReplicationPartner")
		if err != nil {
			return err
		}
		pf.partners = n
	}
	for _, x := range []struct{ table, col string }{{"AzureTenant", "ClientSecret"}, {"ManagedDomain", "OverridePassword"}} {
		t := info.Table(x.table)
		if t == nil {
			continue
		}
		ci := t.Index(x.col)
		if err := scanTable(ctx, src, x.table, func(r data.Row) error {
			if x.table == "AzureTenant" {
				pf.tenants++
			}
			if ci >= 0 && !r[ci].IsNull() {
				pf.secretsNonNull++
			}
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}
