// Package upgrade runs the whole database upgrade in one resumable,
// reviewable run: the guide's in-place upgrade "Upgrade configuration"
// wizard (new databases with default names, services association, review,
// import of configuration and history, copy of principals) followed by the
// Web Interface sites, and, when asked, the import of the Collector's events
// (the guide's "Upgrading the Collector and Report Pack"). It only orders, records and summarises: every step is
// carried out by the existing operation code, which core/ops hands in as
// Steps.
package upgrade

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/collectorimport"
	"github.com/activeroles/arupgrade/core/configimport"
	"github.com/activeroles/arupgrade/core/dbopen"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/historyimport"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/website"
)

// PlanFormat is the version of the plan file's layout.
const PlanFormat = 1

// The steps, in the order they run.
const (
	StepImportConfiguration = "ImportConfiguration"
	StepAssociateServices   = "AssociateServices"
	StepImportHistory       = "ImportHistory"
	StepCopyPrincipals      = "CopyPrincipals"
	StepCreateWebSites      = "CreateWebSites"
	// StepImportCollector is planned only for a Collector source; it is last
	// as in the guide, where the Report Pack is upgraded after the rest.
	StepImportCollector = "ImportCollector"
)

// StepOrder is the order of the steps (the wizard's, then the Web Interface,
// then the Collector). A plan holds the Collector step only when it has a
// Collector source (Plan.Steps is what a run goes through).
var StepOrder = []string{StepImportConfiguration, StepAssociateServices, StepImportHistory, StepCopyPrincipals, StepCreateWebSites, StepImportCollector}

// Params are the upgrade operation's request params. Passwords (endpoints',
// keyBackupPassword) are used by the run and never written to the plan.
type Params struct {
	// Source is the configuration database, or the Combined database of 7.x.
	Source dbopen.Endpoint `json:"source"`
	// SourceHistory is the Management History database when the source is split.
	SourceHistory dbopen.Endpoint `json:"sourceHistory"`
	// Destination is the SQL Server that gets the new databases (its
	// database, if any, is ignored), or, as path, the folder for bundles.
	Destination           dbopen.Endpoint   `json:"destination"`
	ConfigurationDatabase string            `json:"configurationDatabase"`
	HistoryDatabase       string            `json:"historyDatabase"`
	KeyBackupPath         string            `json:"keyBackupPath"`
	KeyBackupPassword     string            `json:"keyBackupPassword"`
	SkipEncryptedData     bool              `json:"skipEncryptedData"`
	ServicesServer        string            `json:"servicesServer"`
	SkipPrincipals        bool              `json:"skipPrincipals"`
	From                  string            `json:"from"`
	To                    string            `json:"to"`
	BatchSize             int               `json:"batchSize"`
	WebSites              map[string]string `json:"webSites"`    // old site name (or GUID) → new application alias
	AllWebSites           bool              `json:"allWebSites"` // every old site, with its old alias
	IISSiteName           string            `json:"iisSiteName"` // default "Default Web Site"
	// CollectorSource is the earlier Collector database whose events the
	// last step imports into a new 8.2 Collector database (CollectorDatabase,
	// by default ActiveRoles820_Collector) on the destination. Nil: no
	// Collector step, and a plan as without the option.
	CollectorSource   *dbopen.Endpoint `json:"collectorSource,omitempty"`
	CollectorDatabase string           `json:"collectorDatabase,omitempty"`
	PlanPath          string           `json:"planPath"`
	WhatIf            bool             `json:"whatIf"`
}

// Database is one database the upgrade creates.
type Database struct {
	Role     string          `json:"role"` // Configuration, ManagementHistory or Collector
	Name     string          `json:"name"`
	Endpoint dbopen.Endpoint `json:"endpoint"`
	// DefaultName: the name was chosen by the default rule (NameRule).
	DefaultName bool `json:"defaultName"`
}

// NameRule is the documented rule for the new databases' default names.
const NameRule = "ActiveRoles820 and ActiveRoles820_MH (the 8.2 wizard's defaults); when either exists, the first free " +
	"ActiveRoles820_N and ActiveRoles820_N_MH (N = 2, 3, …). Names you give are used as they are and must not exist."

