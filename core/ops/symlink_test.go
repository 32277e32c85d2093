//go:build unix

package ops

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/fixture"
)

// set-services-association through a symbolic link changes the file the link
// points to and leaves the link in place (issue 9: the link was replaced by
// a regular file and the real destination left unchanged).
func TestServicesAssociationThroughASymlink(t *testing.T) {
	dir := t.TempDir()
	src, real := filepath.Join(dir, "src.arbundle"), filepath.Join(dir, "data", "ar82.arbundle")
	makeSample(t, src, fixture.Spec{Version: "8.1", Role: "configuration", ConfigObjects: 200, Seed: 71})
	if _, o := runOp(t, "import-configuration", map[string]any{"source": bundleParam(src, false), "destination": bundleParam(real, true),
		"skipEncryptedData": true, "skipPrincipals": true, "servicesServer": "ars00.corp.example.com"}); o.Outcome != engine.Succeeded {
		t.Fatalf("setup: %s", describeOutcome(o))
	}
	linkDir := filepath.Join(dir, "links")
	if err := os.Mkdir(linkDir, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(linkDir, "current.arbundle")
	if err := os.Symlink(filepath.Join("..", "data", "ar82.arbundle"), link); err != nil {
		t.Fatal(err)
	}
	if _, o := runOp(t, "set-services-association", map[string]any{"destination": bundleParam(link, false),
		"servicesServer": "ars09.corp.example.com"}); o.Outcome != engine.Succeeded {
		t.Fatalf("through the link: %s", describeOutcome(o))
	}
	fi, err := os.Lstat(link)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("the link is no longer a link (%v)", err)
	}
	tables, _ := dump(t, real)
	for _, row := range tables["DynamicGroup"] {
		if !strings.Contains(row, `ServiceHost="ars09.corp.example.com"`) {
			t.Fatalf("the real destination was not changed: %s", row)
		}
	}
	if names := listDir(t, linkDir); len(names) != 1 {
		t.Errorf("files appeared beside the link: %v", names)
	}
	if names := listDir(t, filepath.Dir(real)); len(names) != 1 {
		t.Errorf("files left beside the destination: %v", names)
	}
}
