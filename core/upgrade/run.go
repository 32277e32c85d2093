package upgrade

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/dbopen"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/website"
)

// Result types of the operation (ActiveRolesUpgrade.<type>).
const (
	ResultPlan    = "UpgradePlan"
	ResultSummary = "UpgradeSummary"
	ResultCheck   = "PrerequisiteCheck"
)

// Activity is the one progress display across the steps.
const Activity = "Upgrading to Active Roles 8.2"

// Step statuses in the state file and the summary.
const (
	StatusPending   = "Pending"
	StatusRunning   = "Running" // started, not known to have finished (a kill, a failure)
	StatusSucceeded = "Succeeded"
	StatusSkipped   = "Skipped"
	StatusFailed    = "Failed"
)

// StepState is one step's record in the state file and the summary.
type StepState struct {
	Name           string           `json:"name"`
	Status         string           `json:"status"`
	Attempts       int              `json:"attempts"`
	StartedUTC     *time.Time       `json:"startedUtc,omitempty"`
	FinishedUTC    *time.Time       `json:"finishedUtc,omitempty"`
	ElapsedSeconds float64          `json:"elapsedSeconds"`
	Counts         map[string]int64 `json:"counts,omitempty"`
	Detail         string           `json:"detail,omitempty"`
	Error          string           `json:"error,omitempty"`
	Warnings       []Warning        `json:"warnings,omitempty"`
}

// Warning is one warning a step reported.
type Warning struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// State is the run's progress, kept beside the plan.
type State struct {
	PlanID      string      `json:"planId"`
	Steps       []StepState `json:"steps"`
	CompletedAt *time.Time  `json:"completedUtc,omitempty"`
	// Follow-up material gathered by the steps for the summary.
	Follow followMaterial `json:"followUp"`
}

type followMaterial struct {
	AzureTenants     []string `json:"azureTenants,omitempty"`
	SecretsToReenter []string `json:"secretsToReenter,omitempty"`
	PrincipalsCopied bool     `json:"principalsCopied"`
	SitesCreated     []string `json:"sitesCreated,omitempty"`
	SitesLeft        []string `json:"sitesLeft,omitempty"` // earlier sites -AllWebSites could not make (no standard template)
}

func (s *State) step(name string) *StepState {
	for i := range s.Steps {
		if s.Steps[i].Name == name {
			return &s.Steps[i]
		}
	}
	return nil
}

// FollowUp is one thing the administrator must still do, with the guide's
// section that says how.
type FollowUp struct {
	Action       string   `json:"action"`
	GuideSection string   `json:"guideSection"`
	Items        []string `json:"items,omitempty"`
}

// Summary is the UpgradeSummary result, the last object of every run.
type Summary struct {
	Outcome               string `json:"outcome"` // Succeeded, AlreadyComplete, Failed, Cancelled
	Message               string `json:"message"`
	PlanPath              string `json:"planPath"`
	StatePath             string `json:"statePath"`
	Source                string `json:"source"`
	SourceHistory         string `json:"sourceHistory,omitempty"`
	ConfigurationDatabase string `json:"configurationDatabase"`
	HistoryDatabase       string `json:"historyDatabase"`
	// CollectorSource and CollectorDatabase: only with the Collector step.
	CollectorSource   string      `json:"collectorSource,omitempty"`
	CollectorDatabase string      `json:"collectorDatabase,omitempty"`
	Steps             []StepState `json:"steps"`
	ElapsedSeconds    float64     `json:"elapsedSeconds"`
	Warnings          []Warning   `json:"warnings"`
	FollowUps         []FollowUp  `json:"followUps"`
	LogPath           string      `json:"logPath,omitempty"`
}

// TestHook, when set (tests only), is called after each step finished, with
// recorded false before the state file says so and true after: a test kills
// the process there to prove every boundary resumes.
var TestHook func(step string, recorded bool)

