package configimport

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/secrets"
	"github.com/activeroles/arupgrade/core/store"
)

// Error codes of this package beyond §12.
const (
	CodeVerify    = "AR-VERIFY"    // a §11 invariant failed before commit
	CodeCancelled = "AR-CANCELLED" // the run was cancelled
	CodeImport    = "AR-IMPORT"    // reading or writing failed
)

// CodePrincipals warns that database principals were not copied.
var CodePrincipals = model.W006PrincipalsNotCopied.ID

// insertBatch is the number of buffered rows that triggers a flush.
const insertBatch = 1000

// flushOrder lists the written tables parents first (§7.1 rule 6).
var flushOrder = []string{
	"EncryptionKey", "AccessTemplate", "PermissionAssignment", "ManagedDomain", "ManagedUnit", "Policy", "PolicyLink",
	"Workflow", "VirtualAttribute", "VirtualAttributeClass", "ScheduledTask", "DynamicGroup", "GroupFamily",
	"WebInterfaceSite", "WebInterfaceSiteDocument", "WebInterfaceBinding", "AzureTenant",
}

// replaceOrder lists the tables -Replace empties, children first. Settings,
// EncryptionKey and ImportRun are kept; AddOn and ReplicationPartner are
// never written by an import (§7.1 rule 7, §11 invariant 2).
var replaceOrder = []string{
	"PolicyLink", "VirtualAttributeClass", "WebInterfaceBinding", "WebInterfaceSiteDocument",
	"PermissionAssignment", "AccessTemplate", "ManagedDomain", "ManagedUnit", "Policy", "Workflow",
	"VirtualAttribute", "ScheduledTask", "DynamicGroup", "GroupFamily", "WebInterfaceSite", "AzureTenant",
}

// importer holds one run's state.
type importer struct {
	ctx  context.Context
	src  store.Source
	dst  store.ConfigDestination
	opts Options
	rep  Reporter
	pf   *preflightState

	gen       model.Generation
	offset    int
	key       *secrets.Key // nil: no key backup or SkipEncryptedData
	host      string
	rand      io.Reader
	g3        map[string]*data.Table // destination (8.2) tables
	srcTables map[string]*data.Table // G3 source tables

	// Destination state read before the transaction.
	before      map[string]map[data.UUID]struct{}
	beforeCount map[string]int64
	dnsNames    map[string]data.UUID // lower-case DnsName → GUID (destination, then run)
	attrNames   map[string]data.UUID
	siteNames   map[string]bool
	encKeys     map[data.UUID]bool
	removed     map[string]int64

	// Run state.
	seen        map[string]map[data.UUID]struct{} // written in this run
	srcKeys     map[string]map[data.UUID]struct{} // every source object per entity
	srcCount    map[string]int64
	added       map[string]int64
	skipped     map[string]int64
	skipsByCode map[string]map[string]int64 // entity → reason → n
	otherSkips  int64                       // unknown-class objects
	report      []ReportEntry
	secretNotes map[string]map[data.UUID]secretNote
	taskNotes   map[data.UUID]*taskNote
	siteSrc     []data.UUID // source sites not skipped
	res         *Result
	initKeyID   data.UUID // EncryptionKeyId written by initialize

	tx        *recTx
	buf       map[string][]data.Row
	buffered  int
	processed int64
	total     int64
	step      string
}

