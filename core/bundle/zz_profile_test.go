package bundle_test

import (
	"context"
	"os"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/historyimport"
	"github.com/activeroles/arupgrade/core/store"
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
	if hp := os.Getenv("ARU_HEAP_MID"); hp != "" {
		go func() {
			time.Sleep(time.Duration(heapAt()) * time.Millisecond)
			runtime.GC()
			f, _ := os.Create(hp)
			pprof.WriteHeapProfile(f)
			f.Close()
		}()
	}
	var hd store.HistoryDestination = dst
	if os.Getenv("ARU_DISCARD") != "" {
		hd = discard{dst}
	}
	res, err := historyimport.Run(context.Background(), src, hd, historyimport.Options{}, nil)
	if hp := os.Getenv("ARU_HEAP"); hp != "" {
		runtime.GC()
		f, _ := os.Create(hp)
		pprof.WriteHeapProfile(f)
		f.Close()
	}
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

func heapAt() int {
	if s := os.Getenv("ARU_HEAP_AT"); s != "" {
		n := 0
		for _, c := range s {
			n = n*10 + int(c-'0')
		}
		return n
	}
	return 2500
}

type discard struct{ store.HistoryDestination }

func (discard) WriteHistoryBatch(_ context.Context, b *store.HistoryBatch) (*store.HistoryBatchResult, error) {
	r := &store.HistoryBatchResult{RecordsAdded: len(b.Records), MembershipsAdded: len(b.Memberships)}
	for _, x := range b.Records {
		r.AttributesAdded += len(x.Attributes)
		r.TasksAdded += len(x.Tasks)
	}
	return r, nil
}

func TestZZScanLive(t *testing.T) {
	srcPath := os.Getenv("ARU_SCAN_SRC")
	if srcPath == "" {
		t.Skip()
	}
	src, err := bundle.Open(srcPath)
	if err != nil {
		t.Fatal(err)
	}
	var rows []store.Rows
	for _, tb := range []string{"ChangeRecord", "ChangeRecordAttribute", "ApprovalTask"} {
		r, err := src.Scan(context.Background(), tb)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
	for i := 0; i < 2_000_000; i++ {
		rows[0].Next()
		rows[1].Next()
		rows[1].Next()
		rows[1].Next()
		if i%7 == 0 {
			rows[2].Next()
		}
		if i%500_000 == 0 {
			runtime.GC()
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			t.Logf("heap alloc after GC %d MiB", m.HeapAlloc>>20)
		}
	}
}
