package sqlserver

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/activeroles/arupgrade/core/store"
)

// One writer per destination on a real server: a second writer is refused
// at once, the lock is free again after release, and a run that dies without
// releasing (its sessions closed) leaves no stale lock.
func TestIntegrationWriterLock(t *testing.T) {
	server := integrationServer(t)
	o := scratch(t, server)
	ctx := context.Background()
	a, b := openScratch(t, o, OpenOptions{}), openScratch(t, o, OpenOptions{})
	holder := store.LockHolder{Operation: "test", Host: "here", PID: 1}

	release, err := a.LockForWrite(ctx, holder)
	if err != nil {
		t.Fatalf("first writer: %v", err)
	}
	var le *store.LockedError
	if _, err := b.LockForWrite(ctx, holder); !errors.As(err, &le) {
		t.Fatalf("second writer while the first holds the lock: %v, want *store.LockedError", err)
	}
	if err := release(); err != nil {
		t.Fatalf("release: %v", err)
	}
	rb, err := b.LockForWrite(ctx, holder)
	if err != nil {
		t.Fatalf("second writer after release: %v", err)
	}
	// The holder ends without releasing: closing it ends its lock session.
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := rb(); err != nil {
		t.Fatalf("release after Close: %v", err)
	}
	c := openScratch(t, o, OpenOptions{})
	rc, err := c.LockForWrite(ctx, holder)
	if err != nil {
		t.Fatalf("after the holder's sessions ended: %v", err)
	}
	if err := rc(); err != nil {
		t.Fatal(err)
	}
}

// Writers of two databases on one server do not exclude each other: the
// writer lock is the database's own (application locks are scoped to the
// database they are taken in).
func TestIntegrationWriterLocksPerDatabase(t *testing.T) {
	server := integrationServer(t)
	ctx := context.Background()
	a, b := openScratch(t, scratch(t, server), OpenOptions{}), openScratch(t, scratch(t, server), OpenOptions{})
	holder := store.LockHolder{Operation: "test", Host: "here", PID: 1}
	ra, err := a.LockForWrite(ctx, holder)
	if err != nil {
		t.Fatalf("writer of the first database: %v", err)
	}
	defer func() { _ = ra() }()
	rb, err := b.LockForWrite(ctx, holder)
	if err == nil {
		if err := rb(); err != nil {
			t.Fatal(err)
		}
		return
	}
	if serverWideAppLocks(t, a, b) {
		t.Skip("not covered on this server: its application locks are server-wide (sp_getapplock in one database blocks the same resource in every other), so writers of two databases on it exclude each other; SQL Server scopes them to the database")
	}
	t.Fatalf("writer of the second database while the first is written: %v, want the lock", err)
}

// serverWideAppLocks takes a probe application lock in a's database and
// tries the same resource in b's: refused means the server does not scope
// application locks per database.
func serverWideAppLocks(t *testing.T, a, b *Database) bool {
	t.Helper()
	ctx := context.Background()
	probe := fmt.Sprintf("arupgrade scope probe %d", time.Now().UnixNano())
	ca, err := a.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer ca.Close()
	cb, err := b.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer cb.Close()
	var r1, r2 int
	if err := ca.QueryRowContext(ctx, sqlGetAppLock, probe).Scan(&r1); err != nil || r1 < 0 {
		t.Fatalf("probe lock in the first database: %d, %v", r1, err)
	}
	defer func() { _ = ca.QueryRowContext(ctx, sqlReleaseAppLock, probe).Scan(&r1) }()
	if err := cb.QueryRowContext(ctx, sqlGetAppLock, probe).Scan(&r2); err != nil {
		t.Fatal(err)
	}
	if r2 >= 0 {
		_ = cb.QueryRowContext(ctx, sqlReleaseAppLock, probe).Scan(&r2)
	}
	return r2 == -1
}
