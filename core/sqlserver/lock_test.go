package sqlserver

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/DATA-DOG/go-sqlmock"

	"github.com/activeroles/arupgrade/core/store"
)

func TestLockForWrite(t *testing.T) {
	ctx := context.Background()
	holder := store.LockHolder{Operation: "import-history", Host: "ws1", PID: 42}

	t.Run("granted then released", func(t *testing.T) {
		d, m := newMock(t, OpenOptions{}, nil)
		m.ExpectQuery(sqlGetAppLock).WithArgs(lockResource).WillReturnRows(sqlmock.NewRows([]string{"rc"}).AddRow(int64(0)))
		m.ExpectQuery(sqlReleaseAppLock).WithArgs(lockResource).WillReturnRows(sqlmock.NewRows([]string{"rc"}).AddRow(int64(0)))
		release, err := d.LockForWrite(ctx, holder)
		if err != nil {
			t.Fatal(err)
		}
		if err := release(); err != nil {
			t.Fatal(err)
		}
		if err := release(); err != nil { // a second call is a no-op
			t.Fatal(err)
		}
	})

	t.Run("held by another run", func(t *testing.T) {
		d, m := newMock(t, OpenOptions{}, nil)
		started := time.Date(2026, 12, 2, 9, 30, 0, 0, time.UTC)
		m.ExpectQuery(sqlGetAppLock).WithArgs(lockResource).WillReturnRows(sqlmock.NewRows([]string{"rc"}).AddRow(int64(-1)))
		m.ExpectQuery(sqlAppLockHolder).WillReturnRows(sqlmock.NewRows([]string{"h", "p", "l", "a"}).AddRow("OPS-07", int64(4711), started, "ActiveRolesUpgrade"))
		_, err := d.LockForWrite(ctx, holder)
		var le *store.LockedError
		if !errors.As(err, &le) || le.Holder == nil || le.Holder.Host != "OPS-07" || le.Holder.PID != 4711 || !le.Holder.Started.Equal(started) {
			t.Fatalf("err = %v", err)
		}
		if !strings.Contains(err.Error(), "OPS-07") || !strings.Contains(err.Error(), "4711") {
			t.Errorf("message does not name the other run: %v", err)
		}
	})

	t.Run("holder not visible", func(t *testing.T) {
		d, m := newMock(t, OpenOptions{}, nil)
		m.ExpectQuery(sqlGetAppLock).WithArgs(lockResource).WillReturnRows(sqlmock.NewRows([]string{"rc"}).AddRow(int64(-1)))
		m.ExpectQuery(sqlAppLockHolder).WillReturnError(errors.New("VIEW SERVER STATE permission was denied"))
		_, err := d.LockForWrite(ctx, holder)
		var le *store.LockedError
		if !errors.As(err, &le) || le.Holder != nil {
			t.Fatalf("err = %v", err)
		}
	})
}
