package model

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

var (
	v75 = Version{7, 5, 0}
	v76 = Version{7, 6, 3}
	v80 = Version{8, 0, 0}
	v81 = Version{8, 1, 5}
	v82 = Version{8, 2, 0}
)

func TestDDLBatches(t *testing.T) {
	tests := []struct {
		v     Version
		r     Role
		count int
		first string // start of the first batch
		last  string // start of the last batch
	}{
		{v76, RoleConfiguration, 1, "CREATE TABLE dbo.Settings", "CREATE TABLE dbo.Settings"},
		{v75, RoleManagementHistory, 1, "CREATE TABLE dbo.Settings", "CREATE TABLE dbo.Settings"},
		{v76, RoleCombined, 2, "CREATE TABLE dbo.Settings", "CREATE TABLE dbo.ChangeHistory"},
		{v80, RoleConfiguration, 1, "CREATE TABLE dbo.Settings", "CREATE TABLE dbo.Settings"},
		{v80, RoleManagementHistory, 1, "CREATE TABLE dbo.Settings", "CREATE TABLE dbo.Settings"},
		// 8.1: the column must exist before a batch that indexes it is compiled.
		{v81, RoleManagementHistory, 3, "CREATE TABLE dbo.Settings", "CREATE INDEX IX_ChangeRecord_CorrelationId"},
		{v82, RoleConfiguration, 2, "CREATE TABLE dbo.Settings", "CREATE TABLE dbo.EncryptionKey"},
		{v82, RoleManagementHistory, 2, "CREATE TABLE dbo.Settings", "CREATE TABLE dbo.ChangeRecord"},
	}
	goLine := regexp.MustCompile(`(?im)^\s*GO\s*$`)
	for _, tt := range tests {
		b, err := DDL(tt.v, tt.r)
		if err != nil {
			t.Fatalf("DDL(%v, %s): %v", tt.v, tt.r, err)
		}
		if len(b) != tt.count || !strings.HasPrefix(b[0], tt.first) || !strings.HasPrefix(b[len(b)-1], tt.last) {
			t.Errorf("DDL(%v, %s): %d batches starting %.40q … %.40q", tt.v, tt.r, len(b), b[0], b[len(b)-1])
		}
		for _, s := range b {
			if goLine.MatchString(s) {
				t.Errorf("DDL(%v, %s): a batch still holds a GO line", tt.v, tt.r)
			}
		}
	}
	b81, _ := DDL(v81, RoleManagementHistory)
	if b81[1] != "ALTER TABLE dbo.ChangeRecord ADD CorrelationId uniqueidentifier NULL;" {
		t.Errorf("8.1 second batch = %q", b81[1])
	}
}

func TestDDLErrors(t *testing.T) {
	tests := []struct {
		v Version
		r Role
	}{
		{v80, RoleCombined},
		{v82, RoleCombined},
		{Version{6, 9, 0}, RoleConfiguration},
		{Version{8, 3, 0}, RoleConfiguration},
		{v82, Role("configuration")}, // roles are the canonical constants
		{v82, Role("")},
	}
	for _, tt := range tests {
		if _, err := DDL(tt.v, tt.r); err == nil {
			t.Errorf("DDL(%v, %q) succeeded", tt.v, tt.r)
		}
		if _, err := Tables(tt.v, tt.r); err == nil {
			t.Errorf("Tables(%v, %q) succeeded", tt.v, tt.r)
		}
	}
}

// The embedded scripts are the model's, verbatim: compare with the spec when
// it is at hand (it is in the project's shared directory, not in the module).
func TestDDLMatchesSpec(t *testing.T) {
	spec, err := os.ReadFile("../../../shared/spec/ar-database-model.md")
	if err != nil {
		t.Skipf("model document not available: %v", err)
	}
	for _, f := range []string{"g1_configuration.sql", "g1_history.sql", "g2_configuration.sql", "g2_history_80.sql",
		"g2_history_81_diff.sql", "g3_common.sql", "g3_configuration.sql", "g3_history.sql"} {
		b, err := ddlFS.ReadFile("ddl/" + f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(spec), "```sql\n"+string(b)+"```") {
			t.Errorf("%s is not a verbatim code block of the model", f)
		}
	}
}

// §3.3: the Combined script is §3.1 followed by §3.2 without its Settings statement.
func TestCombinedIsConfigurationPlusHistory(t *testing.T) {
	batches := func(r Role) []string {
		b, err := DDL(Version{7, 6, 0}, r)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	cfg, hist, comb := batches(RoleConfiguration), batches(RoleManagementHistory), batches(RoleCombined)
	_, histWithoutSettings, _ := strings.Cut(strings.Join(hist, "\n"), "\n")
	want := strings.Join(cfg, "\n") + "\n" + histWithoutSettings
	if got := strings.Join(comb, "\n"); got != want {
		t.Errorf("Combined DDL is not §3.1 followed by §3.2 without Settings:\n%s", got)
	}
	if n := strings.Count(strings.Join(comb, "\n"), "CREATE TABLE dbo.Settings"); n != 1 {
		t.Errorf("Combined DDL creates Settings %d times", n)
	}
}
