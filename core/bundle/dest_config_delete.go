package bundle

import (
	"context"
	"fmt"

	"github.com/activeroles/arupgrade/core/data"
)

// Delete removes the rows whose primary key equals one of keys (values in
// the order of the table's PrimaryKey); a key that matches no row fails the
// call. Identity values are not reused afterwards, as on SQL Server.
func (tx *ConfigTx) Delete(ctx context.Context, table string, keys []data.Row) error {
	tt, err := tx.table(ctx, table)
	if err != nil {
		return fmt.Errorf("delete from %s: %w", table, err)
	}
	seq := make([]int, len(tt.pk))
	for i := range seq {
		seq[i] = i
	}
	gone := map[int]bool{}
	for _, k := range keys {
		if len(k) != len(tt.pk) {
			return fmt.Errorf("delete from %s: a key has %d values, the primary key has %d columns", table, len(k), len(tt.pk))
		}
		i, ok := tt.keys[keyString(k, seq)]
		if !ok || gone[i] {
			return fmt.Errorf("delete from %s: no row has the primary key (%s)", table, keyText(k, seq))
		}
		gone[i] = true
	}
	if len(gone) == 0 {
		return nil
	}
	kept := tt.rows[:0]
	clear(tt.keys)
	for i, r := range tt.rows {
		if gone[i] {
			continue
		}
		tt.keys[keyString(r, tt.pk)] = len(kept)
		kept = append(kept, r)
	}
	clear(tt.rows[len(kept):])
	tt.rows, tt.dirty = kept, true
	return nil
}
