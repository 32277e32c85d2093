package bundle

import (
	"errors"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/activeroles/arupgrade/core/bundle/bundletest"
	"github.com/activeroles/arupgrade/core/data"
)

// editFrame rewrites the first data frame of table in the bundle at path
// (bundletest.EditFirstFrame) and returns the frame's offset.
func editFrame(t *testing.T, path, table string, edit func(raw []byte) []byte) int64 {
	t.Helper()
	b, err := os.ReadFile(path)
	must(t, err)
	nb, off, err := bundletest.EditFirstFrame(b, table, edit)
	must(t, err)
	must(t, os.WriteFile(path, nb, 0o644))
	return off
}

// A row that passes every checksum but does not decode is reported as a
// damaged bundle naming the file and the frame's offset (issue 9: it reached
// the user as a connection problem).
func TestRowThatDoesNotDecodeIsDamage(t *testing.T) {
	path := tempPath(t, "bad.arbundle")
	writeHistoryBundle(t, path, 200)
	off := editFrame(t, path, "ChangeRecord", func(raw []byte) []byte {
		raw[0] = 9 // no such value kind
		return raw
	})
	b, err := Open(path) // every CRC and checksum holds
	must(t, err)
	rs, err := b.Scan(ctx, "ChangeRecord")
	must(t, err)
	for rs.Next() {
	}
	err = rs.Err()
	rs.Close()
	var fe *FormatError
	if !errors.As(err, &fe) || !errors.Is(err, ErrCorrupt) || fe.Offset != off {
		t.Fatalf("scan error = %v, want ErrCorrupt at byte %d", err, off)
	}
	for _, want := range []string{path, "bad row"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
	if !strings.Contains(fe.DamagedRemedy(), path) {
		t.Errorf("remedy %q", fe.DamagedRemedy())
	}
}

// zstdOfZeros compresses n zero bytes without holding them.
func zstdOfZeros(t *testing.T, n int64) []byte {
	t.Helper()
	var buf strings.Builder
	enc, err := zstd.NewWriter(&buf, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	must(t, err)
	if _, err := io.CopyN(enc, zeros{}, n); err != nil {
		t.Fatal(err)
	}
	must(t, enc.Close())
	return []byte(buf.String())
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func allocated() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}

// A "zstd bomb" — tens of kilobytes that decompress to a gigabyte — costs
// no more than a frame may hold: a declared size over the limit is refused
// before anything is allocated, and a frame that decompresses to more than
// it declares stops there (issue 9: 58 KB took 1 GB of memory).
func TestZstdBombIsRefusedCheaply(t *testing.T) {
	bomb := zstdOfZeros(t, 1<<30)
	if len(bomb) > 1<<20 {
		t.Fatalf("the bomb is %d bytes", len(bomb))
	}
	for _, tt := range []struct {
		name     string
		declared uint32
		atOpen   bool
	}{
		{"declares a gigabyte", 1 << 30, true},
		{"declares the limit, holds a gigabyte", maxRawFrame, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := tempPath(t, "bomb.arbundle")
			writeHistoryBundle(t, path, 50)
			b, err := os.ReadFile(path)
			must(t, err)
			f, err := bundletest.Parse(b)
			must(t, err)
			for i := range f.Frames {
				if fr := &f.Frames[i]; fr.Type == bundletest.Data {
					fr.Payload, fr.Flags, fr.Raw = bomb, bundletest.Zstd, tt.declared
					break
				}
			}
			must(t, os.WriteFile(path, f.Seal(), 0o644))

			runtime.GC()
			before := allocated()
			bd, err := Open(path)
			if err == nil {
				err = scanAll(bd)
			}
			used := allocated() - before
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error = %v, want ErrCorrupt", err)
			}
			if opened := bd != nil; opened == tt.atOpen {
				t.Errorf("refused at open: %v, want %v (%v)", !opened, tt.atOpen, err)
			}
			if used > 3*maxRawFrame {
				t.Fatalf("reading the bomb allocated %d MiB", used>>20)
			}
			t.Logf("%v; allocated %d MiB", err, used>>20)
		})
	}
}

func scanAll(b *Bundle) error {
	info, err := b.Info(ctx)
	if err != nil {
		return err
	}
	for _, tb := range info.Tables {
		rs, err := b.Scan(ctx, tb.Name)
		if err != nil {
			return err
		}
		for rs.Next() {
		}
		err = rs.Err()
		rs.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// Rows too large for a frame are refused when written, so every bundle a
// writer makes can be read back within the frame limit.
func TestWriterRefusesRowsLargerThanAFrame(t *testing.T) {
	path := tempPath(t, "big.arbundle")
	w, err := Create(path, Header{Tables: []data.Table{{Name: "B", Columns: []data.Column{{Name: "V", TypeName: "varbinary(max)", Nullable: true}}}}})
	must(t, err)
	err = w.Write("B", data.Row{data.BytesValue(make([]byte, maxRowLen+1))})
	if err == nil || !strings.Contains(err.Error(), "at most") {
		t.Fatalf("Write of an oversized row = %v", err)
	}
	must(t, w.Write("B", data.Row{data.BytesValue(make([]byte, maxRowLen-16))}))
	must(t, w.Close())
	b, err := Open(path)
	must(t, err)
	must(t, scanAll(b))
}
