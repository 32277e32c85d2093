package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/engine"
)

// exitError carries an exit code out of a command whose outcome was already
// rendered.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// metaRendered is the app Metadata key of a *bool set once the final result
// line (JSON) or the outcome (text) was written.
const metaRendered = "rendered"

// metaStdout is the app Metadata key of the real stdout. In JSON mode the
// app's Writer is stderr, so urfave/cli's help and usage text never mix with
// the JSON lines.
const metaStdout = "stdout"

// run builds the app, runs it and maps the result to an exit code. In JSON
// mode every run ends with exactly one result line carrying "outcome" and
// "exitCode", also when the CLI itself refuses the command line.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := NewApp(stdin, stdout, stderr)
	jsonMode := outputIsJSON(args)
	rendered := false
	app.Metadata = map[string]any{metaRendered: &rendered, metaStdout: stdout}
	if jsonMode {
		app.Writer = stderr
	}
	err := app.RunContext(ctx, args)
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if err == nil {
		if jsonMode && !rendered { // --help, bench: nothing else ends the stream
			(&jsonRenderer{out: stdout}).finish(engine.Event{Outcome: engine.Succeeded})
		}
		return 0
	}
	var eng *arerr.Error
	if !errors.As(err, &eng) {
		// urfave/cli usage errors: an unknown flag or command, a missing required flag.
		eng = usageErr("The command line is not valid: %s.", strings.TrimSuffix(err.Error(), "."))
		eng.Remedy = "Run arupgrade --help, or arupgrade COMMAND --help, for the commands and their flags."
	}
	info := spellError(eng)
	if jsonMode {
		(&jsonRenderer{out: stdout}).finish(engine.Event{Outcome: engine.Failed, ExitCode: eng.Exit, Error: info})
	} else {
		text := info.Message
		if info.Remedy != "" {
			text += " " + info.Remedy
		}
		fmt.Fprintf(stderr, "arupgrade: %s [%s]\n", text, eng.Code)
	}
	return eng.Exit
}

// outputIsJSON finds --output json among the arguments before urfave/cli
// parses them, so that errors of the parse itself are reported in JSON too.
// The flag may come before or after the command name, as -o, --output,
// -output, with a space or "=".
func outputIsJSON(args []string) bool {
	json := false
	for i := 1; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || (name != "o" && name != "output") {
			continue
		}
		if !hasVal {
			if i+1 >= len(args) {
				break
			}
			i++
			val = args[i]
		}
		json = val == "json" // the last one wins, as in the flag parser
	}
	return json
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
		// A repeated flag is the way to give several values: a site name may
		// hold a comma.
		DisableSliceFlagSeparator: true,
		HideHelpCommand:           true,
		ExitErrHandler:            func(*cli.Context, error) {}, // run() maps errors to exit codes
		Flags:                     globalFlags(),
		Commands:                  commands(),
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
