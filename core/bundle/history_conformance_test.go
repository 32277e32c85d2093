package bundle

import (
	"testing"

	"github.com/activeroles/arupgrade/core/storetest"
)

func TestHistoryDestinationConformance(t *testing.T) {
	storetest.RunHistoryConformance(t, func(t *testing.T) storetest.HistoryDest {
		d, err := OpenHistoryDestination(tempPath(t, "mh.arbundle"))
		if err != nil {
			t.Fatal(err)
		}
		return d
	})
}
