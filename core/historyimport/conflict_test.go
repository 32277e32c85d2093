package historyimport

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/model"
)

// rewrite copies a bundle, letting edit change each row (in place).
func rewrite(t *testing.T, src, dst string, edit func(table string, tb *data.Table, r data.Row)) {
	t.Helper()
	b, err := bundle.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	h := b.Header()
	w, err := bundle.Create(dst, h)
	if err != nil {
		t.Fatal(err)
	}
	for i := range h.Tables {
		tb := &h.Tables[i]
		rows, err := b.Scan(context.Background(), tb.Name)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			r := rows.Row().Clone()
			edit(tb.Name, tb, r)
			if err := w.Write(tb.Name, r); err != nil {
				t.Fatal(err)
			}
		}
		rows.Close()
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// A record whose natural key is in the destination under another GUID is a
// conflict: skipped, reported, and its tasks with it (model §8.3).
func TestConflictsAreSkippedAndReported(t *testing.T) {
	s := source(t, "8.1", "history", 500, false)
	dir := t.TempDir()
	dst := filepath.Join(dir, "mh.arbundle")
	first, err := importInto(t, s.path, dst, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The same history under new GUIDs for every 50th record.
	changed := map[int64]bool{}
	var changedTasks int64
	moved := filepath.Join(dir, "moved.arbundle")
	rewrite(t, s.path, moved, func(table string, tb *data.Table, r data.Row) {
		switch table {
		case "ChangeRecord":
			if id := r[tb.MustIndex("RecordId")].Int; id%50 == 0 {
				changed[id] = true
				g := r[tb.MustIndex("RecordGuid")].AsGUID()
				g[15] ^= 0xff
				r[tb.MustIndex("RecordGuid")] = data.GUIDValue(g)
			}
		case "ApprovalTask":
			if changed[r[tb.MustIndex("RecordId")].Int] {
				changedTasks++
			}
		}
	})
	before := content(t, dst)
	res, err := importInto(t, moved, dst, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rc, tc := res.Entity(EntityChangeRecord), res.Entity(EntityApprovalTask)
	if res.Added() != 0 || rc.Conflicts != int64(len(changed)) || rc.AlreadyPresent != first.Entity(EntityChangeRecord).Imported-int64(len(changed)) {
		t.Fatalf("records %+v, %d changed", rc, len(changed))
	}
	if tc.Conflicts != changedTasks || tc.AlreadyPresent+tc.Conflicts != first.Entity(EntityApprovalTask).Imported {
		t.Fatalf("tasks %+v, %d of changed records", tc, changedTasks)
	}
	n := 0
	for _, e := range res.Report {
		if e.Reason == model.ReasonConflict && e.Entity == EntityChangeRecord {
			n++
			if !strings.Contains(e.Detail, "natural key") {
				t.Fatalf("entry %+v", e)
			}
		}
	}
	if n != len(changed) {
		t.Fatalf("%d CONFLICT entries for records, want %d", n, len(changed))
	}
	sameContent(t, content(t, dst), before)
	runs := importRuns(t, dst)
	if r := runs[len(runs)-1]; r["AddedCount"].Int != 0 || r["SkippedCount"].Int != res.SkippedTotal() || !strings.Contains(r["Report"].Str, `"CONFLICT"`) {
		t.Fatalf("ImportRun %v", r)
	}
}
