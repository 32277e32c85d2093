package sqlserver

import (
	"context"
	"errors"
	"testing"

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
