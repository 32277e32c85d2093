package sqlserver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	mssql "github.com/microsoft/go-mssqldb"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/store"
)

// histTables are the destination tables of a history batch, from the catalog.
// mem is the flat keyed table of HistoryBatch.Memberships and members its
// entity: TemporalMembership, or in a Collector database (model §13) its
// CollectedEvent, whose database has no rec, attr or task (collector.go).
type histTables struct {
	rec, attr, task, mem *data.Table
	members              historyEntity
	attrRecordIDType     string
}

// keyed is the entity of the memberships slot (TemporalMembership unless set).
func (h *histTables) keyed() historyEntity {
	if h.members.table == "" {
		return histMembers
	}
	return h.members
}

func (d *Database) historyTables(ctx context.Context) (*histTables, error) {
	var h histTables
	var err error
	get := func(name string, cols ...string) *data.Table {
		if err != nil {
			return nil
		}
		var t *data.Table
		if t, err = d.table(ctx, name); err != nil {
			return nil
		}
		for _, c := range cols {
			if t.Index(c) < 0 {
				err = fmt.Errorf("%s has no %s column: %s is not an 8.2 Management History database", name, c, d.opts.Location())
				return nil
			}
		}
		return t
	}
	if d.isCollector(ctx) {
		h.members = collEvents
		h.mem = get(collEvents.table, collEvents.guid, collEvents.id, collEvents.originID, "OriginInstallationId")
		if err != nil {
			return nil, err
		}
		return &h, nil
	}
	h.members = histMembers
	h.rec = get(histRecords.table, histRecords.guid, histRecords.id, histRecords.originID, "OriginInstallationId")
	h.attr = get(histAttrTable, "RecordId")
	h.task = get(histTasks.table, histTasks.guid, histTasks.id, histTasks.originID, "OriginInstallationId", "RecordGuid")
	h.mem = get(histMembers.table, histMembers.guid, histMembers.id, histMembers.originID, "OriginInstallationId")
	if err != nil {
		return nil, err
	}
	switch h.attr.Columns[h.attr.Index("RecordId")].Type {
	case data.TBigInt:
		h.attrRecordIDType = "bigint"
	case data.TInt:
		h.attrRecordIDType = "int"
	default:
		return nil, fmt.Errorf("%s.RecordId is %s, want bigint", histAttrTable, h.attr.Columns[h.attr.Index("RecordId")].TypeName)
	}
	return &h, nil
}

// installationID reads the destination's InstallationId once.
func (d *Database) installationID(ctx context.Context) (data.UUID, error) {
	d.mu.Lock()
	if d.iid != nil {
		u := *d.iid
		d.mu.Unlock()
		return u, nil
	}
	d.mu.Unlock()
	qctx, cancel := d.cmdCtx(ctx)
	defer cancel()
	var s sql.NullString
	if err := d.db.QueryRowContext(qctx, sqlInstallationID).Scan(&s); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return data.UUID{}, fmt.Errorf("%s has no InstallationId setting", d.opts.Location())
		}
		return data.UUID{}, d.wrap("read InstallationId", err)
	}
	u, err := data.ParseUUID(s.String)
	if err != nil || !s.Valid {
		return data.UUID{}, fmt.Errorf("%s: InstallationId setting is not a GUID", d.opts.Location())
	}
	d.mu.Lock()
	d.iid = &u
	d.mu.Unlock()
	return u, nil
}

func names(t *data.Table, idx []int) []string {
	n := make([]string, len(idx))
	for i, j := range idx {
		n[i] = t.Columns[j].Name
	}
	return n
}

var (
	colOrd         = data.Column{Name: "Ord", Type: data.TInt, TypeName: "int"}
	colDisposition = data.Column{Name: "Disposition", Type: data.TTinyInt, TypeName: "tinyint"}
	colParentGuid  = data.Column{Name: "ParentGuid", Type: data.TUniqueID, TypeName: "uniqueidentifier", Nullable: true}
	colParentOrd   = data.Column{Name: "ParentOrd", Type: data.TInt, TypeName: "int", Nullable: true}
)

