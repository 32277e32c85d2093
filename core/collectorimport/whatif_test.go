package collectorimport

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/historyimport"
	"github.com/activeroles/arupgrade/core/model"
)

// -WhatIf counts what the run would do and writes nothing: on a new
// destination its counts are the real run's; after the real run it finds
// every event present.
func TestWhatIfCountsAndWritesNothing(t *testing.T) {
	for _, v := range []string{"7.6", "8.1"} {
		t.Run(v, func(t *testing.T) {
			src, _ := sample(t, v, "collector", 300, true)
			dst := filepath.Join(t.TempDir(), "dst.arbundle")
			plan, err := importInto(t, src, dst, Options{WhatIf: true, BatchSize: 40})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(dst); !os.IsNotExist(err) {
				t.Fatalf("WhatIf wrote the destination (stat: %v)", err)
			}
			if plan.Outcome != historyimport.OutcomeWhatIf || !plan.WhatIf || plan.ImportRunID != 0 || plan.Added == 0 {
				t.Fatalf("WhatIf result: outcome %s, whatIf %v, run %d, added %d", plan.Outcome, plan.WhatIf, plan.ImportRunID, plan.Added)
			}
			real, err := importInto(t, src, dst, Options{BatchSize: 40})
			if err != nil {
				t.Fatal(err)
			}
			if plan.Added != real.Added || plan.Skipped != real.Skipped || plan.ReportEntries != real.ReportEntries || plan.Batches != real.Batches {
				t.Fatalf("WhatIf added %d skipped %d report %d batches %d; the run added %d skipped %d report %d batches %d",
					plan.Added, plan.Skipped, plan.ReportEntries, plan.Batches, real.Added, real.Skipped, real.ReportEntries, real.Batches)
			}
			before := len(events(t, dst))
			again, err := importInto(t, src, dst, Options{WhatIf: true})
			if err != nil {
				t.Fatal(err)
			}
			if again.Added != 0 || again.Duplicates != real.Added || len(events(t, dst)) != before {
				t.Fatalf("WhatIf after the run: added %d, duplicates %d (want 0, %d)", again.Added, again.Duplicates, real.Added)
			}
			d, err := bundle.Open(dst)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if n, _ := d.Count(context.Background(), "ImportRun"); n != 1 {
				t.Fatalf("%d ImportRun rows, want 1 (a WhatIf run records none)", n)
			}
		})
	}
}

// Preflight lists every §13 check once, the failing one with its code, and
// writes nothing.
func TestPreflightChecks(t *testing.T) {
	coll, _ := sample(t, "7.6", "collector", 10, false)
	hist, _ := sample(t, "8.1", "history", 10, false)
	for _, c := range []struct {
		name, src string
		fail      string
	}{{"collector", coll, ""}, {"history source", hist, model.E003SourceRoleMismatch.ID}} {
		t.Run(c.name, func(t *testing.T) {
			s, err := bundle.Open(c.src)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			dst := filepath.Join(t.TempDir(), "dst.arbundle")
			d, err := bundle.OpenHistoryDestination(dst)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			cs, err := Preflight(context.Background(), s, d, Options{})
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			var failed []string
			for _, x := range cs {
				if seen[x.Code] {
					t.Errorf("%s twice", x.Code)
				}
				seen[x.Code] = true
				if x.Failed() {
					failed = append(failed, x.Code)
				}
			}
			if len(cs) != 11 {
				t.Errorf("%d checks, want 11 (E001–E007, E009, E012, E013, E016): %v", len(cs), cs)
			}
			if (c.fail == "" && len(failed) != 0) || (c.fail != "" && (len(failed) != 1 || failed[0] != c.fail)) {
				t.Errorf("failed checks %v, want [%s]", failed, c.fail)
			}
			if d.Exists() {
				t.Error("Preflight created the destination")
			}
		})
	}
}
