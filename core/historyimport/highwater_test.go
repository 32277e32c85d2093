package historyimport

import (
	"bufio"
	"context"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/store"
)

// sliceSource writes a copy of the bundle src holding change records
// [lo, hi) of its canonical order with their attribute rows and tasks, and
// its first mems temporal memberships: the source as it was before it grew
// (lo = 0), or after its oldest records were purged (lo > 0).
func sliceSource(t *testing.T, src, dst string, lo, hi, mems int) {
	t.Helper()
	b, err := bundle.Open(src)
	must(t, err)
	defer b.Close()
	h := b.Header()
	w, err := bundle.Create(dst, h)
	must(t, err)
	ids := map[int64]bool{}
	for _, tb := range h.Tables {
		rs, err := b.Scan(context.Background(), tb.Name)
		must(t, err)
		rid := tb.Index("RecordId")
		i := 0
		for ; rs.Next(); i++ {
			r := rs.Row()
			keep := true
			switch tb.Name {
			case "ChangeRecord":
				keep = i >= lo && i < hi
				if keep {
					ids[r[rid].Int] = true
				}
			case "ChangeRecordAttribute", "ApprovalTask":
				keep = ids[r[rid].Int]
			case "TemporalMembership":
				keep = i < mems
			}
			if keep {
				must(t, w.Write(tb.Name, r))
			}
		}
		must(t, rs.Err())
		rs.Close()
	}
	must(t, w.Close())
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// countingSource counts the rows each table's scans return.
type countingSource struct {
	*bundle.Bundle
	mu   sync.Mutex
	rows map[string]int64
}

func (c *countingSource) Scan(ctx context.Context, table string) (store.Rows, error) {
	rs, err := c.Bundle.Scan(ctx, table)
	return &countedRows{Rows: rs, c: c, table: table}, err
}

func (c *countingSource) ScanFrom(ctx context.Context, table string, row int64) (store.Rows, error) {
	rs, err := c.Bundle.ScanFrom(ctx, table, row)
	return &countedRows{Rows: rs, c: c, table: table}, err
}

func (c *countingSource) read(table string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rows[table]
}

type countedRows struct {
	store.Rows
	c     *countingSource
	table string
}

func (r *countedRows) Next() bool {
	ok := r.Rows.Next()
	if ok {
		r.c.mu.Lock()
		r.c.rows[r.table]++
		r.c.mu.Unlock()
	}
	return ok
}

func countedImport(t *testing.T, src, dst string) (*Result, *countingSource) {
	t.Helper()
	b, err := bundle.Open(src)
	must(t, err)
	defer b.Close()
	cs := &countingSource{Bundle: b, rows: map[string]int64{}}
	d, err := openDestination(dst)
	must(t, err)
	res, err := Run(context.Background(), cs, d, Options{}, &recorder{})
	must(t, err)
	must(t, d.Close())
	return res, cs
}

func memberships(t *testing.T, path string) int {
	t.Helper()
	rows, _ := readTable(t, path, "TemporalMembership")
	return len(rows)
}

// A re-run reads only what the source gained since the last run: nothing
// when it did not grow, the new records when it did, and the destination
// then holds exactly what one import of the grown source gives.
func TestHighWaterRerunReadsOnlyNewRows(t *testing.T) {
	s := source(t, "8.1", "history", 600, false)
	want := baseline(t, s)
	dir := t.TempDir()
	before := filepath.Join(dir, "before.arbundle")
	sliceSource(t, s.path, before, 0, 500, memberships(t, s.path)*5/6)
	dst := filepath.Join(dir, "dest.arbundle")
	if _, err := importInto(t, before, dst, Options{}, nil); err != nil {
		t.Fatal(err)
	}

	res, cs := countedImport(t, before, dst)
	if n := cs.read("ChangeRecord"); n > 1 || res.Added() != 0 {
		t.Errorf("re-run of an unchanged source read %d change records and added %d rows, want at most 1 (the mark's check) and 0", n, res.Added())
	}
	if rc := res.Entity(EntityChangeRecord); rc.AlreadyPresent != 500 {
		t.Errorf("re-run: %d records already present, want 500", rc.AlreadyPresent)
	}

	res, cs = countedImport(t, s.path, dst)
	if rc := res.Entity(EntityChangeRecord); rc.Imported != 100 || rc.AlreadyPresent != 500 || rc.Excluded != 0 {
		t.Errorf("grown source: %+v, want 100 imported and 500 already present", *rc)
	}
	if n := cs.read("ChangeRecord"); n > 101 {
		t.Errorf("grown source: read %d change records, want the 100 new ones (and the mark's check)", n)
	}
	sameContent(t, content(t, dst), want)
}

// A source that no longer fits the mark (its oldest records were purged, so
// every row moved) is read in full: nothing is lost, nothing duplicated.
func TestHighWaterIgnoredWhenSourceChanged(t *testing.T) {
	s := source(t, "8.1", "history", 600, false)
	want := baseline(t, s)
	dir := t.TempDir()
	before, purged := filepath.Join(dir, "before.arbundle"), filepath.Join(dir, "purged.arbundle")
	nm := memberships(t, s.path)
	sliceSource(t, s.path, before, 0, 500, nm)
	sliceSource(t, s.path, purged, 20, 600, nm)
	dst := filepath.Join(dir, "dest.arbundle")
	if _, err := importInto(t, before, dst, Options{}, nil); err != nil {
		t.Fatal(err)
	}
	res, cs := countedImport(t, purged, dst)
	if rc := res.Entity(EntityChangeRecord); rc.Imported != 100 || rc.AlreadyPresent != 480 {
		t.Errorf("purged source: %+v, want 100 imported and 480 already present", *rc)
	}
	if n := cs.read("ChangeRecord"); n < 580 {
		t.Errorf("purged source: read %d change records, want all 580", n)
	}
	sameContent(t, content(t, dst), want)
}

// A run of the grown source killed between (or inside) batches, then run
// again, leaves exactly one import of the grown source: the mark of the
// earlier run is used by both, and the killed run recorded none.
func TestHighWaterKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	s := source(t, "8.1", "history", 600, false)
	want := baseline(t, s)
	dir := t.TempDir()
	before := filepath.Join(dir, "before.arbundle")
	sliceSource(t, s.path, before, 0, 500, memberships(t, s.path)*5/6)
	seed := filepath.Join(dir, "seed.arbundle")
	if _, err := importInto(t, before, seed, Options{}, nil); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	must(t, err)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	const batch = 10 // 10 record batches for the 100 new records
	for i := 0; i < 8; i++ {
		dst := filepath.Join(dir, "kill-"+strconv.Itoa(i)+".arbundle")
		copyDest(t, seed, dst)
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"=1", "AR_HI_SRC="+s.path, "AR_HI_DST="+dst, "AR_HI_BATCH="+strconv.Itoa(batch))
		out, err := cmd.StdoutPipe()
		must(t, err)
		cmd.Stderr = os.Stderr
		must(t, cmd.Start())
		lines := bufio.NewScanner(out)
		atBatch, seen := rng.IntN(11), 0
		for seen <= atBatch && lines.Scan() {
			if lines.Text() == "batch" {
				seen++
			}
		}
		time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		go func() {
			for lines.Scan() {
			}
		}()
		_ = cmd.Wait()
		ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
		t.Logf("kill point %d: after %d batch lines: killed %v", i, seen, ws.Signaled())
		if _, err := importInto(t, s.path, dst, Options{BatchSize: batch}, nil); err != nil {
			t.Fatalf("kill point %d: resume: %v", i, err)
		}
		sameContent(t, content(t, dst), want)
	}
}

// copyDest copies a destination bundle with its key index files.
func copyDest(t *testing.T, from, to string) {
	t.Helper()
	cp := func(a, b string) {
		in, err := os.Open(a)
		must(t, err)
		defer in.Close()
		out, err := os.Create(b)
		must(t, err)
		_, err = io.Copy(out, in)
		must(t, err)
		must(t, out.Close())
	}
	cp(from, to)
	dir := filepath.Dir(from)
	ents, err := os.ReadDir(dir)
	must(t, err)
	prefix := "." + filepath.Base(from) + ".keys"
	for _, e := range ents {
		if n := e.Name(); len(n) >= len(prefix) && n[:len(prefix)] == prefix {
			cp(filepath.Join(dir, n), filepath.Join(filepath.Dir(to), "."+filepath.Base(to)+n[len(prefix)-len(".keys"):]))
		}
	}
}
