package bench

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
	"github.com/activeroles/arupgrade/core/collectorimport"
	"github.com/activeroles/arupgrade/core/fixture"
)

const collectorKind = "collector-import"

func init() {
	benchproc.Register(collectorKind, func(ctx context.Context, raw json.RawMessage) (any, error) {
		var c collectorChild
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, err
		}
		return runCollectorChild(ctx, c)
	})
}

// CollectorConfig says what Collector measures.
type CollectorConfig struct {
	// Sizes are the numbers of events of the generated sources; empty means 1,000,000.
	Sizes []int
	// Dir holds the generated sources and destinations; empty means a new
	// temporary directory, removed afterwards. Sources in a given Dir are
	// reused by later runs (same size, same seed).
	Dir string
	// BatchSize of the imports; 0 means the default.
	BatchSize int
	// Seed of the generated sources; 0 means 11.
	Seed int64
	// Scenarios to run (ScenarioImport8x, ScenarioImport7x); empty means both.
	Scenarios []string
	// Executable re-executed for each scenario; empty means os.Executable().
	Executable string
	// ExtraEnv is added to the children's environment (tests use it).
	ExtraEnv []string
}

type collectorChild struct {
	Scenario  string `json:"scenario"`
	Source    string `json:"source"`
	Dest      string `json:"dest"`
	BatchSize int    `json:"batchSize"`
}

type collectorOut struct {
	Events  int64   `json:"events"`
	Seconds float64 `json:"seconds"`
}

// CollectorResult is one measured row of the Collector table.
type CollectorResult struct {
	Scenario        string  `json:"scenario"`
	Events          int64   `json:"events"`
	Seconds         float64 `json:"seconds"`
	EventsPerSecond float64 `json:"eventsPerSecond"`
	PeakRSSBytes    int64   `json:"peakRssBytes"`
	CPUSeconds      float64 `json:"cpuSeconds"`
}

func runCollectorChild(ctx context.Context, c collectorChild) (collectorOut, error) {
	_ = os.Remove(c.Dest)
	src, err := bundle.Open(c.Source)
	if err != nil {
		return collectorOut{}, err
	}
	defer src.Close()
	dst, err := bundle.OpenHistoryDestination(c.Dest)
	if err != nil {
		return collectorOut{}, err
	}
	start := time.Now()
	res, err := collectorimport.Run(ctx, src, dst, collectorimport.Options{BatchSize: c.BatchSize}, nil)
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return collectorOut{}, err
	}
	return collectorOut{Events: res.Added, Seconds: time.Since(start).Seconds()}, nil
}

// Collector generates Collector sources of each size (8.1 and 7.6), runs
// each import bundle → bundle in a child process and prints a table of
// events per second and peak RSS.
func Collector(ctx context.Context, cfg CollectorConfig, w io.Writer) error {
	_, err := RunCollector(ctx, cfg, w)
	return err
}

// RunCollector is Collector returning the measurements too.
func RunCollector(ctx context.Context, cfg CollectorConfig, w io.Writer) (map[int][]CollectorResult, error) {
	sizes := cfg.Sizes
	if len(sizes) == 0 {
		sizes = []int{1_000_000}
	}
	scen := cfg.Scenarios
	if len(scen) == 0 {
		scen = []string{ScenarioImport8x, ScenarioImport7x}
	}
	for _, s := range scen {
		if s != ScenarioImport8x && s != ScenarioImport7x {
			return nil, fmt.Errorf("benchmark: unknown Collector scenario %q (use %s or %s)", s, ScenarioImport8x, ScenarioImport7x)
		}
	}
	exe, err := executable(cfg.Executable)
	if err != nil {
		return nil, err
	}
	dir, cleanup, err := workDir(cfg.Dir, "arupgrade-collector-bench-")
	if err != nil {
		return nil, err
	}
	defer cleanup()
	seed := cfg.Seed
	if seed == 0 {
		seed = 11
	}
	all := map[int][]CollectorResult{}
	for _, n := range sizes {
		for _, s := range scen {
			v := "8.1"
			if s == ScenarioImport7x {
				v = "7.6"
			}
			src := filepath.Join(dir, fmt.Sprintf("bench-collector-%s-%d-%d.arbundle", v, n, seed))
			if _, err := os.Stat(src); err != nil {
				fmt.Fprintf(w, "generating a %s Collector source of %d events…\n", v, n)
				began := time.Now()
				if _, err := fixture.WriteBundle(ctx, src, fixture.Spec{Version: v, Role: "collector", HistoryRecords: n, Seed: seed, Overwrite: true}); err != nil {
					return nil, fmt.Errorf("benchmark: generate %s Collector source: %w", v, err)
				}
				fmt.Fprintf(w, "  done in %.1f s\n", time.Since(began).Seconds())
			}
			c := collectorChild{Scenario: s, Source: src, Dest: filepath.Join(dir, "bench-collector-dest-"+s+".arbundle"), BatchSize: cfg.BatchSize}
			var out collectorOut
			u, err := benchproc.Run(ctx, exe, collectorKind, c, cfg.ExtraEnv, &out)
			_ = os.Remove(c.Dest)
			if err != nil {
				return nil, fmt.Errorf("benchmark %s: %w", s, err)
			}
			r := CollectorResult{Scenario: s, Events: out.Events, Seconds: out.Seconds, PeakRSSBytes: u.PeakRSSBytes, CPUSeconds: u.CPUSeconds}
			if out.Seconds > 0 {
				r.EventsPerSecond = float64(out.Events) / out.Seconds
			}
			all[n] = append(all[n], r)
		}
	}
	printCollector(w, sizes, all)
	return all, nil
}

func printCollector(w io.Writer, sizes []int, all map[int][]CollectorResult) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "events\tscenario\tseconds\tevents/s\tCPU s\tevents/CPU s\tpeak RSS (MiB)\t")
	for _, n := range sizes {
		for _, r := range all[n] {
			perCPU := 0.0
			if r.CPUSeconds > 0 {
				perCPU = float64(r.Events) / r.CPUSeconds
			}
			label := "Collector import 8.1 → 8.2"
			if r.Scenario == ScenarioImport7x {
				label = "Collector import 7.6 → 8.2"
			}
			fmt.Fprintf(tw, "%d\t%s\t%.2f\t%.0f\t%.2f\t%.0f\t%.1f\t\n", n, label, r.Seconds, r.EventsPerSecond, r.CPUSeconds, perCPU, float64(r.PeakRSSBytes)/(1<<20))
		}
	}
	tw.Flush()
}
