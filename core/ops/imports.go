package ops

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/configimport"
	"github.com/activeroles/arupgrade/core/dbopen"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/historyimport"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/store"
)

func init() {
	engine.Register("import-configuration", runImportConfiguration)
	engine.Register("import-history", runImportHistory)
	engine.Register("test-prerequisites", runTestPrerequisites)
	engine.Register("set-services-association", runSetServicesAssociation)
}

type configParams struct {
	Source            dbopen.Endpoint `json:"source"`
	Destination       dbopen.Endpoint `json:"destination"`
	KeyBackupPath     string          `json:"keyBackupPath"`
	KeyBackupPassword string          `json:"keyBackupPassword"`
	SkipEncryptedData bool            `json:"skipEncryptedData"`
	ServicesServer    string          `json:"servicesServer"`
	SkipPrincipals    bool            `json:"skipPrincipals"`
	Replace           bool            `json:"replace"`
	WhatIf            bool            `json:"whatIf"`
}

type historyParams struct {
	Source         dbopen.Endpoint `json:"source"`
	Destination    dbopen.Endpoint `json:"destination"`
	From           string          `json:"from"`
	To             string          `json:"to"`
	BatchSize      int             `json:"batchSize"`
	SkipPrincipals bool            `json:"skipPrincipals"`
	WhatIf         bool            `json:"whatIf"`
}

// prerequisiteParams is the union of both imports' params plus the kind.
type prerequisiteParams struct {
	configParams
	Kind      string `json:"kind"`
	From      string `json:"from"`
	To        string `json:"to"`
	BatchSize int    `json:"batchSize"`
}

const exampleConfig = `{"source":{"path":"ar76.arbundle"},"destination":{"path":"ar82.arbundle","create":true},"keyBackupPath":"ar76.key","keyBackupPassword":"…","servicesServer":"ars82.corp.example.com"}`

// configRun is an opened configuration import.
type configRun struct {
	src     store.Source
	dst     store.ConfigDestination
	opts    configimport.Options
	release func() error // the destination's writer lock (claim)
	em      *engine.Emitter
}

func (r *configRun) close() {
	if r.src != nil {
		_ = r.src.Close()
	}
	if r.dst != nil {
		_ = r.dst.Close()
	}
	releaseLock(r.release, r.em)
}

// releaseLock gives a destination's writer lock back, after the destination
// was closed (a history bundle writes its manifest on Close).
func releaseLock(release func() error, em *engine.Emitter) {
	if release == nil {
		return
	}
	if err := release(); err != nil && em != nil {
		em.Log().Warn().Err(err).Msg("cannot release the destination's lock")
	}
}

// claim takes the destination's writer lock for a writing operation (none
// for WhatIf: it writes nothing) and logs a take-over.
func claim(ctx context.Context, ep *dbopen.Endpoint, dst store.Source, operation string, info *dbopen.Destination, em *engine.Emitter) (func() error, error) {
	release, err := dbopen.Claim(ctx, ep, dst, operation, info)
	if err != nil {
		return nil, err
	}
	if info.TakenOver {
		em.Log().Warn().Str("destination", ep.Describe()).
			Msg("the destination was created by an earlier run of this command that was interrupted; this run takes it over")
	}
	return release, nil
}

// claimOrPredict takes the destination's writer lock for a run that writes
// (claim), or predicts for one that does not what the lock would settle.
func claimOrPredict(ctx context.Context, ep *dbopen.Endpoint, dst store.Source, operation string, write bool, info *dbopen.Destination,
	release *func() error, em *engine.Emitter) error {
	if !write {
		return dbopen.Predict(ctx, ep, dst, operation, info)
	}
	rel, err := claim(ctx, ep, dst, operation, info, em)
	*release = rel
	return err
}

