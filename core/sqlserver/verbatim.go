package sqlserver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/activeroles/arupgrade/core/data"
)

// InsertVerbatim writes rows into table exactly as given, identity values
// included (SET IDENTITY_INSERT), in one transaction. The imports never use
// it: it puts a sample database of any version on a server, so that tests
// and demonstrations can upgrade from SQL Server as users do.
func (d *Database) InsertVerbatim(ctx context.Context, table string, rows []data.Row) error {
	t, err := d.table(ctx, table)
	if err != nil {
		return err
	}
	if err := checkRowLengths(t, rows); err != nil {
		return err
	}
	identity := false
	for _, c := range t.Columns {
		identity = identity || c.Identity
	}
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return d.wrap("open a session", err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return d.wrap("begin verbatim insert", err)
	}
	if err := d.insertVerbatim(ctx, tx, t, rows, identity); err != nil {
		if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			err = errors.Join(err, d.wrap("roll back verbatim insert", rerr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return d.wrap("commit verbatim insert into "+t.Name, err)
	}
	return nil
}

func (d *Database) insertVerbatim(ctx context.Context, tx *sql.Tx, t *data.Table, rows []data.Row, identity bool) error {
	if identity {
		if _, err := tx.ExecContext(ctx, sqlIdentityInsert(t.Name, true)); err != nil {
			return d.wrap("allow identity values in "+t.Name, err)
		}
	}
	stmt, err := tx.PrepareContext(ctx, sqlInsertRow(t.Name, t.ColumnNames()))
	if err != nil {
		return d.wrap("prepare insert into "+t.Name, err)
	}
	defer stmt.Close()
	args := make([]any, len(t.Columns))
	for ri, r := range rows {
		for i := range t.Columns {
			if args[i], err = param(&t.Columns[i], r[i]); err != nil {
				return fmt.Errorf("insert into %s row %d: %w", t.Name, ri+1, err)
			}
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return d.wrap(fmt.Sprintf("insert into %s row %d", t.Name, ri+1), err)
		}
	}
	if identity {
		if _, err := tx.ExecContext(ctx, sqlIdentityInsert(t.Name, false)); err != nil {
			return d.wrap("end identity values in "+t.Name, err)
		}
	}
	return nil
}
