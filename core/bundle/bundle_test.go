package bundle

import (
	"context"
	"errors"
	"io/fs"
	"math"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/google/go-cmp/cmp"
)

var allKinds = data.Table{Name: "AllKinds", PrimaryKey: []string{"I"}, Columns: []data.Column{
	col("I", "bigint", false), col("Small", "smallint", true), col("Tiny", "tinyint", true), col("B", "bit", true),
	col("S", "nvarchar(4000)", true), col("SMax", "nvarchar(max)", true), col("A", "varchar(64)", true), col("X", "xml", true),
	col("G", "uniqueidentifier", true), col("Bin", "varbinary(512)", true), col("BinMax", "varbinary(max)", true),
	col("DT", "datetime", true), col("DT2", "datetime2(3)", true), col("Int", "int", true)}}

func allKindsRows() []data.Row {
	long := strings.Repeat("ж", 4000)
	nonBMP := strings.Repeat("😀", 2000) // 4000 UTF-16 units
	return []data.Row{
		{data.IntValue(math.MinInt64), data.IntValue(-32768), data.IntValue(0), data.IntValue(0), data.StringValue(""), data.StringValue(""),
			data.StringValue(""), data.StringValue("<a/>"), data.GUIDValue(data.UUID{}), data.BytesValue(nil), data.BytesValue([]byte{0, 0, 0}),
			data.Value{Kind: data.Time, Int: -62135596800, Nsec: 0}, data.Value{Kind: data.Time, Int: 253402300799, Nsec: 999000000}, data.IntValue(math.MinInt32)},
		{data.IntValue(math.MaxInt64), data.IntValue(32767), data.IntValue(255), data.IntValue(1), data.StringValue(long), data.StringValue(nonBMP),
			data.StringValue("ascii"), data.StringValue("<x>Grüße 😀</x>"), data.GUIDValue(srcIID), data.BytesValue(make([]byte, 512)),
			data.BytesValue([]byte{0xff, 0, 1}), data.TimeValue(time.Date(2021, 3, 14, 10, 15, 30, 7000000, time.UTC)),
			data.TimeValue(time.Date(1969, 12, 31, 23, 59, 59, 1000000, time.UTC)), data.IntValue(math.MaxInt32)},
		{data.IntValue(3), data.NullValue(), data.NullValue(), data.NullValue(), data.NullValue(), data.NullValue(), data.NullValue(),
			data.NullValue(), data.NullValue(), data.NullValue(), data.NullValue(), data.NullValue(), data.NullValue(), data.NullValue()},
	}
}

func TestRoundTripEveryKind(t *testing.T) {
	path := tempPath(t, "kinds.arbundle")
	off := 60
	h := Header{SourceVersion: "7.6.3", Generation: 1, Role: "Combined", InstallationID: srcIID, UTCOffsetMinutes: &off,
		Producer: "test", Tables: []data.Table{tSettings, allKinds}}
	w, err := Create(path, h)
	must(t, err)
	want := allKindsRows()
	for _, r := range want {
		must(t, w.Write("allkinds", r)) // table names are case-insensitive
	}
	must(t, w.Close())

	b, err := Open(path)
	must(t, err)
	got := readAll(t, b, "AllKinds")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows differ (-want +got):\n%s", diff)
	}
	hd := b.Header()
	if hd.SourceVersion != "7.6.3" || hd.Generation != 1 || hd.Role != "Combined" || hd.InstallationID != srcIID ||
		hd.UTCOffsetMinutes == nil || *hd.UTCOffsetMinutes != 60 || hd.CreatedUTC.IsZero() {
		t.Errorf("header = %+v", hd)
	}
	if c := hd.Tables[1].Columns[4]; c.Type != data.TNVarChar || c.TypeName != "nvarchar(4000)" {
		t.Errorf("column = %+v", c)
	}
	n, err := b.Count(context.Background(), "AllKinds")
	if err != nil || n != 3 {
		t.Errorf("Count = %d, %v; want 3", n, err)
	}
	info, err := b.Info(context.Background())
	must(t, err)
	if info.Kind != "bundle" || info.Location != path || len(info.Tables) != 2 || info.Settings == nil || len(info.Settings) != 0 {
		t.Errorf("Info = %+v", info)
	}
}

