// Package memlimit gives a long import a soft memory limit, so that the Go
// heap is collected before it doubles: an import's live heap grows with
// the destination (its key index) while everything it allocates per batch
// is garbage at once, and without a limit the runtime lets the heap reach
// twice the live size before collecting. With the limit the import stays
// under about Budget plus the program's own pages.
package memlimit

import (
	"math"
	"os"
	"runtime/debug"
	"sync"
)

// Budget is the soft limit of an import: a history import into a bundle
// that already holds 50 million records keeps about 100 MiB live.
const Budget = 150 << 20

var (
	mu    sync.Mutex
	holds int
	prev  int64
)

// Hold applies limit (bytes) to the Go runtime until release is called;
// holds nest (concurrent imports in one process share the smallest limit
// asked for). GOMEMLIMIT set by the user wins: Hold then does nothing.
func Hold(limit int64) (release func()) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	mu.Lock()
	defer mu.Unlock()
	cur := debug.SetMemoryLimit(-1)
	if holds == 0 {
		prev = cur
	}
	holds++
	if cur == math.MaxInt64 || limit < cur {
		debug.SetMemoryLimit(limit)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			mu.Lock()
			defer mu.Unlock()
			if holds--; holds == 0 {
				debug.SetMemoryLimit(prev)
			}
		})
	}
}
