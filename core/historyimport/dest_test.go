package historyimport

import (
	"testing"

	"github.com/activeroles/arupgrade/core/store"
)

// openDest opens a bundle or sql: destination for the rest of the test.
func openDest(t testing.TB, path string) store.HistoryDestination {
	t.Helper()
	d, err := openDestination(path)
	if err != nil {
		t.Fatalf("open destination %s: %v", path, err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}
