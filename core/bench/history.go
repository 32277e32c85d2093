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
	"github.com/activeroles/arupgrade/core/dbopen"
	"github.com/activeroles/arupgrade/core/fixture"
	"github.com/activeroles/arupgrade/core/historyimport"
	"github.com/activeroles/arupgrade/core/store"
)

// historyKind is the benchproc scenario kind of the history table.
const historyKind = "history-import"

func init() {
	benchproc.Register(historyKind, func(ctx context.Context, raw json.RawMessage) (any, error) {
		var c historyChild
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, err
		}
		return runHistoryChild(ctx, c)
	})
}

// HistoryConfig says what History measures.
type HistoryConfig struct {
	// Sizes are the numbers of change records of the generated sources;
	// empty means 1,000,000 and 5,000,000.
	Sizes []int `json:"sizes,omitempty"`
	// Dir holds the generated sources and destinations; empty means a new
	// temporary directory, removed afterwards. Sources in a given Dir are
	// reused by later runs (same size, same seed).
	Dir string `json:"dir,omitempty"`
	// BatchSize of the imports; 0 means historyimport.DefaultBatchSize.
	BatchSize int `json:"batchSize,omitempty"`
	// Seed of the generated sources.
	Seed int64 `json:"seed,omitempty"`
	// Scenarios to run; empty means "copy", "import-8x", "import-7x".
	Scenarios []string `json:"scenarios,omitempty"`
	// Executable re-executed for each scenario; empty means os.Executable().
	Executable string `json:"-"`
	// ExtraEnv is added to the children's environment (tests use it).
	ExtraEnv []string `json:"-"`
	// Server is the SQL Server of the sql-* scenarios (history_sqlserver.go),
	// password included; nil means the connection string in
	// $AR_TEST_SQLSERVER. When set, the default scenarios include them.
	Server *dbopen.Endpoint `json:"-"`
	// RowByRowRecords is the source size of the row-by-row scenarios (at
	// most each size); 0 means DefaultRowByRowRecords.
	RowByRowRecords int `json:"-"`
}

// historyChild is the scenario one child runs.
type historyChild struct {
	Scenario  string `json:"scenario"`
	Source    string `json:"source"`
	Dest      string `json:"dest"`
	BatchSize int    `json:"batchSize"`
}

type historyOut struct {
	Records int64   `json:"records"`
	Seconds float64 `json:"seconds"`
	// Warnings are the import's warnings (e.g. AR-W105, bulk copy fell
	// back to row by row), which change what the figures mean.
	Warnings []string `json:"warnings,omitempty"`
}

// HistoryResult is one measured row of the history table.
type HistoryResult struct {
	Scenario         string  `json:"scenario"`
	Records          int64   `json:"records"`
	Seconds          float64 `json:"seconds"`
	RecordsPerSecond float64 `json:"recordsPerSecond"`
	PeakRSSBytes     int64   `json:"peakRssBytes"`
	// CPUSeconds is the child's user+system CPU time: on a shared machine
	// records per CPU second is steadier than records per second.
	CPUSeconds float64 `json:"cpuSeconds"`
}

// removeDest removes a destination bundle and the key index files the
// history destination keeps beside it (".name.keys…").
func removeDest(path string) {
	_ = os.Remove(path)
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".keys*"))
	for _, m := range matches {
		_ = os.Remove(m)
	}
}

func runHistoryChild(ctx context.Context, c historyChild) (historyOut, error) {
	removeDest(c.Dest)
	src, err := bundle.Open(c.Source)
	if err != nil {
		return historyOut{}, err
	}
	defer src.Close()
	start := time.Now()
	var n int64
	switch c.Scenario {
	case ScenarioCopy:
		n, err = PlainCopy(ctx, src, c.Dest)
	case ScenarioImport8x, ScenarioImport7x, ScenarioTransform8x, ScenarioTransform7x:
		var dst *bundle.HistoryDest
		if dst, err = bundle.OpenHistoryDestination(c.Dest); err != nil {
			return historyOut{}, err
		}
		var hd store.HistoryDestination = dst
		if c.Scenario == ScenarioTransform8x || c.Scenario == ScenarioTransform7x {
			hd = discardDest{dst}
		}
		var res *historyimport.Result
		res, err = historyimport.Run(ctx, src, hd, historyimport.Options{BatchSize: c.BatchSize}, nil)
		if cerr := dst.Close(); err == nil {
			err = cerr
		}
		if res != nil {
			n = res.Entity(historyimport.EntityChangeRecord).Imported
		}
	default:
		err = fmt.Errorf("unknown scenario %q", c.Scenario)
	}
	if err != nil {
		return historyOut{}, err
	}
	return historyOut{Records: n, Seconds: time.Since(start).Seconds()}, nil
}