func ordExtras() []extraCol {
	return []extraCol{
		{colOrd, func(i int) data.Value { return data.IntValue(int64(i)) }},
		{colDisposition, func(int) data.Value { return data.IntValue(0) }},
	}
}

// WriteHistoryBatch writes one batch in one transaction (store.HistoryDestination,
// model §8.3): the rows go to session temp tables (bulk copy, or
// parameterised INSERTs with OpenOptions.RowByRow), are classified there, and
// the new ones are inserted set-based. Nothing existing is updated or deleted.
func (d *Database) WriteHistoryBatch(ctx context.Context, b *store.HistoryBatch) (*store.HistoryBatchResult, error) {
	h, err := d.historyTables(ctx)
	if err != nil {
		return nil, err
	}
	if len(b.Records) > 0 && h.rec == nil {
		return nil, fmt.Errorf("history batch %d: %s is a Collector database, which has no change records", b.Seq, d.opts.Location())
	}
	iid, err := d.installationID(ctx)
	if err != nil {
		return nil, err
	}
	for i, r := range b.Records {
		if len(r.Record) != len(h.rec.Columns) {
			return nil, fmt.Errorf("history batch %d: record %d has %d values, %s has %d columns", b.Seq, i+1, len(r.Record), h.rec.Name, len(h.rec.Columns))
		}
	}
	waves := splitWaves(h, b)
	res, err := d.writeBatchTx(ctx, b.Seq, h, iid, waves, bulkChunkRows)
	for _, chunk := range bulkRetryChunkRows {
		if !d.bulkFailed(ctx, err) {
			break
		}
		// The batch was rolled back. A bulk copy can fail for the bytes of
		// one request and not another (bulkChunkRows): the batch goes again
		// with bulk copy cut at other rows, so one unlucky request does not
		// cost every later batch the row-by-row path.
		res, err = d.writeBatchTx(ctx, b.Seq, h, iid, waves, chunk)
	}
	var be *bulkError
	if d.bulkFailed(ctx, err) && errors.As(err, &be) {
		if d.bulkWorked.Load() {
			// Bulk copy works here, but not for this batch's bytes: this
			// batch alone goes one INSERT per row.
			return d.writeBatchTx(ctx, b.Seq, h, iid, waves, rowByRowChunk)
		}
		// The probe passed but the server refused every bulk copy of this
		// batch (permissions on the temp tables, or a server that cannot):
		// it and every later batch take the portable path of one
		// parameterised INSERT per row.
		d.disableBulk(be.err)
		res, err = d.writeBatchTx(ctx, b.Seq, h, iid, waves, bulkChunkRows)
	}
	return res, err
}

// bulkFailed reports whether err is a failure of bulk copy itself that
// writing the batch again may avoid.
func (d *Database) bulkFailed(ctx context.Context, err error) bool {
	var be *bulkError
	return err != nil && errors.As(err, &be) && !IsTransient(err) && ctx.Err() == nil && !d.bulkOff.Load()
}

// writeBatchTx writes the waves of one batch in a transaction of its own,
// chunk rows per bulk load request.
func (d *Database) writeBatchTx(ctx context.Context, seq int, h *histTables, iid data.UUID, waves []wave, chunk int) (*store.HistoryBatchResult, error) {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, d.wrap(fmt.Sprintf("begin history batch %d", seq), err)
	}
	res, err := d.writeWaves(ctx, tx, h, iid, waves, chunk)
	if err != nil {
		err = fmt.Errorf("history batch %d: %w", seq, err)
		if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			err = errors.Join(err, d.wrap("roll back history batch", rerr))
		}
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, d.wrap(fmt.Sprintf("commit history batch %d", seq), err)
	}
	return res, nil
}

