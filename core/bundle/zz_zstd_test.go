package bundle

import (
	"os"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
)

// TEMPORARY (removed before handing back).
func TestZZZstd(t *testing.T) {
	p := os.Getenv("ARU_ZSTD")
	if p == "" {
		t.Skip()
	}
	w, err := walkFile(p, true)
	if err != nil {
		t.Fatal(err)
	}
	v := newView(p, w)
	var frames [][]byte
	var total int
	for ti := range w.tables {
		fr, _ := v.scanFrames(t.Context(), ti, w.tables[ti].frames)
		for _, f := range w.tables[ti].frames {
			if fr.f == nil {
				break
			}
			raw, err := fr.load(f)
			if err != nil {
				t.Fatal(err)
			}
			frames = append(frames, raw)
			total += len(raw)
			if total > 200<<20 {
				break
			}
		}
		fr.close()
	}
	try := func(name string, opts ...zstd.EOption) {
		enc, _ := zstd.NewWriter(nil, opts...)
		var out []byte
		var n int
		st := time.Now()
		for _, f := range frames {
			out = enc.EncodeAll(f, out[:0])
			n += len(out)
		}
		el := time.Since(st)
		t.Logf("%-30s %6.0f MB/s ratio %.4f out %d", name, float64(total)/el.Seconds()/1e6, float64(total)/float64(n), n)
	}
	base := []zstd.EOption{zstd.WithEncoderConcurrency(1), zstd.WithEncoderCRC(false), zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithLowerEncoderMem(true), zstd.WithWindowSize(1 << 20)}
	for range 2 {
		try("fastest win1M", base...)
		try("fastest noentropy", append(base, zstd.WithNoEntropyCompression(true))...)
		try("fastest no-all-lit", append(base, zstd.WithAllLitEntropyCompression(false))...)
	}
	// merged: 4 frames at a time
	var merged [][]byte
	for i := 0; i < len(frames); i += 4 {
		var m []byte
		for j := i; j < min(i+4, len(frames)); j++ {
			m = append(m, frames[j]...)
		}
		merged = append(merged, m)
	}
	frames = merged
	try("fastest x4 frames", append(base, zstd.WithEncoderLevel(zstd.SpeedFastest))...)
}
