package sqlserver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	mssql "github.com/microsoft/go-mssqldb"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/store"
)

// bulkThreshold: below this many rows a parameterised INSERT per row is
// cheaper than bulk copy's metadata round trip.
const bulkThreshold = 16

// StartRun inserts the ImportRun row (Outcome 'Running') in a transaction of
// its own (one autocommitted statement) and returns its id and the server's
// SYSUTCDATETIME() as datetime2(3) (store.RunRecorder).
func (d *Database) StartRun(ctx context.Context, run store.ImportRun) (int64, time.Time, error) {
	var mode any = sql.NullString{}
	if run.Mode != "" {
		mode = mssql.VarChar(run.Mode)
	}
	var started any = mssql.NullDateTime{}
	if !run.StartedUTC.IsZero() {
		started = datetime2Param(run.StartedUTC)
	}
	qctx, cancel := d.cmdCtx(ctx)
	defer cancel()
	var id int64
	var now time.Time
	err := d.db.QueryRowContext(qctx, sqlStartRun,
		mssql.VarChar(run.Kind), mssql.UniqueIdentifier(run.SourceInstallationID), mssql.VarChar(run.SourceVersion),
		run.SourceServer, run.SourceDatabase, mode,
		timeParam(run.RangeFromUTC), timeParam(run.RangeToUTC), timeParam(run.CutoffUTC), started,
	).Scan(&id, &now)
	if err != nil {
		return 0, time.Time{}, d.wrap("insert ImportRun", err)
	}
	return id, data.TimeValue(now).AsTime(), nil
}

// timeParam is a datetime2 parameter or a datetime2 NULL.
func timeParam(t *time.Time) any {
	if t == nil {
		return mssql.NullDateTime{}
	}
	return datetime2Param(*t)
}

// FinishRun closes the ImportRun row (store.RunRecorder). Callers finishing a
// cancelled run pass context.WithoutCancel(ctx).
func (d *Database) FinishRun(ctx context.Context, runID int64, fin store.RunFinish) error {
	var finished any = mssql.NullDateTime{}
	if !fin.FinishedUTC.IsZero() {
		finished = datetime2Param(fin.FinishedUTC)
	}
	report := fin.ReportJSON
	if report == "" {
		report = "[]"
	}
	qctx, cancel := d.cmdCtx(ctx)
	defer cancel()
	res, err := d.db.ExecContext(qctx, sqlFinishRun, mssql.VarChar(fin.Outcome), finished, timeParam(fin.CutoffUTC),
		fin.AddedCount, fin.SkippedCount, report, runID)
	if err != nil {
		return d.wrap(fmt.Sprintf("update ImportRun %d", runID), err)
	}
	if n, err := res.RowsAffected(); err == nil && n != 1 {
		return fmt.Errorf("update ImportRun %d: %d rows changed, want 1", runID, n)
	}
	return nil
}

// BeginConfig starts the configuration import's one transaction.
func (d *Database) BeginConfig(ctx context.Context) (store.ConfigTx, error) {
	if _, err := d.table(ctx, "Settings"); err != nil {
		return nil, err
	}
	// The transaction lives until Commit or Rollback, not as long as ctx:
	// each call passes its own context for its statements.
	d.mu.Lock()
	open := d.cfg != nil
	d.mu.Unlock()
	if open {
		return nil, errors.New("a configuration transaction is already open")
	}
	tx, err := d.db.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return nil, d.wrap("begin configuration transaction", err)
	}
	d.mu.Lock()
	d.cfg = tx
	d.mu.Unlock()
	return &configTx{d: d, tx: tx}, nil
}

// end detaches the transaction from the Database once it is over.
func (c *configTx) end() {
	c.d.mu.Lock()
	if c.d.cfg == c.tx {
		c.d.cfg, c.d.cfgBusy = nil, false
	}
	c.d.mu.Unlock()
}