// writeWaves writes each wave in turn and adds up what happened. A task
// whose record was a conflict in an earlier wave is a conflict without being
// sent (model §8.3: tasks of a conflicting record are conflicts).
func (d *Database) writeWaves(ctx context.Context, tx *sql.Tx, h *histTables, iid data.UUID, waves []wave, chunk int) (*store.HistoryBatchResult, error) {
	total := &store.HistoryBatchResult{Conflicts: map[string][]data.UUID{}}
	type conflict struct {
		pos  int // in the batch
		guid data.UUID
	}
	conflicts := map[string][]conflict{}
	conflicted := map[data.UUID]bool{}
	taskGuid := -1
	if h.task != nil {
		taskGuid = h.task.Index(histTasks.guid)
	}
	for _, w := range waves {
		send := w
		send.tasks, send.taskParent, send.taskPos = nil, nil, nil
		for i, t := range w.tasks {
			if w.taskParent[i] < 0 && conflicted[w.taskRecord[i]] {
				conflicts[histTasks.table] = append(conflicts[histTasks.table], conflict{w.taskPos[i], t[taskGuid].AsGUID()})
				continue
			}
			send.tasks = append(send.tasks, t)
			send.taskParent = append(send.taskParent, w.taskParent[i])
			send.taskPos = append(send.taskPos, w.taskPos[i])
		}
		res, ords, err := d.writeBatch(ctx, tx, h, iid, &send, chunk)
		if err != nil {
			return nil, err
		}
		pos := map[string][]int{histRecords.table: send.recPos, histTasks.table: send.taskPos, h.keyed().table: send.memPos}
		for e, gs := range res.Conflicts {
			for i, g := range gs {
				conflicts[e] = append(conflicts[e], conflict{pos[e][ords[e][i]], g})
			}
		}
		for _, g := range res.Conflicts[histRecords.table] {
			conflicted[g] = true
		}
		total.RecordsAdded += res.RecordsAdded
		total.RecordsDuplicate += res.RecordsDuplicate
		total.TasksAdded += res.TasksAdded
		total.TasksDuplicate += res.TasksDuplicate
		total.MembershipsAdded += res.MembershipsAdded
		total.MembershipsDuplicate += res.MembershipsDuplicate
		total.AttributesAdded += res.AttributesAdded
	}
	// Conflicts are listed in batch order, as if the rows went one by one.
	for e, cs := range conflicts {
		slices.SortFunc(cs, func(a, b conflict) int { return a.pos - b.pos })
		for _, c := range cs {
			total.Conflicts[e] = append(total.Conflicts[e], c.guid)
		}
	}
	return total, nil
}

// bulkError marks a failure of bulk copy itself, as opposed to the
// statements around it.
type bulkError struct{ err error }

func (e *bulkError) Error() string { return e.err.Error() }
func (e *bulkError) Unwrap() error { return e.err }

func (d *Database) exec(ctx context.Context, tx *sql.Tx, op, stmt string, args ...any) (int64, error) {
	qctx, cancel := d.cmdCtx(ctx)
	defer cancel()
	r, err := tx.ExecContext(qctx, stmt, args...)
	if err != nil {
		return 0, d.wrap(op, err)
	}
	n, _ := r.RowsAffected()
	return n, nil
}

// fill writes rows into a temp table, chunk rows per bulk load request, or
// one INSERT per row when bulk copy is off. It reports whether it used bulk
// copy.
func (d *Database) fill(ctx context.Context, tx *sql.Tx, temp string, t *data.Table, rows []data.Row, extra []extraCol, chunk int) (bool, error) {
	if len(rows) == 0 {
		return false, nil
	}
	if chunk == rowByRowChunk || !d.bulkUsable(ctx) {
		return false, insertRows(ctx, d, tx, temp, t, rows, extra)
	}
	if err := bulkInsert(ctx, d, tx, temp, t, rows, extra, false, chunk); err != nil {
		return true, &bulkError{err}
	}
	return true, nil
}

