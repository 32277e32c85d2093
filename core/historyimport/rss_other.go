//go:build !linux

package historyimport

import "os"

// peakRSS is not measured on this platform (Windows reports no peak working
// set through os.ProcessState); the table shows 0.
func peakRSS(ps *os.ProcessState) (int64, bool) { return 0, false }
