package dbopen

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/arerr"
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
		// Keys as the driver reads them, quoted values whole (issue 9 fuzzing).
		{`Server=s;Password="Secr3t;x""y";Database=d`, "Server=s;Password=***;Database=d"},
		{"Server=s;Pass Word=Secr3t", "Server=s;Pass Word=***"},
		{"Server=s;p_w_d = Secr3t;Database=d", "Server=s;p_w_d =***;Database=d"},
		{"Server=s;Password=a;Secr3t", "Server=s;Password=***;***"},
		{"sqlserver://host?database=d&pass_word=Secr3t", "sqlserver://host?database=d&pass_word=***"},
		{"sqlserver://host?database=d&p%61ssword=Secr3t", "sqlserver://host?database=d&p%61ssword=***"},
		{"sqlserver://u:Secr3t@x@host?database=d", "sqlserver://u:***@host?database=d"},
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

// The login may be named by a flag or inside the connection string; either
// way the front end is told to fetch the password (issue: the URL's user was
// sent without one).
func TestNeedsPassword(t *testing.T) {
	tests := []struct {
		name     string
		ep       Endpoint
		wantUser string
		want     bool
	}{
		{"URL user", Endpoint{ConnectionString: "sqlserver://bfadmin@127.0.0.1:1433?database=AR&encrypt=disable"}, "bfadmin", true},
		{"User Id pair", Endpoint{ConnectionString: "Server=sql01.corp.example.com;Database=AR;User Id=arsvc"}, "arsvc", true},
		{"user flag", Endpoint{ConnectionString: "Server=sql01.corp.example.com;Database=AR", User: "arsvc"}, "arsvc", true},
		{"password given", Endpoint{ConnectionString: "Server=sql01.corp.example.com;Database=AR", User: "arsvc", Password: "x"}, "arsvc", false},
		{"service principal", Endpoint{Server: "ar.database.windows.net", Database: "AR", Auth: "AzureADServicePrincipal", User: "0f8e7d6c-5b4a-4938-8271-605f4e3d2c1b"}, "0f8e7d6c-5b4a-4938-8271-605f4e3d2c1b", true},
		{"managed identity", Endpoint{Server: "ar.database.windows.net", Database: "AR", Auth: "AzureADManagedIdentity"}, "", false},
		{"bundle", Endpoint{Path: "a.arbundle"}, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			user, need, err := NeedsPassword(&tc.ep)
			if err != nil || user != tc.wantUser || need != tc.want {
				t.Errorf("NeedsPassword = %q, %v, %v; want %q, %v", user, need, err, tc.wantUser, tc.want)
			}
		})
	}
}

// What a user types as -Source/--source is read once, here, for every front end.
func TestLocationForms(t *testing.T) {
	tests := []struct {
		in                           string
		server, instance             string
		port                         int
		conn, errorHas, pathEndsWith string
		optionsErrorHas              string
	}{
		{in: "sql01", server: "sql01"},
		{in: `sql01\INST`, server: "sql01", instance: "INST"},
		{in: "sql01,1433", server: "sql01", port: 1433},
		{in: `sql01.corp.example.com\INST,14330`, server: "sql01.corp.example.com", instance: "INST", port: 14330},
		// Azure SQL has no Windows authentication, and no default is guessed: the engine says so.
		// Azure SQL without a login: the Entra default chain, not a refusal (TestEndpointAuthenticationRules).
		{in: "contoso.database.windows.net", server: "contoso.database.windows.net"},
		{in: "Server=sql02;Database=ARConfig76", conn: "Server=sql02;Database=ARConfig76"},
		{in: "backup.arbundle", pathEndsWith: "/base/backup.arbundle"},
		{in: "sql01/ARConfig", errorHas: "neither a bundle file"},
		{in: "sql 01", errorHas: `"sql 01" is neither a bundle file`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			b, _ := json.Marshal(map[string]any{"location": tt.in, "database": "ARConfig76", "baseDirectory": "/base"})
			var ep Endpoint
			err := json.Unmarshal(b, &ep)
			if tt.errorHas != "" {
				var ee *arerr.Error
				if err == nil || !errors.As(err, &ee) || ee.Code != "AR-ARGS" || !strings.Contains(err.Error(), tt.errorHas) {
					t.Fatalf("err = %v, want AR-ARGS mentioning %q", err, tt.errorHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.pathEndsWith != "":
				if !strings.HasSuffix(filepath.ToSlash(ep.Path), tt.pathEndsWith) {
					t.Fatalf("path = %q, want it under the base directory", ep.Path)
				}
			case tt.conn != "":
				if ep.ConnectionString != tt.conn {
					t.Fatalf("connection string = %q", ep.ConnectionString)
				}
			default:
				o, err := SQLOptions(&ep)
				if tt.optionsErrorHas != "" {
					if err == nil || !strings.Contains(err.Error(), tt.optionsErrorHas) {
						t.Fatalf("err = %v, want it to mention %q", err, tt.optionsErrorHas)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if o.Server != tt.server || o.Instance != tt.instance || o.Port != tt.port || o.Database != "ARConfig76" {
					t.Fatalf("options = %s (server %q instance %q port %d)", o.Redacted(), o.Server, o.Instance, o.Port)
				}
			}
		})
	}
}

func TestLocationExcludesOtherForms(t *testing.T) {
	var ep Endpoint
	err := json.Unmarshal([]byte(`{"location":"sql01","path":"a.arbundle"}`), &ep)
	if err == nil || !strings.Contains(err.Error(), "both a location") {
		t.Fatalf("err = %v", err)
	}
	if err := json.Unmarshal([]byte(`{"location":"sql01","databse":"x"}`), &ep); err == nil {
		t.Fatal("an unknown field was accepted")
	}
}
