package main

import (
	"context"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"arupgrade": func() { os.Exit(run(context.Background(), os.Args, os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the CLI contract scripts in testdata/script: what a user
// types, the exit code, and what is printed.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("XDG_STATE_HOME", env.WorkDir+"/state")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"jsonresult": cmdJSONResult,
			"mkfile":     cmdMkfile,
		},
	})
}

// cmdJSONResult checks the --output json contract on the last command's
// stdout: every line is a JSON object and the last one, and only the last
// one, is the result, with the given outcome, exitCode and (optionally)
// error code.
//
//	jsonresult OUTCOME EXITCODE [CODE]
func cmdJSONResult(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: jsonresult OUTCOME EXITCODE [CODE]")
	}
	text := strings.TrimRight(ts.ReadFile("stdout"), "\n")
	if text == "" {
		ts.Fatalf("stdout is empty: no result line")
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			ts.Fatalf("stdout line %d is not a JSON object: %q", i+1, l)
		}
		_, hasOutcome := m["outcome"]
		last := i == len(lines)-1
		if hasOutcome != last {
			ts.Fatalf("line %d of %d has outcome=%v: only the last line may, and must, carry the outcome", i+1, len(lines), hasOutcome)
		}
		if !last {
			continue
		}
		if m["type"] != "result" || m["outcome"] != args[0] {
			ts.Fatalf("last line %s: want type result, outcome %s", l, args[0])
		}
		want, _ := strconv.Atoi(args[1])
		if code, ok := m["exitCode"].(float64); !ok || int(code) != want {
			ts.Fatalf("last line %s: want exitCode %d", l, want)
		}
		if len(args) == 3 {
			e, _ := m["error"].(map[string]any)
			if e == nil || e["code"] != args[2] || e["category"] == "" || e["message"] == "" || e["remedy"] == "" {
				ts.Fatalf("last line %s: want an error with code %s, a category, a message and a remedy", l, args[2])
			}
		}
	}
}

// cmdMkfile makes a file of SIZE bytes (a sparse one: big sizes cost no disk).
//
//	mkfile NAME SIZE
func cmdMkfile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: mkfile NAME SIZE")
	}
	n, err := strconv.ParseInt(args[1], 10, 64)
	ts.Check(err)
	f, err := os.Create(ts.MkAbs(args[0]))
	ts.Check(err)
	ts.Check(f.Truncate(n))
	ts.Check(f.Close())
}
