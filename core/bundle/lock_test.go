package bundle

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/retry"
	"github.com/activeroles/arupgrade/core/store"
)

func holder(op string) store.LockHolder {
	return store.LockHolder{Operation: op, Host: "host1.corp.example.com", PID: 4242, Started: t0}
}

func lockIt(t *testing.T, l store.Locker, op string) func() error {
	t.Helper()
	rel, err := l.LockForWrite(ctx, holder(op))
	must(t, err)
	return rel
}

// A second writer is refused at once, told who holds the destination, and
// gets it once the first lets go; the lock file goes with the lock.
func TestSecondWriterIsRefusedAndNamed(t *testing.T) {
	d1, path := newHistoryDest(t)
	must(t, d1.Close())
	rel := lockIt(t, d1, "import-history")
	lockFile := LockFilePath(path)

	d2, err := OpenHistoryDestination(path)
	must(t, err)
	start := time.Now()
	_, err = d2.LockForWrite(ctx, holder("import-configuration"))
	var le *store.LockedError
	if !errors.As(err, &le) {
		t.Fatalf("second LockForWrite = %v, want *store.LockedError", err)
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("the refusal took %v; it must come at once", el)
	}
	if le.Holder == nil || le.Holder.Operation != "import-history" || le.Holder.PID != 4242 || !le.Holder.Started.Equal(t0) {
		t.Fatalf("holder = %+v", le.Holder)
	}
	for _, want := range []string{path, "import-history", "host1.corp.example.com", "process 4242", "2024-05-01T12:00:00Z"} {
		if !strings.Contains(le.Error(), want) {
			t.Errorf("%q does not name %q", le.Error(), want)
		}
	}
	st, err := ProbeLock(path)
	must(t, err)
	if !st.Held || st.Holder == nil || st.Holder.PID != 4242 {
		t.Errorf("ProbeLock while held = %+v", st)
	}

	must(t, rel())
	must(t, rel()) // safe to call twice
	if _, err := os.Stat(lockFile); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the lock file is left after release: %v", err)
	}
	if st, err := ProbeLock(path); err != nil || st.Held {
		t.Errorf("ProbeLock after release = %+v, %v", st, err)
	}
	rel2 := lockIt(t, d2, "import-history")
	must(t, rel2())
}

// A run that opened the destination before another run changed it reads it
// again once it holds the lock: no update is lost.
func TestLockReadsWhatAnotherRunCommitted(t *testing.T) {
	d0, path := newConfigDest(t)
	_ = d0
	slow, err := OpenConfigDestination(path) // opened first, locked last
	must(t, err)

	fast, err := OpenConfigDestination(path)
	must(t, err)
	rel := lockIt(t, fast, "set-services-association")
	tx, err := fast.BeginConfig(ctx)
	must(t, err)
	must(t, tx.Insert(ctx, "EncryptionKey", []data.Row{keyRow(1)}))
	must(t, tx.Commit(ctx))
	must(t, rel())

	rel = lockIt(t, slow, "set-services-association")
	defer rel()
	tx, err = slow.BeginConfig(ctx)
	must(t, err)
	must(t, tx.Insert(ctx, "EncryptionKey", []data.Row{keyRow(2)}))
	must(t, tx.Commit(ctx))
	b, err := Open(path)
	must(t, err)
	if n := count(t, b, "EncryptionKey"); n != 2 {
		t.Fatalf("EncryptionKey rows = %d, want both runs' rows (2)", n)
	}
}

