package ops

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/fixture"
)

// TestCancelledConfigurationImportLeavesNoNewDestination: a destination the
// run was asked to create is removed again when the run is cancelled after
// creating it, so nothing is left and the same command can be run again.
func TestCancelledConfigurationImportLeavesNoNewDestination(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.arbundle")
	if _, err := fixture.WriteBundle(context.Background(), src, fixture.Spec{Version: "8.1", Role: "configuration", ConfigObjects: 30000, Seed: 9}); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "new", "dst.arbundle")
	params := map[string]any{"source": map[string]any{"path": src}, "destination": map[string]any{"path": dst, "create": true},
		"skipEncryptedData": true, "servicesServer": "ars82.corp.example.com", "skipPrincipals": true}
	raw, _ := json.Marshal(params)
	job := engine.Start(context.Background(), engine.Request{Operation: "import-configuration", Params: raw, LogFile: "-"})
	cancelled := false
	for {
		ev, st := job.Next(-1)
		if st == engine.NextEnd {
			break
		}
		// The import reports progress only once it writes: the destination exists by then.
		if ev.Type == engine.TypeProgress && ev.Step != "" && !cancelled {
			job.Cancel()
			cancelled = true
		}
	}
	out := job.Wait()
	if !cancelled {
		t.Skipf("the import finished before it reported progress: %+v %+v", out, out.Error)
	}
	if out.Outcome != engine.Cancelled || out.ExitCode != arerr.ExitCancelled {
		t.Fatalf("outcome %+v", out)
	}
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Fatalf("the destination created by the cancelled run is still there (stat: %v)", err)
	}
	// The same command now simply works.
	_, out = runOp(t, "import-configuration", params)
	if out.Outcome != engine.Succeeded {
		t.Fatalf("re-run: %+v", out.Error)
	}
}