// Run carries out the upgrade the params describe: with WhatIf it only
// makes and writes the plan (UpgradePlan); otherwise it runs the plan at
// PlanPath (made now when there is none) from its first unfinished step and
// ends with an UpgradeSummary.
func Run(ctx context.Context, p *Params, steps Steps, em *engine.Emitter) error {
	planPath := p.PlanPath
	if planPath == "" && !p.Destination.IsZero() {
		planPath = DefaultPlanPath(p.Destination)
	}
	if planPath == "" {
		return paramErr("Give the source and destination, or the plan to run ("+arerr.Param("planPath")+").", "No plan and no destination were given.")
	}
	var plan *Plan
	var raw []byte
	if _, err := os.Stat(planPath); err == nil && !p.WhatIf {
		if plan, raw, err = ReadPlan(planPath); err != nil {
			return err
		}
		if err := sameRequest(plan, p); err != nil {
			return err
		}
	} else {
		if p.WhatIf {
			if st, _ := readState(StatePath(planPath)); st != nil {
				return arerr.Errorf("AR-PLAN", arerr.CatResourceExists, "Finish that upgrade (run the same command without "+arerr.Param("whatIf")+"), or name another plan file.",
					"The plan %s belongs to an upgrade that has already started (%s); it is not replaced.", planPath, StatePath(planPath))
			}
		}
		b, err := Build(ctx, p, steps, em)
		if b == nil {
			return err
		}
		for _, c := range b.Checks {
			if rerr := em.Result(ResultCheck, c); rerr != nil {
				return rerr
			}
		}
		if err != nil {
			return err
		}
		b.PlanPath = planPath
		b.Request = requestOf(p)
		if err := WritePlan(b); err != nil {
			return err
		}
		em.Log().Info().Str("plan", planPath).Msg("upgrade plan written")
		if p.WhatIf {
			return em.Result(ResultPlan, b)
		}
		if plan, raw, err = ReadPlan(planPath); err != nil {
			return err
		}
	}
	return runPlan(ctx, plan, planID(raw), p, steps, em)
}

// requestOf is the request as the plan records it: no passwords, no
// plan-file options.
func requestOf(p *Params) *Params {
	r := *p
	r.Source.Password, r.SourceHistory.Password, r.Destination.Password, r.KeyBackupPassword = "", "", "", ""
	r.Source.Create, r.SourceHistory.Create, r.Destination.Create = false, false, false
	if r.CollectorSource != nil {
		c := *r.CollectorSource
		c.Password, c.Create = "", false
		r.CollectorSource = &c
		if c.IsZero() {
			r.CollectorSource = nil
		}
	}
	r.PlanPath, r.WhatIf = "", false
	if r.WebSites == nil {
		r.WebSites = map[string]string{}
	}
	return &r
}

// sameRequest refuses to run a plan for a command that asks for something
// else (given a source, the command must be the plan's).
func sameRequest(plan *Plan, p *Params) error {
	if p.Source.IsZero() {
		return nil // run the plan as it is
	}
	if plan.Request == nil || !reflect.DeepEqual(plan.Request, requestOf(p)) {
		return arerr.Errorf("AR-PLAN", arerr.CatInvalidArgument,
			"Run it with "+arerr.Param("planPath")+" alone, or name another plan file ("+arerr.Param("planPath")+") for this upgrade.",
			"The plan %s was made for another upgrade than this command describes.", plan.PlanPath)
	}
	return nil
}

func readState(path string) (*State, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, arerr.Wrap(err, "AR-READ", arerr.CatReadError, "Check the file's permissions.", "Cannot read the upgrade state %s", path)
	}
	var s State
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, arerr.Errorf("AR-PLAN", arerr.CatInvalidData, "Delete it only if no step has run yet; otherwise restore it.",
			"The upgrade state %s is damaged: %v.", path, err)
	}
	return &s, nil
}

