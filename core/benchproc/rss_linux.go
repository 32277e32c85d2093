//go:build linux

package benchproc

import (
	"os"
	"syscall"
)

// peakRSS reads ru_maxrss, which Linux reports in KiB.
func peakRSS(ps *os.ProcessState) (int64, bool) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, false
	}
	return ru.Maxrss * 1024, true
}
