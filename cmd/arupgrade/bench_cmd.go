package main

import (
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/activeroles/arupgrade/core/bench"
	"github.com/activeroles/arupgrade/core/historyimport"
)

// benchCommand measures the imports; see core/bench. Each scenario runs in
// a child process of this executable so its peak memory is its own.
func benchCommand() *cli.Command {
	return &cli.Command{
		Name:  "bench",
		Usage: "measure import speed and peak memory (prints records/s or events/s and peak RSS)",
		Subcommands: []*cli.Command{{
			Name:      "configuration",
			Usage:     "configuration import, bundle → bundle: time and peak memory for a generated configuration",
			UsageText: "arupgrade bench configuration [--objects 100000] [--versions 7.6,8.1] [--dir DIR]",
			Flags: []cli.Flag{
				&cli.IntFlag{Name: "objects", Value: 100000, Usage: "configuration objects of the generated source"},
				&cli.StringFlag{Name: "versions", Value: "7.6", Usage: "comma-separated source versions"},
				&cli.StringFlag{Name: "dir", Usage: "keep the generated sources in `DIR` (reused by later runs)"},
			},
			Action: func(c *cli.Context) error {
				if c.Int("objects") <= 0 {
					return usageErr("--objects must be positive.")
				}
				return bench.Configuration(c.Context, bench.ConfigurationConfig{Objects: c.Int("objects"),
					Versions: strings.Split(c.String("versions"), ","), Dir: c.String("dir")}, c.App.Writer)
			},
		}, {
			Name:      "history",
			Usage:     "history import: plain copy vs 8.x → 8.2 vs 7.x → 8.2 bundle → bundle, and into a SQL Server (--server), side by side",
			UsageText: "arupgrade bench history [--records 1000000,5000000] [--dir DIR] [--scenarios copy,import-8x,import-7x,...] [--server CONNECTION --server-password-file FILE]",
			Flags: append([]cli.Flag{
				&cli.StringFlag{Name: "records", Value: "1000000,5000000", Usage: "comma-separated source sizes (change records)"},
				&cli.StringFlag{Name: "dir", Usage: "keep the generated sources in `DIR` (reused by later runs)"},
				&cli.StringFlag{Name: "scenarios", Usage: "comma-separated subset of copy, import-8x, import-7x, transform-8x, transform-7x, sql-8x, sql-7x (bulk copy), sql-rows-8x, sql-rows-7x (row by row); sql-* need --server or $" + bench.TestServerEnv},
				&cli.IntFlag{Name: "batch-size", Value: historyimport.DefaultBatchSize, Usage: "records per batch"},
				&cli.Int64Flag{Name: "seed", Value: 1, Usage: "seed of the generated sources"},
				&cli.IntFlag{Name: "row-by-row-records", Value: bench.DefaultRowByRowRecords, Usage: "source size of the row-by-row SQL Server scenarios (at most each --records size)"},
			}, endpointFlags("server", false)...),
			Action: func(c *cli.Context) error {
				cfg := bench.HistoryConfig{Dir: c.String("dir"), BatchSize: c.Int("batch-size"), Seed: c.Int64("seed"), RowByRowRecords: c.Int("row-by-row-records")}
				// A new database per SQL Server scenario is created there;
				// the password comes from --server-password-file,
				// $ARUPGRADE_SERVER_PASSWORD or a prompt, never a flag.
				srv, err := endpointFrom(c, "server", false)
				if err != nil {
					return err
				}
				if srv != nil && srv.IsBundle() {
					return usageErr("--server names a bundle; give a SQL Server connection string (sqlserver://host?database=master or \"Server=host;Database=master\") where the account may create databases.")
				}
				cfg.Server = srv
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
				return bench.History(c.Context, cfg, c.App.Writer)
			},
		}, {
			Name:      "collector",
			Usage:     "Collector import, bundle → bundle: 8.1 → 8.2 and 7.6 → 8.2, events/s and peak memory",
			UsageText: "arupgrade bench collector [--events 1000000] [--dir DIR] [--scenarios import-8x,import-7x]",
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "events", Value: "1000000", Usage: "comma-separated source sizes (events)"},
				&cli.StringFlag{Name: "dir", Usage: "keep the generated sources in `DIR` (reused by later runs)"},
				&cli.StringFlag{Name: "scenarios", Usage: "comma-separated subset of import-8x, import-7x"},
				&cli.IntFlag{Name: "batch-size", Value: historyimport.DefaultBatchSize, Usage: "events per batch"},
				&cli.Int64Flag{Name: "seed", Value: 11, Usage: "seed of the generated sources"},
			},
			Action: func(c *cli.Context) error {
				cfg := bench.CollectorConfig{Dir: c.String("dir"), BatchSize: c.Int("batch-size"), Seed: c.Int64("seed")}
				for _, s := range strings.Split(c.String("events"), ",") {
					n, err := strconv.Atoi(strings.TrimSpace(strings.ReplaceAll(s, "_", "")))
					if err != nil || n <= 0 {
						return usageErr("--events %q: give positive numbers separated by commas, e.g. 100000,1000000.", s)
					}
					cfg.Sizes = append(cfg.Sizes, n)
				}
				if s := c.String("scenarios"); s != "" {
					for _, x := range strings.Split(s, ",") {
						if x != bench.ScenarioImport8x && x != bench.ScenarioImport7x {
							return usageErr("--scenarios %q: use import-8x and/or import-7x.", x)
						}
						cfg.Scenarios = append(cfg.Scenarios, x)
					}
				}
				return bench.Collector(c.Context, cfg, c.App.Writer)
			},
		}},
	}
}
