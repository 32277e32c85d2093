package historyimport

import (
	"testing"

	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/store"
)

func openDest(t testing.TB, path string) store.HistoryDestination {
	t.Helper()
	d, err := bundle.OpenHistoryDestination(path)
	if err != nil {
		t.Fatalf("open destination %s: %v", path, err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}
