package historyimport

import (
	"context"
	"fmt"
	"strings"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/store"
)

// Check statuses.
const (
	StatusPass    = model.StatusPass
	StatusWarning = model.StatusWarning
	StatusFail    = model.StatusFail
)

// Check is one preflight finding (PrerequisiteCheck).
type Check = model.Check

// checkErr turns a failed check into the *arerr.Error a run returns.
func checkErr(c Check) *arerr.Error {
	return arerr.Errorf(c.Code, categoryOf(c.Code), c.Remedy, "%s", c.Message)
}

func categoryOf(code string) string {
	switch code {
	case model.E001SourceNotActiveRoles.ID, model.E002SourceVersionUnsupported.ID, model.E016UTCOffsetMissing.ID:
		return arerr.CatInvalidData
	case model.E012DateRangeInFuture.ID, model.E013DateRangeEndBeforeStart.ID:
		return arerr.CatInvalidArgument
	}
	return arerr.CatInvalidOperation
}

// plan is what validation learns about the two databases.
type plan struct {
	srcInfo, dstInfo *store.Info
	src, dst         model.Detection
	opts             Options
	checks           []Check
}

func (p *plan) add(code model.Code, status, remedy, format string, args ...any) {
	p.checks = append(p.checks, Check{Code: code.ID, Name: code.Name, Status: status,
		Message: fmt.Sprintf(format, args...), Remedy: remedy})
}

func (p *plan) pass(code model.Code, format string, args ...any) {
	p.add(code, StatusPass, "", format, args...)
}

// firstFailure is the first failed check, or nil.
func (p *plan) firstFailure() *Check {
	for i := range p.checks {
		if p.checks[i].Failed() {
			return &p.checks[i]
		}
	}
	return nil
}

// Preflight runs every §12 check of a history import without writing
// anything: AR-E001–E007, E009, E012, E013, E016 and the warnings AR-W001
// (pending approval tasks, counted by scanning the source's ApprovalTask
// table) and AR-W005 (unfinished memberships in an All import). The error is
// for failures to read the databases, never for a failed check.
func Preflight(ctx context.Context, src store.Source, dst store.HistoryDestination, opts Options) ([]Check, error) {
	p, err := validate(ctx, src, dst, opts)
	if err != nil {
		return nil, err
	}
	if p.firstFailure() != nil || p.src.State != model.StateSupported {
		p.pass(model.W001PendingApprovals, "Not checked: the source cannot be imported.")
		p.pass(model.W005UnfinishedMembershipsSkipped, "Not checked: the source cannot be imported.")
		return p.checks, nil
	}
	sc, err := newSourceSchema(p.srcInfo, p.src)
	if err != nil {
		return nil, err
	}
	pending, err := sc.countPendingTasks(ctx, src)
	if err != nil {
		return nil, err
	}
	if pending > 0 {
		p.add(model.W001PendingApprovals, StatusWarning,
			"Complete or reject the pending requests in the old version first if they must stay actionable.",
			"The source has %d pending approval task(s); they are imported read-only, and 8.2 cannot act on them.", pending)
	} else {
		p.pass(model.W001PendingApprovals, "The source has no pending approval tasks.")
	}
	if opts.Mode() == ModeAll {
		unfinished, err := sc.countUnfinishedMemberships(ctx, src)
		if err != nil {
			return nil, err
		}
		if unfinished > 0 {
			p.add(model.W005UnfinishedMembershipsSkipped, StatusWarning,
				"Import a date range that covers them ("+arerr.Param("from")+", "+arerr.Param("to")+") to bring them over, as the wizard does.",
				"The source has %d unfinished temporal group membership(s); an All import skips them: %s.", unfinished, unfinishedReason)
		} else {
			p.pass(model.W005UnfinishedMembershipsSkipped, "The source has no unfinished temporal group memberships.")
		}
	} else {
		p.pass(model.W005UnfinishedMembershipsSkipped, "A DateRange import brings memberships in any state.")
	}
	return p.checks, nil
}

