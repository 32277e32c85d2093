package configimport

import (
	"context"
	"testing"

	"github.com/activeroles/arupgrade/core/fixture"
	"github.com/activeroles/arupgrade/core/storetest/testdb"
)

// TestSQLServerImport runs the configuration import into a new SQL Server
// database, the same way the bundle tests do: every invariant is verified by
// Run before commit, and a re-run adds nothing. It needs AR_TEST_SQLSERVER (a
// connection string whose account may create databases) and skips otherwise.
func TestSQLServerImport(t *testing.T) {
	testdb.Server(t)
	ctx := context.Background()
	for _, v := range []string{"7.6", "8.1", "8.2"} {
		t.Run(v, func(t *testing.T) {
			path, fx, key, pw := sample(t, fixture.Spec{Version: v, Role: "configuration", ConfigObjects: 300, Seed: 21})
			dst := testdb.Scratch(t)
			for run := 1; run <= 2; run++ {
				d, err := testdb.OpenSQL(dst)
				if err != nil {
					t.Fatal(err)
				}
				res, err := Run(ctx, openSource(t, path), d, baseOptions(key, pw), newReporter())
				_ = d.Close()
				if err != nil {
					t.Fatalf("run %d: %v", run, err)
				}
				if !res.Verification.Passed {
					t.Fatalf("run %d: invariants failed: %+v", run, res.Verification)
				}
				var want int64
				for _, e := range res.Entities {
					want += fx.Entities[e.Entity]
				}
				if run == 1 && res.AddedCount != want {
					t.Errorf("first run added %d objects, the source has %d", res.AddedCount, want)
				}
				if run == 2 && res.AddedCount != 0 {
					t.Errorf("re-run added %d objects", res.AddedCount)
				}
			}
		})
	}
}
