package main

import (
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/activeroles/arupgrade/core/historyimport"
)

// benchCommand measures the history import; see core/historyimport's
// Benchmark. Each scenario runs in a child process of this executable so its
// peak memory is its own.
func benchCommand() *cli.Command {
	return &cli.Command{
		Name:  "bench",
		Usage: "measure import speed and peak memory (prints records/s and peak RSS)",
		Subcommands: []*cli.Command{{
			Name:      "history",
			Usage:     "history import, bundle → bundle: plain copy vs 8.x → 8.2 vs 7.x → 8.2, side by side",
			UsageText: "arupgrade bench history [--records 1000000,5000000] [--dir DIR] [--scenarios copy,import-8x,import-7x]",
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "records", Value: "1000000,5000000", Usage: "comma-separated source sizes (change records)"},
				&cli.StringFlag{Name: "dir", Usage: "keep the generated sources in `DIR` (reused by later runs)"},
				&cli.StringFlag{Name: "scenarios", Usage: "comma-separated subset of copy, import-8x, import-7x"},
				&cli.IntFlag{Name: "batch-size", Value: historyimport.DefaultBatchSize, Usage: "records per batch"},
				&cli.Int64Flag{Name: "seed", Value: 1, Usage: "seed of the generated sources"},
			},
			Action: func(c *cli.Context) error {
				cfg := historyimport.BenchConfig{Dir: c.String("dir"), BatchSize: c.Int("batch-size"), Seed: c.Int64("seed")}
				for _, s := range strings.Split(c.String("records"), ",") {
					n, err := strconv.Atoi(strings.TrimSpace(strings.ReplaceAll(s, "_", "")))
					if err != nil || n <= 0 {
						return usageErr("--records %q: give positive numbers separated by commas, e.g. 1000000,5000000.", s)
					}
					cfg.Sizes = append(cfg.Sizes, n)
				}
				if s := c.String("scenarios"); s != "" {
					cfg.Scenarios = strings.Split(s, ",")
				}
				return historyimport.Benchmark(c.Context, cfg, c.App.Writer)
			},
		}},
	}
}
