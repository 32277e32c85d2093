package configimport

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"

	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/fixture"
	"github.com/activeroles/arupgrade/core/store"
	"github.com/activeroles/arupgrade/core/storetest/testdb"
)

// testReporter records what an import reports; onProgress may cancel.
type testReporter struct {
	mu         sync.Mutex
	progress   int
	warnings   []string // "CODE: message"
	onProgress func(n int)
	log        zerolog.Logger
}

func newReporter() *testReporter { return &testReporter{log: zerolog.Nop()} }

func (r *testReporter) Progress(p engine.Progress) {
	r.mu.Lock()
	r.progress++
	n := r.progress
	f := r.onProgress
	r.mu.Unlock()
	if f != nil && !p.Completed {
		f(n)
	}
}

func (r *testReporter) Warn(code, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.warnings = append(r.warnings, code+": "+msg)
}

func (r *testReporter) Log() *zerolog.Logger { return &r.log }

func (r *testReporter) warned(code string) bool {
	for _, w := range r.warnings {
		if strings.HasPrefix(w, code+":") {
			return true
		}
	}
	return false
}

// sample writes a fixture bundle (cached per spec within one test binary run
// by copying) and returns its path and result.
var sampleCache sync.Map // key → *sampleEntry

type sampleEntry struct {
	once sync.Once
	dir  string
	res  *fixture.Result
	err  error
}

func sampleKey(s fixture.Spec) string {
	return strings.Join([]string{s.Version, s.Role, itoa(s.ConfigObjects), itoa(int(s.Seed)), boolS(s.Anomalies), boolS(s.AddOns), boolS(s.ReplicationPartners), itoa(s.HistoryRecords)}, "|")
}

func itoa(i int) string { return strconv.Itoa(i) }

func boolS(b bool) string {
	if b {
		return "t"
	}
	return "f"
}

var cacheRoot string

func TestMain(m *testing.M) {
	d, err := os.MkdirTemp("", "configimport-samples-")
	if err != nil {
		panic(err)
	}
	cacheRoot = d
	code := m.Run()
	_ = os.RemoveAll(d)
	os.Exit(code)
}

// sample returns a fresh copy of a fixture bundle in t.TempDir(), with the
// key backup and its password.
func sample(t testing.TB, s fixture.Spec) (path string, res *fixture.Result, key []byte, password string) {
	t.Helper()
	e, _ := sampleCache.LoadOrStore(sampleKey(s), &sampleEntry{})
	ent := e.(*sampleEntry)
	ent.once.Do(func() {
		ent.dir, ent.err = os.MkdirTemp(cacheRoot, "s")
		if ent.err != nil {
			return
		}
		ent.res, ent.err = fixture.WriteBundle(context.Background(), filepath.Join(ent.dir, "src.arbundle"), s)
	})
	if ent.err != nil {
		t.Fatalf("fixture %+v: %v", s, ent.err)
	}
	dir := t.TempDir()
	path = filepath.Join(dir, "src.arbundle")
	copyFile(t, filepath.Join(ent.dir, "src.arbundle"), path)
	key, err := os.ReadFile(filepath.Join(ent.dir, "src.key"))
	if err != nil {
		t.Fatal(err)
	}
	pw, err := os.ReadFile(filepath.Join(ent.dir, "src.keypass.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return path, ent.res, key, string(pw)
}

func copyFile(t testing.TB, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func openSource(t testing.TB, path string) store.Source {
	t.Helper()
	b, err := bundle.Open(path)
	if err != nil {
		t.Fatalf("open source %s: %v", path, err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// openDest opens a destination by testdb location: a bundle path or a SQL
// Server scratch database.
func openDest(t testing.TB, path string) store.ConfigDestination {
	t.Helper()
	d, err := testdb.OpenConfigDestination(path)
	if err != nil {
		t.Fatalf("open destination %s: %v", path, err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func fileHash(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return "(absent)"
	}
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// contents reads every table of a destination as sorted row texts.
func contents(t testing.TB, path string) map[string][]string {
	t.Helper()
	b, err := testdb.Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer b.Close()
	ctx := context.Background()
	info, err := b.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, tb := range info.Tables {
		rows, err := b.Scan(ctx, tb.Name)
		if err != nil {
			t.Fatal(err)
		}
		var rs []string
		for rows.Next() {
			rs = append(rs, rowText(rows.Row()))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		sort.Strings(rs)
		out[tb.Name] = rs
	}
	return out
}

func rowText(r data.Row) string {
	var b strings.Builder
	for i, v := range r {
		if i > 0 {
			b.WriteString(" | ")
		}
		b.WriteString(v.String())
	}
	return b.String()
}

// rows reads a table of a destination as column-name maps.
func tableRows(t testing.TB, path, table string) []map[string]data.Value {
	t.Helper()
	b, err := testdb.Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer b.Close()
	ctx := context.Background()
	info, err := b.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tb := info.Table(table)
	if tb == nil {
		t.Fatalf("%s has no table %s", path, table)
	}
	rows, err := b.Scan(ctx, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []map[string]data.Value
	for rows.Next() {
		m := map[string]data.Value{}
		for i, c := range tb.Columns {
			m[c.Name] = cloneValue(rows.Row()[i])
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

const testHost = "ars01.corp.example.com"

func baseOptions(key []byte, pw string) Options {
	return Options{KeyBackup: key, KeyBackupPassword: pw, ServicesServer: testHost}
}

// eachDestination runs f once on new bundle destinations and once on new SQL
// Server databases (skipped without AR_TEST_SQLSERVER): the all-or-nothing
// promise holds for both.
func eachDestination(t *testing.T, f func(t *testing.T, newDest func() string)) {
	t.Run("bundle", func(t *testing.T) {
		f(t, func() string { return filepath.Join(t.TempDir(), "dst.arbundle") })
	})
	t.Run("sqlserver", func(t *testing.T) {
		testdb.Server(t)
		f(t, func() string { return testdb.Scratch(t) })
	})
}
