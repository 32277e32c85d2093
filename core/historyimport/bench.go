package historyimport

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/activeroles/arupgrade/core/benchproc"
	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/fixture"
	"github.com/activeroles/arupgrade/core/store"
)

// The benchmark measures each scenario in a child process of its own
// (core/benchproc), so that the child's peak resident set size belongs to
// that scenario alone. The host executable must run benchproc.ChildMain
// first thing in main when benchproc.IsChild() (cmd/arupgrade does).

// benchKind is the benchproc scenario kind of this package.
const benchKind = "history-import"

func init() {
	benchproc.Register(benchKind, func(ctx context.Context, raw json.RawMessage) (any, error) {
		var c benchChild
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, err
		}
		return runBenchChild(ctx, c)
	})
}

// BenchConfig says what Benchmark measures.
type BenchConfig struct {
	// Sizes are the numbers of change records of the generated sources;
	// empty means 1,000,000 and 5,000,000.
	Sizes []int `json:"sizes,omitempty"`
	// Dir holds the generated sources and destinations; empty means a new
	// temporary directory, removed afterwards. Sources in a given Dir are
	// reused by later runs (same size, same seed).
	Dir string `json:"dir,omitempty"`
	// BatchSize of the imports; 0 means DefaultBatchSize.
	BatchSize int `json:"batchSize,omitempty"`
	// Seed of the generated sources.
	Seed int64 `json:"seed,omitempty"`
	// Scenarios to run; empty means all: "copy", "import-8x", "import-7x".
	Scenarios []string `json:"scenarios,omitempty"`
	// Executable re-executed for each scenario; empty means os.Executable().
	Executable string `json:"-"`
	// ExtraEnv is added to the children's environment (tests use it).
	ExtraEnv []string `json:"-"`
}

// Scenario names. The transform scenarios are not in the default set: they
// run the import with a destination that discards every batch, which
// separates the source read and the transformation from the destination's
// own cost.
const (
	ScenarioCopy        = "copy"
	ScenarioImport8x    = "import-8x"
	ScenarioImport7x    = "import-7x"
	ScenarioTransform8x = "transform-8x"
	ScenarioTransform7x = "transform-7x"
)

// benchChild is the scenario one child runs.
type benchChild struct {
	Scenario  string `json:"scenario"`
	Source    string `json:"source"`
	Dest      string `json:"dest"`
	BatchSize int    `json:"batchSize"`
}

type benchOut struct {
	Records int64   `json:"records"`
	Seconds float64 `json:"seconds"`
}

// BenchResult is one measured cell of the table.
type BenchResult struct {
	Scenario         string  `json:"scenario"`
	Records          int64   `json:"records"`
	Seconds          float64 `json:"seconds"`
	RecordsPerSecond float64 `json:"recordsPerSecond"`
	PeakRSSBytes     int64   `json:"peakRssBytes"`
	// CPUSeconds is the child's user+system CPU time: on a shared machine
	// records per CPU second is steadier than records per second.
	CPUSeconds float64 `json:"cpuSeconds"`
}

func runBenchChild(ctx context.Context, c benchChild) (benchOut, error) {
	_ = os.Remove(c.Dest)
	src, err := bundle.Open(c.Source)
	if err != nil {
		return benchOut{}, err
	}
	defer src.Close()
	start := time.Now()
	var n int64
	switch c.Scenario {
	case ScenarioCopy:
		n, err = plainCopy(ctx, src, c.Dest)
	case ScenarioImport8x, ScenarioImport7x, ScenarioTransform8x, ScenarioTransform7x:
		var dst *bundle.HistoryDest
		if dst, err = bundle.OpenHistoryDestination(c.Dest); err != nil {
			return benchOut{}, err
		}
		var hd store.HistoryDestination = dst
		if c.Scenario == ScenarioTransform8x || c.Scenario == ScenarioTransform7x {
			hd = discardDest{dst}
		}
		var res *Result
		res, err = Run(ctx, src, hd, Options{BatchSize: c.BatchSize}, nil)
		if cerr := dst.Close(); err == nil {
			err = cerr
		}
		if res != nil {
			n = res.Entity(EntityChangeRecord).Imported
		}
	default:
		err = fmt.Errorf("unknown scenario %q", c.Scenario)
	}
	if err != nil {
		return benchOut{}, err
	}
	return benchOut{Records: n, Seconds: time.Since(start).Seconds()}, nil
}

