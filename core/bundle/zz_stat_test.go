package bundle

import (
	"os"
	"testing"
)

// TEMPORARY (removed before handing back).
func TestZZStat(t *testing.T) {
	p := os.Getenv("ARU_STAT")
	if p == "" {
		t.Skip()
	}
	w, err := walkFile(p, true)
	if err != nil {
		t.Fatal(err)
	}
	for i, st := range w.tables {
		var raw, stored, rows int64
		for _, f := range st.frames {
			raw += int64(f.raw)
			stored += int64(f.stored)
			rows += int64(f.rows)
		}
		if rows > 0 {
			t.Logf("%-28s frames %6d rows %9d raw %6d MiB stored %6d MiB  bytes/row %d", w.hdr.Tables[i].Name, len(st.frames), rows, raw>>20, stored>>20, raw/rows)
		}
	}
}
