package bench

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// The CLI's Collector benchmark, end to end at a tiny size: children are
// this test binary (TestMain runs benchproc children).
func TestCollectorTable(t *testing.T) {
	var out bytes.Buffer
	res, err := RunCollector(context.Background(), CollectorConfig{Sizes: []int{2000}, Dir: t.TempDir()}, &out)
	if err != nil {
		t.Fatal(err)
	}
	rs := res[2000]
	if len(rs) != 2 {
		t.Fatalf("results %+v", rs)
	}
	for _, r := range rs {
		if r.Events != 2000 || r.EventsPerSecond <= 0 || r.PeakRSSBytes <= 0 {
			t.Fatalf("result %+v", r)
		}
	}
	for _, s := range []string{"Collector import 8.1", "Collector import 7.6", "events/s", "peak RSS"} {
		if !strings.Contains(out.String(), s) {
			t.Fatalf("table lacks %q:\n%s", s, out.String())
		}
	}
	if _, err := RunCollector(context.Background(), CollectorConfig{Sizes: []int{10}, Scenarios: []string{"copy"}}, &out); err == nil {
		t.Error("an unknown scenario was accepted")
	}
	t.Logf("\n%s", out.String())
}