const unfinishedReason = "unfinished temporal memberships are imported only by a date-range import, as the wizard does"

// validate reads both databases' Info and runs the checks that need no scan.
func validate(ctx context.Context, src store.Source, dst store.HistoryDestination, opts Options) (*plan, error) {
	if src == nil {
		return nil, arerr.Errorf("AR-SOURCE", arerr.CatObjectNotFound, "Name an existing source database.", "No source database was given.")
	}
	if dst == nil {
		return nil, arerr.Errorf("AR-DESTINATION", arerr.CatObjectNotFound, "Name a destination Management History database.", "No destination database was given.")
	}
	if (opts.From == nil) != (opts.To == nil) {
		return nil, arerr.Errorf("AR-ARGUMENT", arerr.CatInvalidArgument, "Give both "+arerr.Param("from")+" and "+arerr.Param("to")+", or neither to import all records.",
			"A date range needs both a start and an end date.")
	}
	if opts.BatchSize < 0 || opts.BatchSize > MaxBatchSize {
		return nil, arerr.Errorf("AR-ARGUMENT", arerr.CatInvalidArgument, fmt.Sprintf("Choose a batch size from 1 to %d (default %d).", MaxBatchSize, DefaultBatchSize),
			"Batch size %d is out of range.", opts.BatchSize)
	}
	p := &plan{opts: opts}
	var err error
	if p.srcInfo, err = src.Info(ctx); err != nil {
		return nil, arerr.Wrap(err, "AR-SOURCE", arerr.CatReadError, "Check that the source database is reachable and readable.", "Cannot read the source database %s", srcName(opts, nil))
	}
	if p.dstInfo, err = dst.Info(ctx); err != nil {
		return nil, arerr.Wrap(err, "AR-DESTINATION", arerr.CatReadError, "Check that the destination database is reachable and readable.", "Cannot read the destination database %s", dstName(opts, nil))
	}
	p.src, p.dst = model.Detect(p.srcInfo), model.Detect(p.dstInfo)
	sn, dn := srcName(opts, p.srcInfo), dstName(opts, p.dstInfo)
	p.checkSource(sn)
	p.checkDestination(dn)
	if opts.SameDatabase || sameLocation(p.srcInfo, p.dstInfo) {
		p.add(model.E009SameDatabase, StatusFail, "Import into a new or blank 8.2 Management History database, not into the source.",
			"The source and the destination are the same database (%s).", sn)
	} else {
		p.pass(model.E009SameDatabase, "The source and the destination are different databases.")
	}
	p.checkDates()
	return p, nil
}

