package dbopen

import (
	"strings"
	"testing"
)

func TestParseLocation(t *testing.T) {
	tests := []struct {
		in       string
		bundle   bool
		conn     bool
		errorHas string
	}{
		{"sample.arbundle", true, false, ""},
		{"C:\\Backups\\AR76.ARBUNDLE", true, false, ""},
		{"sqlserver://sql01.corp.example.com?database=AR", false, true, ""},
		{"Server=sql01.corp.example.com;Database=ARConfig76", false, true, ""},
		{"Data Source=sql01;Initial Catalog=AR", false, true, ""},
		{"", false, false, "empty"},
		{"sql01/ARConfig", false, false, "neither a bundle"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			e, err := ParseLocation(tt.in)
			if tt.errorHas != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errorHas) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.errorHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if e.IsBundle() != tt.bundle || (e.ConnectionString != "") != tt.conn {
				t.Fatalf("got %+v", e)
			}
		})
	}
}

func TestRedactConnectionString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Server=s;Database=d;User Id=u;Password=Secr3t;Encrypt=true", "Server=s;Database=d;User Id=u;Password=***;Encrypt=true"},
		{"Server=s;PWD=Secr3t", "Server=s;PWD=***"},
		{"sqlserver://u:Secr3t@host:1433?database=d", "sqlserver://u:***@host:1433?database=d"},
		{"sqlserver://host?database=d&password=Secr3t", "sqlserver://host?database=d&password=***"},
		{"Server=s;Database=d", "Server=s;Database=d"},
	}
	for _, tt := range tests {
		got := RedactConnectionString(tt.in)
		if got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if strings.Contains(got, "Secr3t") {
			t.Errorf("secret survived: %q", got)
		}
		if HasSecret(tt.in) != (got != tt.in) {
			t.Errorf("HasSecret(%q) wrong", tt.in)
		}
	}
}
