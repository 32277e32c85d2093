package bundle

import (
	"fmt"
	"testing"

	"github.com/activeroles/arupgrade/core/data"
)

// ScanFrom returns exactly the rows a full scan returns from that row on,
// at frame boundaries, inside frames, at the end and the start; an offset
// past the end is refused.
func TestScanFromMatchesAFullScan(t *testing.T) {
	path := tempPath(t, "h.arbundle")
	writeHistoryBundle(t, path, 30_000)
	b, err := Open(path)
	must(t, err)
	all := readAll(t, b, "ChangeRecordAttribute")
	ti, _ := lookupTable(b.view.names, "ChangeRecordAttribute")
	frames := b.view.tables[ti].frames
	if len(frames) < 3 {
		t.Fatalf("only %d frames: the test needs several", len(frames))
	}
	offsets := []int64{0, 1, int64(frames[0].rows), int64(frames[0].rows) - 1, int64(frames[0].rows+frames[1].rows) + 7,
		int64(len(all)) - 1, int64(len(all))}
	for _, off := range offsets {
		rs, err := b.ScanFrom(ctx, "ChangeRecordAttribute", off)
		must(t, err)
		i := off
		for rs.Next() {
			if got, want := render(rs.Row()), render(all[i]); got != want {
				t.Fatalf("from %d: row %d = %s, want %s", off, i, got, want)
			}
			i++
		}
		must(t, rs.Err())
		rs.Close()
		if i != int64(len(all)) {
			t.Errorf("from %d: ended at row %d of %d", off, i, len(all))
		}
	}
	if _, err := b.ScanFrom(ctx, "ChangeRecordAttribute", int64(len(all))+1); err == nil {
		t.Error("an offset past the end was accepted")
	}
}

func render(r data.Row) string { return fmt.Sprint(r) }
