package arerr

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

type damagedErr struct{}

func (damagedErr) Error() string { return "bundle x.arbundle: at byte 42: a bad row" }
func (damagedErr) DamagedRemedy() string {
	return "The bundle x.arbundle cannot be used: re-create it."
}
func (damagedErr) Is(target error) bool { return false }
func (damagedErr) Unwrap() error        { return nil }

type fullErr struct{}

func (fullErr) Error() string                       { return "no space left" }
func (fullErr) DiskFull() (path string, free int64) { return "/mnt/x/y.arbundle", 1536 }

// Damaged data and full disks are reported as what they are, whatever the
// operation was doing when it met them (issue 9: a damaged bundle came out
// as "check the connection", a full disk as a connection error).
func TestWrapReportsDamageAndFullDisksAsSuch(t *testing.T) {
	tests := []struct {
		name               string
		err                error
		code, cat          string
		wantCode, wantCat  string
		wantExit           int
		wantRemedyContains string
	}{
		{"damaged source read", fmt.Errorf("read: %w", damagedErr{}), "AR-SOURCE-READ", CatReadError, CodeBundle, CatInvalidData, ExitDataIntegrity, "re-create it"},
		{"damaged, connection", damagedErr{}, "AR-CONNECT", CatConnectionError, CodeBundle, CatInvalidData, ExitDataIntegrity, "re-create it"},
		{"damaged, already InvalidData", damagedErr{}, "AR-IMPORT", CatInvalidData, CodeBundle, CatInvalidData, ExitDataIntegrity, "re-create it"},
		{"a caller's own bundle code", damagedErr{}, "AR-BUNDLE-NEWER", CatInvalidData, "AR-BUNDLE-NEWER", CatInvalidData, ExitDataIntegrity, "mine"},
		{"cancelled", damagedErr{}, "AR-CANCELLED", CatOperationStopped, "AR-CANCELLED", CatOperationStopped, ExitCancelled, "mine"},
		{"full disk in a batch", fmt.Errorf("batch: %w", fullErr{}), "AR-BATCH-FAILED", CatConnectionError, CodeDiskFull, CatWriteError, ExitFailed, "Free space"},
		{"full disk, data error", fullErr{}, "AR-IMPORT", CatInvalidData, CodeDiskFull, CatWriteError, ExitFailed, "Free space"},
		{"anything else", errors.New("boom"), "AR-X", CatReadError, "AR-X", CatReadError, ExitFailed, "mine"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Wrap(tt.err, tt.code, tt.cat, "mine", "doing it")
			if e.Code != tt.wantCode || e.Category != tt.wantCat || e.Exit != tt.wantExit || !strings.Contains(e.Remedy, tt.wantRemedyContains) {
				t.Fatalf("got %s %s exit %d remedy %q", e.Code, e.Category, e.Exit, e.Remedy)
			}
			if !errors.Is(e, tt.err) {
				t.Error("the cause is not kept")
			}
		})
	}
	e, ok := AsDiskFull(fullErr{}, "Writing y", "free some")
	if !ok || e.Code != CodeDiskFull || !strings.Contains(e.Message, "/mnt/x/y.arbundle has 1.5 KiB free") {
		t.Fatalf("AsDiskFull = %+v, %v", e, ok)
	}
	if _, ok := AsDiskFull(errors.New("x"), "", ""); ok {
		t.Fatal("AsDiskFull took any error")
	}
}
