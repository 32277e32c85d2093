package historyimport

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/fixture"
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

func BenchmarkPlainCopy(b *testing.B) {
	src := benchSource(b, "8.1")
	n := benchRecords()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := bundle.Open(src)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := plainCopy(context.Background(), s, filepath.Join(b.TempDir(), "copy.arbundle")); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// The CLI's benchmark, end to end at a tiny size: children are this test
// binary (TestMain runs benchproc children).
func TestBenchmarkTable(t *testing.T) {
	var out bytes.Buffer
	res, err := RunBenchmark(context.Background(), BenchConfig{Sizes: []int{3000}, Dir: t.TempDir()}, &out)
	if err != nil {
		t.Fatal(err)
	}
	rs := res[3000]
	if len(rs) != 3 {
		t.Fatalf("results %+v", rs)
	}
	for _, r := range rs {
		if r.Records != 3000 || r.RecordsPerSecond <= 0 || r.PeakRSSBytes <= 0 {
			t.Fatalf("result %+v", r)
		}
	}
	for _, s := range []string{"plain copy", "import 8.1", "import 7.6", "records/s", "peak RSS"} {
		if !strings.Contains(out.String(), s) {
			t.Fatalf("table lacks %q:\n%s", s, out.String())
		}
	}
	t.Logf("\n%s", out.String())
}

// TestBenchmarkReport prints the full benchmark table when AR_BENCH_SIZES
// (comma-separated record counts) is set; AR_BENCH_DIR keeps the sources.
func TestBenchmarkReport(t *testing.T) {
	env := os.Getenv("AR_BENCH_SIZES")
	if env == "" {
		t.Skip("set AR_BENCH_SIZES (e.g. 1000000,5000000) to run the full benchmark")
	}
	var sizes []int
	for _, f := range strings.Split(env, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, n)
	}
	bs, _ := strconv.Atoi(os.Getenv("AR_BENCH_BATCH"))
	var scen []string
	if s := os.Getenv("AR_BENCH_SCENARIOS"); s != "" {
		scen = strings.Split(s, ",")
	}
	if err := Benchmark(context.Background(), BenchConfig{Sizes: sizes, Dir: os.Getenv("AR_BENCH_DIR"), BatchSize: bs, Scenarios: scen}, os.Stdout); err != nil {
		t.Fatal(err)
	}
}

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