func runPlan(ctx context.Context, plan *Plan, id string, p *Params, steps Steps, em *engine.Emitter) error {
	began := time.Now()
	statePath := StatePath(plan.PlanPath)
	release, err := dbopen.LockBundle(ctx, statePath, "upgrade")
	if err != nil {
		return err
	}
	defer func() { _ = release() }()
	st, err := readState(statePath)
	if err != nil {
		return err
	}
	if st != nil && st.PlanID != id {
		return arerr.Errorf("AR-PLAN", arerr.CatInvalidData, "Run the plan the state was made for, or move the state file away if that upgrade is abandoned.",
			"The upgrade state %s belongs to another plan than %s.", statePath, plan.PlanPath)
	}
	names := plan.stepNames()
	if st == nil {
		st = &State{PlanID: id}
	}
	for _, n := range names {
		if st.step(n) == nil {
			st.Steps = append(st.Steps, StepState{Name: n, Status: StatusPending})
		}
	}
	sum := &Summary{PlanPath: plan.PlanPath, StatePath: statePath, Source: plan.Source.Describe(),
		ConfigurationDatabase: plan.Configuration().Endpoint.Describe(), HistoryDatabase: plan.History().Endpoint.Describe(),
		LogPath: em.LogPath(), Warnings: []Warning{}}
	if !plan.SourceHistory.IsZero() {
		sum.SourceHistory = plan.SourceHistory.Describe()
	}
	if col := plan.Collector(); col != nil && plan.CollectorSource != nil {
		sum.CollectorSource, sum.CollectorDatabase = plan.CollectorSource.Describe(), col.Endpoint.Describe()
	}
	if st.CompletedAt != nil {
		sum.Outcome = "AlreadyComplete"
		sum.Message = fmt.Sprintf("This upgrade finished at %s; nothing was done. Its databases are %s.",
			st.CompletedAt.Format(time.RFC3339), sum.databases())
		em.Log().Info().Str("plan", plan.PlanPath).Msg("the upgrade has already finished; nothing to do")
		return emitSummary(sum, st, plan, em)
	}
	// The sources must be as reviewed.
	srcs := plan.sources(p)
	if len(srcs) != len(plan.Fingerprints) {
		return arerr.Errorf("AR-PLAN", arerr.CatInvalidData, "Make the plan again with "+arerr.Param("whatIf")+".",
			"The plan %s has %d source fingerprint(s) for %d source(s).", plan.PlanPath, len(plan.Fingerprints), len(srcs))
	}
	for i, fp := range plan.Fingerprints {
		now, err := TakeFingerprint(ctx, srcs[i].given, em)
		if err != nil {
			return err
		}
		if diff := fingerprintDiff(fp, now); diff != "" {
			return arerr.Errorf("AR-PLAN-STALE", arerr.CatInvalidData, "Review the sources and make the plan again ("+arerr.Param("whatIf")+").",
				"The source %s changed since the plan was made (%s).", fp.Location, diff)
		}
	}
	var mu sync.Mutex
	var cur *StepState
	untap := em.TapWarnings(func(code, message string) {
		mu.Lock()
		defer mu.Unlock()
		if cur != nil {
			cur.Warnings = append(cur.Warnings, Warning{Code: code, Message: message})
		}
	})
	defer untap()
	for i, name := range names {
		s := st.step(name)
		if s.Status == StatusSucceeded || s.Status == StatusSkipped {
			continue
		}
		em.Progress(engine.Progress{Activity: Activity, Step: name, Percent: float64(i) * 100 / float64(len(names))})
		resumed := s.Status == StatusRunning || s.Status == StatusFailed
		now := time.Now().UTC()
		mu.Lock()
		s.Status, s.StartedUTC, s.FinishedUTC, s.Error, s.Attempts, s.Warnings = StatusRunning, &now, nil, "", s.Attempts+1, nil
		cur = s
		mu.Unlock()
		if err := writeJSON(statePath, st); err != nil {
			return err
		}
		start := time.Now()
		status, err := runStep(ctx, name, resumed, plan, p, st, s, steps, em)
		mu.Lock()
		cur = nil
		s.ElapsedSeconds = time.Since(start).Seconds()
		mu.Unlock()
		if err != nil {
			s.Status = StatusFailed
			s.Error = err.Error()
			if ctx.Err() != nil {
				s.Status = StatusRunning // cancelled: the same command continues here
			}
			if werr := writeJSON(statePath, st); werr != nil {
				em.Log().Warn().Err(werr).Msg("cannot record the failed step")
			}
			return fmt.Errorf("upgrade step %s: %w", name, err)
		}
		if TestHook != nil {
			TestHook(name, false)
		}
		fin := time.Now().UTC()
		s.Status, s.FinishedUTC = status, &fin
		if err := writeJSON(statePath, st); err != nil {
			return err
		}
		if TestHook != nil {
			TestHook(name, true)
		}
		em.Log().Info().Str("step", name).Str("status", status).Msg("upgrade step finished")
	}
	em.Progress(engine.Progress{Activity: Activity, Percent: 100, Completed: true})
	done := time.Now().UTC()
	st.CompletedAt = &done
	if err := writeJSON(statePath, st); err != nil {
		return err
	}
	sum.Outcome = "Succeeded"
	sum.ElapsedSeconds = time.Since(began).Seconds()
	sum.Message = fmt.Sprintf("The upgrade finished: %s are ready for Active Roles 8.2. See the follow-ups.", sum.databases())
	return emitSummary(sum, st, plan, em)
}

