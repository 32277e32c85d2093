package ops

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/fixture"
)

// TestKeyBackupFileIsReadBounded: the engine (and so the module's
// -KeyBackupPath) refuses a key backup that is far too large, missing or a
// folder alike — AR-E014, exit 3, naming the file — without reading a huge
// file into memory, and writes nothing.
func TestKeyBackupFileIsReadBounded(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.arbundle")
	if _, err := fixture.WriteBundle(context.Background(), src, fixture.Spec{Version: "7.6", Role: "combined", ConfigObjects: 20, HistoryRecords: 10, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.key")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(235 << 20); err != nil { // sparse: costs no disk
		t.Fatal(err)
	}
	f.Close()
	tests := []struct{ name, path, want string }{
		{"235 MB file", big, "larger than 108 bytes"},
		{"missing", filepath.Join(dir, "none.key"), "no such file"},
		{"a folder", dir, "folder"},
	}
	for _, tt := range tests {
		for _, op := range []string{"import-configuration", "test-prerequisites"} {
			t.Run(tt.name+"/"+op, func(t *testing.T) {
				dst := filepath.Join(dir, "dst.arbundle")
				_, out := runOp(t, op, map[string]any{"source": map[string]any{"path": src},
					"destination": map[string]any{"path": dst, "create": true}, "keyBackupPath": tt.path,
					"keyBackupPassword": "Sample-Pa55word!", "servicesServer": "ars82.corp.example.com", "skipPrincipals": true})
				if out.Outcome != engine.Failed || out.ExitCode != arerr.ExitPreflight || out.Error == nil || out.Error.Code != "AR-E014" {
					t.Fatalf("outcome %+v %+v, want AR-E014 exit 3", out, out.Error)
				}
				if !strings.Contains(out.Error.Message, tt.path) || !strings.Contains(out.Error.Message, tt.want) {
					t.Errorf("message %q: want the file and %q", out.Error.Message, tt.want)
				}
				if _, err := os.Stat(dst); !os.IsNotExist(err) {
					t.Errorf("the destination was created (stat: %v)", err)
				}
			})
		}
	}
}
