package memlimit

import (
	"runtime/debug"
	"testing"
)

func TestHoldSetsAndRestoresTheLimit(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	before := debug.SetMemoryLimit(-1)
	outer := Hold(Budget)
	if got := debug.SetMemoryLimit(-1); got != Budget {
		t.Fatalf("limit during an import = %d, want %d", got, Budget)
	}
	inner := Hold(Budget * 2) // a second import in the same process
	if got := debug.SetMemoryLimit(-1); got != Budget {
		t.Fatalf("a larger nested limit replaced the smaller one: %d", got)
	}
	inner()
	if got := debug.SetMemoryLimit(-1); got != Budget {
		t.Fatalf("limit after the nested import ended = %d, want %d while the first runs", got, Budget)
	}
	outer()
	outer() // releasing twice is harmless
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Fatalf("limit after every import ended = %d, want the previous %d", got, before)
	}
}

func TestHoldLeavesAUserLimitAlone(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "1GiB")
	before := debug.SetMemoryLimit(-1)
	release := Hold(Budget)
	defer release()
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Fatalf("limit = %d with GOMEMLIMIT set, want it unchanged (%d)", got, before)
	}
}