// databases names the upgrade's new databases for a message.
func (s *Summary) databases() string {
	if s.CollectorDatabase == "" {
		return s.ConfigurationDatabase + " and " + s.HistoryDatabase
	}
	return s.ConfigurationDatabase + ", " + s.HistoryDatabase + " and " + s.CollectorDatabase
}

// stepNames are the steps a run of the plan goes through, in order: the
// plan's (an older plan has no Collector step), else StepOrder's.
func (p *Plan) stepNames() []string {
	var n []string
	for _, s := range p.Steps {
		n = append(n, s.Name)
	}
	if len(n) == 0 {
		for _, s := range StepOrder {
			if s != StepImportCollector || p.CollectorSource != nil {
				n = append(n, s)
			}
		}
	}
	return n
}

func emitSummary(sum *Summary, st *State, plan *Plan, em *engine.Emitter) error {
	sum.Steps = st.Steps
	for _, s := range st.Steps {
		sum.Warnings = append(sum.Warnings, s.Warnings...)
	}
	if sum.ElapsedSeconds == 0 {
		for _, s := range st.Steps {
			sum.ElapsedSeconds += s.ElapsedSeconds
		}
	}
	sum.FollowUps = followUps(plan, st)
	return em.Result(ResultSummary, sum)
}

func fingerprintDiff(was, now Fingerprint) string {
	switch {
	case was.Version != now.Version:
		return fmt.Sprintf("version %s, now %s", was.Version, now.Version)
	case was.Role != now.Role:
		return fmt.Sprintf("role %s, now %s", was.Role, now.Role)
	case was.InstallationID != now.InstallationID:
		return fmt.Sprintf("installation id %s, now %s", was.InstallationID, now.InstallationID)
	}
	var diffs []string
	for t, n := range was.Tables {
		if m, ok := now.Tables[t]; !ok || m != n {
			diffs = append(diffs, fmt.Sprintf("%s: %d rows, now %d", t, n, m))
		}
	}
	for t, m := range now.Tables {
		if _, ok := was.Tables[t]; !ok {
			diffs = append(diffs, fmt.Sprintf("new table %s (%d rows)", t, m))
		}
	}
	if len(diffs) > 3 {
		diffs = append(diffs[:3], fmt.Sprintf("and %d more", len(diffs)-3))
	}
	return strings.Join(diffs, "; ")
}

