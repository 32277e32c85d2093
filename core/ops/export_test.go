package ops

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/fixture"
)

// TestExportCopiesEveryTableIdentically exports a bundle source (the SQL
// Server path shares the code below Source) and compares every row.
func TestExportCopiesEveryTableIdentically(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.arbundle")
	if _, err := fixture.WriteBundle(context.Background(), src, fixture.Spec{Version: "8.1", Role: "history", HistoryRecords: 200, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.arbundle")
	_, o := runOp(t, "export", map[string]any{"source": map[string]any{"path": src}, "out": out})
	if o.Outcome != engine.Succeeded {
		t.Fatalf("export: %+v", o.Error)
	}
	a, err := bundle.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ia, _ := a.Info(ctx)
	for _, tb := range ia.Tables {
		ra, _ := a.Scan(ctx, tb.Name)
		rb, err := b.Scan(ctx, tb.Name)
		if err != nil {
			t.Fatalf("%s missing from the export: %v", tb.Name, err)
		}
		n := 0
		for ra.Next() {
			if !rb.Next() {
				t.Fatalf("%s: export has fewer rows", tb.Name)
			}
			if !ra.Row().Equal(rb.Row()) {
				t.Fatalf("%s row %d differs", tb.Name, n)
			}
			n++
		}
		if rb.Next() {
			t.Fatalf("%s: export has more rows", tb.Name)
		}
		ra.Close()
		rb.Close()
	}

	// Exporting over an existing file is refused unless asked, and the file stays.
	before, _ := os.ReadFile(out)
	_, o = runOp(t, "export", map[string]any{"source": map[string]any{"path": src}, "out": out})
	if o.Outcome != engine.Failed || o.Error.Code != "AR-EXISTS" {
		t.Fatalf("overwrite without asking: %+v", o)
	}
	after, _ := os.ReadFile(out)
	if string(before) != string(after) {
		t.Fatal("a refused export changed the existing file")
	}
}
