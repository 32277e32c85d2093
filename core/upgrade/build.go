package upgrade

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/configimport"
	"github.com/activeroles/arupgrade/core/dbopen"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/model"
)

// CheckPrincipals and CheckWebSites are the upgrade's own plan checks
// (beside the imports' §12 checks).
var (
	CheckPrincipals = model.Code{ID: model.W006PrincipalsNotCopied.ID, Name: model.W006PrincipalsNotCopied.Name}
	CheckSources    = model.Code{ID: model.E003SourceRoleMismatch.ID, Name: model.E003SourceRoleMismatch.Name}
)

// Build makes the plan: it names the new databases, fingerprints the
// sources and runs every preflight check of every step. The plan is returned
// with its checks also when one fails (then err is the first failed check's
// error): the caller shows them all.
func Build(ctx context.Context, p *Params, steps Steps, em *engine.Emitter) (*Plan, error) {
	switch {
	case p.Source.IsZero():
		return nil, paramErr("Name the source: the configuration (or 7.x Combined) database, a SQL Server database or a bundle.", "No source was given.")
	case p.Destination.IsZero():
		return nil, paramErr("Name the destination: the SQL Server for the new databases, or a folder for bundles.", "No destination was given.")
	}
	plan := &Plan{Format: PlanFormat, CreatedUTC: time.Now().UTC().Truncate(time.Second), Producer: "arupgrade " + engine.Version,
		NameRule: NameRule, KeyBackupPath: p.KeyBackupPath, SkipEncryptedData: p.SkipEncryptedData, ServicesServer: p.ServicesServer,
		SkipPrincipals: p.SkipPrincipals, From: p.From, To: p.To, BatchSize: p.BatchSize, AllWebSites: p.AllWebSites,
		IISSiteName: p.IISSiteName, Checks: []model.Check{}, CredentialsToReenter: []string{}}
	if plan.IISSiteName == "" {
		plan.IISSiteName = "Default Web Site"
	}
	var err error
	if plan.Source, err = noSecret(p.Source, "Source"); err != nil {
		return nil, err
	}
	if plan.SourceHistory, err = noSecret(p.SourceHistory, "Source"); err != nil {
		return nil, err
	}
	if plan.Destination, err = noSecret(p.Destination, "Destination"); err != nil {
		return nil, err
	}
	if plan.WebSites, err = siteRules(p); err != nil {
		return nil, err
	}
	if p.CollectorSource != nil && p.CollectorSource.IsZero() {
		p.CollectorSource = nil
	}
	if p.CollectorSource == nil && p.CollectorDatabase != "" {
		return nil, paramErr("Name the earlier Collector database too ("+arerr.Param("collectorSource")+"), or leave out the Collector database's name.",
			"A name for the new Collector database (%s) was given without a Collector source.", p.CollectorDatabase)
	}
	if p.CollectorSource != nil {
		cs, err := noSecret(*p.CollectorSource, "CollectorSource")
		if err != nil {
			return nil, err
		}
		plan.CollectorSource = &cs
		plan.NameRule = NameRuleCollector
	}
	// The sources as they are now; a later run of the plan compares.
	for _, src := range plan.sources(p) {
		fp, err := TakeFingerprint(ctx, src.given, em)
		if err != nil {
			return nil, err
		}
		plan.Fingerprints = append(plan.Fingerprints, fp)
	}
	if err := checkSourceRoles(plan); err != nil {
		return nil, err
	}
	if plan.Databases, err = chooseNames(ctx, p, plan.Destination, em); err != nil {
		return nil, err
	}
	plan.Steps = plannedSteps(plan)
	plan.CredentialsToReenter = credentials(p)

	// Every step's checks, together.
	checks, whatIf, err := steps.CheckConfiguration(ctx, configStep(plan, p))
	if err != nil {
		return nil, err
	}
	plan.Checks = append(plan.Checks, checks...)
	hchecks, err := steps.CheckHistory(ctx, historyStep(plan, p))
	if err != nil {
		return nil, err
	}
	plan.Checks = append(plan.Checks, hchecks...)
	if plan.CollectorSource != nil {
		cchecks, err := steps.CheckCollector(ctx, collectorStep(plan, p))
		if err != nil {
			return nil, err
		}
		plan.Checks = append(plan.Checks, cchecks...)
	}
	plan.Checks = append(plan.Checks, principalsCheck(plan))
	plan.AzureTenants, plan.SecretsToReenter = []configimport.AzureTenantInfo{}, []configimport.SecretItem{}
	if whatIf != nil {
		plan.AzureTenants = append(plan.AzureTenants, whatIf.AzureTenants...)
		plan.SecretsToReenter = append(plan.SecretsToReenter, whatIf.SecretsToReenter...)
	}
	return plan, FirstFailure(plan.Checks)
}

