package engine

import (
	"github.com/activeroles/arupgrade/core/arerr"

	"context"
	"fmt"
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
//
// An operation returning the bare error gets the same answer as one that wrapped it.
func TestOutcomeOfBareDamageAndFullDisk(t *testing.T) {
	_, info, exit := outcomeOf(context.Background(), fmt.Errorf("count: %w", damagedErr{}))
	if info.Code != arerr.CodeBundle || exit != arerr.ExitDataIntegrity {
		t.Fatalf("outcome of a bare damaged error: %+v exit %d", info, exit)
	}
	_, info, exit = outcomeOf(context.Background(), fullErr{})
	if info.Code != arerr.CodeDiskFull || exit != arerr.ExitFailed || info.Category != arerr.CatWriteError {
		t.Fatalf("outcome of a bare full disk: %+v exit %d", info, exit)
	}
}