// openConfigRun opens a configuration import; a run that writes also
// takes the destination's writer lock (a check only predicts what the run
// would find).
func openConfigRun(ctx context.Context, p *configParams, em *engine.Emitter, write bool) (*configRun, error) {
	if p.Source.IsZero() || p.Destination.IsZero() {
		return nil, arerr.Errorf("AR-PARAMS", arerr.CatInvalidArgument, "Give a source and a destination (SQL Server databases or bundle files).", "The import needs a source and a destination.")
	}
	opts := configimport.Options{
		KeyBackupPath: p.KeyBackupPath, KeyBackupPassword: p.KeyBackupPassword, SkipEncryptedData: p.SkipEncryptedData,
		// The principals are copied after the import (principalsAfterImport).
		ServicesServer: p.ServicesServer, SkipPrincipals: true, Replace: p.Replace, WhatIf: p.WhatIf,
		CreateDestination: p.Destination.Create, SourceName: p.Source.Describe(), DestinationName: p.Destination.Describe(),
		SameDatabase: sameDatabase(&p.Source, &p.Destination),
	}
	if opts.ServicesServer == "" {
		opts.ServicesServer, opts.ServicesServerIsDefault = localFQDN(), true
	}
	if p.KeyBackupPath != "" {
		b, err := ReadKeyBackupFile(p.KeyBackupPath)
		if err != nil {
			return nil, err
		}
		opts.KeyBackup = b
	}
	r := &configRun{opts: opts, em: em}
	var err error
	if r.src, err = dbopen.OpenSource(ctx, &p.Source, em); err != nil {
		return nil, err
	}
	var d dbopen.Destination
	if r.dst, d, err = dbopen.OpenConfigDestination(ctx, &p.Destination, em, *em.Log()); err != nil {
		r.close()
		return nil, err
	}
	if err := claimOrPredict(ctx, &p.Destination, r.dst, "import-configuration", write && !p.WhatIf, &d, &r.release, em); err != nil {
		r.close()
		return nil, err
	}
	r.opts.DestinationExists = d.Exists
	return r, nil
}

func runImportConfiguration(ctx context.Context, raw json.RawMessage, em *engine.Emitter) error {
	var p configParams
	if err := decodeParams(raw, &p, exampleConfig); err != nil {
		return err
	}
	res, err := importConfiguration(ctx, &p, em)
	if err != nil {
		return err
	}
	return em.Result("ConfigurationImportResult", res)
}

// importConfiguration is the import-configuration operation without its
// result event (the upgrade runs it as a step).
func importConfiguration(ctx context.Context, p *configParams, em *engine.Emitter) (*configimport.Result, error) {
	r, err := openConfigRun(ctx, p, em, true)
	if err != nil {
		return nil, err
	}
	defer r.close()
	res, err := configimport.Run(ctx, r.src, r.dst, r.opts, em)
	if err != nil {
		if p.Destination.Create && !r.opts.WhatIf {
			// All-or-nothing includes the database this run created (and
			// only that: DiscardCreated removes nothing this run did not make).
			discardCreated(ctx, &p.Destination, r.dst, em)
		}
		return nil, err
	}
	res.LogPath = em.LogPath()
	res.Principals.Copied, res.Principals.Reason = principalsAfterImport(ctx, &p.Source, &p.Destination, p.SkipPrincipals, p.WhatIf, em)
	return res, nil
}

// discardCreated removes the destination this failed run created, says so
// and reports whether it did.
func discardCreated(ctx context.Context, ep *dbopen.Endpoint, dst store.Source, em *engine.Emitter) bool {
	removed, err := dbopen.DiscardCreated(context.WithoutCancel(ctx), ep, dst)
	switch {
	case err != nil:
		em.Warn("AR-CLEANUP", fmt.Sprintf("The new destination %s could not be removed after the failure: %v; remove it before running the import again.", ep.Describe(), err))
	case removed:
		em.Log().Info().Str("destination", ep.Describe()).Msg("removed the destination this failed run had created")
	}
	return removed
}

// firstSentence is s up to its first full stop.
func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}

// historyRun is an opened history import.
// historyPair is the opened source and history-shaped destination of a
// history or Collector import, with the destination's writer lock.
type historyPair struct {
	src     store.Source
	dst     store.HistoryDestination
	release func() error
	em      *engine.Emitter
}

func (r *historyPair) close() {
	if r.src != nil {
		_ = r.src.Close()
	}
	if r.dst != nil {
		_ = r.dst.Close()
	}
	releaseLock(r.release, r.em)
}

