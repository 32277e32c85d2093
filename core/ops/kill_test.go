//go:build unix

package ops

import (
	"encoding/json"
	"fmt"
	"github.com/activeroles/arupgrade/core/inspect"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/fixture"
	"github.com/activeroles/arupgrade/core/model"
)

// An import asked to create its destination is killed (SIGKILL) at random
// points, then the same command is run again: it takes over what the killed
// run left (issue 9: it was refused with AR-E008, leaving an 8.2 bundle whose
// ImportRun stayed 'Running' for ever), and the destination ends as an
// uninterrupted import leaves it. Before the re-run, inspect lists the
// killed run's 'Running' row as interrupted.
func TestKillDuringCreatedDestinationImport(t *testing.T) {
	if testing.Short() {
		t.Skip("kills at least 20 child processes")
	}
	dir := t.TempDir()
	cfgSrc, histSrc := filepath.Join(dir, "cfg.arbundle"), filepath.Join(dir, "hist.arbundle")
	makeSample(t, cfgSrc, fixture.Spec{Version: "8.1", Role: "configuration", ConfigObjects: 2000, Seed: 41})
	makeSample(t, histSrc, fixture.Spec{Version: "7.6", Role: "history", HistoryRecords: 3000, Seed: 42})
	tests := []struct {
		op     string
		params func(dst string) map[string]any
	}{
		{"import-configuration", func(dst string) map[string]any {
			return map[string]any{"source": bundleParam(cfgSrc, false), "destination": bundleParam(dst, true),
				"skipEncryptedData": true, "skipPrincipals": true, "servicesServer": "ars82.corp.example.com"}
		}},
		{"import-history", func(dst string) map[string]any {
			return map[string]any{"source": bundleParam(histSrc, false), "destination": bundleParam(dst, true), "batchSize": 100}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			base := filepath.Join(t.TempDir(), "base", "dst.arbundle")
			began := time.Now()
			c := startChild(t, tt.op, tt.params(base))
			if o, _ := c.wait(t); o.Outcome != engine.Succeeded {
				t.Fatalf("uninterrupted run: %s", describeOutcome(o))
			}
			full := time.Since(began)
			want, _ := dump(t, base)

			rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))
			killed := 0
			for i := 0; killed < 10 && i < 40; i++ {
				dst := filepath.Join(t.TempDir(), "new", "dst.arbundle")
				delay := time.Duration(rng.Int64N(int64(full)))
				c := startChild(t, tt.op, tt.params(dst))
				time.Sleep(delay)
				c.signal(syscall.SIGKILL)
				if !c.killed() {
					continue // it had finished
				}
				killed++
				left := listDir(t, filepath.Dir(filepath.Dir(dst)))
				running := 0
				if len(left) > 0 && fileExists(dst) {
					running = inspectInterrupted(t, dst)
				}
				t.Logf("kill %d after %v: folder %v, %d interrupted run(s) reported", i, delay.Round(time.Millisecond), left, running)

				complete := false
				if fileExists(dst) {
					_, runs := dump(t, dst)
					complete = outcomes(runs)["Succeeded"] > 0
				}
				predicted := prerequisitesSayExists(t, tt.op, tt.params(dst))
				_, o := runOp(t, tt.op, tt.params(dst))
				if refused := o.Error != nil && o.Error.Code == model.E008DatabaseNameExists.ID; refused != predicted {
					t.Fatalf("kill %d: test-prerequisites predicted AR-E008 %v, the run: %s", i, predicted, describeOutcome(o))
				}
				if o.Outcome != engine.Succeeded {
					// Killed after the import had finished: the new name is
					// taken by a complete destination.
					if o.Error == nil || o.Error.Code != model.E008DatabaseNameExists.ID || !complete {
						t.Fatalf("kill %d after %v: the re-run: %s", i, delay, describeOutcome(o))
					}
				}
				got, runs := dump(t, dst)
				sameTables(t, fmt.Sprintf("kill %d after %v", i, delay), got, want)
				n := outcomes(runs)
				if n["Succeeded"] != 1 || n["Failed"] != 0 {
					t.Fatalf("kill %d: ImportRun outcomes %v", i, n)
				}
				if tt.op == "import-configuration" && n["Running"] != 0 {
					t.Fatalf("kill %d: a taken-over configuration destination is created afresh, yet it holds %v", i, n)
				}
				if got := inspectInterrupted(t, dst); got != n["Running"] {
					t.Fatalf("kill %d: inspect reports %d interrupted runs, the destination has %d 'Running' rows", i, got, n["Running"])
				}
				if names := withoutKeyIndex(listDir(t, filepath.Dir(dst))); len(names) != 1 {
					t.Fatalf("kill %d: the folder holds %v, want the bundle alone", i, names)
				}
			}
			if killed < 10 {
				t.Fatalf("only %d runs were killed before they finished", killed)
			}
		})
	}
}

// inspectInterrupted returns how many interrupted runs inspect reports.
func inspectInterrupted(t *testing.T, path string) int {
	t.Helper()
	results, o := runOp(t, "inspect", map[string]any{"source": bundleParam(path, false)})
	if o.Outcome != engine.Succeeded || len(results) != 1 {
		// A destination killed before its first commit is not a database yet.
		return 0
	}
	var info inspect.DatabaseInfo
	if err := json.Unmarshal(results[0].Data, &info); err != nil {
		t.Fatal(err)
	}
	for _, r := range info.InterruptedRuns {
		if r.ImportRunID <= 0 || r.Kind == "" || r.StartedUTC.IsZero() {
			t.Fatalf("interrupted run %+v", r)
		}
	}
	return len(info.InterruptedRuns)
}

// prerequisitesSayExists runs test-prerequisites for the import and reports
// whether it refuses the destination as existing (AR-E008).
func prerequisitesSayExists(t *testing.T, op string, params map[string]any) bool {
	t.Helper()
	p := map[string]any{"kind": map[string]string{"import-configuration": "configuration", "import-history": "history"}[op]}
	for k, v := range params {
		p[k] = v
	}
	results, o := runOp(t, "test-prerequisites", p)
	if o.Error != nil && o.Error.Code == model.E008DatabaseNameExists.ID {
		return true
	}
	if o.Outcome != engine.Succeeded {
		// The other engineer may make a failed check exit 3; the checks
		// are still all printed.
		if o.ExitCode != arerr.ExitPreflight {
			t.Fatalf("test-prerequisites: %s", describeOutcome(o))
		}
	}
	for _, r := range results {
		var c struct{ Code, Status string }
		if json.Unmarshal(r.Data, &c) == nil && c.Code == model.E008DatabaseNameExists.ID && c.Status == "Fail" {
			return true
		}
	}
	return false
}

// withoutKeyIndex drops a history bundle's key index files (".<name>.keys",
// ".<name>.keys.*": core/bundle keyindex.go), which stay beside it on purpose.
func withoutKeyIndex(names []string) []string {
	var out []string
	for _, n := range names {
		if !strings.HasPrefix(n, ".") || !strings.Contains(n, ".arbundle.keys") {
			out = append(out, n)
		}
	}
	return out
}
