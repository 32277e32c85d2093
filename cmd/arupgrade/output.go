package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/engine"
)

// runOp runs one engine operation and renders its events.
func runOp(c *cli.Context, operation string, params map[string]any) error {
	raw, err := json.Marshal(params)
	if err != nil {
		return err
	}
	req := engine.Request{Operation: operation, Params: raw, LogFile: globalString(c, "log-file"), LogLevel: globalString(c, "log-level")}
	var r renderer
	switch globalString(c, "output") {
	case "json":
		r = &jsonRenderer{out: stdoutOf(c)}
	case "text", "":
		r = newTextRenderer(c)
	default:
		return usageErr("--output %q is not known: use text or json.", globalString(c, "output"))
	}
	var checks prerequisiteFailures
	out := engine.Run(c.Context, req, func(ev engine.Event) {
		if ev.Type == engine.TypeResult {
			ev.Data = spellResult(ev.Data)
		}
		if operation == "test-prerequisites" {
			checks.see(ev)
		}
		r.event(ev)
	})
	out = checks.outcome(out)
	out.Error = out.Error.Spelled(cliSpelling)
	r.finish(out)
	if p, ok := c.App.Metadata[metaRendered].(*bool); ok {
		*p = true
	}
	if out.ExitCode != 0 {
		return exitError{code: out.ExitCode}
	}
	return nil
}

// stdoutOf is where results go: the real stdout, also in JSON mode, where
// the app's Writer is stderr (see run).
func stdoutOf(c *cli.Context) io.Writer {
	if w, ok := c.App.Metadata[metaStdout].(io.Writer); ok {
		return w
	}
	return c.App.Writer
}

// prerequisiteFailures collects the failed checks of test-prerequisites.
// The operation succeeds whatever the checks say (the module returns every
// check object and does not throw); the CLI exits 3 when a check failed, as
// the import would, after printing every check.
type prerequisiteFailures []engine.Event

func (p *prerequisiteFailures) see(ev engine.Event) {
	if ev.Type != engine.TypeResult || ev.ResultType != "PrerequisiteCheck" {
		return
	}
	var c struct{ Status string }
	if json.Unmarshal(ev.Data, &c) == nil && c.Status == "Fail" {
		*p = append(*p, ev)
	}
}

func (p prerequisiteFailures) outcome(out engine.Event) engine.Event {
	if out.Outcome != engine.Succeeded || len(p) == 0 {
		return out
	}
	type check struct{ Code, Name, Message, Remedy string }
	var first check
	var codes []string
	for i, ev := range p {
		var c check
		_ = json.Unmarshal(ev.Data, &c)
		if i == 0 {
			first = c
		}
		codes = append(codes, c.Code+" "+c.Name)
	}
	msg := fmt.Sprintf("%d prerequisite check failed: %s: %s", len(p), codes[0], first.Message)
	remedy := first.Remedy
	if len(p) > 1 {
		msg = fmt.Sprintf("%d prerequisite checks failed: %s.", len(p), strings.Join(codes, ", "))
		remedy = "Fix each failed check as its remedy says, then run test-prerequisites again."
	}
	// The first failed check's code (AR-E0xx) is the one the import would refuse with: exit 3.
	e := arerr.Errorf(first.Code, arerr.CatInvalidOperation, remedy, "%s", msg)
	out.Outcome, out.ExitCode = engine.Failed, e.Exit
	out.Error = engine.InfoOf(e)
	return out
}

type renderer interface {
	event(engine.Event)
	finish(outcome engine.Event)
}

// jsonRenderer prints one JSON object per line. Results are held back so the
// last line can be the result itself with the outcome merged in, which is
// what scripts read; with several results (one per check) the last line is
// the outcome with a "results" array.
type jsonRenderer struct {
	out     io.Writer
	results []engine.Event
}

func (j *jsonRenderer) event(ev engine.Event) {
	switch ev.Type {
	case engine.TypeResult:
		j.results = append(j.results, ev)
	case engine.TypeProgress, engine.TypeOutcome:
		// Progress is for people; the outcome is merged into the last line.
	default:
		j.print(ev)
	}
}

func (j *jsonRenderer) print(v any) {
	b, _ := json.Marshal(v)
	fmt.Fprintln(j.out, string(b))
}

// closingResults end an operation made of steps (the upgrade): the steps'
// results are printed as they are, and the last line is the closing one.
var closingResults = map[string]bool{"UpgradeSummary": true, "UpgradePlan": true}

// flatResult is a result's data as a line of its own. A result's own
// "outcome" (a history import's Completed, an upgrade's AlreadyComplete) is
// kept as "resultOutcome": only the last line's "outcome" is the run's.
func flatResult(r engine.Event) map[string]any {
	line := map[string]any{}
	_ = json.Unmarshal(r.Data, &line)
	if v, ok := line["outcome"]; ok {
		delete(line, "outcome")
		line["resultOutcome"] = v
	}
	line["resultType"] = r.ResultType
	return line
}