// runStep carries out one step through the existing operation code. A step
// that a killed or failed run had started is run again as its operation
// is (they are safe to re-run): an import into the database this upgrade
// created continues in it instead of asking to create it.
func runStep(ctx context.Context, name string, resumed bool, plan *Plan, p *Params, st *State, s *StepState, steps Steps, em *engine.Emitter) (string, error) {
	cfg := withPassword(plan.Configuration().Endpoint, p.Destination)
	cfg.Create = false
	switch name {
	case StepImportConfiguration:
		cs := configStep(plan, p)
		res, err := steps.ImportConfiguration(ctx, cs)
		if err != nil && resumed && isCode(err, model.E008DatabaseNameExists.ID) {
			// This upgrade created it and the import committed before the kill.
			em.Log().Info().Str("destination", cs.Destination.Describe()).Msg("continuing in the configuration database this upgrade created")
			cs.Destination.Create = false
			res, err = steps.ImportConfiguration(ctx, cs)
		}
		if err != nil {
			return "", err
		}
		s.Counts = map[string]int64{"added": res.AddedCount, "skipped": res.SkippedCount}
		s.Detail = fmt.Sprintf("%d objects added, %d skipped", res.AddedCount, res.SkippedCount)
		st.Follow.AzureTenants, st.Follow.SecretsToReenter = nil, nil
		for _, t := range res.AzureTenants {
			st.Follow.AzureTenants = append(st.Follow.AzureTenants, fmt.Sprintf("%s (%s)", t.DisplayName, t.TenantID))
		}
		for _, x := range res.SecretsToReenter {
			st.Follow.SecretsToReenter = append(st.Follow.SecretsToReenter, fmt.Sprintf("%s %s %s: %s", x.Entity, x.Name, x.Column, x.Action))
		}
		if res.AddedCount == 0 && resumed {
			s.Detail += " (already imported by the interrupted run)"
		}
	case StepAssociateServices:
		res, err := steps.AssociateServices(ctx, cfg, plan.ServicesServer)
		if err != nil {
			return "", err
		}
		s.Counts = map[string]int64{"dynamicGroups": res.DynamicGroups, "groupFamilies": res.GroupFamilies, "scheduledTasks": res.ScheduledTasks,
			"changed": int64(len(res.Changed)), "unchanged": int64(len(res.Unchanged))}
		s.Detail = fmt.Sprintf("%d dynamic groups, %d group families and %d scheduled tasks run on %s (%d tasks left as they are)",
			res.DynamicGroups, res.GroupFamilies, res.ScheduledTasks, res.ServicesServer, len(res.Unchanged))
	case StepImportHistory:
		hs := historyStep(plan, p)
		res, err := steps.ImportHistory(ctx, hs)
		if err != nil && resumed && isCode(err, model.E008DatabaseNameExists.ID) {
			em.Log().Info().Str("destination", hs.Destination.Describe()).Msg("continuing in the history database this upgrade created")
			hs.Destination.Create = false
			res, err = steps.ImportHistory(ctx, hs)
		}
		if err != nil {
			return "", err
		}
		s.Counts = map[string]int64{}
		for _, e := range res.Entities {
			s.Counts[e.Entity+"Imported"] = e.Imported
			s.Counts[e.Entity+"AlreadyPresent"] = e.AlreadyPresent
		}
		s.Detail = fmt.Sprintf("%d rows imported in %d batches", res.Added(), res.Batches)
	case StepCopyPrincipals:
		if why := principalsSkip(plan); why != "" {
			s.Detail = why
			return StatusSkipped, nil
		}
		hist := withPassword(plan.History().Endpoint, p.Destination)
		hist.Create = false
		okC, whyC := steps.CopyPrincipals(ctx, withPassword(plan.Source, p.Source), cfg)
		hs := historyStep(plan, p)
		okH, whyH := steps.CopyPrincipals(ctx, hs.Source, hist)
		st.Follow.PrincipalsCopied = okC && okH
		s.Detail = "configuration database: " + whyC + "; history database: " + whyH
	case StepCreateWebSites:
		if len(plan.WebSites) == 0 && !plan.AllWebSites {
			s.Detail = "no Web Interface sites asked for"
			return StatusSkipped, nil
		}
		created, left, err := createSites(ctx, plan, cfg, steps, em)
		st.Follow.SitesCreated, st.Follow.SitesLeft = created, left
		if err != nil {
			return "", err
		}
		s.Counts = map[string]int64{"sites": int64(len(created))}
		s.Detail = strings.Join(created, "; ")
	case StepImportCollector:
		if plan.CollectorSource == nil || plan.Collector() == nil {
			return "", arerr.Errorf("AR-PLAN", arerr.CatInvalidData, "Make the plan again with "+arerr.Param("whatIf")+".",
				"The plan %s has a Collector step but no Collector source or database.", plan.PlanPath)
		}
		cs := collectorStep(plan, p)
		res, err := steps.ImportCollector(ctx, cs)
		if err != nil && resumed && isCode(err, model.E008DatabaseNameExists.ID) {
			// This upgrade created it before the kill: continue in it (nothing is imported twice).
			em.Log().Info().Str("destination", cs.Destination.Describe()).Msg("continuing in the Collector database this upgrade created")
			cs.Destination.Create = false
			res, err = steps.ImportCollector(ctx, cs)
		}
		if err != nil {
			return "", err
		}
		s.Counts = map[string]int64{"sourceEvents": res.SourceEvents, "added": res.Added, "skipped": res.Skipped, "duplicates": res.Duplicates,
			"conflicts": res.Conflicts, "reportEntries": int64(res.ReportEntries)}
		s.Detail = fmt.Sprintf("%d events added, %d skipped (%d already there, %d conflicts), %d report entries, in %d batches",
			res.Added, res.Skipped, res.Duplicates, res.Conflicts, res.ReportEntries, res.Batches)
	default:
		return "", arerr.NotImplemented("upgrade step " + name)
	}
	return StatusSucceeded, nil
}

