package configimport

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/activeroles/arupgrade/core/fixture"
)

func TestImportEveryVersionIntoBlank(t *testing.T) {
	for _, tc := range []struct{ version, role string }{
		{"7.5", "configuration"}, {"7.6", "combined"}, {"8.0", "configuration"}, {"8.1", "configuration"}, {"8.2", "configuration"},
	} {
		t.Run(tc.version+"-"+tc.role, func(t *testing.T) {
			src, fres, key, pw := sample(t, fixture.Spec{Version: tc.version, Role: tc.role, ConfigObjects: 300, Seed: 7, HistoryRecords: 50})
			dstPath := filepath.Join(t.TempDir(), "dst.arbundle")
			rep := newReporter()
			res, err := Run(context.Background(), openSource(t, src), openDest(t, dstPath), baseOptions(key, pw), rep)
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			if !res.Verification.Passed {
				t.Fatalf("verification: %+v", res.Verification)
			}
			for _, e := range res.Entities {
				if e.Source != fres.Entities[e.Entity] {
					t.Errorf("%s: source %d, fixture says %d", e.Entity, e.Source, fres.Entities[e.Entity])
				}
				if e.Added != e.Source || e.Skipped != 0 {
					t.Errorf("%s: added %d skipped %d of %d", e.Entity, e.Added, e.Skipped, e.Source)
				}
				if n := int64(len(tableRows(t, dstPath, e.Entity))); n != e.Source {
					t.Errorf("%s: destination holds %d rows, source %d", e.Entity, n, e.Source)
				}
			}
			t.Logf("report: %v", res.Report)
		})
	}
}
