package bundle

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
)

// DiskFullError says a bundle could not be written because its volume is
// out of space (or the user's quota is used up). It is its own condition:
// retrying cannot help, and the message names the path and the space left.
type DiskFullError struct {
	Path string // the file being written
	Free int64  // bytes still available on its volume; -1 when unknown
	Err  error
}

func (e *DiskFullError) Error() string {
	return fmt.Sprintf("no space left on the volume of %s (%s free): %v", e.Path, FormatBytes(e.Free), e.Err)
}

func (e *DiskFullError) Unwrap() error { return e.Err }

// DiskFull names the path and the space left (arerr.AsDiskFull).
func (e *DiskFullError) DiskFull() (path string, free int64) { return e.Path, e.Free }

// Transient is false: a retry only fails again (core/retry).
func (e *DiskFullError) Transient() bool { return false }

// diskFull turns an out-of-space error into a *DiskFullError about path;
// other errors are returned as they are.
func diskFull(path string, err error) error {
	if err == nil || !isNoSpace(err) {
		return err
	}
	var de *DiskFullError
	if errors.As(err, &de) {
		return err
	}
	return &DiskFullError{Path: path, Free: freeSpace(filepath.Dir(path)), Err: err}
}

// FormatBytes writes a byte count for people: "1.5 MiB", "812 bytes",
// "unknown" when negative.
func FormatBytes(n int64) string {
	if n < 0 {
		return "unknown"
	}
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " bytes"
	}
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB"}
	f := float64(n) / 1024
	i := 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	return strconv.FormatFloat(f, 'f', 1, 64) + " " + units[i]
}

// ClassifyDiskFull returns err as a *DiskFullError about path when it says
// the volume is out of space (for files written beside a bundle), and err
// unchanged otherwise.
func ClassifyDiskFull(path string, err error) error { return diskFull(path, err) }
