package bundle

import (
	"testing"

	"go.uber.org/goleak"
)

// No scan may leave its prefetching goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func goleakCheck() error { return goleak.Find() }
