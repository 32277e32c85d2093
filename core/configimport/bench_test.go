package configimport

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/activeroles/arupgrade/core/fixture"
)

// peakHeap samples the heap while a function runs and returns its peak.
func peakHeap(f func()) uint64 {
	runtime.GC()
	var peak uint64
	var mu sync.Mutex
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			mu.Lock()
			if ms.HeapInuse > peak {
				peak = ms.HeapInuse
			}
			mu.Unlock()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	f()
	close(done)
	wg.Wait()
	return peak
}

// BenchmarkImportConfiguration100k imports a 7.6 configuration database of
// about 100,000 objects (bundle → blank bundle) and reports seconds and the
// peak heap per import. ARU_BENCH_VERSION picks another source version.
func BenchmarkImportConfiguration100k(b *testing.B) {
	if testing.Short() {
		b.Skip("100,000-object import skipped with -short")
	}
	v := os.Getenv("ARU_BENCH_VERSION") // 7.6 unless set (e.g. 8.1, 8.2)
	if v == "" {
		v = "7.6"
	}
	src, _, key, pw := sample(b, fixture.Spec{Version: v, Role: "configuration", ConfigObjects: 100000, Seed: 100})
	b.ResetTimer()
	var secs float64
	var peak uint64
	for i := 0; i < b.N; i++ {
		dst := filepath.Join(b.TempDir(), "dst.arbundle")
		var res *Result
		var err error
		start := time.Now()
		p := peakHeap(func() {
			res, err = Run(context.Background(), openSource(b, src), openDest(b, dst), baseOptions(key, pw), nil)
		})
		secs += time.Since(start).Seconds()
		if p > peak {
			peak = p
		}
		if err != nil {
			b.Fatal(err)
		}
		if !res.Verification.Passed || res.AddedCount < 99000 {
			b.Fatalf("added %d, verification %+v", res.AddedCount, res.Verification)
		}
	}
	b.ReportMetric(secs/float64(b.N), "s/import")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}
