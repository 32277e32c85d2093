package ops

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/fixture"
)

// smallVolume mounts a 2 MiB tmpfs for the test, or skips with the reason.
func smallVolume(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a 2 MiB tmpfs (%v: %s)", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// diskFull checks the outcome of a write that ran out of space: its own
// code, WriteError, exit 1, the path and the free space named.
func diskFull(t *testing.T, o engine.Event, volume string) {
	t.Helper()
	if o.Outcome != engine.Failed || o.Error == nil || o.Error.Code != arerr.CodeDiskFull ||
		o.Error.Category != arerr.CatWriteError || o.ExitCode != arerr.ExitFailed {
		t.Fatalf("want AR-DISK-FULL WriteError exit 1, got %s", describeOutcome(o))
	}
	for _, want := range []string{volume, " free"} {
		if !strings.Contains(o.Error.Message, want) {
			t.Errorf("the message does not name %q: %s", want, o.Error.Message)
		}
	}
	if o.Error.Remedy == "" {
		t.Error("no remedy")
	}
	t.Log(describeOutcome(o))
}

// Every operation that writes a new file onto a full volume fails with
// AR-DISK-FULL, does not retry, and leaves nothing of that file behind
// (issue 9: import-history retried four times and exited 4 as a connection
// error leaving a partial file, import-configuration exited 5, fixture 2).
func TestFullDiskIsItsOwnFailure(t *testing.T) {
	dir := t.TempDir()
	hist, cfg := filepath.Join(dir, "hist.arbundle"), filepath.Join(dir, "cfg.arbundle")
	makeSample(t, hist, fixture.Spec{Version: "7.6", Role: "history", HistoryRecords: 40000, Seed: 51})
	makeSample(t, cfg, fixture.Spec{Version: "8.1", Role: "configuration", ConfigObjects: 60000, Seed: 52})

	t.Run("import-history", func(t *testing.T) {
		vol := smallVolume(t)
		results, o := runOp(t, "import-history", map[string]any{"source": bundleParam(hist, false),
			"destination": bundleParam(filepath.Join(vol, "new", "h82.arbundle"), true)})
		diskFull(t, o, vol)
		if !strings.Contains(o.Error.Remedy, "was removed") {
			t.Errorf("the remedy does not say the new destination was removed: %s", o.Error.Remedy)
		}
		var res struct {
			Retries int `json:"retries"`
		}
		if len(results) != 1 || json.Unmarshal(results[0].Data, &res) != nil || res.Retries != 0 {
			t.Errorf("the batch was retried (%d results, retries %d)", len(results), res.Retries)
		}
		if left := listDir(t, vol); len(left) != 0 {
			t.Errorf("left on the volume: %v", left)
		}
	})
	t.Run("import-configuration", func(t *testing.T) {
		vol := smallVolume(t)
		_, o := runOp(t, "import-configuration", map[string]any{"source": bundleParam(cfg, false),
			"destination": bundleParam(filepath.Join(vol, "c82.arbundle"), true), "skipEncryptedData": true,
			"skipPrincipals": true, "servicesServer": "ars82.corp.example.com"})
		diskFull(t, o, vol)
		if left := listDir(t, vol); len(left) != 0 {
			t.Errorf("left on the volume: %v", left)
		}
	})
	t.Run("fixture", func(t *testing.T) {
		vol := smallVolume(t)
		_, o := runOp(t, "fixture", map[string]any{"version": "7.6", "role": "history", "historyRecords": 40000, "seed": 53,
			"out": filepath.Join(vol, "sample.arbundle")})
		diskFull(t, o, vol)
		if left := listDir(t, vol); len(left) != 0 {
			t.Errorf("left on the volume: %v", left)
		}
	})
	t.Run("export", func(t *testing.T) {
		vol := smallVolume(t)
		_, o := runOp(t, "export", map[string]any{"source": bundleParam(hist, false), "out": filepath.Join(vol, "copy.arbundle")})
		diskFull(t, o, vol)
		if left := listDir(t, vol); len(left) != 0 {
			t.Errorf("left on the volume: %v", left)
		}
	})
}
