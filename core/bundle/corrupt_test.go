package bundle

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
)

func smallBundle(t *testing.T) (string, []byte) {
	t.Helper()
	path := tempPath(t, "small.arbundle")
	writeTinyBundle(t, path)
	b, err := os.ReadFile(path)
	must(t, err)
	return path, b
}

func TestOpenRefusesTruncatedBundles(t *testing.T) {
	_, good := smallBundle(t)
	dir := t.TempDir()
	for k := 0; k < len(good); k++ {
		p := dir + "/t.arbundle"
		_, err := openBytes(p, good[:k])
		want := ErrTruncated
		if k == 0 {
			want = ErrNotBundle
		}
		if !errors.Is(err, want) {
			t.Fatalf("truncated to %d of %d bytes: Open = %v, want %v", k, len(good), err, want)
		}
		var fe *FormatError
		if !errors.As(err, &fe) || fe.Path != p || !strings.Contains(err.Error(), p) {
			t.Fatalf("truncated to %d bytes: error %q does not name the file", k, err)
		}
	}
	// Growing the file is refused too.
	p := dir + "/long.arbundle"
	must(t, os.WriteFile(p, append(append([]byte{}, good...), 0), 0o644))
	if _, err := Open(p); !errors.Is(err, ErrCorrupt) {
		t.Errorf("bundle with a trailing byte: Open = %v, want ErrCorrupt", err)
	}
}

func TestOpenRefusesEveryFlippedByte(t *testing.T) {
	_, good := smallBundle(t)
	dir := t.TempDir()
	p := dir + "/f.arbundle"
	for i := range good {
		bad := append([]byte{}, good...)
		bad[i] ^= 0x5a
		_, err := openBytes(p, bad)
		switch {
		case err == nil:
			t.Fatalf("byte %d flipped: Open succeeded", i)
		case i < 8 && !errors.Is(err, ErrNotBundle):
			t.Fatalf("magic byte %d flipped: Open = %v, want ErrNotBundle", i, err)
		case i >= 8 && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTruncated):
			t.Fatalf("byte %d flipped: Open = %v, want ErrCorrupt (or ErrTruncated for a length)", i, err)
		}
	}
}

func TestOpenMessages(t *testing.T) {
	path, good := smallBundle(t)
	tests := []struct {
		name   string
		mutate func([]byte) []byte
		want   error
		says   []string
	}{
		{"not a bundle", func([]byte) []byte { return []byte("PK\x03\x04 this is a zip file") }, ErrNotBundle, []string{"not an Active Roles bundle"}},
		{"newer major version", func(b []byte) []byte { return withPrologue(b, 2) }, ErrUnsupportedVersion, []string{"format version 2." + strconv.Itoa(FormatMinor), "newer arupgrade"}},
		{"cut in a data frame", func(b []byte) []byte { return b[:200] }, ErrTruncated, []string{"truncated at byte 200", "more bytes of a", "re-create it with arupgrade export"}},
		{"flipped payload byte", func(b []byte) []byte { b[len(b)/2] ^= 1; return b }, ErrCorrupt, []string{"fails its checksum", "at byte"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			must(t, os.WriteFile(path, tt.mutate(append([]byte{}, good...)), 0o644))
			_, err := Open(path)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Open = %v, want %v", err, tt.want)
			}
			for _, s := range tt.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
		})
	}
}

func withPrologue(b []byte, major uint16) []byte {
	p := appendPrologue(nil)
	p[8] = byte(major)
	p = appendPrologueCRC(p[:12])
	return append(p, b[prologueLen:]...)
}

// openBytes walks an in-memory file as Open walks a real one (no disk I/O,
// so checking every offset stays fast).
func openBytes(path string, b []byte) (*walked, error) {
	return walk(path, bytes.NewReader(b), int64(len(b)), false)
}
