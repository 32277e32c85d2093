package bundle

import (
	"context"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/activeroles/arupgrade/core/data"
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
	start := time.Now()
	for it := 0; it < b.N; it++ {
		path := dir + "/copy.arbundle"
		os.Remove(path)
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
	}
	el := time.Since(start)
	b.ReportMetric(float64(n*b.N)/el.Seconds(), "records/s")
	b.ReportMetric(float64(peak)/(1<<20), "peakheapMiB")
}

func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}
