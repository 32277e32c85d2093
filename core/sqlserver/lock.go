package sqlserver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/activeroles/arupgrade/core/store"
)

// lockResource names the writer lock. Application locks live in the
// database they are taken in, so one name gives one lock per database.
const lockResource = "ActiveRolesUpgrade writer"

var _ store.Locker = (*Database)(nil)

// LockForWrite takes the destination's writer lock (store.Locker): an
// exclusive application lock owned by a session of its own, which the run
// keeps until release. sp_getapplock waits at most 1 ms, so a
// second writer is refused at once; a crashed run's lock ends with its
// session.
func (d *Database) LockForWrite(ctx context.Context, holder store.LockHolder) (func() error, error) {
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return nil, d.wrap("open a session for the writer lock", err)
	}
	qctx, cancel := d.cmdCtx(ctx)
	defer cancel()
	var rc int
	if err := conn.QueryRowContext(qctx, sqlGetAppLock, lockResource).Scan(&rc); err != nil {
		_ = conn.Close()
		return nil, d.wrap("take the writer lock", err)
	}
	switch {
	case rc >= 0: // 0 granted, 1 granted after waiting
	case rc == -1: // timeout: another session holds it
		_ = conn.Close()
		return nil, &store.LockedError{Location: d.opts.Location(), Holder: d.lockHolder(ctx)}
	default: // -2 cancelled, -3 deadlock victim, -999 parameter or call error
		_ = conn.Close()
		return nil, fmt.Errorf("take the writer lock on %s: sp_getapplock returned %d", d.opts.Location(), rc)
	}
	d.mu.Lock()
	d.lockConns = append(d.lockConns, conn)
	d.mu.Unlock()
	var once bool
	return func() error {
		if once {
			return nil
		}
		once = true
		if !d.forgetLockConn(conn) {
			return nil // Close already ended the session
		}
		rctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var rrc int
		err := conn.QueryRowContext(rctx, sqlReleaseAppLock, lockResource).Scan(&rrc)
		if err == nil && rrc != 0 {
			err = fmt.Errorf("sp_releaseapplock returned %d", rrc)
		}
		if err != nil {
			// The session must not go back to the pool still holding the
			// lock: discard it, which ends the session and the lock with it.
			discardSession(conn)
			return d.wrap("release the writer lock", err)
		}
		return conn.Close()
	}, nil
}

// lockHolder names the session holding the writer lock, where the account
// may see other sessions (VIEW SERVER STATE); nil otherwise.
func (d *Database) lockHolder(ctx context.Context) *store.LockHolder {
	qctx, cancel := d.cmdCtx(ctx)
	defer cancel()
	var host, program sql.NullString
	var pid sql.NullInt64
	var login sql.NullTime
	err := d.db.QueryRowContext(qctx, sqlAppLockHolder).Scan(&host, &pid, &login, &program)
	if err != nil { // no permission, or the holder has just gone
		return nil
	}
	h := &store.LockHolder{Operation: program.String, Host: host.String, PID: int(pid.Int64)}
	if login.Valid {
		h.Started = login.Time
	}
	return h
}

// forgetLockConn removes conn from the held lock sessions; false when it was
// no longer held.
func (d *Database) forgetLockConn(conn *sql.Conn) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i, c := range d.lockConns {
		if c == conn {
			d.lockConns = append(d.lockConns[:i], d.lockConns[i+1:]...)
			return true
		}
	}
	return false
}

// discardSession ends a session for good instead of returning it to the
// pool, so that a lock it owns ends with it.
func discardSession(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	_ = conn.Close()
}
