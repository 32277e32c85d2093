package ops

import (
	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/secrets"
)

// ReadKeyBackupFile reads the key backup a request names, never more than a
// key backup's size. Every failure — missing, a folder, too large — is
// AR-E014 KeyBackupUnreadable (exit 3), like a backup that does not open:
// the key backup is a preflight concern. The CLI calls it before asking for
// the key password, so --key-backup fails the same way everywhere.
func ReadKeyBackupFile(path string) ([]byte, error) {
	b, err := secrets.ReadKeyBackupFile(path)
	if err != nil {
		return nil, arerr.Wrap(err, model.E014KeyBackupUnreadable.ID, arerr.CatInvalidArgument,
			"Check the key backup path; it is the file exported from the old Administration Service's key store.",
			"Cannot read the key backup file %s", path)
	}
	return b, nil
}
