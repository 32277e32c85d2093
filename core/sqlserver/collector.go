package sqlserver

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	mssql "github.com/microsoft/go-mssqldb"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/store"
)

// isCollector reports whether the database's DatabaseRole is Collector
// (model §13): its history batches carry events in the memberships slot.
func (d *Database) isCollector(ctx context.Context) bool {
	d.mu.Lock()
	in := d.info
	d.mu.Unlock()
	if in == nil {
		var err error
		if in, err = d.Info(ctx); err != nil {
			return false // historyTables then reports the missing tables
		}
	}
	return store.KeyedTableOf(in.Settings["DatabaseRole"]).Table == collEvents.table
}

// writeEvents is writeBatch for a Collector database: one wave of events
// through #events, classified by GUID and natural key and inserted with
// the history builders (model §13.5, §8.3). It also returns the position
// in the wave of each conflict.
func (d *Database) writeEvents(ctx context.Context, tx *sql.Tx, h *histTables, iid data.UUID, w *wave, chunk int) (*store.HistoryBatchResult, map[string][]int, error) {
	if len(w.recs)+len(w.tasks) > 0 {
		return nil, nil, fmt.Errorf("a Collector database has no change records or approval tasks")
	}
	e, mems := h.keyed(), w.mems
	res := &store.HistoryBatchResult{Conflicts: map[string][]data.UUID{}}
	ords := map[string][]int{}
	if len(mems) == 0 {
		return res, ords, nil
	}
	if _, err := d.exec(ctx, tx, "drop leftover temp table", sqlCollDropTemp); err != nil {
		return nil, nil, err
	}
	create, err := sqlCollCreateTemp(h.mem)
	if err != nil {
		return nil, nil, err
	}
	if _, err := d.exec(ctx, tx, "create temp table", create); err != nil {
		return nil, nil, err
	}
	bulked, err := d.fill(ctx, tx, e.temp, h.mem, mems, ordExtras(), chunk)
	if err != nil {
		return nil, nil, err
	}
	if bulked {
		if err := d.checkFill(ctx, tx, sqlCollTempCount, []string{e.temp}, len(mems)); err != nil {
			return nil, nil, err
		}
	}
	if _, err := d.exec(ctx, tx, "classify "+e.table+" rows", sqlHistClassify(e), mssql.UniqueIdentifier(iid)); err != nil {
		return nil, nil, err
	}
	if err := d.dispositions(ctx, tx, h, res, ords, nil, nil, mems); err != nil {
		return nil, nil, err
	}
	if res.MembershipsAdded, err = d.execCount(ctx, tx, "insert "+e.table+" rows", sqlHistInsert(e, names(h.mem, writeCols(h.mem)))); err != nil {
		return nil, nil, err
	}
	if _, err := d.exec(ctx, tx, "drop temp table", sqlCollDropTempEnd); err != nil {
		return nil, nil, err
	}
	// Every event is accounted for exactly once, or the batch is not committed.
	if got := res.MembershipsAdded + res.MembershipsDuplicate + len(res.Conflicts[e.table]); got != len(mems) {
		return nil, nil, fmt.Errorf("%s: %d added + duplicate + conflict, %d sent", strings.ToLower(e.table), got, len(mems))
	}
	return res, ords, nil
}
