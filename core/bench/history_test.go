package bench

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

// The CLI's history benchmark, end to end at a tiny size: children are this
// test binary (TestMain runs benchproc children).
func TestHistoryTable(t *testing.T) {
	var out bytes.Buffer
	dir := t.TempDir()
	res, err := RunHistory(context.Background(), HistoryConfig{Sizes: []int{3000}, Dir: dir}, &out)
	if err != nil {
		t.Fatal(err)
	}
	// Only the generated sources stay in the directory: each destination
	// goes with the key index beside it.
	left, _ := filepath.Glob(filepath.Join(dir, ".bench-dest-*"))
	if more, _ := filepath.Glob(filepath.Join(dir, "bench-dest-*")); len(left)+len(more) > 0 {
		t.Errorf("destinations left behind: %v %v", left, more)
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
	for _, s := range []string{"plain copy", "import 8.1", "import 7.6", "records/s", "peak RSS", "% of baseline", "% of baseline by CPU", "100 %"} {
		if !strings.Contains(out.String(), s) {
			t.Fatalf("table lacks %q:\n%s", s, out.String())
		}
	}
	t.Logf("\n%s", out.String())
}

// SQL Server scenarios without a server are refused before anything is
// generated, naming the flag and the variable that give one.
func TestHistorySQLScenarioNeedsServer(t *testing.T) {
	t.Setenv(TestServerEnv, "")
	dir := t.TempDir()
	var out bytes.Buffer
	_, err := RunHistory(context.Background(), HistoryConfig{Sizes: []int{100}, Dir: dir, Scenarios: []string{ScenarioCopy, ScenarioSQL8x}}, &out)
	if err == nil || !strings.Contains(err.Error(), "--server") || !strings.Contains(err.Error(), TestServerEnv) {
		t.Fatalf("err = %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 || out.Len() != 0 {
		t.Errorf("a refused benchmark generated %d files and printed %q", len(ents), out.String())
	}
}

// The SQL Server scenarios against the integration server at a tiny size:
// bulk copy and row by row (from a smaller source) are rows of the one table.
func TestHistorySQLServerRows(t *testing.T) {
	if os.Getenv(TestServerEnv) == "" {
		t.Skip(TestServerEnv + " is not set; set it to a connection string of a SQL Server where the account may create databases to run the SQL Server benchmark scenarios")
	}
	var out bytes.Buffer
	res, err := RunHistory(context.Background(), HistoryConfig{Sizes: []int{400}, Dir: t.TempDir(), RowByRowRecords: 150,
		Scenarios: []string{ScenarioCopy, ScenarioSQL8x, ScenarioSQLRows7x}}, &out)
	if err != nil {
		t.Fatal(err)
	}
	rs := res[400]
	if len(rs) != 3 || rs[1].Records != 400 || rs[2].Records != 150 || rs[1].PeakRSSBytes <= 0 {
		t.Fatalf("results %+v", rs)
	}
	for _, s := range []string{"SQL Server, bulk copy", "SQL Server, row by row (150 records)"} {
		if !strings.Contains(out.String(), s) {
			t.Fatalf("table lacks %q:\n%s", s, out.String())
		}
	}
	t.Logf("\n%s", out.String())
}

// TestHistoryReport prints the full benchmark table when AR_BENCH_SIZES
// (comma-separated record counts) is set; AR_BENCH_DIR keeps the sources.
func TestHistoryReport(t *testing.T) {
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
	if err := History(context.Background(), HistoryConfig{Sizes: sizes, Dir: os.Getenv("AR_BENCH_DIR"), BatchSize: bs, Scenarios: scen}, os.Stdout); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkPlainCopy is the baseline of the history table as a go test
// benchmark (AR_BENCH_RECORDS, default 200000; AR_BENCH_DIR keeps sources).
func BenchmarkPlainCopy(b *testing.B) {
	n := 200_000
	if v, err := strconv.Atoi(os.Getenv("AR_BENCH_RECORDS")); err == nil && v > 0 {
		n = v
	}
	dir := os.Getenv("AR_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	src := filepath.Join(dir, "bench-8.1-"+strconv.Itoa(n)+"-11.arbundle") // as RunHistory names them
	if _, err := os.Stat(src); err != nil {
		if _, err := fixture.WriteBundle(context.Background(), src, fixture.Spec{Version: "8.1", Role: "history", HistoryRecords: n, Seed: 11, Overwrite: true}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := bundle.Open(src)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := PlainCopy(context.Background(), s, filepath.Join(b.TempDir(), "copy.arbundle")); err != nil {
			b.Fatal(err)
		}
		_ = s.Close()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