type configTx struct {
	d    *Database
	tx   *sql.Tx
	done bool
}

func (c *configTx) DeleteAll(ctx context.Context, table string) error {
	t, err := c.d.table(ctx, table)
	if err != nil {
		return err
	}
	if err := c.d.acquireCfg(); err != nil {
		return err
	}
	defer c.d.releaseCfg()
	qctx, cancel := c.d.cmdCtx(ctx)
	defer cancel()
	if _, err := c.tx.ExecContext(qctx, sqlDeleteAll(t.Name)); err != nil {
		return c.d.wrap("delete rows of "+t.Name, err)
	}
	return nil
}

// Insert appends rows; identity columns are left to the server.
func (c *configTx) Insert(ctx context.Context, table string, rows []data.Row) error {
	if len(rows) == 0 {
		return nil
	}
	t, err := c.d.table(ctx, table)
	if err != nil {
		return err
	}
	if err := c.d.acquireCfg(); err != nil {
		return err
	}
	defer c.d.releaseCfg()
	if len(rows) < bulkThreshold {
		return insertRows(ctx, c.d, c.tx, t.Name, t, rows, nil)
	}
	return bulkInsert(ctx, c.d, c.tx, t.Name, t, rows, nil, true, bulkChunkRows)
}

// Update replaces rows matched by primary key, one parameterised UPDATE each.
func (c *configTx) Update(ctx context.Context, table string, rows []data.Row) error {
	if len(rows) == 0 {
		return nil
	}
	t, err := c.d.table(ctx, table)
	if err != nil {
		return err
	}
	if len(t.PrimaryKey) == 0 {
		return fmt.Errorf("update %s: the table has no primary key", t.Name)
	}
	isKey := map[string]bool{}
	for _, k := range t.PrimaryKey {
		isKey[k] = true
	}
	var set, key []int
	for i, col := range t.Columns {
		switch {
		case isKey[col.Name]:
		case col.Identity:
			continue
		default:
			set = append(set, i)
		}
	}
	for _, k := range t.PrimaryKey {
		key = append(key, t.Index(k))
	}
	names := func(idx []int) []string {
		n := make([]string, len(idx))
		for i, j := range idx {
			n[i] = t.Columns[j].Name
		}
		return n
	}
	if err := c.d.acquireCfg(); err != nil {
		return err
	}
	defer c.d.releaseCfg()
	stmt := sqlUpdateRow(t.Name, names(set), names(key))
	for ri, r := range rows {
		if len(r) != len(t.Columns) {
			return fmt.Errorf("update %s: row %d has %d values, the table has %d columns", t.Name, ri+1, len(r), len(t.Columns))
		}
		args := make([]any, 0, len(set)+len(key))
		for _, i := range append(append([]int(nil), set...), key...) {
			p, err := param(&t.Columns[i], r[i])
			if err != nil {
				return fmt.Errorf("update %s row %d: %w", t.Name, ri+1, err)
			}
			args = append(args, p)
		}
		qctx, cancel := c.d.cmdCtx(ctx)
		res, err := c.tx.ExecContext(qctx, stmt, args...)
		cancel()
		if err != nil {
			return c.d.wrap(fmt.Sprintf("update %s row %d", t.Name, ri+1), err)
		}
		if n, err := res.RowsAffected(); err == nil && n != 1 {
			return fmt.Errorf("update %s row %d: %d rows matched the primary key, want 1", t.Name, ri+1, n)
		}
	}
	return nil
}

func (c *configTx) Commit(ctx context.Context) error {
	if c.done {
		return errors.New("configuration transaction already ended")
	}
	c.done = true
	defer c.end()
	if err := c.tx.Commit(); err != nil {
		return c.d.wrap("commit configuration", err)
	}
	return nil
}

func (c *configTx) Rollback(ctx context.Context) error {
	if c.done {
		return nil
	}
	c.done = true
	defer c.end()
	if err := c.tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return c.d.wrap("roll back configuration", err)
	}
	return nil
}

