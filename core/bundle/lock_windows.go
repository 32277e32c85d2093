package bundle

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// On Windows the lock is LockFileEx on one byte far beyond the record:
// Windows byte-range locks are mandatory, and the record must stay readable
// for the run that is refused.

// A file open elsewhere (without FILE_SHARE_DELETE) cannot be removed, so
// the lock file is removed after it is closed; the removal fails harmlessly
// while another run has it open.
const removeWhileLocked = false

const lockOffsetHigh = 0x7fffffff

func lockRange(f *os.File, flags uint32) error {
	ol := &windows.Overlapped{OffsetHigh: lockOffsetHigh}
	return windows.LockFileEx(windows.Handle(f.Fd()), flags, 0, 1, 0, ol)
}

func tryLock(f *os.File) (bool, error) {
	err := lockRange(f, windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY)
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
		return false, nil
	}
	return err == nil, err
}

func unlock(f *os.File) error {
	ol := &windows.Overlapped{OffsetHigh: lockOffsetHigh}
	return windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, ol)
}

// lockHeld takes a shared lock for an instant: a writer trying at that very
// moment is refused and retries (acquire's lockRetries).
func lockHeld(f *os.File) (bool, error) {
	err := lockRange(f, windows.LOCKFILE_FAIL_IMMEDIATELY)
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return false, unlock(f)
}
