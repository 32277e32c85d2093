//go:build unix

package ops

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/upgrade"
)

// killAtEnv makes a child upgrade SIGKILL itself at a step boundary:
// "<step>:false" after the step finished but before the state file says so,
// "<step>:true" right after.
const killAtEnv = "AR_UPGRADE_TEST_KILL_AT"

func init() {
	at := os.Getenv(killAtEnv)
	if at == "" {
		return
	}
	upgrade.TestHook = func(step string, recorded bool) {
		if at == step+":"+map[bool]string{false: "false", true: "true"}[recorded] {
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
	}
}

// runKilledChild runs the upgrade in a child process that kills itself at
// the boundary and reports whether it died there.
func runKilledChild(t *testing.T, params any, at string) bool {
	t.Helper()
	raw, err := json.Marshal(params)
	if err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1", childOpEnv+"=upgrade", childParamsEnv+"="+string(raw), killAtEnv+"="+at)
	err = cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			return true
		}
	}
	t.Logf("child did not die at %s: %v", at, err)
	return false
}

// A kill at every step boundary (before and after the state file records
// the step; the Collector step included), then the same command: the
// upgrade ends in the same state as an uninterrupted one, nothing
// duplicated, and only the unfinished steps run again.
func TestUpgradeKillAtEveryStepBoundary(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 12 child processes")
	}
	dir := t.TempDir()
	src, hist, key, pw := upgradeSample(t, dir, "7.6")
	col := upgradeCollectorSample(t, dir, "7.6", 120)
	withCollector := func(out string) map[string]any {
		p := upgradeParams(t, src, hist, out, key, pw)
		p["collectorSource"] = col
		return p
	}
	refOut := filepath.Join(dir, "ref")
	if _, o := runOp(t, "upgrade", withCollector(refOut)); o.Outcome != engine.Succeeded {
		t.Fatalf("uninterrupted upgrade: %s", describeOutcome(o))
	}
	refC, _ := dump(t, filepath.Join(refOut, "ActiveRoles820.arbundle"))
	refH, _ := dump(t, filepath.Join(refOut, "ActiveRoles820_MH.arbundle"))
	refE, _ := dump(t, filepath.Join(refOut, "ActiveRoles820_Collector.arbundle"))
	for i, step := range upgrade.StepOrder {
		for _, recorded := range []string{"false", "true"} {
			at := step + ":" + recorded
			t.Run(at, func(t *testing.T) {
				out := filepath.Join(t.TempDir(), "out")
				params := withCollector(out)
				if !runKilledChild(t, params, at) {
					t.Fatal("the child was not killed at the boundary")
				}
				evs, o := runOp(t, "upgrade", params)
				if o.Outcome != engine.Succeeded {
					t.Fatalf("resumed upgrade: %s", describeOutcome(o))
				}
				sum := summaryOf(t, evs)
				if sum.Outcome != "Succeeded" {
					t.Fatalf("summary outcome %s", sum.Outcome)
				}
				// Steps recorded before the kill do not run again.
				for j, s := range sum.Steps {
					wantAttempts := 1
					if j == i && recorded == "false" {
						wantAttempts = 2 // finished but not recorded: run again, adding nothing
					}
					if s.Status != upgrade.StatusSkipped && s.Attempts != wantAttempts {
						t.Errorf("step %s ran %d time(s), want %d", s.Name, s.Attempts, wantAttempts)
					}
				}
				gotH, _ := dump(t, filepath.Join(out, "ActiveRoles820_MH.arbundle"))
				sameTables(t, "history", gotH, refH)
				gotE, _ := dump(t, filepath.Join(out, "ActiveRoles820_Collector.arbundle"))
				sameTables(t, "Collector", gotE, refE)
				gotC, _ := dump(t, filepath.Join(out, "ActiveRoles820.arbundle"))
				for tb, rows := range refC {
					if len(gotC[tb]) != len(rows) {
						t.Errorf("%s: %d rows, %d in the uninterrupted upgrade", tb, len(gotC[tb]), len(rows))
					}
				}
				for tb := range gotC {
					if _, ok := refC[tb]; !ok && !strings.EqualFold(tb, "ImportRun") {
						t.Errorf("extra table %s", tb)
					}
				}
			})
		}
	}
}

// Kills in the middle of the Collector step (at random points while the
// Collector database it created is being filled), then the same command:
// the upgrade continues with the Collector step alone, in the Collector
// database the killed run created, and ends with the events of an
// uninterrupted upgrade, none twice.
func TestUpgradeKillDuringCollectorStep(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	dir := t.TempDir()
	src, hist, key, pw := upgradeSample(t, dir, "8.1")
	col := upgradeCollectorSample(t, dir, "8.1", 3000)
	params := func(out string) map[string]any {
		p := upgradeParams(t, src, hist, out, key, pw)
		p["collectorSource"], p["batchSize"] = col, 10
		return p
	}
	refOut := filepath.Join(dir, "ref")
	evs, o := runOp(t, "upgrade", params(refOut))
	if o.Outcome != engine.Succeeded {
		t.Fatalf("uninterrupted upgrade: %s", describeOutcome(o))
	}
	var took time.Duration
	for _, s := range summaryOf(t, evs).Steps {
		if s.Name == upgrade.StepImportCollector {
			took = time.Duration(s.ElapsedSeconds * float64(time.Second))
		}
	}
	ref, _ := dump(t, filepath.Join(refOut, "ActiveRoles820_Collector.arbundle"))
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 15))
	killed := 0
	for i := 0; killed < 3 && i < 15; i++ {
		out := filepath.Join(t.TempDir(), "out")
		colDB := filepath.Join(out, "ActiveRoles820_Collector.arbundle")
		c := startChild(t, "upgrade", params(out))
		for !fileExists(colDB) {
			select {
			case <-c.done:
				t.Fatalf("kill %d: the child ended before the Collector step began", i)
			case <-time.After(time.Millisecond):
			}
		}
		delay := time.Duration(rng.Int64N(int64(took)/2 + 1))
		time.Sleep(delay)
		c.signal(syscall.SIGKILL)
		if !c.killed() {
			continue // it had finished (a loaded machine can be quicker in the child)
		}
		killed++
		evs, o := runOp(t, "upgrade", params(out))
		if o.Outcome != engine.Succeeded {
			t.Fatalf("kill %d after %v: resumed upgrade: %s", i, delay, describeOutcome(o))
		}
		for _, s := range summaryOf(t, evs).Steps {
			want := 1
			if s.Name == upgrade.StepImportCollector {
				// Twice, unless the kill landed after the step had finished
				// (its database exists from the step's start): then the
				// resumed run must not have run it again.
				want = 2
				if s.Attempts == 1 && len(resultsOf(evs, "CollectorImportResult")) == 0 {
					want = 1
				}
			}
			if s.Status != upgrade.StatusSkipped && s.Attempts != want {
				t.Errorf("kill %d: step %s ran %d time(s), want %d", i, s.Name, s.Attempts, want)
			}
		}
		if n := len(resultsOf(evs, "ConfigurationImportResult")) + len(resultsOf(evs, "HistoryImportResult")); n != 0 {
			t.Errorf("kill %d: the resumed run imported configuration or history again (%d results)", i, n)
		}
		got, _ := dump(t, colDB)
		sameTables(t, fmt.Sprintf("Collector after kill %d (%v into the step of %v)", i, delay, took), got, ref)
	}
	if killed < 3 {
		t.Fatalf("only %d of the children were killed during the Collector step", killed)
	}
}