func (j *jsonRenderer) finish(out engine.Event) {
	final := map[string]any{}
	if n := len(j.results); n > 1 && closingResults[j.results[n-1].ResultType] {
		for _, r := range j.results[:n-1] {
			line := flatResult(r)
			line["type"] = "result"
			j.print(line)
		}
		j.results = j.results[n-1:]
	}
	switch len(j.results) {
	case 0:
	case 1:
		final = flatResult(j.results[0])
	default:
		var all []json.RawMessage
		for _, r := range j.results {
			all = append(all, r.Data)
		}
		final["results"] = all
		final["resultType"] = j.results[0].ResultType
	}
	final["type"] = "result"
	final["outcome"] = out.Outcome
	final["exitCode"] = out.ExitCode // always present on the last line
	if out.Error != nil {
		final["error"] = out.Error
	}
	if out.LogPath != "" {
		final["logPath"] = out.LogPath
	}
	j.print(final)
}

// textRenderer writes results to stdout and everything else to stderr, with
// a progress bar when stderr is a terminal.
type textRenderer struct {
	out, err io.Writer
	verbose  bool
	progress bool
	bar      *progressbar.ProgressBar
	barKey   string
}

func newTextRenderer(c *cli.Context) *textRenderer {
	t := &textRenderer{out: c.App.Writer, err: c.App.ErrWriter, verbose: globalBool(c, "verbose")}
	if f, ok := c.App.ErrWriter.(*os.File); ok && term.IsTerminal(int(f.Fd())) && !globalBool(c, "no-progress") {
		t.progress = true
	}
	return t
}

func (t *textRenderer) event(ev engine.Event) {
	switch ev.Type {
	case engine.TypeProgress:
		t.drawProgress(ev)
	case engine.TypeLog:
		if t.verbose {
			t.clearBar()
			fmt.Fprintf(t.err, "%s %s%s\n", strings.ToUpper(ev.Level), ev.Message, formatFields(ev.Fields))
		}
	case engine.TypeWarning:
		t.clearBar()
		fmt.Fprintf(t.err, "WARNING [%s] %s\n", ev.Code, ev.Message)
	case engine.TypeResult:
		t.clearBar()
		v, err := decodeOrdered(ev.Data)
		if err != nil {
			fmt.Fprintln(t.out, string(ev.Data))
			return
		}
		writeValue(t.out, v, 0)
		fmt.Fprintln(t.out)
	}
}

func (t *textRenderer) drawProgress(ev engine.Event) {
	if !t.progress {
		return
	}
	if ev.Completed {
		t.clearBar()
		return
	}
	key := ev.Activity + "/" + ev.Step
	if t.bar == nil || key != t.barKey {
		t.clearBar()
		total := ev.Total
		if total <= 0 {
			total = -1
		}
		desc := ev.Activity
		if ev.Step != "" {
			desc += ": " + ev.Step
		}
		t.bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(t.err), progressbar.OptionSetDescription(desc),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("rows"),
			progressbar.OptionThrottle(0), progressbar.OptionClearOnFinish())
		t.barKey = key
	}
	_ = t.bar.Set64(ev.Rows)
}

func (t *textRenderer) clearBar() {
	if t.bar != nil {
		_ = t.bar.Clear()
		t.bar = nil
	}
}

func (t *textRenderer) finish(out engine.Event) {
	t.clearBar()
	switch out.Outcome {
	case engine.Failed:
		fmt.Fprintf(t.err, "ERROR [%s] %s\n", out.Error.Code, out.Error.Message)
		if out.Error.Remedy != "" {
			fmt.Fprintf(t.err, "  How to fix: %s\n", out.Error.Remedy)
		}
	case engine.Cancelled:
		msg := "Cancelled."
		if out.Error != nil {
			msg = out.Error.Message
		}
		fmt.Fprintf(t.err, "CANCELLED %s\n", msg)
	}
	if out.LogPath != "" && out.Outcome != engine.Succeeded {
		fmt.Fprintf(t.err, "  Log: %s\n", out.LogPath)
	}
}

func formatFields(m map[string]any) string {
	if len(m) == 0 {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%v", k, m[k])
	}
	return b.String()
}

// globalString reads a flag that exists both on the app and on the command:
// the innermost context where the user set it wins, else the default.
func globalString(c *cli.Context, name string) string {
	for _, cc := range c.Lineage() {
		if cc.IsSet(name) {
			return cc.String(name)
		}
	}
	return c.String(name)
}

func globalBool(c *cli.Context, name string) bool {
	for _, cc := range c.Lineage() {
		if cc.IsSet(name) {
			return cc.Bool(name)
		}
	}
	return c.Bool(name)
}
