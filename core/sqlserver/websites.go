package sqlserver

import (
	"context"
	"fmt"

	"github.com/activeroles/arupgrade/core/data"
)

// Delete removes rows by primary key, one parameterised DELETE each, inside
// the configuration transaction; a key that matches no row fails the call
// (the transaction is then rolled back by the caller, so nothing changes).
func (c *configTx) Delete(ctx context.Context, table string, keys []data.Row) error {
	if len(keys) == 0 {
		return nil
	}
	t, err := c.d.table(ctx, table)
	if err != nil {
		return err
	}
	if len(t.PrimaryKey) == 0 {
		return fmt.Errorf("delete from %s: the table has no primary key", t.Name)
	}
	key := make([]int, len(t.PrimaryKey))
	for i, k := range t.PrimaryKey {
		key[i] = t.Index(k)
	}
	if err := c.d.acquireCfg(); err != nil {
		return err
	}
	defer c.d.releaseCfg()
	stmt := sqlDeleteRow(t.Name, t.PrimaryKey)
	for ki, k := range keys {
		if len(k) != len(key) {
			return fmt.Errorf("delete from %s: key %d has %d values, the primary key has %d columns", t.Name, ki+1, len(k), len(key))
		}
		args := make([]any, len(key))
		for i, col := range key {
			p, err := param(&t.Columns[col], k[i])
			if err != nil {
				return fmt.Errorf("delete from %s key %d: %w", t.Name, ki+1, err)
			}
			args[i] = p
		}
		qctx, cancel := c.d.cmdCtx(ctx)
		res, err := c.tx.ExecContext(qctx, stmt, args...)
		cancel()
		if err != nil {
			return c.d.wrap(fmt.Sprintf("delete from %s key %d", t.Name, ki+1), err)
		}
		if n, err := res.RowsAffected(); err == nil && n != 1 {
			return fmt.Errorf("delete from %s key %d: %d rows matched the primary key, want 1", t.Name, ki+1, n)
		}
	}
	return nil
}
