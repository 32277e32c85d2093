package historyimport

import (
	"os"
	"syscall"
)

// peakRSS is a finished child's peak resident set size; Linux reports
// ru_maxrss in KiB.
func peakRSS(ps *os.ProcessState) (int64, bool) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, false
	}
	return ru.Maxrss * 1024, true
}