// openHistoryPair opens src and dst for operation; a run that writes also
// takes the destination's writer lock (a check or WhatIf only predicts it).
// A destination it was asked to create that exists already is refused
// (AR-E008).
func openHistoryPair(ctx context.Context, src, dst *dbopen.Endpoint, operation string, write bool, em *engine.Emitter) (*historyPair, dbopen.Destination, error) {
	r := &historyPair{em: em}
	var d dbopen.Destination
	var err error
	if r.src, err = dbopen.OpenSource(ctx, src, em); err != nil {
		return nil, d, err
	}
	if r.dst, d, err = dbopen.OpenHistoryDestination(ctx, dst, em, *em.Log()); err != nil {
		r.close()
		return nil, d, err
	}
	if err := claimOrPredict(ctx, dst, r.dst, operation, write, &d, &r.release, em); err != nil {
		r.close()
		return nil, d, err
	}
	if d.Exists {
		r.close()
		return nil, d, arerr.Errorf(model.E008DatabaseNameExists.ID, arerr.CatResourceExists,
			"Choose another name for the new database, or import into the existing one without asking to create it.",
			"A database named %s already exists.", dst.Describe())
	}
	return r, d, nil
}

// dateRangeAndBatch checks the date range (both ends or neither) and the
// batch size of a history or Collector import; all says what is imported
// without a range ("records", "events").
func dateRangeAndBatch(from, to string, batchSize int, all string) (f, t *historyimport.Date, err error) {
	if (from == "") != (to == "") {
		return nil, nil, arerr.Errorf("AR-PARAMS", arerr.CatInvalidArgument, "Give both "+arerr.Param("from")+" and "+arerr.Param("to")+" for a date-range import, or neither to import all "+all+".",
			"Only one end of the date range was given.")
	}
	if from != "" {
		fv, ferr := historyimport.ParseDate(from)
		tv, terr := historyimport.ParseDate(to)
		if err = cmp.Or(ferr, terr); err != nil {
			return nil, nil, arerr.Wrap(err, "AR-PARAMS", arerr.CatInvalidArgument, "Write dates as yyyy-mm-dd, e.g. 2024-06-30.", "The date range is not valid")
		}
		f, t = &fv, &tv
	}
	if batchSize < 0 || batchSize > historyimport.MaxBatchSize {
		return nil, nil, arerr.Errorf("AR-PARAMS", arerr.CatInvalidArgument, fmt.Sprintf("Use a batch size from 1 to %d.", historyimport.MaxBatchSize),
			"Batch size %d is out of range.", batchSize)
	}
	return f, t, nil
}

// historyRun is an opened history import.
type historyRun struct {
	*historyPair
	opts historyimport.Options
}

// openHistoryRun opens a history import; a run that writes also takes the
// destination's writer lock (a check only predicts what the run would find).
func openHistoryRun(ctx context.Context, p *historyParams, em *engine.Emitter, write bool) (*historyRun, error) {
	if p.Source.IsZero() || p.Destination.IsZero() {
		return nil, arerr.Errorf("AR-PARAMS", arerr.CatInvalidArgument, "Give a source and a destination (SQL Server databases or bundle files).", "The import needs a source and a destination.")
	}
	// The principals are copied after the import (principalsAfterImport).
	opts := historyimport.Options{BatchSize: p.BatchSize, SkipPrincipals: true, WhatIf: p.WhatIf,
		SourceName: p.Source.Describe(), DestinationName: p.Destination.Describe(), SameDatabase: sameDatabase(&p.Source, &p.Destination)}
	var err error
	if opts.From, opts.To, err = dateRangeAndBatch(p.From, p.To, p.BatchSize, "records"); err != nil {
		return nil, err
	}
	pair, d, err := openHistoryPair(ctx, &p.Source, &p.Destination, "import-history", write && !p.WhatIf, em)
	if err != nil {
		return nil, err
	}
	opts.DestinationIsAzureSQL = d.IsAzureSQL
	return &historyRun{historyPair: pair, opts: opts}, nil
}

