package historyimport

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/activeroles/arupgrade/core/sqlserver"
)

// TestSQLServerBulkVsRowByRow imports the same 7.6 and 8.1 samples into two
// new SQL Server databases, once with bulk copy (the default) and once with
// row-by-row INSERTs, and logs records per second of each. It needs
// AR_TEST_SQLSERVER (a connection string whose account may create
// databases); AR_TEST_SQLSERVER_RECORDS sets the sample size (default 20000).
func TestSQLServerBulkVsRowByRow(t *testing.T) {
	conn := os.Getenv("AR_TEST_SQLSERVER")
	if conn == "" {
		t.Skip("AR_TEST_SQLSERVER is not set; set it to a connection string of a SQL Server where the account may create databases to compare bulk copy with row-by-row inserts")
	}
	n := 20000
	if v, err := strconv.Atoi(os.Getenv("AR_TEST_SQLSERVER_RECORDS")); err == nil && v > 0 {
		n = v
	}
	server, err := sqlserver.ParseLocation(conn)
	if err != nil {
		t.Fatalf("AR_TEST_SQLSERVER: %v", err)
	}
	ctx := context.Background()
	for _, v := range []string{"7.6", "8.1"} {
		s := source(t, v, "history", n, false)
		for _, rowByRow := range []bool{false, true} {
			name := fmt.Sprintf("arupg_hi_%d_%v", time.Now().UnixNano()%1e9, rowByRow)
			if err := sqlserver.CreateDatabase(ctx, server, name); err != nil {
				t.Fatalf("create database %s: %v", name, err)
			}
			t.Cleanup(func() {
				if err := sqlserver.DropDatabase(context.WithoutCancel(ctx), server, name); err != nil {
					t.Logf("drop scratch database %s: %v", name, err)
				}
			})
			o := server
			o.Database = name
			d, err := sqlserver.Open(ctx, o, sqlserver.OpenOptions{RowByRow: rowByRow})
			if err != nil {
				t.Fatal(err)
			}
			began := time.Now()
			res, err := Run(ctx, openSource(t, s.path), d, Options{}, nil)
			el := time.Since(began)
			_ = d.Close()
			if err != nil {
				t.Fatalf("%s rowByRow=%v: %v", v, rowByRow, err)
			}
			mode := "bulk copy"
			if rowByRow {
				mode = "row by row"
			}
			t.Logf("%s → 8.2 SQL Server, %s: %d records in %.2f s = %.0f records/s", v, mode,
				res.Entity(EntityChangeRecord).Imported, el.Seconds(), float64(res.Entity(EntityChangeRecord).Imported)/el.Seconds())
			if res.Entity(EntityChangeRecord).Imported != int64(n) {
				t.Fatalf("imported %d of %d", res.Entity(EntityChangeRecord).Imported, n)
			}
		}
	}
}
