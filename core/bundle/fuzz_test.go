package bundle

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/bundle/bundletest"
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/store"
)

// FuzzOpen feeds arbitrary files to Open, the history destination's
// recovery walk and full scans: errors only, never a panic or a hang.
func FuzzOpen(f *testing.F) {
	dir := f.TempDir()
	// Small seeds (a short header) keep the fuzzer's minimisation quick.
	seed := filepath.Join(dir, "seed.arbundle")
	writeTinyBundle(f, seed)
	good, err := os.ReadFile(seed)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte{})
	flipped := append([]byte{}, good...)
	flipped[len(flipped)/3] ^= 0x40
	f.Add(flipped)
	// A compressed history table: mutations then reach zstd.
	hist := filepath.Join(dir, "hist.arbundle")
	writeHistoryBundle(f, hist, 40)
	hb, err := os.ReadFile(hist)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(hb)

	f.Fuzz(func(t *testing.T, b []byte) {
		// In memory: the fuzzer runs (and minimises) thousands of inputs a second.
		// Also with every CRC made valid, and with every CRC and table
		// checksum made valid (resealed), so mutations reach the checks
		// behind them: row decoding, decompression, declared sizes.
		for _, in := range [][]byte{b, fixCRCs(b), reseal(b)} {
			for _, journal := range []bool{false, true} {
				if in == nil {
					continue
				}
				b := in
				w, err := walk("fuzz.arbundle", bytes.NewReader(b), int64(len(b)), journal)
				if err != nil {
					damagedOnly(t, err)
					continue
				}
				v := newView("fuzz.arbundle", w)
				v.open = func() (fileReader, error) { return nopCloser{bytes.NewReader(b)}, nil }
				scanEverything(t, &Bundle{path: v.path, view: v})
			}
		}
	})
}

// reseal recomputes every checksum of b (nil when b is not a bundle at all).
func reseal(b []byte) []byte {
	f, err := bundletest.Parse(b)
	if err != nil {
		return nil
	}
	return f.Seal()
}

// damagedOnly fails unless err says the bundle is damaged (*FormatError):
// whatever is wrong with a file must reach the user as a damaged bundle
// (exit 5) naming it, never as a connection or read problem.
func damagedOnly(t *testing.T, err error) {
	t.Helper()
	var fe *FormatError
	if err != nil && !errors.As(err, &fe) {
		t.Fatalf("error %q (%T) is not a *FormatError", err, err)
	}
	if fe != nil && (fe.Path == "" || !strings.Contains(err.Error(), fe.Path)) {
		t.Fatalf("error %q does not name the bundle", err)
	}
}

// fixCRCs returns a copy of b with the prologue's and each frame's CRC
// recomputed, following the frame lengths as far as they go.
func fixCRCs(b []byte) []byte {
	b = append([]byte(nil), b...)
	if len(b) < prologueLen {
		return b
	}
	copy(b, appendPrologueCRC(append([]byte(nil), b[:12]...)))
	for off := prologueLen; off+frameHdrLen <= len(b); {
		h, _ := parseFrameHdr(b[off:])
		end := off + frameHdrLen + int(h.Stored)
		if h.Stored > maxFrameLen || end+frameCRCLen > len(b) {
			break
		}
		binary.LittleEndian.PutUint32(b[end:], crc32.Checksum(b[off:end], castagnoli))
		off = end + frameCRCLen
	}
	return b
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

// writeTinyBundle writes a bundle of two small tables (about 1 KB).
func writeTinyBundle(t testing.TB, path string) {
	t.Helper()
	tables := []data.Table{{Name: "T", PrimaryKey: []string{"Id"}, Columns: []data.Column{
		{Name: "Id", TypeName: "int"}, {Name: "S", TypeName: "nvarchar(10)", Nullable: true},
		{Name: "G", TypeName: "uniqueidentifier", Nullable: true}, {Name: "D", TypeName: "datetime2(3)", Nullable: true}}},
		{Name: "U", Columns: []data.Column{{Name: "B", TypeName: "varbinary(max)", Nullable: true}}}}
	w, err := Create(path, Header{Tables: tables})
	must(t, err)
	for i := range 40 {
		r := data.Row{data.IntValue(int64(i)), data.StringValue("ab"), data.GUIDValue(srcIID), data.TimeValue(t0)}
		if i%3 == 0 {
			r[1], r[2], r[3] = data.NullValue(), data.NullValue(), data.NullValue()
		}
		must(t, w.Write("T", r))
		if i%10 == 0 {
			must(t, w.Write("U", data.Row{data.BytesValue([]byte{0, byte(i)})}))
		}
	}
	must(t, w.Close())
}

// scanEverything reads every table to its end; an error must say the
// bundle is damaged.
func scanEverything(t *testing.T, s store.Source) {
	info, err := s.Info(context.Background())
	if err != nil {
		damagedOnly(t, err)
		return
	}
	for _, tb := range info.Tables {
		_, err := s.Count(context.Background(), tb.Name)
		damagedOnly(t, err)
		rs, err := s.Scan(context.Background(), tb.Name)
		if err != nil {
			damagedOnly(t, err)
			continue
		}
		for rs.Next() {
			_ = rs.Row()
		}
		damagedOnly(t, rs.Err())
		_ = rs.Close()
	}
}

// FuzzDecodeRow decodes arbitrary bytes as rows of every column kind.
func FuzzDecodeRow(f *testing.F) {
	tables, err := prepareTables([]data.Table{allKinds})
	if err != nil {
		f.Fatal(err)
	}
	kinds := tableKinds(&tables[0])
	var seed []byte
	for _, r := range allKindsRows() {
		seed, _ = appendRow(seed, kinds, r)
	}
	f.Add(seed)
	f.Add(seed[:len(seed)-1])
	f.Add([]byte{1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		row := make(data.Row, len(kinds))
		buf := append([]byte(nil), b...)
		for pos := 0; pos < len(buf); {
			next, err := decodeRow(buf, pos, kinds, row)
			if err != nil {
				return
			}
			if next <= pos {
				t.Fatalf("decodeRow made no progress at %d", pos)
			}
			// Whatever decodes must encode and decode back to the same values.
			again, err := appendRow(nil, kinds, row)
			if err != nil {
				t.Fatalf("decoded row does not re-encode: %v", err)
			}
			row2 := make(data.Row, len(kinds))
			if _, err := decodeRow(again, 0, kinds, row2); err != nil || !row2.Equal(row) {
				t.Fatalf("row at %d does not survive a round trip: %v", pos, err)
			}
			pos = next
		}
	})
}
