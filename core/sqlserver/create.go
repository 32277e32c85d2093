package sqlserver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf16"

	"github.com/activeroles/arupgrade/core/data"
)

// maxNameUnits is SQL Server's sysname limit: 128 UTF-16 code units. A
// character outside the Basic Multilingual Plane (an emoji, 𝔄) takes two.
const maxNameUnits = 128

// checkDatabaseName refuses names SQL Server would reject or QUOTENAME would
// turn into NULL (more than 128 UTF-16 code units) — and sp_executesql NULL
// then creates nothing and reports no error.
func checkDatabaseName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return optErr("Database", "no database name given", "give a name such as ActiveRoles820")
	case utf16Len(name) > maxNameUnits:
		return optErr("Database", fmt.Sprintf("the name is %d UTF-16 code units long, SQL Server allows %d (a character outside the Basic Multilingual Plane, such as an emoji, counts twice)", utf16Len(name), maxNameUnits), "choose a shorter name")
	case strings.ContainsRune(name, 0):
		return optErr("Database", "the name contains a NUL character", "choose another name")
	}
	return nil
}

// DatabaseExists reports whether DB_ID(name) is not NULL on d's server.
func (d *Database) DatabaseExists(ctx context.Context, name string) (bool, error) {
	return databaseExists(ctx, d.db, d, name)
}

func databaseExists(ctx context.Context, q queryer, d *Database, name string) (bool, error) {
	if err := checkDatabaseName(name); err != nil {
		return false, err
	}
	qctx, cancel := d.cmdCtx(ctx)
	defer cancel()
	var n int
	if err := q.QueryRowContext(qctx, sqlDatabaseExists, name).Scan(&n); err != nil {
		return false, d.wrap("look for database "+name, err)
	}
	return n == 1, nil
}

// CreateDatabase creates an empty database named name on the server of
// serverOptions (connecting to master). It returns *DatabaseExistsError
// (errors.Is ErrDatabaseExists; AR-E008) when the name is taken.
func CreateDatabase(ctx context.Context, serverOptions Options, name string) error {
	if err := checkDatabaseName(name); err != nil {
		return err
	}
	o := serverOptions
	o.Database = "master"
	db, err := openPool(ctx, o)
	if err != nil {
		return err
	}
	defer db.Close()
	return createDatabase(ctx, db, o.withDefaults(), name)
}

func createDatabase(ctx context.Context, db *sql.DB, o Options, name string) error {
	d := &Database{opts: o, db: db}
	exists, err := databaseExists(ctx, db, d, name)
	if err != nil {
		return err
	}
	if exists {
		return &DatabaseExistsError{Name: name, Server: o.ServerName()}
	}
	qctx, cancel := d.cmdCtx(ctx)
	defer cancel()
	if o.DatabaseType == AzureSQL {
		_, err = db.ExecContext(qctx, sqlCreateDatabaseAzure(name))
	} else {
		_, err = db.ExecContext(qctx, sqlCreateDatabase, name)
	}
	if err != nil {
		if ErrorNumber(err) == 1801 { // created by someone else in between
			return &DatabaseExistsError{Name: name, Server: o.ServerName()}
		}
		return d.wrap("create database "+name, err)
	}
	return nil
}

// Initialize creates the blank schema (store.Initializer): every DDL batch,
// then the given Settings rows, in one transaction (SQL Server allows DDL in
// a transaction), so a failure leaves the database blank.
func (d *Database) Initialize(ctx context.Context, tables []data.Table, ddl []string, settings map[string]string) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return d.wrap("begin initialisation", err)
	}
	if err := d.initialize(ctx, tx, ddl, settings); err != nil {
		if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			err = errors.Join(err, d.wrap("roll back initialisation", rerr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return d.wrap("commit initialisation", err)
	}
	d.mu.Lock()
	d.info = nil // the catalog changed
	d.iid = nil
	d.mu.Unlock()
	_ = tables // the DDL is the schema; tables describe it for stores that need it
	return nil
}

func (d *Database) initialize(ctx context.Context, tx *sql.Tx, ddl []string, settings map[string]string) error {
	var n int
	qctx, cancel := d.cmdCtx(ctx)
	err := tx.QueryRowContext(qctx, sqlUserTableCount).Scan(&n)
	cancel()
	if err != nil {
		return d.wrap("check that the database is blank", err)
	}
	if n != 0 {
		return fmt.Errorf("initialise %s: the database has %d user tables; only a blank database is initialised", d.opts.Location(), n)
	}
	for i, batch := range ddl {
		if strings.TrimSpace(batch) == "" {
			continue
		}
		qctx, cancel := d.cmdCtx(ctx)
		_, err := tx.ExecContext(qctx, batch)
		cancel()
		if err != nil {
			return d.wrap(fmt.Sprintf("run DDL batch %d of %d", i+1, len(ddl)), err)
		}
	}
	names := make([]string, 0, len(settings))
	for n := range settings {
		names = append(names, n)
	}
	sort.Strings(names) // deterministic statement order
	for _, n := range names {
		qctx, cancel := d.cmdCtx(ctx)
		_, err := tx.ExecContext(qctx, sqlInsertSetting, n, settings[n])
		cancel()
		if err != nil {
			return d.wrap("insert setting "+n, err)
		}
	}
	return nil
}

// DropDatabase removes a database. The tool never drops a database itself;
// integration tests clean up their scratch databases with it.
func DropDatabase(ctx context.Context, serverOptions Options, name string) error {
	if err := checkDatabaseName(name); err != nil {
		return err
	}
	o := serverOptions
	o.Database = "master"
	db, err := openPool(ctx, o)
	if err != nil {
		return err
	}
	defer db.Close()
	// A plain DROP works on every server when nobody is connected (the usual
	// case for a scratch database). Only when sessions hold the database
	// (3702) are they closed first, which Azure SQL Database neither allows
	// nor needs.
	_, err = db.ExecContext(ctx, sqlDropDatabase, name)
	if ErrorNumber(err) == 3702 && o.withDefaults().DatabaseType != AzureSQL {
		_, err = db.ExecContext(ctx, sqlDropDatabaseInUse, name)
	}
	if err != nil {
		return wrap("drop database "+name, err, &o)
	}
	return nil
}

// utf16Len is the length of s in UTF-16 code units, as SQL Server counts
// nvarchar/sysname lengths.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