// FirstFailure is the error of the first failed check (nil when none failed).
func FirstFailure(checks []model.Check) error {
	n := 0
	var first *model.Check
	for i := range checks {
		if checks[i].Failed() {
			n++
			if first == nil {
				first = &checks[i]
			}
		}
	}
	if first == nil {
		return nil
	}
	cat := first.Category
	if cat == "" {
		cat = arerr.CatInvalidOperation
	}
	return arerr.Errorf(first.Code, cat, first.Remedy, "The upgrade plan fails %d check(s); the first: %s", n, first.Message)
}

// TakeFingerprint reads a source's version, role, installation id and row
// counts.
func TakeFingerprint(ctx context.Context, ep dbopen.Endpoint, em *engine.Emitter) (Fingerprint, error) {
	src, err := dbopen.OpenSource(ctx, &ep, em)
	if err != nil {
		return Fingerprint{}, err
	}
	defer src.Close()
	info, err := src.Info(ctx)
	if err != nil {
		return Fingerprint{}, arerr.Wrap(err, "AR-READ", arerr.CatReadError, "Check that the account may read the database.", "Cannot read %s", ep.Describe())
	}
	det := model.Detect(info)
	fp := Fingerprint{Location: ep.Describe(), Role: string(det.Role), Tables: map[string]int64{}}
	if det.State == model.StateSupported || det.State == model.StateNewer {
		fp.Version, fp.InstallationID = det.Version.String(), det.InstallationID.String()
	}
	for _, t := range info.Tables {
		n, err := src.Count(ctx, t.Name)
		if err != nil {
			return Fingerprint{}, arerr.Wrap(err, "AR-READ", arerr.CatReadError, "Check that the account may read the database.", "Cannot count the rows of %s in %s", t.Name, ep.Describe())
		}
		fp.Tables[t.Name] = n
	}
	return fp, nil
}

// source is one source of the plan: as the plan records it and as this run
// was given it (with its password).
type source struct {
	planned, given dbopen.Endpoint
	what           string
}

// sources are the plan's sources in fingerprint order: the configuration
// (or Combined) database, the history database of a split source, then the
// Collector database.
func (p *Plan) sources(given *Params) []source {
	s := []source{{p.Source, withPassword(p.Source, given.Source), "source"}}
	if !p.SourceHistory.IsZero() {
		s = append(s, source{p.SourceHistory, withPassword(p.SourceHistory, given.SourceHistory), "history source"})
	}
	if p.CollectorSource != nil {
		var g dbopen.Endpoint
		if given.CollectorSource != nil {
			g = *given.CollectorSource
		}
		s = append(s, source{*p.CollectorSource, withPassword(*p.CollectorSource, g), "Collector source"})
	}
	return s
}