// NameRuleCollector is NameRule when a Collector source is given.
const NameRuleCollector = "ActiveRoles820, ActiveRoles820_MH and ActiveRoles820_Collector (the 8.2 defaults); when any exists, the first free " +
	"ActiveRoles820_N, ActiveRoles820_N_MH and ActiveRoles820_N_Collector (N = 2, 3, …). Names you give are used as they are and must not exist."

// SiteRule asks for one new 8.2 Web Interface site made from an old one.
type SiteRule struct {
	OldSite          string `json:"oldSite"`
	ApplicationAlias string `json:"applicationAlias"`
	IISSiteName      string `json:"iisSiteName"`
}

// PlannedStep is one step of the plan with what it does.
type PlannedStep struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Source      string `json:"source,omitempty"`
	Destination string `json:"destination,omitempty"`
	// Creates names the database this step creates (the wizard creates the
	// databases as part of the imports: pre-created ones are not supported).
	Creates string `json:"creates,omitempty"`
	Skip    string `json:"skip,omitempty"` // why the step will do nothing
}

// Fingerprint identifies a source as it was when the plan was made.
type Fingerprint struct {
	Location       string           `json:"location"`
	Version        string           `json:"version"`
	Role           string           `json:"role"`
	InstallationID string           `json:"installationId"`
	Tables         map[string]int64 `json:"tables"`
}

// Plan is the reviewed upgrade (UpgradePlan): written by -WhatIf /
// -PlanPath, run unchanged later. It holds no secret.
type Plan struct {
	Format        int             `json:"format"`
	CreatedUTC    time.Time       `json:"createdUtc"`
	Producer      string          `json:"producer"`
	PlanPath      string          `json:"planPath"`
	Source        dbopen.Endpoint `json:"source"`
	SourceHistory dbopen.Endpoint `json:"sourceHistory"`
	// CollectorSource is the Collector step's source (nil: no such step).
	CollectorSource *dbopen.Endpoint `json:"collectorSource,omitempty"`
	Destination     dbopen.Endpoint  `json:"destination"`
	NameRule        string           `json:"nameRule"`
	Databases       []Database       `json:"databases"`

	KeyBackupPath     string     `json:"keyBackupPath,omitempty"`
	SkipEncryptedData bool       `json:"skipEncryptedData"`
	ServicesServer    string     `json:"servicesServer"`
	SkipPrincipals    bool       `json:"skipPrincipals"`
	From              string     `json:"from,omitempty"`
	To                string     `json:"to,omitempty"`
	BatchSize         int        `json:"batchSize,omitempty"`
	WebSites          []SiteRule `json:"webSites"`
	AllWebSites       bool       `json:"allWebSites"`
	IISSiteName       string     `json:"iisSiteName"`

	Steps        []PlannedStep `json:"steps"`
	Fingerprints []Fingerprint `json:"fingerprints"`
	Checks       []model.Check `json:"checks"`
	// AzureTenants must be reauthenticated and consented after the upgrade.
	AzureTenants []configimport.AzureTenantInfo `json:"azureTenants"`
	// SecretsToReenter are the encrypted values the import will not carry
	// (no key backup, or SkipEncryptedData).
	SecretsToReenter []configimport.SecretItem `json:"secretsToReenter"`
	// CredentialsToReenter are the secrets a run of this plan asks for again
	// (they are never written here).
	CredentialsToReenter []string `json:"credentialsToReenter"`
	// Request is the command that made the plan (no secrets): the same
	// command run again continues this plan; another one is refused.
	Request *Params `json:"request"`
}

// Configuration and History are the plan's two new databases; Collector is
// the third, nil without a Collector source.
func (p *Plan) Configuration() *Database { return p.db(string(model.RoleConfiguration)) }
func (p *Plan) History() *Database       { return p.db(string(model.RoleManagementHistory)) }
func (p *Plan) Collector() *Database     { return p.db(string(model.RoleCollector)) }

func (p *Plan) db(role string) *Database {
	for i := range p.Databases {
		if p.Databases[i].Role == role {
			return &p.Databases[i]
		}
	}
	return nil
}

