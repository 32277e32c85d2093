package secrets

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestReadFileLimited(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, n int) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, bytes.Repeat([]byte("a"), n), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name     string
		path     string
		limit    int64
		wantLen  int
		tooLarge bool
		wantErr  string
	}{
		{"at the limit", write("at.txt", 4096), 4096, 4096, false, ""},
		{"empty", write("empty.txt", 0), 4096, 0, false, ""},
		{"one byte over", write("over.txt", 4097), 4096, 0, true, ""},
		{"100 MB password file", sparse(t, filepath.Join(dir, "big.txt"), 100<<20), MaxPasswordFileSize, 0, true, ""},
		{"missing", filepath.Join(dir, "none.txt"), 4096, 0, false, "no such file"},
		{"a folder", dir, 4096, 0, false, "folder"},
	}
	if runtime.GOOS != "windows" {
		// Without a limit this grows until the process is killed.
		tests = append(tests, struct {
			name     string
			path     string
			limit    int64
			wantLen  int
			tooLarge bool
			wantErr  string
		}{"/dev/zero", "/dev/zero", MaxPasswordFileSize, 0, true, ""})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := ReadFileLimited(tt.path, tt.limit)
			var tl *TooLargeError
			switch {
			case tt.tooLarge:
				if !errors.As(err, &tl) {
					t.Fatalf("err = %v, want *TooLargeError", err)
				}
				if tl.Limit != tt.limit || tl.Path != tt.path {
					t.Errorf("TooLargeError = %+v", tl)
				}
				if msg := err.Error(); !strings.Contains(msg, tt.path) || !strings.Contains(msg, "4096 bytes") {
					t.Errorf("message %q names neither the file nor the limit", msg)
				}
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
			default:
				if err != nil || len(b) != tt.wantLen {
					t.Fatalf("got %d bytes, %v; want %d bytes", len(b), err, tt.wantLen)
				}
			}
		})
	}
}

func TestReadKeyBackupFile(t *testing.T) {
	dir := t.TempDir()
	good := unhex(t, vecFile)
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name    string
		path    string
		wantErr string // "" means read
	}{
		{"the vector file", write("good.key", good), ""},
		{"235 MB file", sparse(t, filepath.Join(dir, "big.key"), 235<<20), "larger than 108 bytes"},
		{"one byte too many", write("109.key", append(good[:len(good):len(good)], 0)), "larger than 108 bytes"},
		{"missing", filepath.Join(dir, "none.key"), "no such file"},
		{"a folder", dir, "folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := ReadKeyBackupFile(tt.path)
			if tt.wantErr == "" {
				if err != nil || !bytes.Equal(b, good) {
					t.Fatalf("got %d bytes, %v", len(b), err)
				}
				if _, err := ReadKeyBackup(b, vecPassword); err != nil {
					t.Fatalf("ReadKeyBackup: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrKeyBackupUnreadable) {
				t.Fatalf("err = %v, want it to wrap ErrKeyBackupUnreadable (AR-E014)", err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %q, want %q", err, tt.wantErr)
			}
		})
	}
}

// sparse makes a file of size bytes that takes no disk space.
func sparse(t *testing.T, path string, size int64) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	return path
}
