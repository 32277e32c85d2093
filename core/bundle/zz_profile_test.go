package bundle_test

import (
	"context"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/historyimport"
)

// TEMPORARY profiling harness (removed before handing back).
func TestZZProfileImport(t *testing.T) {
	srcPath := os.Getenv("ARU_PROF_SRC")
	if srcPath == "" {
		t.Skip()
	}
	dest := "/tmp/prof/dest.arbundle"
	os.Remove(dest)
	src, err := bundle.Open(srcPath)
	if err != nil {
		t.Fatal(err)
	}
	dst, err := bundle.OpenHistoryDestination(dest)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res, err := historyimport.Run(context.Background(), src, dst, historyimport.Options{}, nil)
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	t.Logf("%d records in %v; heapsys %d MiB", res.Entity(historyimport.EntityChangeRecord).Imported, time.Since(start), m.HeapSys>>20)
}
