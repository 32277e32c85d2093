package bundle

import (
	"errors"
	"fmt"
)

// Sentinel errors; every *FormatError unwraps to one of them.
var (
	// ErrNotBundle: the file does not start with the bundle magic bytes.
	ErrNotBundle = errors.New("not an Active Roles bundle")
	// ErrUnsupportedVersion: the bundle's major format version is not one this reader knows.
	ErrUnsupportedVersion = errors.New("unsupported bundle format version")
	// ErrTruncated: the file ends before the structure it announces.
	ErrTruncated = errors.New("bundle is truncated")
	// ErrCorrupt: a checksum, length or structural rule does not hold.
	ErrCorrupt = errors.New("bundle is corrupt")
	// ErrInterrupted: a history import into the bundle stopped before it
	// wrote the closing manifest. Running the import again finishes it.
	ErrInterrupted = errors.New("an import into the bundle was interrupted")
)

// FormatError says what is wrong with a bundle file and where.
type FormatError struct {
	Path   string // the bundle file
	Offset int64  // byte offset of the problem; -1 when not about one place
	What   string // what is wrong, for people
	Hint   string // what to do about it
	Err    error  // one of the sentinels above
}

func (e *FormatError) Error() string {
	s := "bundle " + e.Path
	if e.Offset >= 0 {
		s += fmt.Sprintf(": at byte %d", e.Offset)
	}
	s += ": " + e.What
	if e.Hint != "" {
		s += "; " + e.Hint
	}
	return s
}

func (e *FormatError) Unwrap() error { return e.Err }

// DamagedRemedy says what to do about the file. Its presence tells the
// engine that an operation failed on damaged data (exit 5), whatever it was
// doing when it read it (arerr.Wrap).
func (e *FormatError) DamagedRemedy() string {
	h := e.Hint
	if h == "" {
		h = hintRecreate
	}
	return "The bundle " + e.Path + " cannot be used: " + h + "."
}

const (
	hintRecreate = "it is incomplete or damaged — re-create it with arupgrade export"
	hintNewer    = "it was written by a newer arupgrade — use that version to read it"
)

func corruptf(path string, off int64, format string, a ...any) *FormatError {
	return &FormatError{Path: path, Offset: off, What: fmt.Sprintf(format, a...), Hint: hintRecreate, Err: ErrCorrupt}
}
