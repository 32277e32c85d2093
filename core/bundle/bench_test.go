package bundle

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/store"
)

// BenchmarkCopyHistory writes N history records (a ChangeRecord row and 3
// ChangeRecordAttribute rows each) and reads them back.
func BenchmarkCopyHistory(b *testing.B) {
	const n = 200_000
	dir := b.TempDir()
	rec := make([]data.Row, 1000)
	for i := range rec {
		rec[i] = recordRow(i, data.IntValue(int64(i)))
	}
	b.ResetTimer()
	var peak uint64
	var wrote, read time.Duration
	start := time.Now()
	for it := 0; it < b.N; it++ {
		path := dir + "/copy.arbundle"
		os.Remove(path)
		ws := time.Now()
		w, err := Create(path, historyHeader())
		must(b, err)
		attrs := [3]data.Row{attrRow(data.IntValue(0), 1), attrRow(data.IntValue(0), 2), attrRow(data.IntValue(0), 3)}
		for i := 0; i < n; i++ {
			r := rec[i%len(rec)]
			r[0] = data.IntValue(int64(i))
			if err := w.Write("ChangeRecord", r); err != nil {
				b.Fatal(err)
			}
			for _, a := range attrs {
				a[0] = r[0]
				if err := w.Write("ChangeRecordAttribute", a); err != nil {
					b.Fatal(err)
				}
			}
			if i%50000 == 0 {
				peak = max(peak, heapInUse())
			}
		}
		must(b, w.Close())
		wrote += time.Since(ws)
		rs0 := time.Now()
		bd, err := Open(path)
		must(b, err)
		for _, tn := range []string{"ChangeRecord", "ChangeRecordAttribute"} {
			rs, err := bd.Scan(context.Background(), tn)
			must(b, err)
			c := 0
			for rs.Next() {
				c++
				if c%200000 == 0 {
					peak = max(peak, heapInUse())
				}
			}
			must(b, rs.Err())
			rs.Close()
		}
		read += time.Since(rs0)
	}
	el := time.Since(start)
	b.ReportMetric(float64(n*b.N)/el.Seconds(), "records/s")
	b.ReportMetric(float64(peak)/(1<<20), "peakheapMiB")
	b.ReportMetric(float64(n*b.N)/wrote.Seconds(), "written-records/s")
	b.ReportMetric(float64(n*b.N)/read.Seconds(), "read-records/s")
}

func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// BenchmarkHistoryDestination imports records (3 attribute rows each, an
// approval task every tenth) into a blank bundle in batches of 1000 and
// reports records/s and the peak heap. ARU_BENCH_RECORDS sets the count
// (default 1,000,000; the memory budget is stated for 5,000,000).
func BenchmarkHistoryDestination(b *testing.B) {
	n := 1_000_000
	if s := os.Getenv("ARU_BENCH_RECORDS"); s != "" {
		if _, err := fmt.Sscan(s, &n); err != nil {
			b.Fatal(err)
		}
	}
	var peak uint64
	var total time.Duration
	for it := 0; it < b.N; it++ {
		path := filepath.Join(b.TempDir(), "mh.arbundle")
		d, err := OpenHistoryDestination(path)
		must(b, err)
		must(b, d.Initialize(context.Background(), historyTables, nil, map[string]string{
			"SchemaVersion": "8.2.0", "DatabaseRole": "ManagementHistory", "InstallationId": destIID.String()}))
		runtime.GC()
		start := time.Now()
		batch := &store.HistoryBatch{Records: make([]store.HistoryRecord, 1000)}
		for i := range batch.Records {
			batch.Records[i] = importedRecord(0)
		}
		for base := 0; base < n; base += len(batch.Records) {
			batch.Seq++
			for i := range batch.Records {
				k := base + i + 1
				r := &batch.Records[i]
				var g data.UUID
				binary.BigEndian.PutUint64(g[:], uint64(k)*0x9e3779b97f4a7c15) // spread like random GUIDs
				binary.BigEndian.PutUint64(g[8:], uint64(k))
				r.Record[1] = data.GUIDValue(g)
				r.Record[13] = data.IntValue(int64(k))
				r.Tasks = r.Tasks[:0]
				if k%10 == 0 {
					g[0] ^= 0xff
					r.Tasks = append(r.Tasks, taskRow(k, r.Record[1].AsGUID()))
					r.Tasks[0][1] = data.GUIDValue(g)
				}
			}
			res, err := d.WriteHistoryBatch(context.Background(), batch)
			if err != nil {
				b.Fatal(err)
			}
			if res.RecordsAdded != len(batch.Records) {
				b.Fatalf("batch %d: %+v", batch.Seq, res)
			}
			if batch.Seq%100 == 0 {
				peak = max(peak, heapInUse())
			}
		}
		must(b, d.Close())
		total += time.Since(start)
		peak = max(peak, heapInUse())
	}
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "records/s")
	b.ReportMetric(float64(peak)/(1<<20), "peakheapMiB")
}