// checkSourceRoles: a Combined source alone, or a configuration database
// with its Management History database; a Collector source is a Collector
// database, and no Collector database is given as the other sources.
func checkSourceRoles(plan *Plan) error {
	role := plan.Fingerprints[0].Role
	split := !plan.SourceHistory.IsZero()
	collector := string(model.RoleCollector)
	if plan.CollectorSource != nil {
		switch r := plan.Fingerprints[len(plan.Fingerprints)-1].Role; {
		case r != "" && r != collector:
			return arerr.Errorf(CheckSources.ID, arerr.CatInvalidArgument,
				"Name the earlier Collector database (the Report Pack's) as the Collector source ("+arerr.Param("collectorSource")+").",
				"The Collector source %s is a %s database, not a Collector database.", plan.CollectorSource.Describe(), r)
		case sameEndpoint(*plan.CollectorSource, plan.Source) || (split && sameEndpoint(*plan.CollectorSource, plan.SourceHistory)):
			return arerr.Errorf(CheckSources.ID, arerr.CatInvalidArgument, "Name the earlier Collector database as the Collector source.",
				"The Collector source %s is also given as the configuration or history source.", plan.CollectorSource.Describe())
		}
	}
	switch {
	case role == collector || (split && plan.Fingerprints[1].Role == collector):
		which := plan.Source
		if role != collector {
			which = plan.SourceHistory
		}
		return arerr.Errorf(CheckSources.ID, arerr.CatInvalidArgument,
			"Give the Collector database as the Collector source ("+arerr.Param("collectorSource")+") and the configuration (or Combined) database as the source.",
			"%s is a Collector database, not a configuration, Combined or Management History one.", which.Describe())
	case role == string(model.RoleCombined) && split:
		return arerr.Errorf(CheckSources.ID, arerr.CatInvalidArgument, "Leave out the history source: a Combined database holds the history too.",
			"%s is a Combined database, so no separate Management History database is needed.", plan.Source.Describe())
	case role == string(model.RoleConfiguration) && !split:
		return arerr.Errorf(CheckSources.ID, arerr.CatInvalidArgument, "Name the Management History database too ("+arerr.Param("sourceHistory")+").",
			"%s is a configuration database; the upgrade needs its Management History database as well.", plan.Source.Describe())
	case role != string(model.RoleConfiguration) && role != string(model.RoleCombined) && role != "":
		return arerr.Errorf(CheckSources.ID, arerr.CatInvalidArgument, "Name the configuration (or Combined) database as the source and the history database as the history source.",
			"%s is a %s database, not a configuration or Combined one.", plan.Source.Describe(), role)
	case split && plan.Fingerprints[1].Role != string(model.RoleManagementHistory):
		return arerr.Errorf(CheckSources.ID, arerr.CatInvalidArgument, "Name the Management History database as the history source.",
			"The history source %s is not a Management History database (%s).", plan.SourceHistory.Describe(), plan.Fingerprints[1].Role)
	}
	return nil
}

func configStep(plan *Plan, p *Params) ConfigStep {
	return ConfigStep{Source: withPassword(plan.Source, p.Source), Destination: withPassword(plan.Configuration().Endpoint, p.Destination),
		KeyBackupPath: plan.KeyBackupPath, KeyBackupPassword: p.KeyBackupPassword, SkipEncryptedData: plan.SkipEncryptedData,
		ServicesServer: plan.ServicesServer}
}

func historyStep(plan *Plan, p *Params) HistoryStep {
	src := plan.historySource()
	given := p.Source
	if !p.SourceHistory.IsZero() {
		given = p.SourceHistory
	}
	return HistoryStep{Source: withPassword(src, given), Destination: withPassword(plan.History().Endpoint, p.Destination),
		From: plan.From, To: plan.To, BatchSize: plan.BatchSize}
}

// withPassword gives a plan's endpoint the password the run was given.
func withPassword(ep, given dbopen.Endpoint) dbopen.Endpoint {
	ep.Password = given.Password
	return ep
}

func collectorStep(plan *Plan, p *Params) CollectorStep {
	var given dbopen.Endpoint
	if p.CollectorSource != nil {
		given = *p.CollectorSource
	}
	return CollectorStep{Source: withPassword(*plan.CollectorSource, given), Destination: withPassword(plan.Collector().Endpoint, p.Destination),
		BatchSize: plan.BatchSize}
}

// sameEndpoint reports whether two endpoints name the same database as typed.
func sameEndpoint(a, b dbopen.Endpoint) bool {
	if a.IsBundle() || b.IsBundle() {
		return a.IsBundle() && b.IsBundle() && filepath.Clean(a.Path) == filepath.Clean(b.Path)
	}
	return strings.EqualFold(a.Describe(), b.Describe())
}

func credentials(p *Params) []string {
	c := []string{}
	if p.KeyBackupPath != "" && !p.SkipEncryptedData {
		c = append(c, "the key backup password ("+arerr.Param("keyBackupPassword")+")")
	}
	for _, e := range []struct {
		ep   dbopen.Endpoint
		what string
	}{{p.Source, "the source's SQL login password (" + arerr.Param("source.password") + ")"}, {p.SourceHistory, "the history source's SQL login password (" + arerr.Param("sourceHistory.password") + ")"},
		{p.Destination, "the destination's SQL login password (" + arerr.Param("destination.password") + ")"}, {collectorOf(p), "the Collector source's SQL login password (" + arerr.Param("collectorSource.password") + ")"}} {
		if e.ep.Password != "" {
			c = append(c, e.what)
		}
	}
	return c
}

