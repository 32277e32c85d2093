package ops

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/dbopen"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/fixture"
	"github.com/activeroles/arupgrade/core/model"
)

// The site operations that write take the destination's writer lock, as
// new-website does: while another run holds it they are refused (AR-E019)
// and write nothing; the read-only ones (list, export) take none.
func TestWebsiteOperationsAndTheWriterLock(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src.arbundle"), filepath.Join(dir, "dst.arbundle")
	makeSample(t, src, fixture.Spec{Version: "7.6", Role: "configuration", ConfigObjects: 40, Seed: 21})
	if _, o := runOp(t, "import-configuration", map[string]any{"source": bundleParam(src, false), "destination": bundleParam(dst, true),
		"skipEncryptedData": true, "skipPrincipals": true, "servicesServer": "ars82.corp.example.com"}); o.Outcome != engine.Succeeded {
		t.Fatalf("import: %s", describeOutcome(o))
	}
	file := filepath.Join(dir, "site.json")
	if _, o := runOp(t, "export-website", map[string]any{"source": bundleParam(dst, false), "site": "Site for HelpDesk (7.6)", "out": file}); o.Outcome != engine.Succeeded {
		t.Fatalf("export: %s", describeOutcome(o))
	}

	release, err := dbopen.LockBundle(context.Background(), dst, "import-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	before, _ := dump(t, dst)
	for _, w := range []struct {
		op     string
		params map[string]any
	}{
		{"new-website", map[string]any{"destination": bundleParam(dst, false), "sourceSite": "Site for HelpDesk (7.6)", "template": "HelpDesk", "iisSiteName": "Default Web Site", "applicationAlias": "ARHelp"}},
		{"remove-website", map[string]any{"destination": bundleParam(dst, false), "site": "Site for HelpDesk (7.6)", "includeConfiguration": true, "force": true}},
		{"import-website", map[string]any{"destination": bundleParam(dst, false), "path": file}},
	} {
		_, o := runOp(t, w.op, w.params)
		if o.Error == nil || o.Error.Code != model.E019DestinationInUse.ID || o.ExitCode != arerr.ExitPreflight {
			t.Errorf("%s under another run's lock: %s, want AR-E019", w.op, describeOutcome(o))
		}
	}
	after, _ := dump(t, dst)
	sameTables(t, "after refused writers", after, before)
	for _, r := range []struct {
		op     string
		params map[string]any
	}{
		{"list-websites", map[string]any{"source": bundleParam(dst, false), "names": []string{"*(7.6)"}}},
		{"export-website", map[string]any{"source": bundleParam(dst, false), "site": "Site for HelpDesk (7.6)", "out": filepath.Join(dir, "again.json")}},
	} {
		if _, o := runOp(t, r.op, r.params); o.Outcome != engine.Succeeded {
			t.Errorf("%s under another run's lock: %s", r.op, describeOutcome(o))
		}
	}
}
