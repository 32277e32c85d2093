package secrets

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// MaxPasswordFileSize bounds a password file: the longest password any
// endpoint takes (256 characters, up to 4 UTF-8 bytes each) plus a line end,
// with room to spare.
const MaxPasswordFileSize = 4096

// TooLargeError says a file of known small size holds more than its limit.
// Only limit+1 bytes were read, so /dev/zero or a huge file costs nothing.
type TooLargeError struct {
	Path  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %d bytes", e.Path, e.Limit)
}

// ReadFileLimited reads a whole file that must be at most limit bytes long,
// never holding more than limit+1 bytes in memory. Pipes and devices are
// read like files (a password can come from <(pass show x)); past the limit
// it returns *TooLargeError.
func ReadFileLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, &fs.PathError{Op: "read", Path: path, Err: errIsFolder}
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: path, Err: err}
	}
	if int64(len(b)) > limit {
		clear(b) // it may be a password
		return nil, &TooLargeError{Path: path, Limit: limit}
	}
	return b, nil
}

var errIsFolder = errors.New("it is a folder, not a file")

// ReadKeyBackupFile reads a key backup file for ReadKeyBackup. A key backup
// is exactly BackupSize bytes, so no more than that (plus one) is read. Every
// failure wraps ErrKeyBackupUnreadable (AR-E014); its text says what is wrong
// without the path, which the caller's message names.
func ReadKeyBackupFile(path string) ([]byte, error) {
	b, err := ReadFileLimited(path, BackupSize)
	if err == nil {
		return b, nil
	}
	var tl *TooLargeError
	var pe *fs.PathError
	detail := err
	switch {
	case errors.As(err, &tl):
		detail = fmt.Errorf("it is larger than %d bytes, the size of a key backup file, so it is not one", BackupSize)
	case errors.As(err, &pe):
		detail = pe.Err
	}
	return nil, fileError{detail}
}

// fileError is a key backup file failure: its own text, matched by
// errors.Is(err, ErrKeyBackupUnreadable).
type fileError struct{ err error }

func (e fileError) Error() string   { return e.err.Error() }
func (e fileError) Unwrap() []error { return []error{ErrKeyBackupUnreadable, e.err} }
