package main

import (
	"github.com/urfave/cli/v2"

	"github.com/activeroles/arupgrade/core/engine"
)

// benchCommand measures the history import; see core/historyimport.
func benchCommand() *cli.Command {
	return &cli.Command{
		Name:  "bench",
		Usage: "measure import speed and peak memory (prints rows/s and peak RSS)",
		Subcommands: []*cli.Command{{
			Name:  "history",
			Usage: "history import, bundle → bundle: plain copy vs 8.x → 8.2 vs 7.x → 8.2",
			Action: func(c *cli.Context) error {
				return engine.NotImplemented("The history benchmark")
			},
		}},
	}
}
