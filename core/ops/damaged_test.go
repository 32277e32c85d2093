package ops

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/bundle/bundletest"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/fixture"
)

// damage rewrites the first data frame of table so that its first row does
// not decode, with every checksum still valid, and returns the frame's offset.
func damage(t *testing.T, path, table string) int64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	nb, off, err := bundletest.EditFirstFrame(b, table, func(raw []byte) []byte {
		raw[0] = 9 // no such value kind
		return raw
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, nb, 0o644); err != nil {
		t.Fatal(err)
	}
	return off
}

// A source bundle whose rows pass every checksum but do not decode fails
// every operation with exit 5 (AR-BUNDLE, InvalidData) naming the bundle and
// the byte offset, and a destination the run created is removed (issue 9:
// exit 1 "check the connection" or exit 4, and the new destination stayed).
func TestDamagedBundleIsDataIntegrity(t *testing.T) {
	dir := t.TempDir()
	hist, cfg := filepath.Join(dir, "hist.arbundle"), filepath.Join(dir, "cfg.arbundle")
	makeSample(t, hist, fixture.Spec{Version: "7.6", Role: "history", HistoryRecords: 3000, Seed: 61})
	makeSample(t, cfg, fixture.Spec{Version: "8.1", Role: "configuration", ConfigObjects: 2000, Seed: 62})
	cfgSettings := filepath.Join(dir, "cfg-settings.arbundle")
	copyFile(t, cfg, cfgSettings)
	histOff := damage(t, hist, "ChangeHistory")
	cfgOff := damage(t, cfg, "ScheduledTask")
	setOff := damage(t, cfgSettings, "Settings")

	check := func(t *testing.T, o engine.Event, path string, off int64) {
		t.Helper()
		if o.Outcome != engine.Failed || o.ExitCode != arerr.ExitDataIntegrity || o.Error == nil ||
			o.Error.Code != arerr.CodeBundle || o.Error.Category != arerr.CatInvalidData {
			t.Fatalf("want AR-BUNDLE InvalidData exit 5, got %s", describeOutcome(o))
		}
		for _, want := range []string{path, "at byte " + strconv.FormatInt(off, 10)} {
			if !strings.Contains(o.Error.Message, want) {
				t.Errorf("the message does not name %q: %s", want, o.Error.Message)
			}
		}
		if strings.Contains(strings.ToLower(o.Error.Remedy), "connection") {
			t.Errorf("the remedy speaks of the connection: %s", o.Error.Remedy)
		}
	}
	cfgParams := func(src, dst string) map[string]any {
		return map[string]any{"source": bundleParam(src, false), "destination": bundleParam(dst, true),
			"skipEncryptedData": true, "skipPrincipals": true, "servicesServer": "ars82.corp.example.com"}
	}

	t.Run("import-history", func(t *testing.T) {
		out := t.TempDir()
		_, o := runOp(t, "import-history", map[string]any{"source": bundleParam(hist, false),
			"destination": bundleParam(filepath.Join(out, "h82.arbundle"), true)})
		check(t, o, hist, histOff)
		if left := listDir(t, out); len(left) != 0 {
			t.Errorf("left behind: %v", left)
		}
	})
	t.Run("import-configuration", func(t *testing.T) {
		out := t.TempDir()
		_, o := runOp(t, "import-configuration", cfgParams(cfg, filepath.Join(out, "c82.arbundle")))
		check(t, o, cfg, cfgOff)
		if left := listDir(t, out); len(left) != 0 {
			t.Errorf("left behind: %v", left)
		}
	})
	t.Run("import-configuration, damaged Settings", func(t *testing.T) {
		out := t.TempDir()
		_, o := runOp(t, "import-configuration", cfgParams(cfgSettings, filepath.Join(out, "c82.arbundle")))
		check(t, o, cfgSettings, setOff)
		if left := listDir(t, out); len(left) != 0 {
			t.Errorf("left behind: %v", left)
		}
	})
	t.Run("inspect", func(t *testing.T) {
		_, o := runOp(t, "inspect", map[string]any{"source": bundleParam(hist, false)})
		check(t, o, hist, histOff)
	})
	t.Run("export", func(t *testing.T) {
		out := t.TempDir()
		_, o := runOp(t, "export", map[string]any{"source": bundleParam(cfg, false), "out": filepath.Join(out, "copy.arbundle")})
		check(t, o, cfg, cfgOff)
		if left := listDir(t, out); len(left) != 0 {
			t.Errorf("left behind: %v", left)
		}
	})
}
