package sqlserver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	mssql "github.com/microsoft/go-mssqldb"
	"github.com/microsoft/go-mssqldb/azuread"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/store"
)

// queryer is what the reads and writes need; *sql.DB, *sql.Tx and *sql.Conn
// satisfy it.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

var (
	_ queryer = (*sql.DB)(nil)
	_ queryer = (*sql.Tx)(nil)
	_ queryer = (*sql.Conn)(nil)
)

// OpenOptions say how a Database is used.
type OpenOptions struct {
	// Snapshot makes every read of the Database one consistent view (export):
	// one SNAPSHOT transaction when the database allows it, else READ
	// COMMITTED with a note (Notes).
	Snapshot bool
	// RowByRow fills the history batch's temp tables with parameterised
	// INSERTs instead of bulk copy (for the benchmark comparing the two).
	RowByRow bool
	// Warn, when set, receives findings made while the database is in use
	// (e.g. bulk copy unavailable, so rows go one statement at a time).
	Warn func(code, message string)
}

// Database is one SQL Server database. It implements store.Source,
// store.ConfigDestination, store.HistoryDestination, store.PermissionChecker
// and store.SpaceReporter.
//
// Concurrency: go-mssqldb has no MARS, so one connection serves one result
// set at a time. Without Snapshot every read takes its own pooled
// connection. With Snapshot, reads share one transaction and must run one
// after another; a Scan or Count started while another Scan is still open gets
// its own connection and its own SNAPSHOT transaction, which sees the
// database as of its own start, and a note says so.
type Database struct {
	opts Options
	oo   OpenOptions
	db   *sql.DB

	mu       sync.Mutex
	snap     *sql.Tx // shared snapshot transaction (Snapshot and allowed)
	snapBusy bool
	notes    []Warning
	info     *store.Info
	iid      *data.UUID
	overlap  bool
	cfg      *sql.Tx // open configuration transaction: reads go through it
	cfgBusy  bool
	// bulkCols: per bulk-copy target, its column names as result metadata
	// spells them (lower-case form → spelling).
	bulkCols map[string]map[string]string
	// lockConns are the sessions holding a writer lock (LockForWrite).
	lockConns []*sql.Conn
	// bulkOff: bulk copy does not work against this server (bulk.go);
	// rows are inserted one statement at a time from then on.
	bulkOff    atomic.Bool
	bulkMu     sync.Mutex // serialises the probe
	bulkProbed bool       // the probe has given its verdict
	// bulkWorked: a history batch's bulk copy has arrived whole, so a later
	// batch whose bulk copy fails (bulkChunkRows) goes row by row alone.
	bulkWorked atomic.Bool
}

var (
	_ store.ConfigDestination  = (*Database)(nil)
	_ store.HistoryDestination = (*Database)(nil)
	_ store.PermissionChecker  = (*Database)(nil)
	_ store.SpaceReporter      = (*Database)(nil)
)

// connector builds the driver connector for o: the azuread one for Entra
// modes, go-mssqldb's own otherwise.
func connector(o Options) (driver.Connector, error) {
	var (
		c   driver.Connector
		err error
	)
	if o.withDefaults().Auth.IsEntra() {
		c, err = azuread.NewConnector(o.dsn())
	} else {
		c, err = mssql.NewConnector(o.dsn())
	}
	if err != nil {
		return nil, wrap("build connection for "+o.Redacted(), err, &o)
	}
	return c, nil
}

// openPool validates o, opens a pool and checks that the server answers.
func openPool(ctx context.Context, o Options) (*sql.DB, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	o = o.withDefaults()
	c, err := connector(o)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(c)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, o.ConnectTimeout+5*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		_ = db.Close()
		return nil, wrap("connect to "+o.Redacted(), err, &o)
	}
	return db, nil
}

// Open connects to the database of o.
func Open(ctx context.Context, o Options, oo OpenOptions) (*Database, error) {
	db, err := openPool(ctx, o)
	if err != nil {
		return nil, err
	}
	d, err := newDatabase(ctx, db, o.withDefaults(), oo)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	return d, nil
}

