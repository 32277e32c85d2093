package bundle

import (
	"testing"

	"github.com/activeroles/arupgrade/core/store"
	"github.com/activeroles/arupgrade/core/storetest"
)

func TestConfigDestinationConformance(t *testing.T) {
	storetest.RunConformance(t, func(t *testing.T) store.ConfigDestination {
		d, err := OpenConfigDestination(tempPath(t, "config.arbundle"))
		if err != nil {
			t.Fatal(err)
		}
		return d
	})
}