// checkFill counts the rows of the temp tables just filled by bulk copy. A
// server reports a bulk load request it could not read on the statement
// after it (bulkChunkRows): this statement, so that the failure is known to
// be bulk copy's and the batch is written again.
func (d *Database) checkFill(ctx context.Context, tx *sql.Tx, stmt string, temps []string, sent ...int) error {
	qctx, cancel := d.cmdCtx(ctx)
	defer cancel()
	got := make([]int64, len(sent))
	dest := make([]any, len(sent))
	for i := range got {
		dest[i] = &got[i]
	}
	if err := tx.QueryRowContext(qctx, stmt).Scan(dest...); err != nil {
		return &bulkError{d.wrap("check the bulk copy", err)}
	}
	for i, n := range sent {
		if got[i] != int64(n) {
			return &bulkError{fmt.Errorf("bulk copy into %s: %d of %d rows arrived", temps[i], got[i], n)}
		}
	}
	d.bulkWorked.Store(true)
	return nil
}

// It also returns, per table, the position in the wave of each conflict.
func (d *Database) writeBatch(ctx context.Context, tx *sql.Tx, h *histTables, iid data.UUID, w *wave, chunk int) (*store.HistoryBatchResult, map[string][]int, error) {
	if h.rec == nil {
		return d.writeEvents(ctx, tx, h, iid, w, chunk)
	}
	ords := map[string][]int{}
	recs, attrs, parents, tasks, mems := w.recs, w.attrs, w.parents, w.tasks, w.mems
	recCols, attrCols := names(h.rec, writeCols(h.rec)), names(h.attr, writeCols(h.attr))
	taskCols, memCols := names(h.task, writeCols(h.task)), names(h.mem, writeCols(h.mem))

	if _, err := d.exec(ctx, tx, "drop leftover temp tables", sqlHistDropTemp); err != nil {
		return nil, nil, err
	}
	create, err := sqlHistCreateTemp(h)
	if err != nil {
		return nil, nil, err
	}
	if _, err := d.exec(ctx, tx, "create temp tables", create); err != nil {
		return nil, nil, err
	}
	bulked, err := d.fill(ctx, tx, histRecords.temp, h.rec, recs, ordExtras(), chunk)
	if err != nil {
		return nil, nil, err
	}
	attrExtra := []extraCol{{colParentGuid, func(i int) data.Value { return parents[i] }}}
	b, err := d.fill(ctx, tx, histAttrTemp, h.attr, attrs, attrExtra, chunk)
	if bulked = bulked || b; err != nil {
		return nil, nil, err
	}
	taskExtra := append(ordExtras(), extraCol{colParentOrd, func(i int) data.Value {
		if p := w.taskParent[i]; p >= 0 {
			return data.IntValue(int64(p))
		}
		return data.NullValue()
	}})
	b, err = d.fill(ctx, tx, histTasks.temp, h.task, tasks, taskExtra, chunk)
	if bulked = bulked || b; err != nil {
		return nil, nil, err
	}
	b, err = d.fill(ctx, tx, histMembers.temp, h.mem, mems, ordExtras(), chunk)
	if bulked = bulked || b; err != nil {
		return nil, nil, err
	}
	if bulked {
		if err := d.checkFill(ctx, tx, sqlHistTempCounts, []string{histRecords.temp, histAttrTemp, histTasks.temp, histMembers.temp},
			len(recs), len(attrs), len(tasks), len(mems)); err != nil {
			return nil, nil, err
		}
	}

	res := &store.HistoryBatchResult{Conflicts: map[string][]data.UUID{}}
	id := mssql.UniqueIdentifier(iid)
	for _, e := range []struct {
		ent  historyEntity
		rows []data.Row
	}{{histRecords, recs}, {histTasks, tasks}, {histMembers, mems}} {
		if len(e.rows) == 0 {
			continue
		}
		if _, err := d.exec(ctx, tx, "classify "+e.ent.table+" rows", sqlHistClassify(e.ent), id); err != nil {
			return nil, nil, err
		}
	}
	if err := d.dispositions(ctx, tx, h, res, ords, recs, tasks, mems); err != nil {
		return nil, nil, err
	}
	if len(recs) > 0 {
		if res.RecordsAdded, err = d.execCount(ctx, tx, "insert ChangeRecord rows", sqlHistInsert(histRecords, recCols)); err != nil {
			return nil, nil, err
		}
	}
	if len(attrs) > 0 {
		if res.AttributesAdded, err = d.execCount(ctx, tx, "insert ChangeRecordAttribute rows", sqlHistInsertAttrs(attrCols)); err != nil {
			return nil, nil, err
		}
	}
	if len(tasks) > 0 {
		if res.TasksAdded, err = d.execCount(ctx, tx, "insert ApprovalTask rows", sqlHistInsert(histTasks, taskCols)); err != nil {
			return nil, nil, err
		}
	}
	if len(mems) > 0 {
		if res.MembershipsAdded, err = d.execCount(ctx, tx, "insert TemporalMembership rows", sqlHistInsert(histMembers, memCols)); err != nil {
			return nil, nil, err
		}
	}
	if _, err := d.exec(ctx, tx, "drop temp tables", sqlHistDropTempEnd); err != nil {
		return nil, nil, err
	}
	// Every row is accounted for exactly once, or the batch is not committed.
	if got := res.RecordsAdded + res.RecordsDuplicate + len(res.Conflicts[histRecords.table]); got != len(recs) {
		return nil, nil, fmt.Errorf("records: %d added + duplicate + conflict, %d sent", got, len(recs))
	}
	if got := res.TasksAdded + res.TasksDuplicate + len(res.Conflicts[histTasks.table]); got != len(tasks) {
		return nil, nil, fmt.Errorf("approval tasks: %d added + duplicate + conflict, %d sent", got, len(tasks))
	}
	if got := res.MembershipsAdded + res.MembershipsDuplicate + len(res.Conflicts[histMembers.table]); got != len(mems) {
		return nil, nil, fmt.Errorf("temporal memberships: %d added + duplicate + conflict, %d sent", got, len(mems))
	}
	return res, ords, nil
}