// Run imports the configuration of src into dst (see the package comment).
// With opts.WhatIf it returns the plan and writes nothing.
func Run(ctx context.Context, src store.Source, dst store.ConfigDestination, opts Options, rep Reporter) (*Result, error) {
	start := time.Now()
	if rep == nil {
		rep = nopReporter{}
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ProgressEvery <= 0 {
		opts.ProgressEvery = 100
	}
	log := rep.Log()
	checks, pf, err := preflight(ctx, src, dst, opts)
	if err != nil {
		return nil, err
	}
	if err := failure(checks); err != nil {
		return nil, err
	}
	for _, c := range checks {
		if c.Status == StatusWarning {
			rep.Warn(c.Code, c.Message)
		}
	}
	im, err := newImporter(ctx, src, dst, opts, rep, pf)
	if err != nil {
		return nil, err
	}
	im.res.Checks = checks
	if !opts.SkipPrincipals {
		rep.Warn(CodePrincipals, "Database users, logins and roles are not copied by this version: "+
			"after the import, grant the 8.2 Administration Service account db_owner (default schema dbo) in the new configuration database, "+
			"and recreate any other users, logins and roles of the old database in SQL Server Management Studio.")
	}
	if err := im.readDestination(); err != nil {
		return nil, err
	}
	log.Info().Str("source", im.res.Source.Name).Str("destination", im.res.Destination.Name).
		Bool("whatIf", opts.WhatIf).Bool("replace", opts.Replace).Msg("configuration import starting")

	if opts.WhatIf {
		im.tx = newRecTx(nil, im)
		if err := im.deleteForReplace(); err != nil {
			return nil, err
		}
		if err := im.importAll(); err != nil {
			return nil, im.stopped(err)
		}
		im.tally()
		im.verify()
		im.finishResult(start)
		return im.res, nil
	}

	// Initialise a blank destination (§2), then record the run.
	if pf.dst.State == model.StateBlank {
		if err := im.initialize(); err != nil {
			return nil, err
		}
	}
	runID, _, err := dst.StartRun(ctx, store.ImportRun{
		Kind: "Configuration", SourceInstallationID: pf.src.InstallationID, SourceVersion: pf.src.Version.String(),
		SourceServer: im.sourceServer(), SourceDatabase: im.sourceDatabase(), StartedUTC: opts.Now().UTC(),
	})
	if err != nil {
		return nil, arerr.Wrap(err, CodeImport, arerr.CatWriteError, "Check the destination is reachable and writable, then run the import again.",
			"Cannot record the import run in %s", im.res.Destination.Name)
	}
	im.res.ImportRunID = runID
	fail := func(cause error) (*Result, error) {
		bg := context.WithoutCancel(ctx)
		var errs []error
		if im.tx != nil && im.tx.inner != nil {
			if rerr := im.tx.inner.Rollback(bg); rerr != nil {
				errs = append(errs, fmt.Errorf("roll back: %w", rerr))
			}
		}
		rep.Progress(engine.Progress{Activity: "Importing configuration", Completed: true})
		if ferr := dst.FinishRun(bg, runID, store.RunFinish{Outcome: "Failed", FinishedUTC: opts.Now().UTC(),
			ReportJSON: reportJSON(im.report)}); ferr != nil {
			errs = append(errs, fmt.Errorf("record the failed run: %w", ferr))
		}
		out := im.stopped(cause)
		if len(errs) > 0 {
			log.Error().Err(errors.Join(errs...)).Msg("cleanup after a failed configuration import")
			var ee *arerr.Error
			if errors.As(out, &ee) {
				ee.Err = errors.Join(append([]error{ee.Err}, errs...)...)
			}
		}
		log.Error().Err(out).Msg("configuration import failed; nothing was written")
		return nil, out
	}
	tx, err := dst.BeginConfig(ctx)
	if err != nil {
		return fail(err)
	}
	im.tx = newRecTx(tx, im)
	if err := im.deleteForReplace(); err != nil {
		return fail(err)
	}
	if err := im.importAll(); err != nil {
		return fail(err)
	}
	im.tally()
	if !im.verify() {
		var failed []string
		for _, c := range im.res.Verification.Checks {
			if !c.Passed {
				failed = append(failed, c.Invariant+": "+c.Detail)
			}
		}
		return fail(arerr.Errorf(CodeVerify, arerr.CatInvalidData,
			"Nothing was written. Send the log file to support; the source may hold data this version cannot import.",
			"The import was rolled back because an upgrade invariant failed: %s", strings.Join(failed, "; ")))
	}
	if err := tx.Commit(ctx); err != nil {
		return fail(err)
	}
	im.tx.inner = nil // committed: nothing to roll back
	if err := dst.FinishRun(context.WithoutCancel(ctx), runID, store.RunFinish{Outcome: "Succeeded", FinishedUTC: opts.Now().UTC(),
		AddedCount: im.res.AddedCount, SkippedCount: im.res.SkippedCount, ReportJSON: reportJSON(im.report)}); err != nil {
		return nil, arerr.Wrap(err, CodeImport, arerr.CatWriteError,
			"The configuration was imported; only the run's closing record is missing. Running the import again adds nothing and records the run.",
			"Cannot record the end of the import run in %s", im.res.Destination.Name)
	}
	rep.Progress(engine.Progress{Activity: "Importing configuration", Percent: 100, Rows: im.processed, Total: im.total, Completed: true})
	im.finishResult(start)
	log.Info().Int64("added", im.res.AddedCount).Int64("skipped", im.res.SkippedCount).Msg("configuration import succeeded")
	return im.res, nil
}

type nopReporter struct{}

func (nopReporter) Progress(engine.Progress) {}
func (nopReporter) Warn(string, string)      {}
func (nopReporter) Log() *zerolog.Logger     { l := zerolog.Nop(); return &l }

// stopped maps a run error to what the user sees.
func (im *importer) stopped(err error) error {
	var ee *arerr.Error
	if errors.As(err, &ee) {
		return err
	}
	if im.ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, im.ctx.Err())) {
		return arerr.Wrap(err, CodeCancelled, arerr.CatOperationStopped, "Run the import again to do it; it starts from the beginning.",
			"The configuration import was cancelled and rolled back; nothing was imported")
	}
	return arerr.Wrap(err, CodeImport, arerr.CatInvalidData, "Nothing was imported. Fix the cause and run the import again.",
		"The configuration import failed and was rolled back")
}