// plainCopy copies every table of src into a new bundle unchanged: the
// baseline of reading and writing the same rows with no transformation.
func plainCopy(ctx context.Context, src *bundle.Bundle, dest string) (int64, error) {
	h := src.Header()
	w, err := bundle.Create(dest, h, bundle.WithOverwrite())
	if err != nil {
		return 0, err
	}
	var records int64
	for _, t := range h.Tables {
		rows, err := src.Scan(ctx, t.Name)
		if err != nil {
			w.Abort()
			return 0, err
		}
		for rows.Next() {
			if err := w.Write(t.Name, rows.Row()); err != nil {
				rows.Close()
				w.Abort()
				return 0, err
			}
			if t.Name == "ChangeRecord" || t.Name == "ChangeHistory" {
				records++
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			w.Abort()
			return 0, err
		}
	}
	return records, w.Close()
}

// Benchmark generates history sources of each size (8.1 and 7.6, about
// three attribute changes per record), runs the plain copy, the 8.x → 8.2
// and the 7.x → 8.2 import each in a child process, and prints one table of
// records per second and peak RSS.
func Benchmark(ctx context.Context, cfg BenchConfig, w io.Writer) error {
	_, err := RunBenchmark(ctx, cfg, w)
	return err
}

// RunBenchmark is Benchmark returning the measurements too.
func RunBenchmark(ctx context.Context, cfg BenchConfig, w io.Writer) (map[int][]BenchResult, error) {
	sizes := cfg.Sizes
	if len(sizes) == 0 {
		sizes = []int{1_000_000, 5_000_000}
	}
	scen := cfg.Scenarios
	if len(scen) == 0 {
		scen = []string{ScenarioCopy, ScenarioImport8x, ScenarioImport7x}
	}
	exe := cfg.Executable
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("benchmark: find this executable: %w", err)
		}
	}
	dir := cfg.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "arupgrade-history-bench-")
		if err != nil {
			return nil, fmt.Errorf("benchmark: %w", err)
		}
		defer os.RemoveAll(d)
		dir = d
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("benchmark: %w", err)
	}
	seed := cfg.Seed
	if seed == 0 {
		seed = 11
	}
	all := map[int][]BenchResult{}
	for _, n := range sizes {
		srcs := map[string]string{}
		for _, v := range []string{"8.1", "7.6"} {
			p := filepath.Join(dir, fmt.Sprintf("bench-%s-%d-%d.arbundle", v, n, seed))
			if _, err := os.Stat(p); err != nil {
				fmt.Fprintf(w, "generating a %s history source of %d records…\n", v, n)
				began := time.Now()
				if _, err := fixture.WriteBundle(ctx, p, fixture.Spec{Version: v, Role: "history", HistoryRecords: n, Seed: seed, Overwrite: true}); err != nil {
					return nil, fmt.Errorf("benchmark: generate %s source: %w", v, err)
				}
				fmt.Fprintf(w, "  done in %.1f s\n", time.Since(began).Seconds())
			}
			srcs[v] = p
		}
		for _, s := range scen {
			c := benchChild{Scenario: s, Source: srcs["8.1"], Dest: filepath.Join(dir, "bench-dest-"+s+".arbundle"), BatchSize: cfg.BatchSize}
			if s == ScenarioImport7x || s == ScenarioTransform7x {
				c.Source = srcs["7.6"]
			}
			r, err := runChild(ctx, exe, c, cfg.ExtraEnv)
			_ = os.Remove(c.Dest)
			if err != nil {
				return nil, err
			}
			all[n] = append(all[n], r)
		}
	}
	printBench(w, sizes, all)
	return all, nil
}

func runChild(ctx context.Context, exe string, c benchChild, extra []string) (BenchResult, error) {
	var out benchOut
	u, err := benchproc.Run(ctx, exe, benchKind, c, extra, &out)
	if err != nil {
		return BenchResult{}, fmt.Errorf("benchmark %s: %w", c.Scenario, err)
	}
	r := BenchResult{Scenario: c.Scenario, Records: out.Records, Seconds: out.Seconds, PeakRSSBytes: u.PeakRSSBytes, CPUSeconds: u.CPUSeconds}
	if out.Seconds > 0 {
		r.RecordsPerSecond = float64(out.Records) / out.Seconds
	}
	return r, nil
}

func printBench(w io.Writer, sizes []int, all map[int][]BenchResult) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "records\tscenario\tseconds\trecords/s\tCPU s\trecords/CPU s\tpeak RSS (MiB)\t")
	for _, n := range sizes {
		for _, r := range all[n] {
			perCPU := 0.0
			if r.CPUSeconds > 0 {
				perCPU = float64(r.Records) / r.CPUSeconds
			}
			fmt.Fprintf(tw, "%d\t%s\t%.2f\t%.0f\t%.2f\t%.0f\t%.1f\t\n", n, benchLabel(r.Scenario), r.Seconds, r.RecordsPerSecond,
				r.CPUSeconds, perCPU, float64(r.PeakRSSBytes)/(1<<20))
		}
	}
	tw.Flush()
}

func benchLabel(s string) string {
	switch s {
	case ScenarioCopy:
		return "plain copy 8.1 (baseline)"
	case ScenarioImport8x:
		return "import 8.1 → 8.2"
	case ScenarioImport7x:
		return "import 7.6 → 8.2"
	case ScenarioTransform8x:
		return "read+transform 8.1 (no writes)"
	case ScenarioTransform7x:
		return "read+transform 7.6 (no writes)"
	}
	return s
}

// discardDest counts every batch as added and writes nothing (transform scenarios).
type discardDest struct{ store.HistoryDestination }

func (discardDest) WriteHistoryBatch(_ context.Context, b *store.HistoryBatch) (*store.HistoryBatchResult, error) {
	r := &store.HistoryBatchResult{RecordsAdded: len(b.Records), MembershipsAdded: len(b.Memberships)}
	for _, x := range b.Records {
		r.AttributesAdded += len(x.Attributes)
		r.TasksAdded += len(x.Tasks)
	}
	return r, nil
}