// Writing through a symbolic link changes the file it points to and leaves
// the link a link (the configuration destination replaces the file by
// renaming, which used to replace the link itself).
func TestSymlinkedDestinationWritesTheTarget(t *testing.T) {
	_, target := newConfigDest(t)
	linkDir := t.TempDir()
	link := filepath.Join(linkDir, "link.arbundle")
	must(t, os.Symlink(target, link))

	d, err := OpenConfigDestination(link)
	must(t, err)
	if d.Path() != mustReal(t, target) {
		t.Errorf("Path = %s, want the target %s", d.Path(), target)
	}
	rel := lockIt(t, d, "set-services-association")
	tx, err := d.BeginConfig(ctx)
	must(t, err)
	must(t, tx.Insert(ctx, "EncryptionKey", []data.Row{keyRow(7)}))
	must(t, tx.Commit(ctx))
	must(t, rel())

	fi, err := os.Lstat(link)
	must(t, err)
	if fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatal("the link was replaced by a regular file")
	}
	b, err := Open(target)
	must(t, err)
	if n := count(t, b, "EncryptionKey"); n != 1 {
		t.Errorf("the target holds %d EncryptionKey rows, want the one written through the link", n)
	}
	if ents, _ := os.ReadDir(linkDir); len(ents) != 1 {
		t.Errorf("files appeared beside the link: %v", ents)
	}

	// A history destination through a relative link, and a new bundle
	// through a dangling one, are written at the target too.
	hd, hpath := newHistoryDest(t)
	must(t, hd.Close())
	rlink := filepath.Join(filepath.Dir(hpath), "rel.arbundle")
	must(t, os.Symlink(filepath.Base(hpath), rlink))
	h, err := OpenHistoryDestination(rlink)
	must(t, err)
	if h.Path() != mustReal(t, hpath) {
		t.Errorf("history Path = %s, want %s", h.Path(), hpath)
	}
	dangling := filepath.Join(linkDir, "new.arbundle")
	want := filepath.Join(mustReal(t, t.TempDir()), "made.arbundle")
	must(t, os.Symlink(want, dangling))
	if p, err := RealPath(dangling); err != nil || p != want {
		t.Errorf("RealPath(dangling) = %s, %v; want %s", p, err, want)
	}
}

func mustReal(t *testing.T, p string) string {
	t.Helper()
	r, err := filepath.EvalSymlinks(p)
	must(t, err)
	return r
}

// noSpace lets n bytes through, then fails like a full disk.
type noSpace struct {
	w io.Writer
	n int
}

func (f *noSpace) Write(p []byte) (int, error) {
	if len(p) <= f.n {
		f.n -= len(p)
		return f.w.Write(p)
	}
	k := f.n
	f.n = 0
	if k > 0 {
		_, _ = f.w.Write(p[:k])
	}
	return k, &fs.PathError{Op: "write", Path: "injected", Err: syscall.ENOSPC}
}

func withNoSpace(f *noSpace) Option {
	return func(o *options) { o.wrap = func(w io.Writer) io.Writer { f.w = w; return f } }
}

// Out of space is its own error: it names the path and the space left and
// is not worth retrying; a new bundle leaves no file behind.
func TestDiskFullIsItsOwnError(t *testing.T) {
	check := func(t *testing.T, err error, path string) {
		t.Helper()
		var de *DiskFullError
		if !errors.As(err, &de) {
			t.Fatalf("error %v is not a *DiskFullError", err)
		}
		if de.Path != path || de.Free < 0 || !strings.Contains(err.Error(), "free") || !strings.Contains(err.Error(), path) {
			t.Errorf("DiskFullError = %+v (%v)", de, err)
		}
		if !errors.Is(err, syscall.ENOSPC) {
			t.Error("the error does not unwrap to ENOSPC")
		}
		if retry.IsTransient(err) {
			t.Error("a full disk is classified as transient")
		}
	}
	t.Run("history batch", func(t *testing.T) {
		ns := &noSpace{n: 1 << 40}
		d, path := newHistoryDest(t, withNoSpace(ns))
		ns.n = 100
		_, err := d.WriteHistoryBatch(ctx, batch(1, importedRecord(1), importedRecord(2)))
		check(t, err, mustReal(t, path))
	})
	t.Run("new bundle", func(t *testing.T) {
		for _, failAt := range []int{10, 2000, 40_000} {
			dir := t.TempDir()
			path := filepath.Join(mustReal(t, dir), "x.arbundle")
			w, err := Create(path, historyHeader(), withNoSpace(&noSpace{n: failAt}))
			for i := 1; err == nil && i <= 5000; i++ {
				err = w.Write("ChangeRecord", recordRow(i, data.IntValue(int64(i))))
			}
			if err == nil {
				err = w.Close()
			} else {
				w.Abort()
			}
			check(t, err, path)
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Errorf("fail at %d: files left: %v", failAt, ents)
			}
		}
	})
	t.Run("configuration commit", func(t *testing.T) {
		ns := &noSpace{n: 1 << 40}
		d, path := newConfigDest(t, withNoSpace(ns))
		tx, err := d.BeginConfig(ctx)
		must(t, err)
		must(t, tx.Insert(ctx, "EncryptionKey", []data.Row{keyRow(1)}))
		ns.n = 50
		check(t, tx.Commit(ctx), mustReal(t, path))
	})
}