func isCode(err error, code string) bool {
	var e *arerr.Error
	return errors.As(err, &e) && e.Code == code
}

// createSites makes one 8.2 site per rule (or per earlier-version site). A
// site already made from the same old site on the same IIS application (by
// a run that was interrupted) is not made again.
func createSites(ctx context.Context, plan *Plan, cfg dbopen.Endpoint, steps Steps, em *engine.Emitter) (created, left []string, err error) {
	sites, err := steps.ListWebSites(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	var rules []SiteRule
	if plan.AllWebSites {
		for _, s := range sites {
			if s.ProductVersion == model.Target.Short() {
				continue
			}
			if !standardTemplate(s.Template) {
				// An 8.2 site is made from one of the three templates; which
				// one a custom site needs is the administrator's choice.
				left = append(left, fmt.Sprintf("%s (template %s)", s.Name, s.Template))
				em.Warn("AR-SITE-TEMPLATE", fmt.Sprintf("The earlier-version site %q has the template %s, not Administrators, HelpDesk or SelfAdministration: no 8.2 site was made from it. "+
					"Create it with "+arerr.Command("new-website")+" "+arerr.Param("sourceSite")+" '%s' "+arerr.Param("template")+" <the one it is based on>.", s.Name, s.Template, s.Name))
				continue
			}
			for _, b := range s.Bindings {
				rules = append(rules, SiteRule{OldSite: s.SiteGUID, ApplicationAlias: b.ApplicationAlias, IISSiteName: b.IISSiteName})
			}
		}
	} else {
		rules = plan.WebSites
	}
	for _, r := range rules {
		old := findSite(sites, r.OldSite)
		if old == nil {
			return created, left, arerr.Errorf("AR-NOTFOUND", arerr.CatObjectNotFound,
				"Check the name with "+arerr.Command("list-websites")+" "+arerr.Param("source")+" <the new configuration database>, fix the plan's site rules and run it again.",
				"The earlier-version site %q is not in the imported configuration.", r.OldSite)
		}
		if done := madeFrom(sites, old.SiteGUID, r); done != nil {
			created = append(created, fmt.Sprintf("%s → %s/%s (already there)", old.Name, r.IISSiteName, r.ApplicationAlias))
			continue
		}
		res, err := steps.NewWebSite(ctx, cfg, website.Request{SourceSite: old.SiteGUID, Template: old.Template,
			IISSiteName: r.IISSiteName, ApplicationAlias: r.ApplicationAlias})
		if err != nil {
			return created, left, err
		}
		created = append(created, fmt.Sprintf("%s → %s (%s/%s)", old.Name, res.Name, res.IISSiteName, res.ApplicationAlias))
	}
	return created, left, nil
}

func standardTemplate(t string) bool {
	switch t {
	case model.TemplateAdministrators, model.TemplateHelpDesk, model.TemplateSelfAdministration:
		return true
	}
	return false
}

func findSite(sites []website.SiteInfo, key string) *website.SiteInfo {
	for i := range sites {
		if strings.EqualFold(sites[i].Name, key) || strings.EqualFold(sites[i].SiteGUID, key) {
			return &sites[i]
		}
	}
	return nil
}

func madeFrom(sites []website.SiteInfo, oldGUID string, r SiteRule) *website.SiteInfo {
	for i := range sites {
		if !strings.EqualFold(sites[i].SourceSiteGUID, oldGUID) {
			continue
		}
		for _, b := range sites[i].Bindings {
			if b.State == website.StateActive && strings.EqualFold(b.IISSiteName, r.IISSiteName) && strings.EqualFold(b.ApplicationAlias, r.ApplicationAlias) {
				return &sites[i]
			}
		}
	}
	return nil
}

// Guide sections the follow-ups name.
const (
	guideTenants   = "Reconfiguring Azure tenants during upgrade configuration"
	guideWizard    = "Configuring Active Roles 8.2 during in-place upgrade"
	guideOLEDB     = "Configuring Active Roles for a newer Microsoft OLE DB Driver for SQL Server version"
	guideService   = "Upgrading the Active Roles Administration Service"
	guideImport    = "Importing configuration data"
	guideSites     = "Creating Web Interface sites and importing configuration"
	guidePrereq    = "Upgrading from an earlier version"
	guideDefaultWI = "Deleting default Web Interface sites"
	guideCollector = "Upgrading the Collector and Report Pack"
)

func followUps(plan *Plan, st *State) []FollowUp {
	var f []FollowUp
	if len(st.Follow.AzureTenants) > 0 {
		f = append(f, FollowUp{Action: "Reauthenticate each Azure tenant (Upgrade configuration wizard, Reauthenticate tenants), restart the Administration Service, then Consent each tenant under Azure AD Configuration.",
			GuideSection: guideTenants, Items: st.Follow.AzureTenants})
	}
	if len(st.Follow.SecretsToReenter) > 0 {
		f = append(f, FollowUp{Action: "Re-enter the secrets that were not imported (no key backup, or " + arerr.Param("skipEncryptedData") + ").",
			GuideSection: guideImport, Items: st.Follow.SecretsToReenter})
	}
	f = append(f, FollowUp{Action: "Restart the Administration Service (Configuration Center > Administration Service > Restart) so it uses the new databases and tenants.",
		GuideSection: guideWizard})
	if !plan.Destination.IsBundle() {
		f = append(f, FollowUp{Action: "To use Microsoft OLE DB Driver 19.x: give SQL Server a CA-issued certificate, check Encrypt connection without Trust server certificate, and refer to the SQL Server by its FQDN.",
			GuideSection: guideOLEDB})
		if host := serverHost(plan.Destination); host != "" && !strings.Contains(host, ".") && net.ParseIP(host) == nil {
			f = append(f, FollowUp{Action: fmt.Sprintf("The SQL Server is named by its short name %q: change the Active Roles database names to use its FQDN (Administration Service > Active Roles databases > Change).", host),
				GuideSection: guideOLEDB, Items: []string{plan.Configuration().Name, plan.History().Name}})
		}
	} else {
		items := []string{plan.Configuration().Endpoint.Describe(), plan.History().Endpoint.Describe()}
		if col := plan.Collector(); col != nil {
			items = append(items, col.Endpoint.Describe())
		}
		f = append(f, FollowUp{Action: "The new databases are bundles: put them on SQL Server (restore or load them), then copy the database users and logins with " + arerr.Command("copy-principals") + ".",
			GuideSection: guidePrereq, Items: items})
	}
	if !st.Follow.PrincipalsCopied && !plan.Destination.IsBundle() {
		f = append(f, FollowUp{Action: "Copy the database users, logins, roles and permissions (" + arerr.Command("copy-principals") + "); they were not all copied.", GuideSection: guidePrereq})
	}
	if len(st.Follow.SitesLeft) > 0 {
		f = append(f, FollowUp{Action: "Create 8.2 sites from these earlier-version sites with " + arerr.Command("new-website") + ", choosing the template each is based on.",
			GuideSection: guideSites, Items: st.Follow.SitesLeft})
	}
	if len(st.Follow.SitesCreated) == 0 {
		f = append(f, FollowUp{Action: "Create the 8.2 Web Interface sites from the earlier-version site configurations (" + arerr.Command("new-website") + "), then remove the default sites you do not need.",
			GuideSection: guideSites})
	} else {
		f = append(f, FollowUp{Action: "Remove the default 8.2 Web Interface sites you do not need (" + arerr.Command("remove-website") + ").", GuideSection: guideDefaultWI, Items: st.Follow.SitesCreated})
	}
	f = append(f, FollowUp{Action: "Upgrade the other Administration Service instances one by one, pointing them at these databases (Existing Active Roles database).",
		GuideSection: guideService})
	if col := plan.Collector(); col != nil && plan.CollectorSource != nil {
		f = append(f, FollowUp{Action: "Point the 8.2 Collector at the new Collector database and make it the data source of the 8.2 Report Pack's reports; " +
			"the earlier Collector database is no longer needed by them.", GuideSection: guideCollector, Items: []string{col.Endpoint.Describe()}})
	}
	return f
}

func serverHost(ep dbopen.Endpoint) string {
	o, err := dbopen.SQLOptions(&ep)
	if err != nil {
		return ""
	}
	return strings.ToLower(o.Server)
}
