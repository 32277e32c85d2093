package sqlserver

import (
	"context"
	"fmt"
	"strings"
	"time"

	mssql "github.com/microsoft/go-mssqldb"
)

// bulkProbeRows is how many rows the probe sends: enough to span many TDS
// packets, as real batches do.
const bulkProbeRows = 2000

// bulkUsable reports whether bulk copy works against this server, probing
// once per Database before the first bulk copy: a server whose bulk load
// fails part-way can leave the session unusable and the transaction doomed,
// which the configuration import (one transaction) could not recover from.
// When it does not work, rows go one parameterised INSERT at a time, which
// every server accepts, and the caller is warned (AR-W105).
func (d *Database) bulkUsable(ctx context.Context) bool {
	if d.oo.RowByRow {
		return false
	}
	d.bulkMu.Lock()
	defer d.bulkMu.Unlock()
	if d.bulkProbed || d.bulkOff.Load() {
		return !d.bulkOff.Load()
	}
	err := d.probeBulk(ctx)
	switch {
	case err == nil:
		d.bulkProbed = true
	case ctx.Err() != nil || IsTransient(wrap("probe bulk copy", err, &d.opts)):
		// A dropped connection says nothing about bulk copy: try it, and
		// probe again before the next bulk copy.
	default:
		d.bulkProbed = true
		d.disableBulk(err)
	}
	return !d.bulkOff.Load()
}

// disableBulk switches this Database to row-by-row inserts, once, saying why.
func (d *Database) disableBulk(cause error) {
	if d.bulkOff.CompareAndSwap(false, true) && d.oo.Warn != nil {
		d.oo.Warn(WarnBulkCopyUnavailable, fmt.Sprintf("bulk copy into %s is not available (%v); rows are inserted one statement at a time, which is slower", d.opts.Location(), cause))
	}
}

// probeBulk bulk-copies rows of the column types the imports send into a
// session temp table on a session of its own and checks they all arrived
// and that the session still answers.
func (d *Database) probeBulk(ctx context.Context) error {
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer discardSession(conn) // whatever state the probe left, it goes
	qctx, cancel := d.cmdCtx(ctx)
	defer cancel()
	if _, err := conn.ExecContext(qctx, sqlBulkProbeCreate); err != nil {
		return err
	}
	stmt, err := conn.PrepareContext(qctx, mssql.CopyIn(bulkProbeTable, mssql.BulkOptions{KeepNulls: true}, "Id", "Name", "Value", "Guid", "Sid", "Kind", "Flag", "When"))
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i := range bulkProbeRows {
		var g any
		if i%2 == 0 {
			g = mssql.UniqueIdentifier{byte(i), byte(i >> 8), 1}
		}
		sid := fmt.Sprintf("S-1-5-21-1004336348-1177238915-682003330-%d", 1000+i)
		when := time.Date(2024, 1, 1, 0, 0, i%60, (i%1000)*1e6, time.UTC)
		if _, err := stmt.ExecContext(qctx, int64(i), fmt.Sprintf("row %d", i), strings.Repeat("v", i%600), g, sid, "ManagedUnit", i%2 == 0, when); err != nil {
			return err
		}
	}
	if _, err := stmt.ExecContext(qctx); err != nil {
		return err
	}
	var n int64
	if err := conn.QueryRowContext(qctx, sqlBulkProbeCount).Scan(&n); err != nil {
		return err
	}
	if n != bulkProbeRows {
		return fmt.Errorf("%d of %d rows arrived", n, bulkProbeRows)
	}
	return nil
}