// historySource is the source of the history import: the Combined source or
// the separate history database.
func (p *Plan) historySource() dbopen.Endpoint {
	if p.SourceHistory.IsZero() {
		return p.Source
	}
	return p.SourceHistory
}

// Steps is what the upgrade asks of the existing operations (core/ops). Each
// step emits its own result object (ConfigurationImportResult, …) when it
// finishes and returns it for the summary.
type Steps interface {
	// CheckConfiguration runs the configuration import's preflight and, when
	// it passes, a WhatIf import (tenants, secrets); it writes nothing.
	CheckConfiguration(ctx context.Context, s ConfigStep) ([]model.Check, *configimport.Result, error)
	// CheckHistory runs the history import's preflight; it writes nothing.
	CheckHistory(ctx context.Context, s HistoryStep) ([]model.Check, error)
	ImportConfiguration(ctx context.Context, s ConfigStep) (*configimport.Result, error)
	AssociateServices(ctx context.Context, dst dbopen.Endpoint, servicesServer string) (*configimport.ServicesResult, error)
	ImportHistory(ctx context.Context, s HistoryStep) (*historyimport.Result, error)
	// CopyPrincipals copies database users, logins, roles and permissions;
	// it never fails (why it copied nothing is the reason).
	CopyPrincipals(ctx context.Context, src, dst dbopen.Endpoint) (copied bool, reason string)
	ListWebSites(ctx context.Context, db dbopen.Endpoint) ([]website.SiteInfo, error)
	NewWebSite(ctx context.Context, dst dbopen.Endpoint, req website.Request) (*website.Result, error)
	// CheckCollector runs the Collector import's preflight; it writes nothing.
	CheckCollector(ctx context.Context, s CollectorStep) ([]model.Check, error)
	// ImportCollector imports the Collector's events; a failed run may
	// return its partial result.
	ImportCollector(ctx context.Context, s CollectorStep) (*collectorimport.Result, error)
}

// ConfigStep is the configuration import's input.
type ConfigStep struct {
	Source, Destination dbopen.Endpoint
	KeyBackupPath       string
	KeyBackupPassword   string
	SkipEncryptedData   bool
	ServicesServer      string
}

// HistoryStep is the history import's input.
type HistoryStep struct {
	Source, Destination dbopen.Endpoint
	From, To            string
	BatchSize           int
}

// CollectorStep is the Collector import's input: every event (the guide's
// wizard imports them all; -From/-To are the Management History's), in
// batches of the plan's size.
type CollectorStep struct {
	Source, Destination dbopen.Endpoint
	BatchSize           int
}

func paramErr(remedy, format string, args ...any) *arerr.Error {
	return arerr.Errorf("AR-PARAMS", arerr.CatInvalidArgument, remedy, format, args...)
}

// noSecret is an endpoint as the plan may hold it: without its password.
// A connection string that carries one is refused: the plan is a file.
// what is the parameter's name (Source, Destination, CollectorSource).
func noSecret(ep dbopen.Endpoint, what string) (dbopen.Endpoint, error) {
	if ep.ConnectionString != "" && dbopen.HasSecret(ep.ConnectionString) {
		flag, words := strings.ToLower(what), strings.ToLower(what)
		if what == "CollectorSource" {
			flag, words = "collector-source", "Collector source"
		}
		return ep, paramErr("Give the password as a credential (-"+what+"Credential, --"+flag+"-password-file), not in the connection string.",
			"The %s connection string holds a password, which the upgrade plan would have to store.", words)
	}
	ep.Password = ""
	ep.Create = false
	return ep, nil
}