func (p *plan) checkSource(name string) {
	s := p.src
	notApplicable := func(codes ...model.Code) {
		for _, c := range codes {
			p.pass(c, "Not applicable: the source %s is not a supported Active Roles database.", name)
		}
	}
	switch {
	case s.State == model.StateBlank || s.State == model.StateNotActiveRoles:
		p.add(model.E001SourceNotActiveRoles, StatusFail,
			"Name the Management History (or 7.x Combined) database of the Active Roles installation you upgrade.",
			"The source %s is not an Active Roles database: %s.", name, strings.TrimPrefix(s.Reason, "not an Active Roles database: "))
		notApplicable(model.E002SourceVersionUnsupported, model.E003SourceRoleMismatch, model.E016UTCOffsetMissing)
		return
	case s.InstallationID.IsZero():
		p.add(model.E001SourceNotActiveRoles, StatusFail,
			"Name the Management History database the Active Roles service uses; its Settings must hold the InstallationId.",
			"The source %s has no valid InstallationId in its Settings table, so it is not a usable Active Roles database.", name)
		notApplicable(model.E002SourceVersionUnsupported, model.E003SourceRoleMismatch, model.E016UTCOffsetMissing)
		return
	}
	p.pass(model.E001SourceNotActiveRoles, "The source %s is an Active Roles database.", name)
	if s.State != model.StateSupported {
		remedy := "Upgrade the source to Active Roles 7.5 or later first (supported sources: 7.5, 7.6, 8.0, 8.1 and 8.2)."
		if s.State == model.StateNewer {
			// Newer than the 8.2 target: upgrading the source cannot help.
			remedy = "This tool imports Active Roles 7.5–8.2 databases into 8.2; use the tools of the Active Roles version that created this database."
		}
		p.add(model.E002SourceVersionUnsupported, StatusFail, remedy,
			"Active Roles %s is not supported as a source: %s.", s.Version.Short(), s.Reason)
		notApplicable(model.E003SourceRoleMismatch, model.E016UTCOffsetMissing)
		return
	}
	p.pass(model.E002SourceVersionUnsupported, "Active Roles %s is a supported source.", s.Version.Short())
	if !s.Role.HasHistory() {
		remedy := "Name the Management History database (or the 7.x Combined database); import the configuration database with " + arerr.Command("import-configuration") + "."
		if s.Role == model.RoleCollector {
			remedy = "Name the Management History database (or the 7.x Combined database); import the Collector database with " + arerr.Command("import-collector") + "."
		}
		p.add(model.E003SourceRoleMismatch, StatusFail, remedy,
			"The source %s is an Active Roles %s %s database; a history import needs a ManagementHistory or Combined database.", name, s.Version.Short(), s.Role)
	} else {
		p.pass(model.E003SourceRoleMismatch, "The source is a %s database.", s.Role)
	}
	if s.Generation == model.G1 && !s.HasUTCOffset {
		p.add(model.E016UTCOffsetMissing, StatusFail,
			"Add the Settings row ServerUtcOffsetMinutes (the service host's local time minus UTC, in minutes, -720 to 840) to the source database.",
			"The Active Roles %s source %s has no valid ServerUtcOffsetMinutes setting, so its local times cannot be converted to UTC.", s.Version.Short(), name)
	} else {
		p.pass(model.E016UTCOffsetMissing, "Source times can be converted to UTC.")
	}
}

func (p *plan) checkDestination(name string) {
	d := p.dst
	const remedyNew = "Name a blank database or an Active Roles 8.2 Management History database as the destination."
	ok := func(codes ...model.Code) {
		for _, c := range codes {
			p.pass(c, "The destination %s is %s.", name, destDescription(d))
		}
	}
	switch {
	case d.State == model.StateBlank:
		ok(model.E004DestinationNotActiveRoles, model.E005DestinationNewer, model.E006DestinationVersionMismatch, model.E007DestinationRoleMismatch)
	case d.State == model.StateNotActiveRoles:
		p.add(model.E004DestinationNotActiveRoles, StatusFail, remedyNew,
			"The destination %s is neither blank nor an Active Roles database: %s.", name, strings.TrimPrefix(d.Reason, "not an Active Roles database: "))
		ok(model.E005DestinationNewer, model.E006DestinationVersionMismatch, model.E007DestinationRoleMismatch)
	case d.State == model.StateNewer:
		ok(model.E004DestinationNotActiveRoles)
		p.add(model.E005DestinationNewer, StatusFail, "Use the version of this tool that matches the destination, or name an 8.2 destination.",
			"The destination %s is an Active Roles %s database, newer than 8.2, the version this tool writes.", name, d.Version.Short())
		ok(model.E006DestinationVersionMismatch, model.E007DestinationRoleMismatch)
	case d.State == model.StateUnsupported || d.Generation != model.G3:
		ok(model.E004DestinationNotActiveRoles, model.E005DestinationNewer)
		p.add(model.E006DestinationVersionMismatch, StatusFail, remedyNew+" An older Active Roles database is a source, not a destination.",
			"The destination %s is an Active Roles %s database; the destination must be an 8.2 database.", name, d.Version.Short())
		ok(model.E007DestinationRoleMismatch)
	case d.Role != model.RoleManagementHistory:
		ok(model.E004DestinationNotActiveRoles, model.E005DestinationNewer, model.E006DestinationVersionMismatch)
		p.add(model.E007DestinationRoleMismatch, StatusFail, "Name the 8.2 Management History database (its DatabaseRole is ManagementHistory), not the configuration database.",
			"The destination %s is an Active Roles 8.2 %s database; a history import needs a ManagementHistory database.", name, d.Role)
	default:
		ok(model.E004DestinationNotActiveRoles, model.E005DestinationNewer, model.E006DestinationVersionMismatch, model.E007DestinationRoleMismatch)
	}
}

