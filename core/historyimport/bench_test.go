package historyimport

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/fixture"
	"github.com/activeroles/arupgrade/core/store"
)

// benchRecords is the source size of the go test benchmarks
// (AR_BENCH_RECORDS, default 200000).
func benchRecords() int {
	if n, err := strconv.Atoi(os.Getenv("AR_BENCH_RECORDS")); err == nil && n > 0 {
		return n
	}
	return 200_000
}

func benchSource(b *testing.B, version string) string {
	b.Helper()
	dir := os.Getenv("AR_BENCH_DIR")
	if dir == "" {
		dir = sampleDir
	}
	n := benchRecords()
	p := filepath.Join(dir, "bench-"+version+"-"+strconv.Itoa(n)+"-11.arbundle") // as Benchmark names them
	if _, err := os.Stat(p); err != nil {
		if _, err := fixture.WriteBundle(context.Background(), p, fixture.Spec{Version: version, Role: "history", HistoryRecords: n, Seed: 11, Overwrite: true}); err != nil {
			b.Fatal(err)
		}
	}
	return p
}

func benchImport(b *testing.B, version string) {
	src := benchSource(b, version)
	n := benchRecords()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dst := filepath.Join(b.TempDir(), "mh.arbundle")
		s, err := bundle.Open(src)
		if err != nil {
			b.Fatal(err)
		}
		d, err := bundle.OpenHistoryDestination(dst)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := Run(context.Background(), s, d, Options{}, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := d.Close(); err != nil {
			b.Fatal(err)
		}
		if res.Entity(EntityChangeRecord).Imported != int64(n) {
			b.Fatalf("imported %d", res.Entity(EntityChangeRecord).Imported)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkImport8x(b *testing.B) { benchImport(b, "8.1") }
func BenchmarkImport7x(b *testing.B) { benchImport(b, "7.6") }

func benchTransform(b *testing.B, version string) {
	src := benchSource(b, version)
	n := benchRecords()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s, err := bundle.Open(src)
		if err != nil {
			b.Fatal(err)
		}
		d, err := bundle.OpenHistoryDestination(filepath.Join(b.TempDir(), "mh.arbundle"))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := Run(context.Background(), s, discardDest{d}, Options{}, nil)
		if err != nil {
			b.Fatal(err)
		}
		if res.Entity(EntityChangeRecord).Imported != int64(n) {
			b.Fatalf("imported %d", res.Entity(EntityChangeRecord).Imported)
		}
		_ = d.Close()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkTransform8x(b *testing.B) { benchTransform(b, "8.1") }
func BenchmarkTransform7x(b *testing.B) { benchTransform(b, "7.6") }

// discardDest counts every batch as added and writes nothing, so the
// transform benchmarks measure the source read and the transformation alone
// (core/bench's transform scenarios do the same).
type discardDest struct{ store.HistoryDestination }

func (discardDest) WriteHistoryBatch(_ context.Context, b *store.HistoryBatch) (*store.HistoryBatchResult, error) {
	r := &store.HistoryBatchResult{RecordsAdded: len(b.Records), MembershipsAdded: len(b.Memberships)}
	for _, x := range b.Records {
		r.AttributesAdded += len(x.Attributes)
		r.TasksAdded += len(x.Tasks)
	}
	return r, nil
}
