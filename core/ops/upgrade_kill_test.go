//go:build unix

package ops

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

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
// the step), then the same command: the upgrade ends in the same state as
// an uninterrupted one, nothing duplicated, and only the unfinished steps
// run again.
func TestUpgradeKillAtEveryStepBoundary(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 10 child processes")
	}
	dir := t.TempDir()
	src, hist, key, pw := upgradeSample(t, dir, "7.6")
	refOut := filepath.Join(dir, "ref")
	if _, o := runOp(t, "upgrade", upgradeParams(t, src, hist, refOut, key, pw)); o.Outcome != engine.Succeeded {
		t.Fatalf("uninterrupted upgrade: %s", describeOutcome(o))
	}
	refC, _ := dump(t, filepath.Join(refOut, "ActiveRoles820.arbundle"))
	refH, _ := dump(t, filepath.Join(refOut, "ActiveRoles820_MH.arbundle"))
	for i, step := range upgrade.StepOrder {
		for _, recorded := range []string{"false", "true"} {
			at := step + ":" + recorded
			t.Run(at, func(t *testing.T) {
				out := filepath.Join(t.TempDir(), "out")
				params := upgradeParams(t, src, hist, out, key, pw)
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
