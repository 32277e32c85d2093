package dbopen

import (
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/fixture"
)

// TestNewerBundleFormatIsNotCalledDamaged: a bundle of a newer major format
// version (its prologue intact, checksum and all) is refused with exit 5, but
// the user is told it was written by a newer version of the tool and to
// update, not that the file is damaged.
func TestNewerBundleFormatIsNotCalledDamaged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "newer.arbundle")
	if _, err := fixture.WriteBundle(context.Background(), path, fixture.Spec{Version: "8.1", Role: "history", HistoryRecords: 10, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Prologue: 8 magic bytes, major, minor (uint16 LE), CRC-32C of the first 12 bytes.
	binary.LittleEndian.PutUint16(b[8:], 2)
	binary.LittleEndian.PutUint16(b[10:], 0)
	binary.LittleEndian.PutUint32(b[12:], crc32.Checksum(b[:12], crc32.MakeTable(crc32.Castagnoli)))
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = OpenSource(context.Background(), &Endpoint{Path: path}, nil)
	var e *arerr.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want an *arerr.Error", err)
	}
	if e.Exit != arerr.ExitDataIntegrity {
		t.Errorf("exit %d, want 5", e.Exit)
	}
	if !strings.Contains(e.Message, "format version 2.0") {
		t.Errorf("message %q does not name the format version", e.Message)
	}
	if !strings.Contains(e.Remedy, "newer version") || !strings.Contains(e.Remedy, "update") || strings.Contains(e.Remedy, "damaged") {
		t.Errorf("remedy %q: want 'written by a newer version … update', not 'damaged'", e.Remedy)
	}
}
