package sqlserver

import (
	"context"
	"database/sql"

	"github.com/activeroles/arupgrade/core/store"
)

// Permissions reports the account's rights in the database (guide:
// db_datareader on the source; db_owner and default schema dbo on the
// destination; CREATE ANY DATABASE to create new databases).
func (d *Database) Permissions(ctx context.Context) (store.Permissions, error) {
	qctx, cancel := d.cmdCtx(ctx)
	defer cancel()
	var p store.Permissions
	var reader, owner, create int
	if err := d.db.QueryRowContext(qctx, sqlPermissions).Scan(&reader, &owner, &p.DefaultSchema, &create); err != nil {
		return p, d.wrap("read permissions", err)
	}
	p.DataReader = reader == 1 || owner == 1 // db_owner reads everything too
	p.DbOwner = owner == 1
	p.CanCreateDatabase = create == 1
	return p, nil
}

// Space reports the data files' used bytes and the free bytes left in them
// plus the growth their max_size still allows. known is false on Azure SQL
// Database (the service grows storage itself), when FILEPROPERTY returns NULL
// or cannot run (no permission, or a server without it), and when a data file may grow without limit (only the
// disk limits it, which a database user cannot see).
func (d *Database) Space(ctx context.Context) (usedBytes, freeBytes int64, known bool, err error) {
	if d.opts.DatabaseType == AzureSQL {
		return 0, 0, false, nil
	}
	qctx, cancel := d.cmdCtx(ctx)
	defer cancel()
	var used, free, growable sql.NullInt64
	var unlimited, knownFiles, files int
	if err := d.db.QueryRowContext(qctx, sqlSpace).Scan(&used, &free, &growable, &unlimited, &knownFiles, &files); err != nil {
		if ctx.Err() != nil {
			return 0, 0, false, d.wrap("read database size", err)
		}
		// The space check is advisory: without the permission (229, 297,
		// 300) or on a server without FILEPROPERTY, the size is unknown and
		// the check says so instead of failing the import.
		return 0, 0, false, nil
	}
	if files == 0 || knownFiles != files || !used.Valid || unlimited > 0 {
		return 0, 0, false, nil
	}
	return used.Int64, free.Int64 + growable.Int64, true, nil
}
