package sqlserver

import (
	"strings"
	"testing"
)

// TestCheckDatabaseNameCountsUTF16Units: SQL Server limits names to 128
// UTF-16 code units. A longer name makes QUOTENAME return NULL, and
// sp_executesql NULL creates nothing and reports no error, so the check must
// count as SQL Server does: astral-plane characters count twice.
func TestCheckDatabaseNameCountsUTF16Units(t *testing.T) {
	tests := []struct {
		name    string
		db      string
		wantErr string
	}{
		{"128 ASCII characters", strings.Repeat("a", 128), ""},
		{"129 ASCII characters", strings.Repeat("a", 129), "129 UTF-16 code units"},
		{"128 BMP characters (3 UTF-8 bytes each)", strings.Repeat("數", 128), ""},
		{"64 emoji: 128 units", strings.Repeat("😀", 64), ""},
		{"65 emoji: 65 code points, 130 units", strings.Repeat("😀", 65), "130 UTF-16 code units"},
		{"127 ASCII and one astral character: 129 units", strings.Repeat("a", 127) + "𝔄", "129 UTF-16 code units"},
		{"126 ASCII and one astral character: 128 units", strings.Repeat("a", 126) + "𝔄", ""},
		{"empty", "", "no database name"},
		{"blank", "   ", "no database name"},
		{"NUL", "AR\x00DB", "NUL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkDatabaseName(tt.db)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("checkDatabaseName: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
