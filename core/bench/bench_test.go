package bench

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/benchproc"
)

// The test binary is its own benchmark child.
func TestMain(m *testing.M) {
	if benchproc.IsChild() {
		os.Exit(benchproc.ChildMain())
	}
	os.Exit(m.Run())
}

// The shared library (cshim) must not link benchmark code: no package whose
// import path names "bench" may be among its dependencies.
func TestSharedLibraryHasNoBenchmarkCode(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool to list the shared library's dependencies")
	}
	cmd := exec.Command(gobin, "list", "-deps", "github.com/activeroles/arupgrade/cshim")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps ./cshim: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 || !containsLine(deps, "github.com/activeroles/arupgrade/core/historyimport") {
		t.Fatalf("go list -deps ./cshim listed too little to judge:\n%s", out)
	}
	for _, d := range deps {
		if strings.Contains(d, "bench") {
			t.Errorf("the shared library links benchmark package %s: keep benchmark code in core/bench, imported only by cmd/arupgrade", d)
		}
	}
}

func containsLine(lines []string, s string) bool {
	for _, l := range lines {
		if l == s {
			return true
		}
	}
	return false
}