// newDatabase wraps an open pool (tests pass a go-sqlmock pool).
func newDatabase(ctx context.Context, db *sql.DB, o Options, oo OpenOptions) (*Database, error) {
	d := &Database{opts: o, oo: oo, db: db}
	if oo.Snapshot {
		if err := d.beginSnapshot(ctx); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func (d *Database) beginSnapshot(ctx context.Context) error {
	var state int
	var name string
	qctx, cancel := d.cmdCtx(ctx)
	defer cancel()
	if err := d.db.QueryRowContext(qctx, sqlSnapshotState).Scan(&state, &name); err != nil {
		return d.wrap("read snapshot isolation state", err)
	}
	if state != 1 {
		d.notes = append(d.notes, Warning{WarnSnapshotOff, fmt.Sprintf(
			"snapshot isolation is off for database %s; rows changed during the export may be inconsistent; enable ALLOW_SNAPSHOT_ISOLATION or stop the Administration Service first", name)})
		return nil
	}
	// The transaction outlives Open's context: it ends with Close.
	tx, err := d.db.BeginTx(context.WithoutCancel(ctx), &sql.TxOptions{Isolation: sql.LevelSnapshot})
	if err != nil {
		return d.wrap("begin snapshot transaction", err)
	}
	d.snap = tx
	return nil
}

// Options returns the connection options (Redacted for messages).
func (d *Database) Options() Options { return d.opts }

// Notes are findings the caller should show, e.g. snapshot isolation off.
func (d *Database) Notes() []Warning {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]Warning(nil), d.notes...)
}

// Close ends the snapshot transaction and closes the pool.
func (d *Database) Close() error {
	d.mu.Lock()
	tx, cfg, locks := d.snap, d.cfg, d.lockConns
	d.snap, d.cfg, d.lockConns = nil, nil, nil
	d.mu.Unlock()
	for _, c := range locks { // a writer lock never outlives the Database
		discardSession(c)
	}
	var errs []error
	if cfg != nil { // an unfinished configuration import writes nothing
		if err := cfg.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
			errs = append(errs, d.wrap("roll back configuration", err))
		}
	}
	if tx != nil {
		if err := tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
			errs = append(errs, d.wrap("end snapshot transaction", err))
		}
	}
	if err := d.db.Close(); err != nil {
		errs = append(errs, d.wrap("close connection", err))
	}
	return errors.Join(errs...)
}

func (d *Database) wrap(op string, err error) error { return wrap(op, err, &d.opts) }

// cmdCtx applies the command timeout to one statement.
func (d *Database) cmdCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	if d.opts.CommandTimeout > 0 {
		return context.WithTimeout(ctx, d.opts.CommandTimeout)
	}
	return context.WithCancel(ctx)
}

// reader returns where a read runs and a release function (see Database).
func (d *Database) reader(ctx context.Context) (queryer, func(), error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cfg != nil {
		// Inside the configuration transaction a read on another connection
		// would wait for the transaction's own locks: read through it.
		if d.cfgBusy {
			return nil, nil, errBusy
		}
		d.cfgBusy = true
		return d.cfg, d.releaseCfg, nil
	}
	if d.snap == nil {
		return d.db, func() {}, nil
	}
	if !d.snapBusy {
		d.snapBusy = true
		return d.snap, func() {
			d.mu.Lock()
			d.snapBusy = false
			d.mu.Unlock()
		}, nil
	}
	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelSnapshot})
	if err != nil {
		return nil, nil, d.wrap("begin snapshot transaction for an overlapping read", err)
	}
	if !d.overlap {
		d.overlap = true
		d.notes = append(d.notes, Warning{WarnSnapshotOff,
			"reads of " + d.opts.Location() + " overlapped; the overlapping read used its own snapshot, taken when it started"})
	}
	return tx, func() { _ = tx.Rollback() }, nil
}