func newImporter(ctx context.Context, src store.Source, dst store.ConfigDestination, opts Options, rep Reporter, pf *preflightState) (*importer, error) {
	im := &importer{ctx: ctx, src: src, dst: dst, opts: opts, rep: rep, pf: pf,
		gen: pf.src.Generation, offset: pf.src.UTCOffsetMinutes, key: pf.key, host: model.NormalizeHost(opts.ServicesServer),
		rand: opts.Rand, g3: map[string]*data.Table{}, srcTables: map[string]*data.Table{},
		before: map[string]map[data.UUID]struct{}{}, beforeCount: map[string]int64{},
		dnsNames: map[string]data.UUID{}, attrNames: map[string]data.UUID{}, siteNames: map[string]bool{},
		encKeys: map[data.UUID]bool{}, seen: map[string]map[data.UUID]struct{}{}, srcKeys: map[string]map[data.UUID]struct{}{},
		srcCount: map[string]int64{}, added: map[string]int64{}, skipped: map[string]int64{},
		skipsByCode: map[string]map[string]int64{}, secretNotes: map[string]map[data.UUID]secretNote{},
		taskNotes: map[data.UUID]*taskNote{}, buf: map[string][]data.Row{}}
	if opts.SkipEncryptedData {
		im.key = nil
	}
	ts, err := model.Tables(model.Target, model.RoleConfiguration)
	if err != nil {
		return nil, err
	}
	for i := range ts {
		im.g3[ts[i].Name] = &ts[i]
	}
	for i := range pf.srcInfo.Tables {
		im.srcTables[pf.srcInfo.Tables[i].Name] = &pf.srcInfo.Tables[i]
	}
	for _, e := range mainEntities {
		im.before[e] = map[data.UUID]struct{}{}
		im.seen[e] = map[data.UUID]struct{}{}
		im.srcKeys[e] = map[data.UUID]struct{}{}
	}
	im.res = &Result{
		Source:      DatabaseRef{Name: pf.srcName, Version: pf.src.Version.String(), Role: string(pf.src.Role), State: pf.src.State.String(), InstallationID: pf.src.InstallationID.String()},
		Destination: DatabaseRef{Name: pf.dstName, State: pf.dst.State.String()},
		WhatIf:      opts.WhatIf, Replaced: opts.Replace, Report: []ReportEntry{},
		AddOns: pf.addOns, AzureTenants: []AzureTenantInfo{}, SecretsToReenter: []SecretItem{},
		ScheduledTasksNotAssociated: []TaskNotAssociated{},
		ServicesAssociation:         ServicesSummary{ServicesServer: im.host},
	}
	if pf.dst.State == model.StateSupported {
		im.res.Destination.Version = pf.dst.Version.String()
		im.res.Destination.Role = string(pf.dst.Role)
		im.res.Destination.InstallationID = pf.dst.InstallationID.String()
	} else {
		im.res.Destination.Version = model.Target.String()
		im.res.Destination.Role = string(model.RoleConfiguration)
	}
	if im.res.AddOns == nil {
		im.res.AddOns = []AddOnInfo{}
	}
	if opts.SkipPrincipals {
		im.res.Principals = PrincipalsInfo{Copied: false, Reason: principalsSkipped}
	} else {
		im.res.Principals = PrincipalsInfo{Copied: false, Reason: principalsNotAvailable}
	}
	return im, nil
}

