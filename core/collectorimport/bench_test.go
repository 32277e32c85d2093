package collectorimport

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/bundle"
)

// The CLI's Collector benchmark, end to end at a tiny size: children are
// this test binary (TestMain runs benchproc children).
func TestBenchmarkTable(t *testing.T) {
	var out bytes.Buffer
	res, err := RunBenchmark(context.Background(), BenchConfig{Sizes: []int{2000}, Dir: t.TempDir()}, &out)
	if err != nil {
		t.Fatal(err)
	}
	rs := res[2000]
	if len(rs) != 2 {
		t.Fatalf("results %+v", rs)
	}
	for _, r := range rs {
		if r.Events != 2000 || r.EventsPerSecond <= 0 || r.PeakRSSBytes <= 0 {
			t.Fatalf("result %+v", r)
		}
	}
	for _, s := range []string{"Collector import 8.1", "Collector import 7.6", "events/s", "peak RSS"} {
		if !strings.Contains(out.String(), s) {
			t.Fatalf("table lacks %q:\n%s", s, out.String())
		}
	}
	if _, err := RunBenchmark(context.Background(), BenchConfig{Sizes: []int{10}, Scenarios: []string{"copy"}}, &out); err == nil {
		t.Error("an unknown scenario was accepted")
	}
	t.Logf("\n%s", out.String())
}

// BenchmarkImport imports the 8.1 Collector source the CLI benchmark
// generates (AR_BENCH_DIR, 100,000 events, seed 11) bundle → bundle.
func BenchmarkImport(b *testing.B) {
	dir := os.Getenv("AR_BENCH_DIR")
	if dir == "" {
		b.Skip("set AR_BENCH_DIR to a folder of arupgrade bench collector --events 100000")
	}
	src := filepath.Join(dir, "bench-collector-8.1-100000-11.arbundle")
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