// Info reads the user tables and the Settings table (store.Source).
func (d *Database) Info(ctx context.Context) (*store.Info, error) {
	q, release, err := d.reader(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	in, err := readInfo(ctx, q, d)
	if err != nil {
		return nil, err
	}
	in.Location = d.opts.Location()
	d.mu.Lock()
	d.info = in
	d.mu.Unlock()
	return cloneInfo(in), nil
}

func cloneInfo(in *store.Info) *store.Info {
	c := *in
	c.Tables = append([]data.Table(nil), in.Tables...)
	return &c
}

func readInfo(ctx context.Context, q queryer, d *Database) (*store.Info, error) {
	qctx, cancel := d.cmdCtx(ctx)
	defer cancel()
	rows, err := q.QueryContext(qctx, sqlTables)
	if err != nil {
		return nil, d.wrap("read table list", err)
	}
	in := &store.Info{Kind: "sqlserver", Tables: []data.Table{}}
	type pk struct {
		ord  int
		name string
	}
	var keys [][]pk
	for rows.Next() {
		var schema, table, col, typ string
		var maxLen, prec, scale, keyOrd int
		var nullable, identity bool
		if err := rows.Scan(&schema, &table, &col, &typ, &maxLen, &prec, &scale, &nullable, &identity, &keyOrd); err != nil {
			rows.Close()
			return nil, d.wrap("read table list", err)
		}
		name := table
		if !strings.EqualFold(schema, "dbo") {
			name = schema + "." + table
		}
		if len(in.Tables) == 0 || in.Tables[len(in.Tables)-1].Name != name {
			in.Tables = append(in.Tables, data.Table{Name: name})
			keys = append(keys, nil)
		}
		t := &in.Tables[len(in.Tables)-1]
		tn, ml, sc := typeName(typ, maxLen, prec, scale)
		ct, _ := data.ParseColType(typ)
		t.Columns = append(t.Columns, data.Column{Name: col, Type: ct, TypeName: tn, MaxLen: ml, Scale: sc, Nullable: nullable, Identity: identity})
		if keyOrd > 0 {
			keys[len(keys)-1] = append(keys[len(keys)-1], pk{keyOrd, col})
		}
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return nil, d.wrap("read table list", err)
	}
	rows.Close()
	for i := range in.Tables {
		k := keys[i]
		sort.Slice(k, func(a, b int) bool { return k[a].ord < k[b].ord })
		for _, p := range k {
			in.Tables[i].PrimaryKey = append(in.Tables[i].PrimaryKey, p.name)
		}
	}
	modelSpelling(in.Tables)
	if in.Table("Settings") == nil {
		return in, nil
	}
	// The table list says Settings exists; check by object id too, as model §2
	// prescribes, before reading it.
	var exists int
	if err := q.QueryRowContext(qctx, sqlSettingsExists).Scan(&exists); err != nil {
		return nil, d.wrap("look for the Settings table", err)
	}
	if exists == 0 {
		return in, nil
	}
	srows, err := q.QueryContext(qctx, sqlSettings)
	if err != nil {
		return nil, d.wrap("read settings", err)
	}
	defer srows.Close()
	in.Settings = map[string]string{}
	for srows.Next() {
		var n string
		var v sql.NullString
		if err := srows.Scan(&n, &v); err != nil {
			return nil, d.wrap("read settings", err)
		}
		if v.Valid { // a NULL value counts as absent
			in.Settings[n] = v.String
		}
	}
	if err := srows.Err(); err != nil {
		return nil, d.wrap("read settings", err)
	}
	return in, nil
}

// modelSpelling gives catalog names the model's spelling where they differ
// from it only in case. SQL Server resolves catalog names case-insensitively
// under the usual collations, and some servers list them in lower case; one
// spelling from here on means every comparison downstream (entity counts,
// column lookups, report keys) sees the names the model uses, and the SQL
// built from them still resolves. A name that would then collide with
// another (a case-sensitive database holding both) keeps its own spelling.
func modelSpelling(tables []data.Table) {
	folded := map[string]int{}
	for _, t := range tables {
		folded[strings.ToLower(t.Name)]++
	}
	for i := range tables {
		t := &tables[i]
		name, ok := model.TableSpelling(t.Name)
		if !ok || folded[strings.ToLower(t.Name)] > 1 {
			continue
		}
		t.Name = name
		cols := map[string]int{}
		for _, c := range t.Columns {
			cols[strings.ToLower(c.Name)]++
		}
		respell := func(c string) string {
			if s, ok := model.ColumnSpelling(name, c); ok && cols[strings.ToLower(c)] == 1 {
				return s
			}
			return c
		}
		for j := range t.Columns {
			t.Columns[j].Name = respell(t.Columns[j].Name)
		}
		for j := range t.PrimaryKey {
			t.PrimaryKey[j] = respell(t.PrimaryKey[j])
		}
	}
}

// table returns the named table of the (cached) catalog, by its exact
// catalog name, and validates the names used in SQL.
func (d *Database) table(ctx context.Context, name string) (*data.Table, error) {
	d.mu.Lock()
	in := d.info
	d.mu.Unlock()
	if in == nil {
		var err error
		if in, err = d.Info(ctx); err != nil {
			return nil, err
		}
	}
	t := in.Table(name)
	if t == nil {
		return nil, fmt.Errorf("table %s does not exist in %s", name, d.opts.Location())
	}
	if err := checkIdent("table", t.Name); err != nil {
		return nil, err
	}
	for _, c := range t.Columns {
		if err := checkIdent("column", c.Name); err != nil {
			return nil, fmt.Errorf("table %s: %w", t.Name, err)
		}
	}
	return t, nil
}

// Count returns the number of rows of a table (store.Source).
func (d *Database) Count(ctx context.Context, table string) (int64, error) {
	t, err := d.table(ctx, table)
	if err != nil {
		return 0, err
	}
	q, release, err := d.reader(ctx)
	if err != nil {
		return 0, err
	}
	defer release()
	qctx, cancel := d.cmdCtx(ctx)
	defer cancel()
	var n int64
	if err := q.QueryRowContext(qctx, sqlCount(t.Name)).Scan(&n); err != nil {
		return 0, d.wrap("count rows of "+t.Name, err)
	}
	return n, nil
}

type orderCol struct{ alias, col string }

// scanPlan is how a table is read in its canonical order (store.Source).
type scanPlan struct {
	parent, parentKey, childKey string // child tables: join to the parent record
	order                       []orderCol
}

// planScan picks the canonical order: history records by (time, RecordId);
// their children joined to the record and ordered by the record's time,
// RecordId, then Seq/TaskId; every other table by its primary key.
func (d *Database) planScan(ctx context.Context, t *data.Table) (scanPlan, error) {
	d.mu.Lock()
	in := d.info
	d.mu.Unlock()
	recordTable := func() (*data.Table, string) {
		if r := in.Table("ChangeHistory"); r != nil {
			return r, "ChangeTime"
		}
		if r := in.Table("ChangeRecord"); r != nil {
			return r, "ChangeTimeUtc"
		}
		return nil, ""
	}
	switch {
	case strings.EqualFold(t.Name, "ChangeHistory") && t.Index("ChangeTime") >= 0:
		return scanPlan{order: []orderCol{{"t", "ChangeTime"}, {"t", "RecordId"}}}, nil
	case strings.EqualFold(t.Name, "ChangeRecord") && t.Index("ChangeTimeUtc") >= 0:
		return scanPlan{order: []orderCol{{"t", "ChangeTimeUtc"}, {"t", "RecordId"}}}, nil
	case strings.EqualFold(t.Name, "ChangeRecordAttribute") || strings.EqualFold(t.Name, "ApprovalTask"):
		r, timeCol := recordTable()
		if r == nil {
			break
		}
		if err := checkIdent("table", r.Name); err != nil {
			return scanPlan{}, err
		}
		p := scanPlan{parent: r.Name}
		switch {
		case t.Index("RecordGuid") >= 0 && r.Index("RecordGuid") >= 0: // G3 ApprovalTask
			p.parentKey, p.childKey = "RecordGuid", "RecordGuid"
		case t.Index("RecordId") >= 0:
			p.parentKey, p.childKey = "RecordId", "RecordId"
		default:
			return scanPlan{}, fmt.Errorf("table %s has no link to %s", t.Name, r.Name)
		}
		last := "Seq"
		if strings.EqualFold(t.Name, "ApprovalTask") {
			last = "TaskId"
		}
		p.order = []orderCol{{"r", timeCol}, {"r", "RecordId"}, {"t", last}}
		return p, nil
	}
	var p scanPlan
	if len(t.PrimaryKey) > 0 {
		for _, k := range t.PrimaryKey {
			p.order = append(p.order, orderCol{"t", k})
		}
		return p, nil
	}
	// No key (not in the model): order by every comparable column so that
	// the order is still deterministic.
	for _, c := range t.Columns {
		if c.MaxLen == data.MaxLenMax || c.Type == data.TXml || c.Type == 0 {
			continue
		}
		p.order = append(p.order, orderCol{"t", c.Name})
	}
	return p, nil
}

// Scan reads a table in its canonical order (store.Source). Close the rows:
// in snapshot mode they hold the shared transaction.
func (d *Database) Scan(ctx context.Context, table string) (store.Rows, error) {
	t, err := d.table(ctx, table)
	if err != nil {
		return nil, err
	}
	p, err := d.planScan(ctx, t)
	if err != nil {
		return nil, err
	}
	q, release, err := d.reader(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, sqlSelect(t.Name, t.ColumnNames(), p))
	if err != nil {
		release()
		return nil, d.wrap("read "+t.Name, err)
	}
	r := &sqlRows{d: d, t: *t, rows: rows, release: release,
		raw: make([]any, len(t.Columns)), ptr: make([]any, len(t.Columns)), row: make(data.Row, len(t.Columns))}
	for i := range r.raw {
		r.ptr[i] = &r.raw[i]
	}
	return r, nil
}

type sqlRows struct {
	d       *Database
	t       data.Table
	rows    *sql.Rows
	release func()
	raw     []any
	ptr     []any
	row     data.Row
	err     error
	closed  bool
}

func (r *sqlRows) Next() bool {
	if r.err != nil || r.closed {
		return false
	}
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			r.err = r.d.wrap("read "+r.t.Name, err)
		}
		// Give the connection (or the shared snapshot) back at once, even if
		// the caller closes late.
		if cerr := r.Close(); cerr != nil && r.err == nil {
			r.err = cerr
		}
		return false
	}
	if err := r.rows.Scan(r.ptr...); err != nil {
		r.err = r.d.wrap("read "+r.t.Name, err)
		return false
	}
	for i := range r.raw {
		v, err := toValue(&r.t.Columns[i], r.raw[i])
		if err != nil {
			r.err = fmt.Errorf("read %s: %w", r.t.Name, err)
			return false
		}
		r.row[i] = v
	}
	return true
}

func (r *sqlRows) Row() data.Row { return r.row }
func (r *sqlRows) Err() error    { return r.err }

func (r *sqlRows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	err := r.rows.Close()
	r.release()
	if err != nil {
		return r.d.wrap("close read of "+r.t.Name, err)
	}
	return nil
}

// errBusy: go-mssqldb has no MARS, so one transaction runs one statement or
// result set at a time.
var errBusy = errors.New("a read of this database is still open inside the configuration transaction; close it before the next statement")

// acquireCfg marks the configuration transaction busy for one statement.
func (d *Database) acquireCfg() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cfgBusy {
		return errBusy
	}
	d.cfgBusy = true
	return nil
}

func (d *Database) releaseCfg() {
	d.mu.Lock()
	d.cfgBusy = false
	d.mu.Unlock()
}
