package main

import (
	"bufio"
	"encoding/json"
	"io"
	"strings"
	"sync"

	"github.com/urfave/cli/v2"

	"github.com/activeroles/arupgrade/core/engine"
)

// engineCommand serves the engine protocol over stdin/stdout, so a host that
// must not load the native library in process (PowerShell on Linux/macOS,
// see module/) can run the same engine out of process: one request JSON line
// in; event JSON lines out, the last being the outcome. A line "cancel" on
// stdin (or stdin closing) cancels the job after its current step.
func engineCommand() *cli.Command {
	return &cli.Command{
		Name:   "engine",
		Usage:  "serve one engine request over stdin/stdout (used by the PowerShell module)",
		Hidden: true,
		Action: func(c *cli.Context) error {
			in := bufio.NewReader(c.App.Reader)
			line, err := readLine(in)
			if err != nil {
				return usageErr("engine: no request on stdin: %v", err)
			}
			var mu sync.Mutex
			enc := json.NewEncoder(c.App.Writer)
			emit := func(v any) {
				mu.Lock()
				defer mu.Unlock()
				_ = enc.Encode(v)
			}
			req, err := engine.ParseRequest([]byte(line))
			if err != nil {
				out := engine.RequestOutcome(err)
				emit(out)
				return exitError{code: out.ExitCode}
			}
			job := engine.Start(c.Context, req)
			go func() {
				for {
					l, err := readLine(in)
					if err != nil || strings.TrimSpace(l) == "cancel" {
						job.Cancel()
						return
					}
				}
			}()
			exit := 0
			for {
				ev, st := job.Next(-1)
				if st == engine.NextEnd {
					break
				}
				emit(ev)
				if ev.Type == engine.TypeOutcome {
					exit = ev.ExitCode
				}
			}
			if exit != 0 {
				return exitError{code: exit}
			}
			return nil
		},
	}
}

// readLine reads one line of the engine command's stdin protocol.
func readLine(r *bufio.Reader) (string, error) {
	s, err := r.ReadString('\n')
	if err == io.EOF && s != "" {
		return s, nil
	}
	return s, err
}
