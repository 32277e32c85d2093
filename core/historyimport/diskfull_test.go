package historyimport

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/store"
)

// A batch that runs out of disk space is not retried (another attempt only
// fills the disk again) and fails with AR-DISK-FULL naming the path and the
// space left, not as a connection error after four attempts (issue 9).
func TestDiskFullIsNotRetried(t *testing.T) {
	s := source(t, "8.0", "history", 300, false)
	dst := filepath.Join(t.TempDir(), "mh.arbundle")
	full := &bundle.DiskFullError{Path: dst, Free: 4096, Err: &fs.PathError{Op: "write", Path: dst, Err: syscall.ENOSPC}}
	var fd *faultyDest
	res, err := importInto(t, s.path, dst, Options{BatchSize: 100}, func(d store.HistoryDestination) store.HistoryDestination {
		fd = &faultyDest{HistoryDestination: d, fail: func(seq, attempt int) error {
			if seq == 2 {
				return full
			}
			return nil
		}}
		return fd
	})
	if fd.calls[2] != 1 || res.Retries != 0 {
		t.Fatalf("batch 2 written %d times, %d retries; a full disk is not retried", fd.calls[2], res.Retries)
	}
	var ee *arerr.Error
	if !errors.As(err, &ee) || ee.Code != arerr.CodeDiskFull || ee.Category != arerr.CatWriteError || ee.Exit != arerr.ExitFailed {
		t.Fatalf("err = %#v", err)
	}
	for _, want := range []string{"Batch 2", dst, "4.0 KiB free"} {
		if !strings.Contains(ee.Message, want) {
			t.Errorf("message %q does not say %q", ee.Message, want)
		}
	}
	if !strings.Contains(ee.Remedy, "batches 1 to 1 are committed") {
		t.Errorf("remedy %q", ee.Remedy)
	}
}
