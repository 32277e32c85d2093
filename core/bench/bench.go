// Package bench holds the benchmark tables of the CLI's bench command
// (history, Collector and configuration imports). Each scenario runs in a
// child process of its own (core/benchproc), so that the child's peak
// resident set size and CPU time belong to that scenario alone; the host
// executable runs benchproc.ChildMain first thing in main when
// benchproc.IsChild() (cmd/arupgrade does).
//
// Only cmd/arupgrade imports this package: benchmark code stays out of the
// shared library (cshim), which TestSharedLibraryHasNoBenchmarkCode checks.
package bench

import (
	"fmt"
	"os"
)

// Scenario names shared by the history and Collector tables. The transform
// scenarios are not in the history default set: they run the import with a
// destination that discards every batch, which separates the source read and
// the transformation from the destination's own cost.
const (
	ScenarioCopy        = "copy"
	ScenarioImport8x    = "import-8x"
	ScenarioImport7x    = "import-7x"
	ScenarioTransform8x = "transform-8x"
	ScenarioTransform7x = "transform-7x"
)

// executable is exe or, when empty, this process's own executable.
func executable(exe string) (string, error) {
	if exe != "" {
		return exe, nil
	}
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("benchmark: find this executable: %w", err)
	}
	return exe, nil
}

// workDir returns dir (created if missing) or a new temporary directory and
// the function that removes it.
func workDir(dir, pattern string) (string, func(), error) {
	if dir == "" {
		d, err := os.MkdirTemp("", pattern)
		if err != nil {
			return "", nil, fmt.Errorf("benchmark: %w", err)
		}
		return d, func() { _ = os.RemoveAll(d) }, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", nil, fmt.Errorf("benchmark: %w", err)
	}
	return dir, func() {}, nil
}