func runImportHistory(ctx context.Context, raw json.RawMessage, em *engine.Emitter) error {
	var p historyParams
	if err := decodeParams(raw, &p, `{"source":{"path":"ar76.arbundle"},"destination":{"path":"ar82-history.arbundle","create":true},"from":"2024-01-01","to":"2024-06-30"}`); err != nil {
		return err
	}
	res, err := importHistory(ctx, &p, em)
	if res != nil {
		// A failed or cancelled import still tells what it committed before stopping.
		if rerr := em.Result("HistoryImportResult", res); err == nil {
			err = rerr
		}
	}
	return err
}

// importHistory is the import-history operation without its result event
// (the upgrade runs it as a step); a failed run may return its partial result.
func importHistory(ctx context.Context, p *historyParams, em *engine.Emitter) (*historyimport.Result, error) {
	r, err := openHistoryRun(ctx, p, em, true)
	if err != nil {
		return nil, err
	}
	defer r.close()
	res, err := historyimport.Run(ctx, r.src, r.dst, r.opts, em)
	var ee *arerr.Error
	if errors.As(err, &ee) && p.Destination.Create && !p.WhatIf &&
		(ee.Code == arerr.CodeDiskFull || ee.Category == arerr.CatInvalidData) {
		// A run that cannot continue (a full disk, a damaged source) removes
		// the destination it created rather than leave a partial one (and
		// frees the space). Other failures keep the committed batches: the
		// same command continues after them.
		if discardCreated(ctx, &p.Destination, r.dst, em) {
			ee.Remedy = "The new destination " + p.Destination.Describe() + " was removed. " + firstSentence(ee.Remedy) + " Then run the same command again."
			if ee.Code == arerr.CodeDiskFull {
				ee.Remedy = "The new destination " + p.Destination.Describe() + " was removed to free the space. Free space on that volume (or choose a destination on a larger one), then run the same command again."
			}
		}
	}
	if err == nil && res != nil {
		res.Principals.Copied, res.Principals.Reason = principalsAfterImport(ctx, &p.Source, &p.Destination, p.SkipPrincipals, p.WhatIf, em)
	}
	return res, err
}

// onlyForKind refuses a parameter of the other kind of import: it would be
// ignored, and the user would believe it had been checked.
func (p *prerequisiteParams) onlyForKind() error {
	var given []string
	add := func(key string, set bool) {
		if set {
			given = append(given, arerr.Param(key))
		}
	}
	kind := strings.ToLower(p.Kind)
	if kind == "" || kind == "configuration" {
		add("from", p.From != "")
		add("to", p.To != "")
	} else {
		add("keyBackupPath", p.KeyBackupPath != "")
		add("keyBackupPassword", p.KeyBackupPassword != "")
		add("skipEncryptedData", p.SkipEncryptedData)
		add("servicesServer", p.ServicesServer != "")
		add("replace", p.Replace)
	}
	if len(given) == 0 {
		return nil
	}
	list := strings.Join(given, ", ")
	return arerr.Errorf("AR-PARAMS", arerr.CatInvalidArgument,
		fmt.Sprintf("Leave out %s, or check the kind of import %s belongs to with %s.", list, list, arerr.Param("kind")),
		"%s does not apply to a %s import.", list, cmp.Or(kind, "configuration"))
}

func runTestPrerequisites(ctx context.Context, raw json.RawMessage, em *engine.Emitter) error {
	var p prerequisiteParams
	if err := decodeParams(raw, &p, `{"kind":"configuration",`+exampleConfig[1:]); err != nil {
		return err
	}
	if err := p.onlyForKind(); err != nil {
		return err
	}
	var checks []any
	switch strings.ToLower(p.Kind) {
	case "", "configuration":
		r, err := openConfigRun(ctx, &p.configParams, em, false)
		if err != nil {
			return err
		}
		defer r.close()
		cs, err := configimport.Preflight(ctx, r.src, r.dst, r.opts)
		if err != nil {
			return err
		}
		for _, c := range cs {
			checks = append(checks, c)
		}
	case "history":
		hp := historyParams{Source: p.Source, Destination: p.Destination, From: p.From, To: p.To, BatchSize: p.BatchSize, SkipPrincipals: p.SkipPrincipals}
		r, err := openHistoryRun(ctx, &hp, em, false)
		if err != nil {
			return err
		}
		defer r.close()
		cs, err := historyimport.Preflight(ctx, r.src, r.dst, r.opts)
		if err != nil {
			return err
		}
		for _, c := range cs {
			checks = append(checks, c)
		}
	case "collector":
		cp := collectorParams{Source: p.Source, Destination: p.Destination, From: p.From, To: p.To, BatchSize: p.BatchSize}
		cs, err := collectorChecks(ctx, &cp, em)
		if err != nil {
			return err
		}
		for _, c := range cs {
			checks = append(checks, c)
		}
	default:
		return arerr.Errorf("AR-PARAMS", arerr.CatInvalidArgument, "Use configuration, history or collector.", "Unknown kind of import %q.", p.Kind)
	}
	for _, c := range checks {
		if err := em.Result("PrerequisiteCheck", c); err != nil {
			return err
		}
	}
	return nil
}