// kill drops a held lock the way a killed process does: the OS lock goes,
// the lock file and its record stay.
func kill(d *destLock) {
	_ = d.l.f.Close()
	d.l = nil
}

// A bundle that a killed run of the same operation created is taken over:
// a configuration destination is started afresh, a history destination
// continues; another operation, or a bundle whose run finished, is not.
func TestTakeOverAfterKill(t *testing.T) {
	cfgTables, err := model.Tables(model.Target, model.RoleConfiguration)
	must(t, err)
	cfgSettings := map[string]string{"SchemaVersion": "8.2.0", "DatabaseRole": "Configuration", "InstallationId": destIID.String()}
	histSettings := map[string]string{"SchemaVersion": "8.2.0", "DatabaseRole": "ManagementHistory", "InstallationId": destIID.String()}

	t.Run("configuration", func(t *testing.T) {
		create := func(t *testing.T, path string) *ConfigDest {
			d, err := OpenConfigDestination(path)
			must(t, err)
			lockIt(t, d, "import-configuration")
			must(t, d.Initialize(ctx, cfgTables, nil, cfgSettings))
			_, _, err = d.StartRun(ctx, store.ImportRun{Kind: "Configuration", SourceVersion: "7.6.3", SourceServer: "s", SourceDatabase: "d"})
			must(t, err)
			return d
		}
		// Another operation writing the bundle makes it no longer the
		// killed run's alone: the marker goes.
		path := filepath.Join(t.TempDir(), "cfg.arbundle")
		kill(&create(t, path).lk)
		other, err := OpenConfigDestination(path)
		must(t, err)
		rel := lockIt(t, other, "set-services-association")
		if ok, err := other.TakeOver(ctx); ok || err != nil {
			t.Fatalf("another operation took the bundle over: %v %v", ok, err)
		}
		must(t, rel())
		same, err := OpenConfigDestination(path)
		must(t, err)
		rel = lockIt(t, same, "import-configuration")
		if ok, _ := same.TakeOver(ctx); ok {
			t.Fatal("taken over although another operation held it since")
		}
		must(t, rel())

		path = filepath.Join(t.TempDir(), "new", "cfg.arbundle")
		kill(&create(t, path).lk)
		again, err := OpenConfigDestination(path)
		must(t, err)
		rel = lockIt(t, again, "import-configuration")
		ok, err := again.TakeOver(ctx)
		if !ok || err != nil {
			t.Fatalf("TakeOver = %v, %v", ok, err)
		}
		if again.Exists() {
			t.Fatal("a taken-over configuration bundle is started afresh")
		}
		must(t, again.Initialize(ctx, cfgTables, nil, cfgSettings))
		id, _, err := again.StartRun(ctx, store.ImportRun{Kind: "Configuration", SourceVersion: "7.6.3", SourceServer: "s", SourceDatabase: "d"})
		must(t, err)
		must(t, again.FinishRun(ctx, id, store.RunFinish{Outcome: "Succeeded"}))
		must(t, rel())
		if _, err := os.Stat(LockFilePath(again.Path())); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("a finished run left its lock file: %v", err)
		}
		last, err := OpenConfigDestination(path)
		must(t, err)
		defer lockIt(t, last, "import-configuration")()
		if ok, _ := last.TakeOver(ctx); ok {
			t.Fatal("a finished bundle was taken over")
		}
	})

	t.Run("history", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "mh.arbundle")
		d, err := OpenHistoryDestination(path)
		must(t, err)
		lockIt(t, d, "import-history")
		must(t, d.Initialize(ctx, historyTables, nil, histSettings))
		id, _, err := d.StartRun(ctx, store.ImportRun{Kind: "History", SourceVersion: "7.6.3", SourceServer: "s", SourceDatabase: "d", Mode: "All"})
		must(t, err)
		_, err = d.WriteHistoryBatch(ctx, batch(1, importedRecord(1)))
		must(t, err)
		st, err := ProbeLock(path)
		must(t, err)
		if !st.Held || st.ImportRunID != id {
			t.Errorf("ProbeLock = %+v, want held by run %d", st, id)
		}
		kill(&d.lk)
		if st, _ := ProbeLock(path); st.Held || st.ImportRunID != id {
			t.Errorf("ProbeLock after the kill = %+v", st)
		}

		again, err := OpenHistoryDestination(path)
		must(t, err)
		rel := lockIt(t, again, "import-history")
		ok, err := again.TakeOver(ctx)
		if !ok || err != nil {
			t.Fatalf("TakeOver = %v, %v", ok, err)
		}
		if n := count(t, again, "ChangeRecord"); n != 1 {
			t.Errorf("the committed batch is gone: %d records", n)
		}
		// Failing again keeps the marker: the same command takes over once more.
		must(t, again.Close())
		must(t, rel())
		third, err := OpenHistoryDestination(path)
		must(t, err)
		defer lockIt(t, third, "import-history")()
		if ok, _ := third.TakeOver(ctx); !ok {
			t.Fatal("an unfinished taken-over bundle lost its marker")
		}
	})
}