func TestWriterRefusesBadRowsAndKeepsGoing(t *testing.T) {
	path := tempPath(t, "bad.arbundle")
	w, err := Create(path, Header{Tables: []data.Table{allKinds}})
	must(t, err)
	defer w.Abort()
	bad := allKindsRows()[0].Clone()
	bad[4] = data.IntValue(1)
	if err := w.Write("AllKinds", bad); err == nil || !strings.Contains(err.Error(), "column 5") {
		t.Errorf("Write(int in nvarchar) = %v, want an error naming column 5", err)
	}
	if err := w.Write("Nope", allKindsRows()[0]); err == nil {
		t.Error("Write(unknown table) succeeded")
	}
	must(t, w.Write("AllKinds", allKindsRows()[1]))
	must(t, w.Close())
	b, err := Open(path)
	must(t, err)
	if got := readAll(t, b, "AllKinds"); len(got) != 1 {
		t.Errorf("got %d rows, want 1", len(got))
	}
}

func TestCreateIsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/x.arbundle"
	must(t, os.WriteFile(path, []byte("keep"), 0o644))
	if _, err := Create(path, historyHeader()); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("Create over an existing file = %v, want ErrExist", err)
	}
	w, err := Create(path, historyHeader(), WithOverwrite())
	must(t, err)
	must(t, w.Write("Settings", settingsRows(destIID)[0]))
	w.Abort()
	if b, _ := os.ReadFile(path); string(b) != "keep" {
		t.Errorf("Abort changed the target: %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("Abort left files behind: %v", entries)
	}
	w, err = Create(path, historyHeader(), WithOverwrite())
	must(t, err)
	must(t, w.Close())
	if _, err := Open(path); err != nil {
		t.Errorf("Open after overwrite: %v", err)
	}
}

func TestConcurrentScansAndSettings(t *testing.T) {
	path := tempPath(t, "h.arbundle")
	writeHistoryBundle(t, path, 20000) // several frames per table
	b, err := Open(path)
	must(t, err)
	info, err := b.Info(context.Background())
	must(t, err)
	if info.Settings["InstallationId"] != destIID.String() || info.Settings["SchemaVersion"] != "8.2.0" {
		t.Errorf("Settings = %v", info.Settings)
	}
	m := b.Manifest()
	if len(m.Tables) != len(historyTables) || m.Tables[2].Rows != 20000 || m.Tables[3].Rows != 60000 || m.Tables[3].Frames < 2 {
		t.Errorf("manifest = %+v", m)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			recs, _ := b.Scan(context.Background(), "ChangeRecord")
			attrs, _ := b.Scan(context.Background(), "ChangeRecordAttribute")
			defer recs.Close()
			defer attrs.Close()
			// merge-join: every record is followed by its three attributes
			for i := int64(1); recs.Next(); i++ {
				if id := recs.Row()[0].Int; id != i {
					errs <- errors.New("records out of order")
					return
				}
				for s := 0; s < 3; s++ {
					if !attrs.Next() || attrs.Row()[0].Int != i {
						errs <- errors.New("attributes out of step")
						return
					}
				}
			}
			if recs.Err() != nil || attrs.Next() || attrs.Err() != nil {
				errs <- errors.Join(errors.New("scan did not end cleanly"), recs.Err(), attrs.Err())
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestScanHonoursCancellation(t *testing.T) {
	path := tempPath(t, "h.arbundle")
	writeHistoryBundle(t, path, 10)
	b, err := Open(path)
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rs, err := b.Scan(ctx, "ChangeRecord")
	must(t, err)
	if rs.Next() || !errors.Is(rs.Err(), context.Canceled) {
		t.Errorf("scan after cancel: err = %v", rs.Err())
	}
	rs.Close()
}

func TestAbandonedScanStopsItsPrefetcher(t *testing.T) {
	path := tempPath(t, "h.arbundle")
	writeHistoryBundle(t, path, 20000)
	b, err := Open(path)
	must(t, err)
	rs, err := b.Scan(context.Background(), "ChangeRecordAttribute")
	must(t, err)
	for i := 0; i < 10 && rs.Next(); i++ {
	}
	must(t, rs.Close())
	must(t, goleakCheck())
}

func TestFailedExportLeavesNothing(t *testing.T) {
	for _, failAt := range []int{5, 100, 3000, 30_000} {
		dir := t.TempDir()
		path := dir + "/x.arbundle"
		fw := &failAfter{n: failAt}
		w, err := Create(path, historyHeader(), withWrap(fw))
		if err != nil {
			continue // failed while writing the header: nothing to check beyond the directory
		}
		var werr error
		for i := 1; i <= 5000 && werr == nil; i++ {
			werr = w.Write("ChangeRecord", recordRow(i, data.IntValue(int64(i))))
		}
		cerr := w.Close()
		if werr == nil && cerr == nil {
			t.Errorf("fail at %d: the export succeeded", failAt)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("fail at %d: files left behind: %v", failAt, entries)
		}
	}
}
