package historyimport

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/activeroles/arupgrade/core/sqlserver"

	"github.com/activeroles/arupgrade/core/store"
	"github.com/activeroles/arupgrade/core/storetest/testdb"
)

// Destinations in these tests are named by a testdb location (a bundle path
// or a SQL Server scratch database), so one test body runs against both.

func openDestination(loc string) (testdb.HistoryDestination, error) {
	return testdb.OpenHistoryDestination(loc)
}

// openStore opens a destination for reading by location.
func openStore(t testing.TB, loc string) store.Source {
	t.Helper()
	s, err := testdb.Open(loc)
	if err != nil {
		t.Fatalf("open %s: %v", loc, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// TestSQLServerImport imports a 7.6 Combined and an 8.1 history database into
// new SQL Server databases: the model's invariants hold, the content equals
// the bundle import's, and a re-run adds nothing.
func TestSQLServerImport(t *testing.T) {
	testdb.Server(t)
	for _, c := range []struct{ version, role string }{{"7.6", "combined"}, {"8.1", "history"}} {
		t.Run(c.version+" "+c.role, func(t *testing.T) {
			s := source(t, c.version, c.role, 400, false)
			dst := testdb.Scratch(t)
			res, err := importInto(t, s.path, dst, Options{BatchSize: 100}, nil)
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			checkInvariants(t, s, dst)
			sameContent(t, content(t, dst), baseline(t, s))
			again, err := importInto(t, s.path, dst, Options{BatchSize: 100}, nil)
			if err != nil {
				t.Fatalf("re-run: %v", err)
			}
			if n := again.Entity(EntityChangeRecord).Imported; n != 0 {
				t.Errorf("re-run imported %d records (first run %d)", n, res.Entity(EntityChangeRecord).Imported)
			}
			sameContent(t, content(t, dst), baseline(t, s))
		})
	}
}

// TestSQLServerBulkVsRowByRow imports the same 7.6 and 8.1 samples into two
// new SQL Server databases, once with bulk copy (the default) and once with
// row-by-row INSERTs, and logs records per second of each. It needs
// AR_TEST_SQLSERVER (a connection string whose account may create
// databases); AR_TEST_SQLSERVER_RECORDS sets the sample size (default 20000)
// and AR_TEST_SQLSERVER_BATCH the batch size (default the import's).
func TestSQLServerBulkVsRowByRow(t *testing.T) {
	testdb.Server(t)
	n := 20000
	if v, err := strconv.Atoi(os.Getenv("AR_TEST_SQLSERVER_RECORDS")); err == nil && v > 0 {
		n = v
	}
	batch, _ := strconv.Atoi(os.Getenv("AR_TEST_SQLSERVER_BATCH"))
	ctx := context.Background()
	for _, v := range []string{"7.6", "8.1"} {
		s := source(t, v, "history", n, false)
		for _, rowByRow := range []bool{false, true} {
			d, err := testdb.OpenSQL(testdb.Scratch(t), sqlserver.OpenOptions{RowByRow: rowByRow, Warn: func(code, msg string) { t.Logf("%s %s", code, msg) }})
			if err != nil {
				t.Fatal(err)
			}
			began := time.Now()
			res, err := Run(ctx, openSource(t, s.path), d, Options{BatchSize: batch}, nil)
			el := time.Since(began)
			_ = d.Close()
			if err != nil {
				t.Fatalf("%s rowByRow=%v: %v", v, rowByRow, err)
			}
			mode := "bulk copy"
			if rowByRow {
				mode = "row by row"
			}
			t.Logf("%s → 8.2 SQL Server, %s, batch size %d: %d records in %.2f s = %.0f records/s", v, mode, (&Options{BatchSize: batch}).batchSize(),
				res.Entity(EntityChangeRecord).Imported, el.Seconds(), float64(res.Entity(EntityChangeRecord).Imported)/el.Seconds())
			if res.Entity(EntityChangeRecord).Imported != int64(n) {
				t.Fatalf("imported %d of %d", res.Entity(EntityChangeRecord).Imported, n)
			}
		}
	}
}