type servicesParams struct {
	Destination    dbopen.Endpoint `json:"destination"`
	ServicesServer string          `json:"servicesServer"`
	WhatIf         bool            `json:"whatIf"`
}

func runSetServicesAssociation(ctx context.Context, raw json.RawMessage, em *engine.Emitter) error {
	var p servicesParams
	if err := decodeParams(raw, &p, `{"destination":{"path":"ar82.arbundle"},"servicesServer":"ars82.corp.example.com"}`); err != nil {
		return err
	}
	if p.Destination.IsZero() {
		return arerr.Errorf("AR-PARAMS", arerr.CatInvalidArgument, "Name the 8.2 configuration database.", "No destination was given.")
	}
	if p.Destination.Create {
		return arerr.Errorf("AR-PARAMS", arerr.CatInvalidArgument, "Name an existing 8.2 configuration database.", "Services association works on an existing database; it cannot create one.")
	}
	if p.ServicesServer == "" {
		p.ServicesServer = localFQDN()
	}
	res, err := associateServices(ctx, &p, em)
	if err != nil {
		return err
	}
	return em.Result("ServicesAssociationResult", res)
}

// associateServices is set-services-association without its result event.
func associateServices(ctx context.Context, p *servicesParams, em *engine.Emitter) (*configimport.ServicesResult, error) {
	dst, release, err := openConfigForUpdate(ctx, &p.Destination, "set-services-association", p.WhatIf, em)
	if err != nil {
		return nil, err
	}
	defer func() { _ = dst.Close(); releaseLock(release, em) }()
	return configimport.AssociateServices(ctx, dst, p.ServicesServer, p.WhatIf, em)
}

// openConfigForUpdate opens an existing 8.2 configuration database that an
// operation changes in place, holding its writer lock unless whatIf.
func openConfigForUpdate(ctx context.Context, ep *dbopen.Endpoint, operation string, whatIf bool, em *engine.Emitter) (store.ConfigDestination, func() error, error) {
	dst, d, err := dbopen.OpenConfigDestination(ctx, ep, em, *em.Log())
	if err != nil {
		return nil, nil, err
	}
	if whatIf {
		return dst, nil, nil
	}
	release, err := claim(ctx, ep, dst, operation, &d, em)
	if err != nil {
		_ = dst.Close()
		return nil, nil, err
	}
	return dst, release, nil
}

// sameDatabase reports whether two endpoints name the same database (AR-E009).
func sameDatabase(a, b *dbopen.Endpoint) bool {
	if a.IsBundle() != b.IsBundle() {
		return false
	}
	if a.IsBundle() {
		pa, ea := filepath.Abs(a.Path)
		pb, eb := filepath.Abs(b.Path)
		if ea != nil || eb != nil {
			return a.Path == b.Path
		}
		if fa, err := os.Stat(pa); err == nil {
			if fb, err := os.Stat(pb); err == nil {
				return os.SameFile(fa, fb)
			}
		}
		return pa == pb
	}
	oa, ea := dbopen.SQLOptions(a)
	ob, eb := dbopen.SQLOptions(b)
	return ea == nil && eb == nil && strings.EqualFold(oa.Location(), ob.Location())
}

// localFQDN is the default Administration Service: this computer's FQDN,
// or "" when it has none (the services check then says what to give).
func localFQDN() string { return configimport.DefaultServicesServer() }