// PlainCopy copies every table of src into a new bundle unchanged: the
// baseline of reading and writing the same rows with no transformation. It
// returns the number of change records copied.
func PlainCopy(ctx context.Context, src *bundle.Bundle, dest string) (int64, error) {
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

// History generates history sources of each size (8.1 and 7.6, about
// three attribute changes per record), runs the plain copy, the 8.x → 8.2
// and the 7.x → 8.2 import each in a child process, and prints one table of
// records per second and peak RSS.
func History(ctx context.Context, cfg HistoryConfig, w io.Writer) error {
	_, err := RunHistory(ctx, cfg, w)
	return err
}

// RunHistory is History returning the measurements too.
func RunHistory(ctx context.Context, cfg HistoryConfig, w io.Writer) (map[int][]HistoryResult, error) {
	sizes := cfg.Sizes
	if len(sizes) == 0 {
		sizes = []int{1_000_000, 5_000_000}
	}
	scen := cfg.Scenarios
	if len(scen) == 0 {
		scen = []string{ScenarioCopy, ScenarioImport8x, ScenarioImport7x}
		if cfg.Server != nil {
			scen = append(scen, ScenarioSQL8x, ScenarioSQL7x, ScenarioSQLRows8x, ScenarioSQLRows7x)
		}
	}
	if err := checkSQLScenarios(scen, cfg); err != nil {
		return nil, err
	}
	exe, err := executable(cfg.Executable)
	if err != nil {
		return nil, err
	}
	dir, cleanup, err := workDir(cfg.Dir, "arupgrade-history-bench-")
	if err != nil {
		return nil, err
	}
	defer cleanup()
	seed := cfg.Seed
	if seed == 0 {
		seed = 11
	}
	all := map[int][]HistoryResult{}
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
			if IsSQLScenario(s) {
				r, err := runSQL(ctx, exe, s, n, srcs, dir, seed, cfg, w)
				if err != nil {
					return nil, err
				}
				all[n] = append(all[n], r)
				continue
			}
			if s == ScenarioIncremental {
				rs, err := runIncremental(ctx, exe, srcs["8.1"], dir, cfg)
				if err != nil {
					return nil, err
				}
				all[n] = append(all[n], rs...)
				continue
			}
			c := historyChild{Scenario: s, Source: srcs["8.1"], Dest: filepath.Join(dir, "bench-dest-"+s+".arbundle"), BatchSize: cfg.BatchSize}
			if s == ScenarioImport7x || s == ScenarioTransform7x {
				c.Source = srcs["7.6"]
			}
			r, err := runHistoryScenario(ctx, exe, c, cfg.ExtraEnv)
			removeDest(c.Dest)
			if err != nil {
				return nil, err
			}
			all[n] = append(all[n], r)
		}
	}
	printHistory(w, sizes, all)
	return all, nil
}

func runHistoryScenario(ctx context.Context, exe string, c historyChild, extra []string) (HistoryResult, error) {
	var out historyOut
	u, err := benchproc.Run(ctx, exe, historyKind, c, extra, &out)
	if err != nil {
		return HistoryResult{}, fmt.Errorf("benchmark %s: %w", c.Scenario, err)
	}
	r := HistoryResult{Scenario: c.Scenario, Records: out.Records, Seconds: out.Seconds, PeakRSSBytes: u.PeakRSSBytes, CPUSeconds: u.CPUSeconds}
	if out.Seconds > 0 {
		r.RecordsPerSecond = float64(out.Records) / out.Seconds
	}
	return r, nil
}

func printHistory(w io.Writer, sizes []int, all map[int][]HistoryResult) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	// "% of baseline" compares records/s with the plain copy of the same
	// size; "by CPU" compares records per CPU second, which a shared
	// machine's load disturbs far less than wall time.
	fmt.Fprintln(tw, "records\tscenario\tseconds\trecords/s\t% of baseline\tCPU s\t% of baseline by CPU\tpeak RSS (MiB)\t")
	for _, n := range sizes {
		var base *HistoryResult
		for i, r := range all[n] {
			if r.Scenario == ScenarioCopy {
				base = &all[n][i]
			}
		}
		for _, r := range all[n] {
			pct, pctCPU := "", ""
			if base != nil && base.RecordsPerSecond > 0 {
				pct = fmt.Sprintf("%.0f %%", 100*r.RecordsPerSecond/base.RecordsPerSecond)
				// A SQL Server row's CPU is the client's alone: no comparison.
				if r.CPUSeconds > 0 && base.CPUSeconds > 0 && base.Records > 0 && !IsSQLScenario(r.Scenario) {
					pctCPU = fmt.Sprintf("%.0f %%", 100*(float64(r.Records)/r.CPUSeconds)/(float64(base.Records)/base.CPUSeconds))
				}
			}
			label := historyLabel(r.Scenario)
			if sqlRowByRow(r.Scenario) && r.Records != int64(n) {
				label += fmt.Sprintf(" (%d records)", r.Records)
			}
			fmt.Fprintf(tw, "%d\t%s\t%.2f\t%.0f\t%s\t%.2f\t%s\t%.1f\t\n", n, label, r.Seconds, r.RecordsPerSecond,
				pct, r.CPUSeconds, pctCPU, float64(r.PeakRSSBytes)/(1<<20))
		}
	}
	tw.Flush()
}

func historyLabel(s string) string {
	if l, ok := sqlLabel(s); ok {
		return l
	}
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
	return incrementalLabel(s)
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
