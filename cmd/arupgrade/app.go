package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/activeroles/arupgrade/core/engine"
)

// exitError carries an exit code out of a command.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// run builds the app, runs it and maps the result to an exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := NewApp(stdin, stdout, stderr)
	err := app.RunContext(ctx, args)
	if err == nil {
		return 0
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	var eng *engine.Error
	if errors.As(err, &eng) {
		fmt.Fprintf(stderr, "arupgrade: %s [%s]\n", eng.Error(), eng.Code)
		return eng.Exit
	}
	// urfave/cli usage errors (unknown flag, missing argument).
	fmt.Fprintf(stderr, "arupgrade: %v\n", err)
	return engine.ExitInvalidInput
}

// NewApp builds the command-line application.
func NewApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:    "arupgrade",
		Usage:   "upgrade One Identity Active Roles databases to 8.2, headless and repeatable",
		Version: engine.Version,
		Description: "Sources and destinations are SQL Server databases (a sqlserver:// URL or \"Server=…;Database=…\") " +
			"or bundle files (*.arbundle). Passwords are never taken as flag values: use the prompt, a --…-password-file, " +
			"or the environment variables ARUPGRADE_SOURCE_PASSWORD, ARUPGRADE_DESTINATION_PASSWORD and ARUPGRADE_KEY_PASSWORD.",
		Reader:               stdin,
		Writer:               stdout,
		ErrWriter:            stderr,
		EnableBashCompletion: true,
		HideHelpCommand:      true,
		ExitErrHandler:       func(*cli.Context, error) {}, // run() maps errors to exit codes
		Flags:                globalFlags(),
		Commands:             commands(),
	}
	// The output and logging flags work before or after the command name
	// (arupgrade inspect --source x --output json).
	for _, c := range app.Commands {
		if c.Name != "engine" {
			c.Flags = append(c.Flags, globalFlags()...)
		}
	}
	return app
}

func globalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Usage: "output format: text or json (one JSON object per line; the last line is the result with an \"outcome\" field)"},
		&cli.StringFlag{Name: "log-file", Usage: "write the JSON log to `FILE` (default: a dated file under the user's local app-data folder; \"-\" for none)"},
		&cli.StringFlag{Name: "log-level", Value: "info", Usage: "least level of log lines shown: debug, info or warn"},
		&cli.BoolFlag{Name: "no-progress", Usage: "do not draw a progress bar"},
		&cli.BoolFlag{Name: "verbose", Usage: "show log lines on the terminal (text output)"},
	}
}