// withDatabase is the destination server's endpoint naming database name.
func withDatabase(server dbopen.Endpoint, name string) (dbopen.Endpoint, error) {
	ep := server
	ep.Create = true
	if strings.ContainsAny(name, ";\"'{}=\x00\r\n") || strings.TrimSpace(name) != name || name == "" {
		return ep, paramErr("Use a database name of letters, digits, spaces, '_' and '-'.", "The database name %q cannot be used.", name)
	}
	switch {
	case server.ConnectionString == "":
		ep.Database = name
	case strings.HasPrefix(strings.ToLower(strings.TrimSpace(server.ConnectionString)), "sqlserver://"):
		u, err := url.Parse(strings.TrimSpace(server.ConnectionString))
		if err != nil {
			return ep, paramErr("Give a connection string such as sqlserver://sql01.corp.example.com.", "The destination connection string is not valid: %v.", err)
		}
		q := u.Query()
		for k := range q {
			if strings.EqualFold(k, "database") || strings.EqualFold(k, "initial catalog") {
				q.Del(k)
			}
		}
		q.Set("database", name)
		u.RawQuery = q.Encode()
		ep.ConnectionString = u.String()
	default:
		var kept []string
		for _, part := range strings.Split(server.ConnectionString, ";") {
			k, _, _ := strings.Cut(part, "=")
			switch strings.ReplaceAll(strings.ToLower(strings.TrimSpace(k)), " ", "") {
			case "database", "initialcatalog":
				continue
			}
			if strings.TrimSpace(part) != "" {
				kept = append(kept, part)
			}
		}
		ep.ConnectionString = strings.Join(append(kept, "Database="+name), ";")
	}
	return ep, nil
}

