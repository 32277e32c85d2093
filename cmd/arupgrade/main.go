// Command arupgrade is the command-line face of the ActiveRolesUpgrade engine:
// the same operations as the PowerShell module, for Linux hosts, CI and
// people who do not use PowerShell.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/activeroles/arupgrade/core/benchproc"
	_ "github.com/activeroles/arupgrade/core/ops" // registers the operations
)

func main() {
	// A benchmark child measures one scenario and nothing else (see bench_cmd.go).
	if benchproc.IsChild() {
		os.Exit(benchproc.ChildMain())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// A second Ctrl+C after the first one asked for a clean stop ends the process at once.
		<-ctx.Done()
		stop()
		c := make(chan os.Signal, 1)
		signal.Notify(c, os.Interrupt)
		<-c
		fmt.Fprintln(os.Stderr, "arupgrade: stopped without waiting for the current batch")
		os.Exit(130)
	}()
	os.Exit(run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr))
}