func (im *importer) sourceServer() string {
	n := im.res.Source.Name
	if i := strings.LastIndexAny(n, "/\\"); i > 0 && !strings.Contains(n, ".arbundle") {
		return truncate(n[:i], 255)
	}
	if im.pf.srcInfo.Kind == "bundle" {
		return "(bundle)"
	}
	return truncate(n, 255)
}

func (im *importer) sourceDatabase() string {
	n := im.res.Source.Name
	if i := strings.LastIndexAny(n, "/\\"); i >= 0 && i+1 < len(n) {
		return truncate(n[i+1:], 128)
	}
	return truncate(n, 128)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

// readDestination reads what the transaction's decisions depend on: the
// destination's key GUIDs, unique names and encryption keys (§7.1 rule 3).
func (im *importer) readDestination() error {
	if im.pf.dst.State != model.StateSupported {
		return nil
	}
	ctx := im.ctx
	info := im.pf.dstInfo
	for _, e := range mainEntities {
		t := info.Table(e)
		if t == nil {
			continue
		}
		ki := t.Index(g3Key[e])
		ni := -1
		switch e {
		case "ManagedDomain":
			ni = t.Index("DnsName")
		case "VirtualAttribute":
			ni = t.Index("AttributeName")
		case "WebInterfaceSite":
			ni = t.Index("Name")
		}
		err := scanTable(ctx, im.dst, e, func(r data.Row) error {
			g := r[ki].AsGUID()
			im.before[e][g] = struct{}{}
			im.beforeCount[e]++
			if ni >= 0 {
				n := strings.ToLower(r[ni].Str)
				switch e {
				case "ManagedDomain":
					im.dnsNames[n] = g
				case "VirtualAttribute":
					im.attrNames[n] = g
				case "WebInterfaceSite":
					im.siteNames[n] = true
				}
			}
			return nil
		})
		if err != nil {
			return ioError(ctx, err, CodeImport, arerr.CatReadError, "Check the destination database is reachable and readable.", "Cannot read the destination %s", im.res.Destination.Name)
		}
	}
	if t := info.Table("EncryptionKey"); t != nil {
		ki := t.Index("KeyId")
		if err := scanTable(ctx, im.dst, "EncryptionKey", func(r data.Row) error {
			im.encKeys[r[ki].AsGUID()] = true
			return nil
		}); err != nil {
			return ioError(ctx, err, CodeImport, arerr.CatReadError, "Check the destination database is reachable and readable.", "Cannot read the destination %s", im.res.Destination.Name)
		}
	}
	if im.opts.Replace {
		im.removed = map[string]int64{}
		for _, tn := range replaceOrder {
			if info.Table(tn) == nil {
				continue
			}
			n, err := im.dst.Count(ctx, tn)
			if err != nil {
				return ioError(ctx, err, CodeImport, arerr.CatReadError, "Check the destination database is reachable and readable.", "Cannot count %s in the destination", tn)
			}
			if n > 0 {
				im.removed[tn] = n
			}
		}
		// Everything but the encryption keys goes: decide as on an empty database.
		for _, e := range mainEntities {
			im.before[e] = map[data.UUID]struct{}{}
		}
		im.dnsNames, im.attrNames, im.siteNames = map[string]data.UUID{}, map[string]data.UUID{}, map[string]bool{}
	}
	return nil
}

// deleteForReplace empties the configuration tables (children first).
func (im *importer) deleteForReplace() error {
	if !im.opts.Replace || im.pf.dst.State != model.StateSupported {
		return nil
	}
	for _, tn := range replaceOrder {
		if im.pf.dstInfo.Table(tn) == nil {
			continue
		}
		if err := im.tx.DeleteAll(im.ctx, tn); err != nil {
			return fmt.Errorf("delete %s: %w", tn, err)
		}
	}
	if len(im.removed) > 0 {
		im.rep.Log().Info().Interface("removed", im.removed).Msg("replace: removed the destination's configuration")
	}
	return nil
}

// initialize gives a blank destination the 8.2 configuration schema and its
// Settings (§2 "Initialising a G3 database").
func (im *importer) initialize() error {
	tables, err := model.Tables(model.Target, model.RoleConfiguration)
	if err != nil {
		return err
	}
	ddl, err := model.DDL(model.Target, model.RoleConfiguration)
	if err != nil {
		return err
	}
	iid, err := randomGUID(im.rand)
	if err != nil {
		return err
	}
	keyID := im.pf.keyID()
	if keyID.IsZero() {
		if keyID, err = randomGUID(im.rand); err != nil {
			return err
		}
	}
	settings := map[string]string{
		model.SettingSchemaVersion:   model.Target.String(),
		model.SettingDatabaseRole:    string(model.RoleConfiguration),
		model.SettingInstallationID:  iid.String(),
		model.SettingEncryptionKeyID: keyID.String(),
	}
	if err := im.dst.Initialize(im.ctx, tables, ddl, settings); err != nil {
		return arerr.Wrap(err, CodeImport, arerr.CatWriteError, "Check the destination is writable, then run the import again.",
			"Cannot create the 8.2 schema in %s", im.res.Destination.Name)
	}
	im.res.Initialized = true
	im.res.Destination.InstallationID = iid.String()
	im.initKeyID = keyID
	im.rep.Log().Info().Str("installationId", iid.String()).Str("encryptionKeyId", keyID.String()).Msg("initialised the blank destination")
	return nil
}

// randomGUID is a version-4 GUID (NEWID()).
func randomGUID(r io.Reader) (data.UUID, error) {
	var u data.UUID
	if _, err := io.ReadFull(r, u[:]); err != nil {
		return u, fmt.Errorf("read random bytes: %w", err)
	}
	u[6] = (u[6] & 0x0f) | 0x40
	u[8] = (u[8] & 0x3f) | 0x80
	return u, nil
}

func reportJSON(r []ReportEntry) string {
	if len(r) == 0 {
		return "[]"
	}
	b, err := json.Marshal(r)
	if err != nil {
		return "[]"
	}
	return string(b)
}

// encryptionKeyRows adds the EncryptionKey rows the run needs (§2, §7.1 rule 7).
func (im *importer) encryptionKeyRows() error {
	t := im.g3["EncryptionKey"]
	now := data.TimeValue(truncMS(im.opts.Now().UTC()))
	add := func(id data.UUID, origin string, srcIID data.Value) error {
		if im.encKeys[id] {
			return nil
		}
		b := newRow(t)
		b.set("KeyId", data.GUIDValue(id))
		b.set("Origin", data.StringValue(origin))
		b.set("SourceInstallationId", srcIID)
		b.set("AddedUtc", now)
		im.encKeys[id] = true
		return im.queue("EncryptionKey", b.r)
	}
	srcIID := data.GUIDValue(im.pf.src.InstallationID)
	if k := im.pf.key; k != nil && !im.opts.SkipEncryptedData {
		if err := add(k.ID(), "Imported", srcIID); err != nil {
			return err
		}
		im.res.EncryptionKeyID = k.ID().String()
	}
	// The Settings key of the destination: the one initialize just wrote, or
	// an existing database's (a run that failed after initialising left it
	// without its EncryptionKey row).
	id := im.initKeyID
	if id.IsZero() && im.pf.dst.HasEncryptionKeyID {
		id = im.pf.dst.EncryptionKeyID
	}
	if !id.IsZero() && !im.encKeys[id] {
		if err := add(id, "Generated", data.NullValue()); err != nil {
			return err
		}
	}
	if im.res.EncryptionKeyID == "" && !id.IsZero() {
		im.res.EncryptionKeyID = id.String()
	}
	return nil
}

func truncMS(t time.Time) time.Time { return t.Truncate(time.Millisecond) }

// importAll runs every entity in §7.1 rule 6 order, then flushes.
func (im *importer) importAll() error {
	if err := im.encryptionKeyRows(); err != nil {
		return err
	}
	var err error
	switch im.gen {
	case model.G1:
		err = im.importG1()
	default:
		err = im.importTables()
	}
	if err != nil {
		return err
	}
	return im.flush()
}

func (im *importer) importG1() error {
	n, err := im.src.Count(im.ctx, "ConfigObject")
	if err != nil {
		return fmt.Errorf("count ConfigObject: %w", err)
	}
	im.total = n
	isClass := func(name string) func(string) bool {
		return func(c string) bool { return strings.EqualFold(c, name) }
	}
	passes := []struct {
		step string
		want func(string) bool
	}{
		{"AccessTemplate", isClass("AccessTemplate")},
		{"PermissionAssignment", isClass("PermissionAssignment")},
		{"Other objects", func(c string) bool {
			return !strings.EqualFold(c, "AccessTemplate") && !strings.EqualFold(c, "PermissionAssignment")
		}},
	}
	for _, p := range passes {
		im.step = p.step
		s, err := openG1(im.ctx, im.src, im.pf.srcInfo, im.offset)
		if err != nil {
			return err
		}
		for {
			o, err := s.next(p.want)
			if err != nil {
				s.Close()
				return err
			}
			if o == nil {
				break
			}
			if err := im.handle(o); err != nil {
				s.Close()
				return err
			}
		}
		if err := s.Close(); err != nil {
			return err
		}
		if err := im.flush(); err != nil {
			return err
		}
	}
	return nil
}

// importTables reads a G2 or G3 source table by table.
func (im *importer) importTables() error {
	for _, e := range mainEntities {
		if im.pf.srcInfo.Table(e) != nil {
			n, err := im.src.Count(im.ctx, e)
			if err != nil {
				return fmt.Errorf("count %s: %w", e, err)
			}
			im.total += n
		}
	}
	for _, e := range mainEntities {
		t := im.pf.srcInfo.Table(e)
		if t == nil {
			continue
		}
		im.step = e
		children, err := im.loadChildren(e)
		if err != nil {
			return err
		}
		mk := func(r data.Row) *srcObj {
			var o *srcObj
			if im.gen == model.G3 {
				o = g3Object(e, t, r)
				o.children = map[string][]data.Row{}
				for tn, m := range children {
					o.children[tn] = m[o.key]
				}
			} else {
				o = g2Object(e, t, r)
				if e == "Policy" {
					for _, l := range children["PolicyLink"][o.key] {
						o.multi = appendMulti(o.multi, "LinkedTo", l[0].Str)
					}
				}
			}
			return o
		}
		if e == "WebInterfaceSite" { // §10.3: in Name order
			var sites []*srcObj
			if err := scanTable(im.ctx, im.src, e, func(r data.Row) error { sites = append(sites, mk(r)); return nil }); err != nil {
				return err
			}
			sort.SliceStable(sites, func(i, j int) bool {
				a, b := strings.ToLower(sites[i].name), strings.ToLower(sites[j].name)
				if a != b {
					return a < b
				}
				return sites[i].name < sites[j].name
			})
			for _, o := range sites {
				if err := im.handle(o); err != nil {
					return err
				}
			}
		} else if err := scanTable(im.ctx, im.src, e, func(r data.Row) error { return im.handle(mk(r)) }); err != nil {
			return err
		}
		if err := im.flush(); err != nil {
			return err
		}
	}
	return nil
}

func appendMulti(m map[string][]string, k, v string) map[string][]string {
	if m == nil {
		m = map[string][]string{}
	}
	m[k] = append(m[k], v)
	return m
}

// loadChildren reads the child rows of a main table, keyed by parent GUID.
// G2 PolicyLink rows are reduced to their TargetDn (in LinkId order).
func (im *importer) loadChildren(e string) (map[string]map[data.UUID][]data.Row, error) {
	out := map[string]map[data.UUID][]data.Row{}
	var tables []string
	if im.gen == model.G3 {
		tables = childTables[e]
	} else if e == "Policy" {
		tables = []string{"PolicyLink"}
	}
	for _, tn := range tables {
		t := im.pf.srcInfo.Table(tn)
		if t == nil {
			continue
		}
		parentCol := g3Key[e]
		pi := t.Index(parentCol)
		if pi < 0 {
			return nil, fmt.Errorf("source table %s has no column %s", tn, parentCol)
		}
		m := map[data.UUID][]data.Row{}
		di := t.Index("TargetDn")
		if err := scanTable(im.ctx, im.src, tn, func(r data.Row) error {
			g := r[pi].AsGUID()
			if im.gen != model.G3 {
				m[g] = append(m[g], data.Row{cloneValue(r[di])})
				return nil
			}
			m[g] = append(m[g], r.Clone())
			return nil
		}); err != nil {
			return nil, err
		}
		out[tn] = m
	}
	return out, nil
}

func (im *importer) addReport(e ReportEntry) {
	im.report = append(im.report, e)
}

func (im *importer) skip(o *srcObj, reason, detail string) {
	im.addReport(ReportEntry{Entity: o.entity, Key: o.key.String(), Reason: reason, Detail: detail})
	im.skipped[o.entity]++
	if im.skipsByCode[o.entity] == nil {
		im.skipsByCode[o.entity] = map[string]int64{}
	}
	im.skipsByCode[o.entity][reason]++
}

// handle decides one source object: skip it with a reason, or queue its rows.
func (im *importer) handle(o *srcObj) error {
	if err := im.ctx.Err(); err != nil {
		return err
	}
	im.processed++
	if im.processed%int64(im.opts.ProgressEvery) == 0 {
		p := engine.Progress{Activity: "Importing configuration", Step: im.step, Rows: im.processed, Total: im.total}
		if im.total > 0 {
			p.Percent = 100 * float64(im.processed) / float64(im.total)
		}
		im.rep.Progress(p)
		if err := im.ctx.Err(); err != nil {
			return err
		}
	}
	e := o.entity
	if e == "" {
		im.otherSkips++
		im.addReport(ReportEntry{Entity: "ConfigObject", Key: o.key.String(), Reason: model.ReasonUnknownClass,
			Detail: fmt.Sprintf("object %q (%s) has ObjectClass %q, which Active Roles 8.2 does not know (an add-on's class?); it was not imported", o.name, o.detail, o.class)})
		return nil
	}
	if e == "AddOn" || e == "ReplicationPartner" {
		return nil // never written (§7.1 rule 7); preflight reports them
	}
	im.srcCount[e]++
	im.srcKeys[e][o.key] = struct{}{}
	_, dup := im.before[e][o.key]
	if _, inRun := im.seen[e][o.key]; dup || inRun {
		where := "the destination"
		if !dup {
			where = "an object imported earlier in this run"
		}
		im.skip(o, model.ReasonDuplicate, fmt.Sprintf("%s %q: %s already has this GUID; its row was left as it is", e, o.name, where))
		return nil
	}
	c := im.convert(o)
	if c.skipReason != "" {
		im.skip(o, c.skipReason, c.skipDetail)
		return nil
	}
	b := rowBuilder{t: im.g3[e], r: c.row}
	switch e {
	case "ManagedDomain", "VirtualAttribute":
		col, names := "DnsName", im.dnsNames
		if e == "VirtualAttribute" {
			col, names = "AttributeName", im.attrNames
		}
		n := b.get(col).Str
		if other, ok := names[strings.ToLower(n)]; ok && other != o.key {
			im.skip(o, model.ReasonConflict, fmt.Sprintf("%s %q: %s %q already belongs to %s in the destination or earlier in this run", e, o.name, col, n, other))
			return nil
		}
	}
	var renamed string
	if e == "WebInterfaceSite" {
		name := c.siteName
		if im.siteNames[strings.ToLower(name)] {
			for n := 2; ; n++ {
				cand := fmt.Sprintf("%s (%d)", name, n)
				if !im.siteNames[strings.ToLower(cand)] {
					renamed = cand
					break
				}
			}
			b.set("Name", data.StringValue(renamed))
		}
	}
	if d, ok := im.checkLengths(c, e); !ok {
		im.skip(o, model.ReasonTooLong, fmt.Sprintf("%s %q: %s (nothing is truncated)", e, o.name, d))
		return nil
	}
	if err := im.g3[e].CheckRow(c.row); err != nil {
		return fmt.Errorf("%s %s: %w", e, o.key, err)
	}
	// Written: record names, notes and attention items.
	im.seen[e][o.key] = struct{}{}
	im.added[e]++
	switch e {
	case "ManagedDomain":
		im.dnsNames[strings.ToLower(b.get("DnsName").Str)] = o.key
	case "VirtualAttribute":
		im.attrNames[strings.ToLower(b.get("AttributeName").Str)] = o.key
	case "WebInterfaceSite":
		final := b.get("Name").Str
		im.siteNames[strings.ToLower(final)] = true
		im.siteSrc = append(im.siteSrc, o.key)
		if renamed != "" {
			im.addReport(ReportEntry{Entity: e, Key: o.key.String(), Reason: model.ReasonRenamed,
				Detail: fmt.Sprintf("site %q: the name is already used, so it was imported as %q", c.siteName, renamed)})
		}
	case "AzureTenant":
		im.res.AzureTenants = append(im.res.AzureTenants, AzureTenantInfo{TenantID: o.key.String(), DisplayName: b.get("DisplayName").Str, Steps: azureSteps})
	case "ScheduledTask":
		im.taskNotes[o.key] = c.task
		runOn, host := b.get("RunOn").Str, b.get("ServiceHost")
		switch {
		case runOn == "AllServers":
			im.res.ScheduledTasksNotAssociated = append(im.res.ScheduledTasksNotAssociated, TaskNotAssociated{TaskGUID: o.key.String(), Name: o.name,
				Reason: "set to All servers: runs on every Administration Service"})
		case host.Str != im.host:
			im.res.ScheduledTasksNotAssociated = append(im.res.ScheduledTasksNotAssociated, TaskNotAssociated{TaskGUID: o.key.String(), Name: o.name,
				Reason: fmt.Sprintf("not editable (e.g. Managed Object Counter): keeps its server %s", host.Str)})
		default:
			im.res.ServicesAssociation.ScheduledTasks++
		}
	case "DynamicGroup":
		im.res.ServicesAssociation.DynamicGroups++
	case "GroupFamily":
		im.res.ServicesAssociation.GroupFamilies++
	}
	im.report = append(im.report, c.notes...)
	for _, sn := range c.secrets {
		if im.secretNotes[sn.entity] == nil {
			im.secretNotes[sn.entity] = map[data.UUID]secretNote{}
		}
		im.secretNotes[sn.entity][sn.key] = sn
		if sn.reason != "" {
			why := "no key backup was used"
			switch {
			case im.opts.SkipEncryptedData:
				why = "encrypted data was skipped at your request (" + arerr.Param("skipEncryptedData") + ")"
			case sn.reason == model.ReasonDecryptFailed:
				why = "the value could not be decrypted with the key backup"
			case im.key != nil:
				why = "the value is encrypted with another key"
			}
			im.res.SecretsToReenter = append(im.res.SecretsToReenter, SecretItem{Entity: sn.entity, Key: sn.key.String(), Name: sn.name,
				Column: sn.column, Reason: why, Action: secretAction(sn.entity)})
		}
	}
	if err := im.queue(e, c.row); err != nil {
		return err
	}
	for _, ch := range c.children {
		if err := im.queue(ch.table, ch.row); err != nil {
			return err
		}
	}
	return nil
}

func secretAction(entity string) string {
	if entity == "AzureTenant" {
		return "re-enter the secret: reauthenticate the tenant in the Configuration Center (Azure AD Configuration) after the upgrade"
	}
	return "re-enter the secret: set the override account's password in the managed domain registration after the upgrade"
}

func (im *importer) queue(table string, r data.Row) error {
	im.buf[table] = append(im.buf[table], r)
	im.buffered++
	if im.buffered >= insertBatch {
		return im.flush()
	}
	return nil
}

// flush inserts every buffered row, parents before children.
func (im *importer) flush() error {
	if im.buffered == 0 {
		return nil
	}
	for _, tn := range flushOrder {
		rows := im.buf[tn]
		if len(rows) == 0 {
			continue
		}
		if err := im.tx.Insert(im.ctx, tn, rows); err != nil {
			return fmt.Errorf("insert into %s: %w", tn, err)
		}
		im.buf[tn] = rows[:0:0]
	}
	im.buffered = 0
	return nil
}

func (im *importer) templateAvailable(g data.UUID) bool {
	if _, ok := im.before["AccessTemplate"][g]; ok {
		return true
	}
	_, ok := im.seen["AccessTemplate"][g]
	return ok
}

// finishResult fills the report and timings.
func (im *importer) finishResult(start time.Time) {
	r := im.res
	r.Report = im.report
	if r.Report == nil {
		r.Report = []ReportEntry{}
	}
	r.ElapsedSeconds = time.Since(start).Seconds()
}

// tally fills the per-entity counts, AddedCount and SkippedCount.
func (im *importer) tally() {
	r := im.res
	r.Removed = im.removed
	r.Entities = nil
	r.AddedCount, r.SkippedCount = 0, im.otherSkips
	for _, e := range mainEntities {
		before := im.beforeCount[e]
		after := before
		if im.opts.Replace {
			after = 0
		}
		after += im.added[e]
		r.Entities = append(r.Entities, EntityCount{Entity: e, Source: im.srcCount[e], Added: im.added[e], Skipped: im.skipped[e],
			DestinationBefore: before, DestinationAfter: after})
		r.AddedCount += im.added[e]
		r.SkippedCount += im.skipped[e]
	}
}