func collectorOf(p *Params) dbopen.Endpoint {
	if p.CollectorSource == nil {
		return dbopen.Endpoint{}
	}
	return *p.CollectorSource
}

func plannedSteps(plan *Plan) []PlannedStep {
	cfg, hist := plan.Configuration(), plan.History()
	hsrc := plan.historySource()
	s := []PlannedStep{
		{Name: StepImportConfiguration, Description: "Import the configuration into a new 8.2 configuration database (all-or-nothing)",
			Source: plan.Source.Describe(), Destination: cfg.Endpoint.Describe(), Creates: cfg.Name},
		{Name: StepAssociateServices, Description: "Run dynamic groups, group families and scheduled tasks on " + orLocal(plan.ServicesServer),
			Destination: cfg.Endpoint.Describe()},
		{Name: StepImportHistory, Description: "Import change history, approval tasks and temporal memberships into a new 8.2 Management History database (" + rangeText(plan) + ")",
			Source: hsrc.Describe(), Destination: hist.Endpoint.Describe(), Creates: hist.Name},
		{Name: StepCopyPrincipals, Description: "Copy database users, logins, roles and permissions to the new databases",
			Source: plan.Source.Describe(), Destination: cfg.Endpoint.Describe()},
		{Name: StepCreateWebSites, Description: sitesText(plan), Destination: cfg.Endpoint.Describe()},
	}
	if why := principalsSkip(plan); why != "" {
		s[3].Skip = why
	}
	if len(plan.WebSites) == 0 && !plan.AllWebSites {
		s[4].Skip = "no Web Interface sites asked for (" + arerr.Param("webSites") + ", " + arerr.Param("allWebSites") + ")"
	}
	if col := plan.Collector(); col != nil && plan.CollectorSource != nil {
		s = append(s, PlannedStep{Name: StepImportCollector,
			Description: "Import the earlier Collector database's events into a new 8.2 Collector database for the 8.2 Report Pack (all events, exactly once)",
			Source:      plan.CollectorSource.Describe(), Destination: col.Endpoint.Describe(), Creates: col.Name})
	}
	return s
}

func orLocal(h string) string {
	if h == "" {
		return "this computer (its FQDN)"
	}
	return h
}

func rangeText(plan *Plan) string {
	if plan.From == "" {
		return "all records"
	}
	return fmt.Sprintf("%s to %s", plan.From, plan.To)
}

func sitesText(plan *Plan) string {
	if plan.AllWebSites {
		return "Create an 8.2 Web Interface site from every earlier-version site, with its earlier application alias"
	}
	return fmt.Sprintf("Create %d 8.2 Web Interface site(s) from earlier-version sites", len(plan.WebSites))
}

// principalsSkip says why principals will not be copied ("" when they will).
func principalsSkip(plan *Plan) string {
	switch {
	case plan.SkipPrincipals:
		return "skipped at your request (" + arerr.Param("skipPrincipals") + ")"
	case plan.Source.IsBundle() || (!plan.SourceHistory.IsZero() && plan.SourceHistory.IsBundle()):
		return "the source is a bundle, which records no database users, logins or roles"
	case plan.Destination.IsBundle():
		return "the new databases are bundles, which cannot hold SQL Server logins, users or roles"
	}
	return ""
}

func principalsCheck(plan *Plan) model.Check {
	c := model.Check{Code: CheckPrincipals.ID, Name: CheckPrincipals.Name, Status: model.StatusPass,
		Message: "Database users, logins, roles and permissions will be copied to the new databases."}
	if why := principalsSkip(plan); why != "" && !plan.SkipPrincipals {
		c.Status, c.Message = model.StatusWarning, "Database users, logins and roles will not be copied: "+why+"."
		c.Remedy = "Copy them with " + arerr.Command("copy-principals") + " from the SQL Server databases once the new databases are on SQL Server."
	} else if plan.SkipPrincipals {
		c.Message = "Database users, logins and roles are not copied (" + arerr.Param("skipPrincipals") + ")."
	}
	return c
}