// A failed run removes a bundle it created, and only that: the lock's folder
// goes too when the run made it.
func TestDiscardCreatedRemovesOnlyItsOwn(t *testing.T) {
	root := t.TempDir()
	path := filepath.Join(root, "a", "b", "h.arbundle")
	d, err := OpenHistoryDestination(path)
	must(t, err)
	rel := lockIt(t, d, "import-history")
	must(t, d.Initialize(ctx, historyTables, nil, map[string]string{"SchemaVersion": "8.2.0", "DatabaseRole": "ManagementHistory"}))
	if ok, err := d.DiscardCreated(); !ok || err != nil {
		t.Fatalf("DiscardCreated = %v, %v", ok, err)
	}
	must(t, rel())
	if ents, _ := os.ReadDir(root); len(ents) != 0 {
		t.Errorf("left behind: %v", ents)
	}

	// Someone else's bundle stays.
	_, other := newHistoryDest(t)
	o, err := OpenHistoryDestination(other)
	must(t, err)
	rel = lockIt(t, o, "import-history")
	if ok, _ := o.DiscardCreated(); ok {
		t.Fatal("removed a bundle this run did not create")
	}
	must(t, rel())
	if _, err := os.Stat(other); err != nil {
		t.Fatal(err)
	}
}

// The temporary files of a killed writer are removed by the next holder,
// and only those of this bundle.
func TestLockRemovesStaleTemporaryFiles(t *testing.T) {
	_, path := newConfigDest(t)
	dir := filepath.Dir(path)
	stale := filepath.Join(dir, ".cfg.arbundle.123456.tmp")
	keep := []string{filepath.Join(dir, ".cfg.arbundle.x.arbundle.99.tmp"), filepath.Join(dir, "notes.txt")}
	for _, p := range append(keep, stale) {
		must(t, os.WriteFile(p, []byte("x"), 0o644))
	}
	d, err := OpenConfigDestination(path)
	must(t, err)
	defer lockIt(t, d, "import-configuration")()
	if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Error("the stale temporary file is still there")
	}
	for _, p := range keep {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed", p)
		}
	}
}

func TestLockHonoursCancellation(t *testing.T) {
	_, path := newConfigDest(t)
	d, err := OpenConfigDestination(path)
	must(t, err)
	c, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := d.LockForWrite(c, holder("x")); !errors.Is(err, context.Canceled) {
		t.Fatalf("LockForWrite with a cancelled context = %v", err)
	}
}