// databaseEndpoint is where database name lives on the destination.
func databaseEndpoint(dest dbopen.Endpoint, name string) (dbopen.Endpoint, error) {
	if dest.IsBundle() {
		if strings.ContainsAny(name, `/\`) || name == "" || name == "." || name == ".." {
			return dest, paramErr("Give a file name without a folder.", "The database name %q cannot be used for a bundle.", name)
		}
		return dbopen.Endpoint{Path: filepath.Join(dest.Path, name+dbopen.BundleExt), Create: true}, nil
	}
	return withDatabase(dest, name)
}

// exists reports whether a database of that name exists at ep (a bundle file
// or a SQL Server database), asking the server as the imports do.
func exists(ctx context.Context, ep dbopen.Endpoint, em *engine.Emitter) (bool, error) {
	if ep.IsBundle() {
		_, err := os.Stat(ep.Path)
		return err == nil, nil
	}
	ep.Create = true
	d, info, err := dbopen.OpenConfigDestination(ctx, &ep, em, *em.Log())
	if err != nil {
		return false, err
	}
	_ = d.Close()
	return info.Exists, nil
}

// chooseNames applies NameRule (NameRuleCollector with a Collector source):
// explicit names as given, otherwise the first free set of default names.
// The databases come in step order: configuration, history, then the
// Collector database when one is asked for.
func chooseNames(ctx context.Context, p *Params, dest dbopen.Endpoint, em *engine.Emitter) ([]Database, error) {
	given := []Database{{Role: string(model.RoleConfiguration), Name: p.ConfigurationDatabase},
		{Role: string(model.RoleManagementHistory), Name: p.HistoryDatabase}}
	if p.CollectorSource != nil {
		given = append(given, Database{Role: string(model.RoleCollector), Name: p.CollectorDatabase})
	}
	suffix := map[string]string{string(model.RoleConfiguration): "",
		string(model.RoleManagementHistory): strings.TrimPrefix(model.DefaultHistoryDatabase, model.DefaultConfigurationDatabase),
		string(model.RoleCollector):         strings.TrimPrefix(model.DefaultCollectorDatabase, model.DefaultConfigurationDatabase)}
	for n := 1; n <= 100; n++ {
		base := model.DefaultConfigurationDatabase
		if n > 1 {
			base = fmt.Sprintf("%s_%d", base, n)
		}
		dbs := append([]Database(nil), given...)
		anyDefault := false
		for i := range dbs {
			if dbs[i].Name == "" {
				dbs[i].Name, dbs[i].DefaultName, anyDefault = base+suffix[dbs[i].Role], true, true
			}
			for j := 0; j < i; j++ {
				if strings.EqualFold(dbs[i].Name, dbs[j].Name) {
					return nil, paramErr("Give each new database a name of its own.", "The %s and %s databases cannot both be named %q.",
						roleWords(dbs[j].Role), roleWords(dbs[i].Role), dbs[i].Name)
				}
			}
			var err error
			if dbs[i].Endpoint, err = databaseEndpoint(dest, dbs[i].Name); err != nil {
				return nil, err
			}
		}
		if !anyDefault {
			return dbs, nil // given names: the preflight says whether they exist (AR-E008)
		}
		free := true
		for _, d := range dbs {
			if !d.DefaultName {
				continue
			}
			e, err := exists(ctx, withPassword(d.Endpoint, p.Destination), em)
			if err != nil {
				return nil, err
			}
			free = free && !e
		}
		if free {
			return dbs, nil
		}
	}
	names := "(" + arerr.Param("configurationDatabase") + ", " + arerr.Param("historyDatabase")
	if p.CollectorSource != nil {
		names += ", " + arerr.Param("collectorDatabase")
	}
	return nil, paramErr("Name the new databases "+names+").", "No free default database name was found.")
}

// roleWords is a database role as a message says it.
func roleWords(role string) string {
	switch role {
	case string(model.RoleManagementHistory):
		return "history"
	case string(model.RoleCollector):
		return "Collector"
	}
	return strings.ToLower(role)
}

// siteRules turns the request's site map into rules, in name order.
func siteRules(p *Params) ([]SiteRule, error) {
	iis := p.IISSiteName
	if iis == "" {
		iis = "Default Web Site"
	}
	rules := []SiteRule{}
	for old, alias := range p.WebSites {
		a, err := website.NormalizeAlias(alias)
		if err != nil {
			return nil, err
		}
		rules = append(rules, SiteRule{OldSite: old, ApplicationAlias: a, IISSiteName: iis})
	}
	sortRules(rules)
	return rules, nil
}

func sortRules(r []SiteRule) {
	for i := 1; i < len(r); i++ {
		for j := i; j > 0 && strings.ToLower(r[j].OldSite) < strings.ToLower(r[j-1].OldSite); j-- {
			r[j], r[j-1] = r[j-1], r[j]
		}
	}
}

// DefaultPlanFile is the plan's file name when none is given.
const DefaultPlanFile = "arupgrade-upgrade-plan.json"

// DefaultPlanPath is where the plan (and the run's state beside it) goes
// when none is named: the destination folder for bundles, the current
// folder for SQL Server. It does not depend on the names chosen, so the
// same command finds its plan again after an interruption.
func DefaultPlanPath(dest dbopen.Endpoint) string {
	name := DefaultPlanFile
	if dest.IsBundle() {
		return filepath.Join(dest.Path, name)
	}
	return name
}

// StatePath is the run's state file beside its plan.
func StatePath(planPath string) string {
	return strings.TrimSuffix(planPath, ".json") + ".state.json"
}

// WritePlan writes the plan file atomically.
func WritePlan(p *Plan) error { return writeJSON(p.PlanPath, p) }

// ReadPlan reads a plan file.
func ReadPlan(path string) (*Plan, []byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, arerr.Wrap(err, "AR-NOTFOUND", arerr.CatObjectNotFound, "Check the path, or make a plan with "+arerr.Param("whatIf")+".", "Cannot read the upgrade plan %s", path)
	}
	var p Plan
	if err := json.Unmarshal(b, &p); err != nil || p.Format != PlanFormat {
		return nil, nil, arerr.Errorf("AR-PLAN", arerr.CatInvalidData, "Make the plan again with "+arerr.Param("whatIf")+".",
			"%s is not an upgrade plan of this version (format %d).", path, PlanFormat)
	}
	p.PlanPath = path
	return &p, b, nil
}

// planID identifies a plan's content, so a state file is only ever applied
// to the plan it was made for.
func planID(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:8])
}

// writeJSON writes v to path through a temporary file and a rename, so a
// kill never leaves half a file.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return arerr.Wrap(err, "AR-WRITE", arerr.CatWriteError, "Choose a folder you can write to.", "Cannot write %s", path)
	}
	f, err := os.CreateTemp(dir, ".upgrade-*.tmp")
	if err != nil {
		return arerr.Wrap(err, "AR-WRITE", arerr.CatWriteError, "Choose a folder you can write to.", "Cannot write %s", path)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if _, err = f.Write(append(b, '\n')); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		if de, ok := arerr.AsDiskFull(err, "Writing "+path, "Free space on that volume, then run the command again."); ok {
			return de
		}
		return arerr.Wrap(err, "AR-WRITE", arerr.CatWriteError, "Choose a folder you can write to.", "Cannot write %s", path)
	}
	return nil
}
