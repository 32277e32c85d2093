package collectorimport

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/historyimport"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/store"
)

// Check is one preflight finding (PrerequisiteCheck).
type Check = model.Check

// checks collects the §13 preflight findings, one per code.
type checks []Check

func (cs *checks) add(c model.Code, status, category, remedy, format string, args ...any) {
	*cs = append(*cs, Check{Code: c.ID, Name: c.Name, Status: status, Category: category,
		Message: fmt.Sprintf(format, args...), Remedy: remedy})
}

func (cs *checks) pass(c model.Code, format string, args ...any) {
	cs.add(c, model.StatusPass, "", "", format, args...)
}

func (cs *checks) fail(c model.Code, category, remedy, format string, args ...any) {
	cs.add(c, model.StatusFail, category, remedy, format, args...)
}

// firstFailure is the first failed check as the error a run returns, or nil.
func (cs checks) firstFailure() error {
	for _, c := range cs {
		if c.Failed() {
			return arerr.Errorf(c.Code, c.Category, c.Remedy, "%s", c.Message)
		}
	}
	return nil
}

// Preflight runs every §13 check of a Collector import (AR-E001–E007,
// E009, E012, E013, E016; AR-E008 is the caller's, who knows whether a new
// database was asked for) without writing anything. The error is for a
// database that cannot be read, never for a failed check.
func Preflight(ctx context.Context, src store.Source, dst store.HistoryDestination, opts Options) ([]Check, error) {
	sInfo, err := src.Info(ctx)
	if err != nil {
		return nil, arerr.Wrap(err, "AR-SOURCE-READ", arerr.CatReadError, "Check the source and run the import again.", "Cannot read the source")
	}
	dInfo, err := dst.Info(ctx)
	if err != nil {
		return nil, arerr.Wrap(err, "AR-DESTINATION-READ", arerr.CatReadError, "Check the destination and run the import again.", "Cannot read the destination")
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return preflight(model.Detect(sInfo), model.Detect(dInfo), sInfo, dInfo, opts, now()), nil
}

// preflight applies §13's checks.
func preflight(s, d model.Detection, sInfo, dInfo *store.Info, opts Options, now time.Time) checks {
	var cs checks
	sn, dn := nameOr(opts.SourceName, sInfo.Location), nameOr(opts.DestinationName, dInfo.Location)
	notApplicable := func(codes ...model.Code) {
		for _, c := range codes {
			cs.pass(c, "Not applicable: the source %s is not a supported Active Roles database.", sn)
		}
	}
	switch s.State {
	case model.StateBlank, model.StateNotActiveRoles:
		cs.fail(model.E001SourceNotActiveRoles, arerr.CatInvalidData, "Name the earlier Collector database as the source.",
			"The source %s is not an Active Roles database: %s", sn, strings.TrimPrefix(s.Reason, "not an Active Roles database: "))
		notApplicable(model.E002SourceVersionUnsupported, model.E003SourceRoleMismatch, model.E016UTCOffsetMissing)
	case model.StateUnsupported, model.StateNewer:
		cs.pass(model.E001SourceNotActiveRoles, "The source %s is an Active Roles database.", sn)
		cs.fail(model.E002SourceVersionUnsupported, arerr.CatInvalidData,
			"This tool imports Active Roles 7.5–8.2 Collector databases; use the tools of the version that created this one.", "The source %s: %s", sn, s.Reason)
		notApplicable(model.E003SourceRoleMismatch, model.E016UTCOffsetMissing)
	default:
		cs.pass(model.E001SourceNotActiveRoles, "The source %s is an Active Roles database.", sn)
		cs.pass(model.E002SourceVersionUnsupported, "Active Roles %s is a supported source.", s.Version.Short())
		if s.Role != model.RoleCollector {
			cs.fail(model.E003SourceRoleMismatch, arerr.CatInvalidOperation,
				"Name the Collector database; import configuration with "+arerr.Command("import-configuration")+" and Management History with "+arerr.Command("import-history")+".",
				"The source %s is an Active Roles %s %s database; a Collector import needs a Collector database.", sn, s.Version.Short(), s.Role)
		} else {
			cs.pass(model.E003SourceRoleMismatch, "The source is a Collector database.")
		}
		if s.Generation == model.G1 && !s.HasUTCOffset {
			cs.fail(model.E016UTCOffsetMissing, arerr.CatInvalidData,
				"Add the Settings row ServerUtcOffsetMinutes (-720 to 840) to the source database.",
				"The Active Roles %s source %s has no valid ServerUtcOffsetMinutes setting, so its local times cannot be converted to UTC.", s.Version.Short(), sn)
		} else {
			cs.pass(model.E016UTCOffsetMissing, "Source times can be converted to UTC.")
		}
	}

	const remedyNew = "Name a blank database or an 8.2 Collector database."
	ok := func(codes ...model.Code) {
		for _, c := range codes {
			cs.pass(c, "The destination %s is %s.", dn, destDescription(d))
		}
	}
	switch {
	case d.State == model.StateBlank:
		ok(model.E004DestinationNotActiveRoles, model.E005DestinationNewer, model.E006DestinationVersionMismatch, model.E007DestinationRoleMismatch)
	case d.State == model.StateNotActiveRoles:
		cs.fail(model.E004DestinationNotActiveRoles, arerr.CatInvalidData, remedyNew,
			"The destination %s is neither blank nor an Active Roles database: %s", dn, strings.TrimPrefix(d.Reason, "not an Active Roles database: "))
		ok(model.E005DestinationNewer, model.E006DestinationVersionMismatch, model.E007DestinationRoleMismatch)
	case d.State == model.StateNewer:
		ok(model.E004DestinationNotActiveRoles)
		cs.fail(model.E005DestinationNewer, arerr.CatInvalidData, "Use a newer version of ActiveRolesUpgrade.", "The destination %s: %s", dn, d.Reason)
		ok(model.E006DestinationVersionMismatch, model.E007DestinationRoleMismatch)
	case d.State == model.StateUnsupported || d.Generation != model.G3:
		ok(model.E004DestinationNotActiveRoles, model.E005DestinationNewer)
		cs.fail(model.E006DestinationVersionMismatch, arerr.CatInvalidData, remedyNew+" An older Collector database is a source, not a destination.",
			"The destination %s is Active Roles %s, older than 8.2.", dn, d.Version.Short())
		ok(model.E007DestinationRoleMismatch)
	case d.Role != model.RoleCollector:
		ok(model.E004DestinationNotActiveRoles, model.E005DestinationNewer, model.E006DestinationVersionMismatch)
		cs.fail(model.E007DestinationRoleMismatch, arerr.CatInvalidOperation, "Name the 8.2 Collector database (its DatabaseRole is Collector).",
			"The destination %s is an 8.2 %s database, not a Collector database.", dn, d.Role)
	default:
		ok(model.E004DestinationNotActiveRoles, model.E005DestinationNewer, model.E006DestinationVersionMismatch, model.E007DestinationRoleMismatch)
	}

	if opts.SameDatabase || (sInfo.Location != "" && sInfo.Kind == dInfo.Kind && strings.EqualFold(sInfo.Location, dInfo.Location)) {
		cs.fail(model.E009SameDatabase, arerr.CatInvalidArgument, "Name different databases as source and destination.",
			"The source and the destination are the same database (%s).", sn)
	} else {
		cs.pass(model.E009SameDatabase, "The source and the destination are different databases.")
	}

	if opts.Mode() != historyimport.ModeDateRange {
		cs.pass(model.E012DateRangeInFuture, "All events up to the start of the import are selected.")
		cs.pass(model.E013DateRangeEndBeforeStart, "All events up to the start of the import are selected.")
		return cs
	}
	today := historyimport.DateOf(now.UTC())
	var future []string
	for _, x := range []*historyimport.Date{opts.From, opts.To} {
		if x != nil && x.After(today) {
			future = append(future, x.String())
		}
	}
	if len(future) > 0 {
		cs.fail(model.E012DateRangeInFuture, arerr.CatInvalidArgument, fmt.Sprintf("Give dates up to today (%s, UTC).", today),
			"The date %s is in the future (today is %s UTC).", strings.Join(future, " and "), today)
	} else {
		cs.pass(model.E012DateRangeInFuture, "The date range %s to %s is not in the future.", opts.From, opts.To)
	}
	if opts.From != nil && opts.To != nil && opts.To.Before(*opts.From) {
		cs.fail(model.E013DateRangeEndBeforeStart, arerr.CatInvalidArgument, "Give a "+arerr.Param("to")+" date on or after "+arerr.Param("from")+".", arerr.Param("to")+" %s is before "+arerr.Param("from")+" %s.", opts.To, opts.From)
	} else {
		cs.pass(model.E013DateRangeEndBeforeStart, "The end date %s is not before the start date %s.", opts.To, opts.From)
	}
	return cs
}

func destDescription(d model.Detection) string {
	if d.State == model.StateBlank {
		return "blank; it will be initialised as an 8.2 Collector database"
	}
	return fmt.Sprintf("an Active Roles %s %s database", d.Version.Short(), d.Role)
}
