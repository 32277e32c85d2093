package website

import (
	"context"
	"io"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/store"
)

// change is one step of a site write: rows to delete (by primary key) or to
// insert into one table.
type change struct {
	table  string
	delete []data.Row // primary-key values, in the table's key order
	insert []data.Row // whole rows, in the table's column order
}

// apply writes the changes in order in one transaction: all of them or, on
// any error, none.
func apply(ctx context.Context, dst store.ConfigDestination, what string, changes []change) error {
	tx, err := dst.BeginConfig(ctx)
	if err != nil {
		return arerr.Wrap(err, "AR-WRITE", arerr.CatWriteError, "Nothing was written.", "Cannot start the transaction to %s", what)
	}
	fail := func(err error, format string, args ...any) error {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return arerr.Wrap(err, "AR-WRITE", arerr.CatWriteError, "Nothing was written.", format, args...)
	}
	for _, c := range changes {
		if len(c.delete) > 0 {
			if err := tx.Delete(ctx, c.table, c.delete); err != nil {
				return fail(err, "Cannot %s (deleting from %s)", what, c.table)
			}
		}
		if len(c.insert) > 0 {
			if err := tx.Insert(ctx, c.table, c.insert); err != nil {
				return fail(err, "Cannot %s (writing %s)", what, c.table)
			}
		}
	}
	if err := tx.Commit(ctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return arerr.Wrap(err, "AR-WRITE", arerr.CatWriteError, "Nothing was written.", "Cannot commit (%s)", what)
	}
	return nil
}

// row builds a row of table t from values by column name; columns not
// named are NULL (identity columns: assigned by the destination).
func row(t *data.Table, values map[string]data.Value) (data.Row, error) {
	r := make(data.Row, len(t.Columns))
	for name, v := range values {
		i := t.Index(name)
		if i < 0 {
			return nil, arerr.Errorf("AR-WRITE", arerr.CatInvalidData, "Name an Active Roles 8.2 configuration database.", "The %s table has no %s column.", t.Name, name)
		}
		r[i] = v
	}
	return r, nil
}

// newGUID is a random (version 4) GUID from rnd.
func newGUID(rnd io.Reader) (data.UUID, error) {
	var g data.UUID
	if _, err := io.ReadFull(rnd, g[:]); err != nil {
		return g, arerr.Wrap(err, "AR-RANDOM", arerr.CatNotSpecified, "", "Cannot make a new GUID")
	}
	g[6] = (g[6] & 0x0f) | 0x40
	g[8] = (g[8] & 0x3f) | 0x80
	return g, nil
}
