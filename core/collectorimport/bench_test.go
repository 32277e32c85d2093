package collectorimport

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/activeroles/arupgrade/core/bundle"
)

// The benchmarks import the Collector sources the CLI benchmark generates
// (AR_BENCH_DIR: arupgrade bench collector --events 100000 --seed 11)
// bundle → bundle.
func BenchmarkImport8x(b *testing.B) { benchImport(b, "8.1") }
func BenchmarkImport7x(b *testing.B) { benchImport(b, "7.6") }

func benchImport(b *testing.B, version string) {
	dir := os.Getenv("AR_BENCH_DIR")
	if dir == "" {
		b.Skip("set AR_BENCH_DIR to a folder of arupgrade bench collector --events 100000 --seed 11")
	}
	src := filepath.Join(dir, "bench-collector-"+version+"-100000-11.arbundle")
	for i := 0; i < b.N; i++ {
		s, err := bundle.Open(src)
		if err != nil {
			b.Fatal(err)
		}
		d, err := bundle.OpenHistoryDestination(filepath.Join(b.TempDir(), "c.arbundle"))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Run(context.Background(), s, d, Options{}, nil); err != nil {
			b.Fatal(err)
		}
		_ = d.Close()
		_ = s.Close()
	}
	b.ReportMetric(100000*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