func destDescription(d model.Detection) string {
	if d.State == model.StateBlank {
		return "blank; it will be initialised as an 8.2 Management History database"
	}
	return fmt.Sprintf("an Active Roles %s %s database", d.Version.Short(), d.Role)
}

func (p *plan) checkDates() {
	o := p.opts
	if o.Mode() != ModeDateRange {
		p.pass(model.E012DateRangeInFuture, "All records up to the start of the import are selected.")
		p.pass(model.E013DateRangeEndBeforeStart, "All records up to the start of the import are selected.")
		return
	}
	today := DateOf(o.now())
	var future []string
	if o.From.After(today) {
		future = append(future, "start date "+o.From.String())
	}
	if o.To.After(today) {
		future = append(future, "end date "+o.To.String())
	}
	if len(future) > 0 {
		verb := "lies"
		if len(future) > 1 {
			verb = "lie"
		}
		p.add(model.E012DateRangeInFuture, StatusFail, fmt.Sprintf("Choose dates up to today (%s, UTC); records after the start of the import are never imported.", today),
			"The %s %s in the future (today is %s UTC).", strings.Join(future, " and the "), verb, today)
	} else {
		p.pass(model.E012DateRangeInFuture, "The date range %s to %s is not in the future.", o.From, o.To)
	}
	if o.To.Before(*o.From) {
		p.add(model.E013DateRangeEndBeforeStart, StatusFail, "Give an end date on or after the start date.",
			"The end date %s is before the start date %s.", o.To, o.From)
	} else {
		p.pass(model.E013DateRangeEndBeforeStart, "The end date %s is not before the start date %s.", o.To, o.From)
	}
}

func sameLocation(a, b *store.Info) bool {
	return a != nil && b != nil && a.Location != "" && a.Kind == b.Kind && strings.EqualFold(a.Location, b.Location)
}

func srcName(o Options, in *store.Info) string {
	if o.SourceName != "" {
		return o.SourceName
	}
	if in != nil && in.Location != "" {
		return in.Location
	}
	return "(source)"
}

func dstName(o Options, in *store.Info) string {
	if o.DestinationName != "" {
		return o.DestinationName
	}
	if in != nil && in.Location != "" {
		return in.Location
	}
	return "(destination)"
}

// runNames splits a source name into ImportRun.SourceServer and
// SourceDatabase (nvarchar(255), nvarchar(128)).
func runNames(o Options, in *store.Info) (server, database string) {
	name := srcName(o, in)
	kind := "bundle"
	if in != nil && in.Kind != "" {
		kind = in.Kind
	}
	server, database = kind, name
	if kind == "sqlserver" {
		if i := strings.LastIndexByte(name, '/'); i > 0 {
			server, database = name[:i], name[i+1:]
		}
	} else if i := strings.LastIndexAny(name, `/\`); i >= 0 && i < len(name)-1 {
		database = name[i+1:]
	}
	return clip(server, 255), clip(database, 128)
}

// clip shortens s to at most n UTF-16 code units, on a rune boundary.
func clip(s string, n int) string {
	if data.UTF16Len(s) <= n {
		return s
	}
	c := 0
	for i, r := range s {
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if c+w > n-1 {
			return s[:i] + "…"
		}
		c += w
	}
	return s
}

// RunNames is ImportRun.SourceServer and SourceDatabase for a source name,
// for the other imports that keep an ImportRun (the Collector import).
func RunNames(o Options, in *store.Info) (server, database string) { return runNames(o, in) }
