// Package testdb names test databases by one string, so that a test body
// runs against a bundle and a SQL Server database alike: a bundle path, or
// "sql:" + the name of a scratch database on the server of AR_TEST_SQLSERVER
// (a connection string whose account may create databases). Tests that need
// the server skip with a reason when it is not set.
package testdb

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/sqlserver"
	"github.com/activeroles/arupgrade/core/store"
)

// Env is the variable holding the integration server's connection string.
const Env = "AR_TEST_SQLSERVER"

const sqlPrefix = "sql:"

// IsSQL reports whether loc names a SQL Server scratch database.
func IsSQL(loc string) bool { return strings.HasPrefix(loc, sqlPrefix) }

// Server returns the integration server's options, or skips t.
func Server(t testing.TB) sqlserver.Options {
	t.Helper()
	o, ok, err := server()
	if !ok {
		t.Skip(Env + " is not set; set it to a connection string of a SQL Server where the account may create databases (README, Building and testing) to run this test against SQL Server")
	}
	if err != nil {
		t.Fatalf("%s: %v", Env, err)
	}
	return o
}

func server() (sqlserver.Options, bool, error) {
	s := os.Getenv(Env)
	if s == "" {
		return sqlserver.Options{}, false, nil
	}
	o, err := sqlserver.ParseLocation(s)
	return o, true, err
}

var seq atomic.Int64

// Scratch creates an empty database, drops it when the test ends, and
// returns its location.
func Scratch(t testing.TB) string {
	t.Helper()
	srv := Server(t)
	ctx := context.Background()
	name := fmt.Sprintf("arupg_t_%d_%d", time.Now().UnixNano()%1e9, seq.Add(1))
	if err := sqlserver.CreateDatabase(ctx, srv, name); err != nil {
		t.Fatalf("create scratch database: %v", err)
	}
	t.Cleanup(func() {
		if err := sqlserver.DropDatabase(context.WithoutCancel(ctx), srv, name); err != nil {
			t.Errorf("drop scratch database %s: %v", name, err)
		}
	})
	return sqlPrefix + name
}

// OpenSQL opens the database a sql: location names.
func OpenSQL(loc string) (*sqlserver.Database, error) {
	o, ok, err := server()
	if !ok || err != nil {
		return nil, fmt.Errorf("%s needs %s: %v", loc, Env, err)
	}
	o.Database = strings.TrimPrefix(loc, sqlPrefix)
	return sqlserver.Open(context.Background(), o, sqlserver.OpenOptions{})
}

// HistoryDestination is a history destination that can be closed.
type HistoryDestination interface {
	store.HistoryDestination
	Close() error
}

// ConfigDestination is a configuration destination that can be closed.
type ConfigDestination interface {
	store.ConfigDestination
	Close() error
}

// Source is a readable database that can be closed.
type Source interface {
	store.Source
	Close() error
}

// OpenHistoryDestination opens loc as a history destination.
func OpenHistoryDestination(loc string) (HistoryDestination, error) {
	if IsSQL(loc) {
		return OpenSQL(loc)
	}
	return bundle.OpenHistoryDestination(loc)
}

// OpenConfigDestination opens loc as a configuration destination.
func OpenConfigDestination(loc string) (ConfigDestination, error) {
	if IsSQL(loc) {
		return OpenSQL(loc)
	}
	return bundle.OpenConfigDestination(loc)
}

// Open opens loc for reading.
func Open(loc string) (Source, error) {
	if IsSQL(loc) {
		return OpenSQL(loc)
	}
	return bundle.Open(loc)
}
