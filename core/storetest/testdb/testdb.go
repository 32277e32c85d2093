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
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/sqlserver"
	"github.com/activeroles/arupgrade/core/store"
	"github.com/activeroles/arupgrade/core/storetest"
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
	if err := storetest.CatalogAgain(func() error { return sqlserver.CreateDatabase(ctx, srv, name) }); err != nil {
		t.Fatalf("create scratch database: %v", err)
	}
	t.Cleanup(func() {
		if err := drop(context.WithoutCancel(ctx), srv, name); err != nil {
			t.Errorf("drop scratch database %s: %v", name, err)
		}
	})
	return sqlPrefix + name
}

// OpenSQL opens the database a sql: location names (with oo, when given).
func OpenSQL(loc string, oo ...sqlserver.OpenOptions) (*sqlserver.Database, error) {
	o, ok, err := server()
	if !ok || err != nil {
		return nil, fmt.Errorf("%s needs %s: %v", loc, Env, err)
	}
	o.Database = strings.TrimPrefix(loc, sqlPrefix)
	var opts sqlserver.OpenOptions
	if len(oo) > 0 {
		opts = oo[0]
	}
	return sqlserver.Open(context.Background(), o, opts)
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

// LoadBundle puts the database a bundle holds (any version and role) into a
// new scratch database, identity values included, and returns its location:
// a SQL Server source for the imports, as users have.
func LoadBundle(t testing.TB, path string) string {
	t.Helper()
	ctx := context.Background()
	src, err := bundle.Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer src.Close()
	in, err := src.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	det := model.Detect(in)
	if det.State != model.StateSupported {
		t.Fatalf("%s: %s", path, det.State)
	}
	ddl, err := model.DDL(det.Version, det.Role)
	if err != nil {
		t.Fatal(err)
	}
	loc := Scratch(t)
	d, err := OpenSQL(loc)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Initialize(ctx, in.Tables, ddl, nil); err != nil {
		t.Fatalf("create the %s %s schema: %v", det.Version, det.Role, err)
	}
	for _, tb := range in.Tables {
		rows, err := src.Scan(ctx, tb.Name)
		if err != nil {
			t.Fatal(err)
		}
		var all []data.Row
		for rows.Next() {
			all = append(all, rows.Row().Clone())
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if err := d.InsertVerbatim(ctx, tb.Name, all); err != nil {
			t.Fatalf("load %s: %v", tb.Name, err)
		}
	}
	return loc
}

// ConnString renders a connection string for the database a sql: location
// (or, with a plain name, any database on the integration server) names,
// without the password, which it returns apart: the CLI refuses connection
// strings that carry one.
func ConnString(t testing.TB, loc string) (conn, password string) {
	t.Helper()
	o := Server(t)
	var b strings.Builder
	b.WriteString("Server=" + o.Server)
	if o.Instance != "" {
		b.WriteString(`\` + o.Instance)
	}
	if o.Port != 0 {
		fmt.Fprintf(&b, ",%d", o.Port)
	}
	b.WriteString(";Database=" + strings.TrimPrefix(loc, sqlPrefix))
	if o.User != "" {
		b.WriteString(";User Id=" + o.User)
	}
	if o.Encrypt != "" {
		b.WriteString(";Encrypt=" + string(o.Encrypt))
	}
	if o.TrustServerCertificate {
		b.WriteString(";TrustServerCertificate=true")
	}
	if o.HostNameInCertificate != "" {
		b.WriteString(";HostNameInCertificate=" + o.HostNameInCertificate)
	}
	return b.String(), o.Password
}

// DropLater drops a database the test makes the product create.
func DropLater(t testing.TB, name string) {
	t.Helper()
	srv := Server(t)
	t.Cleanup(func() {
		if err := drop(context.Background(), srv, name); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
}

// drop drops a test database, trying again a few times (see storetest.CatalogAgain).
func drop(ctx context.Context, srv sqlserver.Options, name string) error {
	return storetest.CatalogAgain(func() error { return sqlserver.DropDatabase(ctx, srv, name) })
}

// Name returns a new database name for the product to create.
func Name(prefix string) string {
	return fmt.Sprintf("%s_%d_%d", prefix, time.Now().UnixNano()%1e9, seq.Add(1))
}