// writeCols are the columns a write sends: all but identity columns.
func writeCols(t *data.Table) []int {
	var idx []int
	for i, c := range t.Columns {
		if !c.Identity {
			idx = append(idx, i)
		}
	}
	return idx
}

// extraCol is a column that a temp table has beyond the model row
// (ordinal, disposition, parent GUID), with its value per row.
type extraCol struct {
	col  data.Column
	vals func(row int) data.Value
}

// insertRows writes rows with one parameterised INSERT each into target
// (a dbo table or a #temp table shaped like t plus extra columns).
func insertRows(ctx context.Context, d *Database, tx *sql.Tx, target string, t *data.Table, rows []data.Row, extra []extraCol) error {
	if err := checkRowLengths(t, rows); err != nil {
		return err
	}
	idx := writeCols(t)
	cols := make([]string, 0, len(extra)+len(idx))
	for _, e := range extra {
		cols = append(cols, e.col.Name)
	}
	for _, i := range idx {
		cols = append(cols, t.Columns[i].Name)
	}
	stmt, err := tx.PrepareContext(ctx, sqlInsertRow(target, cols))
	if err != nil {
		return d.wrap("prepare insert into "+target, err)
	}
	defer stmt.Close()
	args := make([]any, len(cols))
	for ri, r := range rows {
		if len(r) != len(t.Columns) {
			return fmt.Errorf("insert into %s: row %d has %d values, the table has %d columns", t.Name, ri+1, len(r), len(t.Columns))
		}
		for k, e := range extra {
			if args[k], err = param(&e.col, e.vals(ri)); err != nil {
				return fmt.Errorf("insert into %s row %d: %w", t.Name, ri+1, err)
			}
		}
		for k, i := range idx {
			if args[len(extra)+k], err = param(&t.Columns[i], r[i]); err != nil {
				return fmt.Errorf("insert into %s row %d: %w", t.Name, ri+1, err)
			}
		}
		qctx, cancel := d.cmdCtx(ctx)
		_, err := stmt.ExecContext(qctx, args...)
		cancel()
		if err != nil {
			return d.wrap(fmt.Sprintf("insert into %s row %d", t.Name, ri+1), err)
		}
	}
	return nil
}

// bulkInsert writes rows with bulk copy (mssql.CopyIn) inside tx, chunk
// rows per bulk load request. For model tables it checks constraints and
// keeps NULLs (a column default must never replace a NULL that was sent), as
// a parameterised INSERT would.
func bulkInsert(ctx context.Context, d *Database, tx *sql.Tx, target string, t *data.Table, rows []data.Row, extra []extraCol, modelTable bool, chunk int) error {
	if err := checkRowLengths(t, rows); err != nil {
		return err
	}
	idx := writeCols(t)
	cols := make([]string, 0, len(extra)+len(idx))
	for _, e := range extra {
		cols = append(cols, e.col.Name)
	}
	for _, i := range idx {
		cols = append(cols, t.Columns[i].Name)
	}
	var err error
	if cols, err = d.bulkNames(ctx, tx, target, cols); err != nil {
		return err
	}
	name := target
	if modelTable {
		name = "dbo." + target
	}
	opts := mssql.BulkOptions{KeepNulls: true, CheckConstraints: modelTable, FireTriggers: modelTable}
	for first := 0; first < len(rows); first += chunk {
		last := min(first+chunk, len(rows))
		if err := bulkChunk(ctx, d, tx, name, opts, cols, t, rows, first, last, extra); err != nil {
			return err
		}
	}
	return nil
}

// bulkChunkRows bounds one bulk load request: larger requests gain little.
// Some servers' bulk load loses its place when the request's closing DONE
// token straddles two network packets, which depends on the bytes of the
// rows, not their number: the server takes every row, then fails the next
// statement with "Bulk Load Request (BulkLoadBCP) protocol stream is
// incorrect" (seen on Babelfish, in about one request in 300 at 4 KiB
// packets). A history batch that meets it is written again with its rows
// cut at each of bulkRetryChunkRows in turn, which moves every request's end.
const bulkChunkRows = 500

