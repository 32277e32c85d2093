package dbopen

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"time"

	"github.com/rs/zerolog"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/sqlserver"
	"github.com/activeroles/arupgrade/core/store"
)

// Destination is an opened import destination and what the preflight needs
// to know about how it was named.
type Destination struct {
	// Exists is true when Create was asked and a database (or file) of that
	// name already exists (AR-E008).
	Exists bool
	// IsAzureSQL tells the history import to explain that logins are never
	// synchronised to Azure SQL.
	IsAzureSQL bool
	// TakenOver: the destination was left by an interrupted run of the same
	// operation that had created it, and this run took it over (Claim).
	TakenOver bool
}

// destination is what both imports write to.
type destination interface {
	store.ConfigDestination
	store.HistoryDestination
}

// OpenConfigDestination opens the destination of a configuration import.
func OpenConfigDestination(ctx context.Context, ep *Endpoint, w Warner, log zerolog.Logger) (store.ConfigDestination, Destination, error) {
	if ep.IsBundle() {
		d, err := openBundleDest(ep, func() (store.ConfigDestination, error) {
			return bundle.OpenConfigDestination(ep.Path, bundle.WithLogger(log), bundle.WithProducer("arupgrade "+engine.Version))
		})
		return d, Destination{Exists: ep.Create && fileExists(ep.Path)}, err
	}
	d, info, err := openSQLDest(ctx, ep, w)
	return d, info, err
}

// OpenHistoryDestination opens the destination of a history import. A
// bundle left by an interrupted import opens normally: its unfinished last
// batch is discarded and the import continues after the last committed one.
func OpenHistoryDestination(ctx context.Context, ep *Endpoint, w Warner, log zerolog.Logger) (store.HistoryDestination, Destination, error) {
	if ep.IsBundle() {
		d, err := openBundleDest(ep, func() (store.HistoryDestination, error) {
			return bundle.OpenHistoryDestination(ep.Path, bundle.WithLogger(log), bundle.WithProducer("arupgrade "+engine.Version))
		})
		return d, Destination{Exists: ep.Create && fileExists(ep.Path)}, err
	}
	d, info, err := openSQLDest(ctx, ep, w)
	return d, info, err
}

func openBundleDest[T any](ep *Endpoint, open func() (T, error)) (T, error) {
	var zero T
	if !ep.Create && !fileExists(ep.Path) {
		return zero, arerr.Errorf("AR-NOTFOUND", arerr.CatObjectNotFound,
			"Check the path, or ask for a new destination ("+arerr.Param("destination.create")+").",
			"The destination bundle %s does not exist.", ep.Describe())
	}
	d, err := open()
	if err != nil {
		return zero, bundleErr(err, ep)
	}
	return d, nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, fs.ErrNotExist)
}

// openSQLDest opens a SQL Server destination. With Create, a database that
// does not exist yet is represented by a blank placeholder and created only
// when the import initialises it, after every preflight check passed.
func openSQLDest(ctx context.Context, ep *Endpoint, w Warner) (destination, Destination, error) {
	o, err := SQLOptions(ep)
	if err != nil {
		return nil, Destination{}, err
	}
	info := Destination{IsAzureSQL: o.DatabaseType == sqlserver.AzureSQL}
	if ep.Create {
		master := o
		master.Database = "master"
		m, err := openSQL(ctx, &Endpoint{}, nil, sqlserver.OpenOptions{}, master)
		if err != nil {
			return nil, info, err
		}
		exists, err := m.DatabaseExists(ctx, o.Database)
		_ = m.Close()
		if err != nil {
			return nil, info, connErr(err, o)
		}
		if !exists {
			if w != nil {
				for _, wn := range o.Warnings() {
					w.Warn(wn.Code, wn.Message)
				}
			}
			return &pendingSQL{opts: o, w: w}, info, nil
		}
		info.Exists = true
	}
	d, err := openSQL(ctx, ep, w, sqlserver.OpenOptions{}, o)
	if err != nil {
		return nil, info, err
	}
	return d, info, nil
}

// pendingSQL is a SQL Server database that does not exist yet: blank until
// Initialize creates it.
type pendingSQL struct {
	opts sqlserver.Options
	w    Warner
	db   *sqlserver.Database
	// holder is set by LockForWrite: Initialize takes the database's writer
	// lock for it as soon as the database exists, before its first write.
	holder  *store.LockHolder
	release func() error // the lock Initialize took
}