func (d *Database) execCount(ctx context.Context, tx *sql.Tx, op, stmt string) (int, error) {
	n, err := d.exec(ctx, tx, op, stmt)
	return int(n), err
}

// dispositions reads which rows are duplicates or conflicts.
func (d *Database) dispositions(ctx context.Context, tx *sql.Tx, h *histTables, res *store.HistoryBatchResult, ords map[string][]int, recs, tasks, mems []data.Row) error {
	if len(recs)+len(tasks)+len(mems) == 0 {
		return nil
	}
	stmt := sqlHistDispositions
	if h.rec == nil {
		stmt = sqlCollDispositions
	}
	qctx, cancel := d.cmdCtx(ctx)
	defer cancel()
	rows, err := tx.QueryContext(qctx, stmt)
	if err != nil {
		return d.wrap("read duplicates and conflicts", err)
	}
	defer rows.Close()
	for rows.Next() {
		var entity, ord, disp int
		if err := rows.Scan(&entity, &ord, &disp); err != nil {
			return d.wrap("read duplicates and conflicts", err)
		}
		var (
			src   []data.Row
			t     *data.Table
			e     historyEntity
			dupes *int
		)
		switch entity {
		case 1:
			src, t, e, dupes = recs, h.rec, histRecords, &res.RecordsDuplicate
		case 2:
			src, t, e, dupes = tasks, h.task, histTasks, &res.TasksDuplicate
		case 3:
			src, t, e, dupes = mems, h.mem, h.keyed(), &res.MembershipsDuplicate
		default:
			return fmt.Errorf("read duplicates and conflicts: unknown entity %d", entity)
		}
		if ord < 0 || ord >= len(src) {
			return fmt.Errorf("read duplicates and conflicts: %s row %d out of range", e.table, ord)
		}
		switch disp {
		case 1:
			*dupes++
		case 2:
			g := src[ord][t.Index(e.guid)].AsGUID()
			res.Conflicts[e.table] = append(res.Conflicts[e.table], g)
			ords[e.table] = append(ords[e.table], ord)
		default:
			return fmt.Errorf("read duplicates and conflicts: disposition %d", disp)
		}
	}
	if err := rows.Err(); err != nil {
		return d.wrap("read duplicates and conflicts", err)
	}
	return nil
}