var bulkRetryChunkRows = [...]int{317, 211}

// rowByRowChunk asks fill for one INSERT per row, bulk copy or not.
const rowByRowChunk = 0

// bulkChunk bulk-copies rows[first:last] as one bulk load request.
func bulkChunk(ctx context.Context, d *Database, tx *sql.Tx, name string, opts mssql.BulkOptions, cols []string, t *data.Table,
	rows []data.Row, first, last int, extra []extraCol) error {
	idx := writeCols(t)
	stmt, err := tx.PrepareContext(ctx, mssql.CopyIn(name, opts, cols...))
	if err != nil {
		return d.wrap("prepare bulk copy into "+name, err)
	}
	defer stmt.Close()
	args := make([]any, len(cols))
	for ri := first; ri < last; ri++ {
		r := rows[ri]
		for k, e := range extra {
			if args[k], err = bulkValue(&e.col, e.vals(ri)); err != nil {
				return fmt.Errorf("bulk copy into %s row %d: %w", t.Name, ri+1, err)
			}
		}
		for k, i := range idx {
			if args[len(extra)+k], err = bulkValue(&t.Columns[i], r[i]); err != nil {
				return fmt.Errorf("bulk copy into %s row %d: %w", t.Name, ri+1, err)
			}
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return d.wrap(fmt.Sprintf("bulk copy into %s row %d", t.Name, ri+1), err)
		}
	}
	qctx, cancel := d.cmdCtx(ctx)
	defer cancel()
	res, err := stmt.ExecContext(qctx)
	if err != nil {
		return d.wrap("finish bulk copy into "+name, err)
	}
	if n, err := res.RowsAffected(); err == nil && n != int64(last-first) {
		return fmt.Errorf("bulk copy into %s: server took %d rows, %d were sent", name, n, last-first)
	}
	return nil
}

// bulkNames returns cols spelled as the server names target's columns in
// result metadata, which bulk copy compares names against exactly; the
// server itself matches them case-insensitively. Temp tables have the same
// shape in every batch, so the answer is kept per target.
func (d *Database) bulkNames(ctx context.Context, tx *sql.Tx, target string, cols []string) ([]string, error) {
	d.mu.Lock()
	known := d.bulkCols[target]
	d.mu.Unlock()
	if known == nil {
		qctx, cancel := d.cmdCtx(ctx)
		defer cancel()
		rows, err := tx.QueryContext(qctx, sqlResultColumns(target))
		if err != nil {
			return nil, d.wrap("read the columns of "+target, err)
		}
		names, err := rows.Columns()
		rows.Close()
		if err != nil {
			return nil, d.wrap("read the columns of "+target, err)
		}
		known = make(map[string]string, len(names))
		for _, n := range names {
			known[strings.ToLower(n)] = n
		}
		d.mu.Lock()
		if d.bulkCols == nil {
			d.bulkCols = map[string]map[string]string{}
		}
		d.bulkCols[target] = known
		d.mu.Unlock()
	}
	out := make([]string, len(cols))
	for i, c := range cols {
		n, ok := known[strings.ToLower(c)]
		if !ok {
			return nil, fmt.Errorf("bulk copy into %s: the table has no column %s", target, c)
		}
		out[i] = n
	}
	return out, nil
}

// checkRowLengths refuses rows of the wrong width before anything is sent.
func checkRowLengths(t *data.Table, rows []data.Row) error {
	for i, r := range rows {
		if len(r) != len(t.Columns) {
			return fmt.Errorf("write %s: row %d has %d values, the table has %d columns", t.Name, i+1, len(r), len(t.Columns))
		}
	}
	return nil
}