var _ store.Locker = (*pendingSQL)(nil)

// LockForWrite (store.Locker) cannot lock a database that does not exist
// yet: it notes the holder, and Initialize takes the lock right after
// CREATE DATABASE. A second run asking to create the same database fails at
// CREATE DATABASE; one that opens the new database by name before the lock
// is taken finds it blank and is refused by the lock once it is.
func (p *pendingSQL) LockForWrite(ctx context.Context, holder store.LockHolder) (func() error, error) {
	h := holder
	p.holder = &h
	return func() error {
		r := p.release
		p.release = nil
		if r == nil {
			return nil
		}
		return r()
	}, nil
}

func (p *pendingSQL) Info(ctx context.Context) (*store.Info, error) {
	if p.db != nil {
		return p.db.Info(ctx)
	}
	return &store.Info{Kind: "sqlserver", Location: p.opts.Location()}, nil
}

func (p *pendingSQL) Count(ctx context.Context, table string) (int64, error) {
	if p.db != nil {
		return p.db.Count(ctx, table)
	}
	return 0, nil
}

func (p *pendingSQL) Scan(ctx context.Context, table string) (store.Rows, error) {
	if p.db != nil {
		return p.db.Scan(ctx, table)
	}
	return emptyRows{}, nil
}

func (p *pendingSQL) Close() error {
	if p.db != nil {
		return p.db.Close()
	}
	return nil
}

// Initialize creates the database, then its schema.
func (p *pendingSQL) Initialize(ctx context.Context, tables []data.Table, ddl []string, settings map[string]string) error {
	if p.db == nil {
		if err := sqlserver.CreateDatabase(ctx, p.opts, p.opts.Database); err != nil {
			return err
		}
		db, err := sqlserver.Open(ctx, p.opts, sqlserver.OpenOptions{})
		if err != nil {
			return err
		}
		p.db = db
		if p.holder != nil {
			rel, err := db.LockForWrite(ctx, *p.holder)
			if err != nil {
				return err
			}
			p.release = rel
		}
	}
	return p.db.Initialize(ctx, tables, ddl, settings)
}

var errNotCreated = errors.New("the destination database has not been created yet")

func (p *pendingSQL) StartRun(ctx context.Context, run store.ImportRun) (int64, time.Time, error) {
	if p.db == nil {
		return 0, time.Time{}, errNotCreated
	}
	return p.db.StartRun(ctx, run)
}

func (p *pendingSQL) FinishRun(ctx context.Context, id int64, fin store.RunFinish) error {
	if p.db == nil {
		return errNotCreated
	}
	return p.db.FinishRun(ctx, id, fin)
}

func (p *pendingSQL) BeginConfig(ctx context.Context) (store.ConfigTx, error) {
	if p.db == nil {
		return nil, errNotCreated
	}
	return p.db.BeginConfig(ctx)
}

func (p *pendingSQL) WriteHistoryBatch(ctx context.Context, b *store.HistoryBatch) (*store.HistoryBatchResult, error) {
	if p.db == nil {
		return nil, errNotCreated
	}
	return p.db.WriteHistoryBatch(ctx, b)
}

type emptyRows struct{}

func (emptyRows) Next() bool    { return false }
func (emptyRows) Row() data.Row { return nil }
func (emptyRows) Err() error    { return nil }
func (emptyRows) Close() error  { return nil }

// DiscardCreated removes a destination that this run created (Create was
// asked and nothing existed) after the run failed, so that a failed or
// cancelled configuration import leaves nothing behind and the same command
// can simply be run again. A bundle is removed only when this run created it
// and still holds its lock (Claim); a run that was refused, or that found
// someone else's file, removes nothing. It reports whether it removed it.
func DiscardCreated(ctx context.Context, ep *Endpoint, dst store.Source) (bool, error) {
	if d, ok := dst.(interface{ DiscardCreated() (bool, error) }); ok {
		return d.DiscardCreated()
	}
	p, ok := dst.(*pendingSQL)
	if !ok || p.db == nil || (p.holder != nil && p.release == nil) {
		// Not created by this run, or created but locked by another run
		// since: that run's database now.
		return false, nil
	}
	_ = p.db.Close()
	p.db = nil
	if err := sqlserver.DropDatabase(ctx, p.opts, p.opts.Database); err != nil {
		return false, err
	}
	return true, nil
}
