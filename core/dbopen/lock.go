package dbopen

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/store"
)

// Claim takes the writer lock of a destination that a writing operation is
// about to change (store.Locker: a bundle's file lock, SQL Server's
// application lock), before its first write; release gives it back and is
// never nil. Another run holding the destination refuses this one at once
// with AR-E019 naming that run. A destination that cannot be locked is used
// as before.
//
// Holding the lock settles what only the lock makes certain: info.Exists is
// read again, and a destination that an interrupted run of the same
// operation created (and never finished) is taken over (info.TakenOver):
// the command is simply run again.
func Claim(ctx context.Context, ep *Endpoint, dst store.Source, operation string, info *Destination) (release func() error, err error) {
	release = func() error { return nil }
	l, ok := dst.(store.Locker)
	if !ok {
		return release, nil
	}
	h := Holder(operation)
	rel, err := l.LockForWrite(ctx, h)
	if err != nil {
		return release, lockErr(err, ep)
	}
	if e, ok := dst.(interface{ Exists() bool }); ok && ep.Create {
		info.Exists = e.Exists()
	}
	if t, ok := dst.(interface {
		TakeOver(context.Context) (bool, error)
	}); ok && ep.Create && info.Exists {
		took, err := t.TakeOver(ctx)
		if err != nil {
			_ = rel()
			return release, arerr.Wrap(err, "AR-WRITE", arerr.CatWriteError, "Check the path and your permissions, then run the command again.",
				"Cannot take over %s, left by an interrupted run", ep.Describe())
		}
		if took {
			info.Exists, info.TakenOver = false, true
		}
	}
	return rel, nil
}

// Predict settles, without taking the lock, what Claim would for a run of
// operation: a read-only operation (test-prerequisites) reports what the
// run would do with a destination an interrupted run left.
func Predict(ctx context.Context, ep *Endpoint, dst store.Source, operation string, info *Destination) error {
	w, ok := dst.(interface {
		WouldTakeOver(context.Context, string) (bool, error)
	})
	if !ok || !ep.Create || !info.Exists {
		return nil
	}
	took, err := w.WouldTakeOver(ctx, operation)
	if err != nil {
		return arerr.Wrap(err, "AR-READ", arerr.CatReadError, "Check the path and your permissions.", "Cannot read the lock of %s", ep.Describe())
	}
	if took {
		info.Exists, info.TakenOver = false, true
	}
	return nil
}

// Holder describes this process as the holder of a destination's lock.
func Holder(operation string) store.LockHolder {
	host, _ := os.Hostname()
	return store.LockHolder{Operation: operation, Host: host, PID: os.Getpid(), Started: time.Now().UTC()}
}

func lockErr(err error, ep *Endpoint) error {
	var le *store.LockedError
	if errors.As(err, &le) {
		shown := *le
		shown.Location = "The destination " + ep.Describe()
		e := arerr.Errorf(model.E019DestinationInUse.ID, arerr.CatResourceBusy,
			"Wait until that run has finished (or stop it), then run this command again. Nothing was written.",
			"%s.", shown.Error())
		e.Err = err
		return e
	}
	if de, ok := arerr.AsDiskFull(err, "Locking the destination "+ep.Describe(), "Free space on that volume, then run the command again."); ok {
		return de
	}
	var ee *arerr.Error
	if errors.As(err, &ee) {
		return ee
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	return arerr.Wrap(err, "AR-WRITE", arerr.CatWriteError, "Check that you may create files in the destination's folder.",
		"Cannot lock the destination %s for writing", ep.Describe())
}

// LockBundle takes the writer lock of the bundle a run writes whole (export,
// fixture), refusing at once with AR-E019 while another run holds it.
func LockBundle(ctx context.Context, path, operation string) (release func() error, err error) {
	release, err = bundle.LockPath(ctx, path, Holder(operation))
	if err != nil {
		return func() error { return nil }, lockErr(err, &Endpoint{Path: path})
	}
	return release, nil
}
