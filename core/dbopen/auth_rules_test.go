package dbopen

import (
	"encoding/json"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/sqlserver"
)

// The authentication defaults and rules, in the one place every front end
// reaches them: an endpoint as the module and the CLI send it (location as
// typed, auth, user, password, database type) resolves to one
// authentication, asks for a secret under one rule, and is refused with one
// code. The module and the CLI only pass what the user typed.
func TestEndpointAuthenticationRules(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the table states the Linux/macOS rules (NTLM with a credential, Kerberos without)")
	}
	tests := []struct {
		name     string
		endpoint string // JSON as a front end sends it
		wantAuth sqlserver.Auth
		wantNeed bool   // a password must be asked for (CLI prompt, file or variable)
		wantCode string // Validate's refusal, "" when valid
		wantText string // the refusal names the problem
	}{
		{name: "instance, nothing else: Windows (Kerberos)",
			endpoint: `{"location":"sql01.corp.example.com","database":"AR"}`, wantAuth: sqlserver.AuthWindows},
		{name: "a credential without auth: SQL login",
			endpoint: `{"location":"sql01.corp.example.com","database":"AR","user":"ar","password":"pw1"}`, wantAuth: sqlserver.AuthSQL},
		{name: "a user without password: SQL login, ask for it",
			endpoint: `{"location":"sql01.corp.example.com","database":"AR","user":"ar"}`, wantAuth: sqlserver.AuthSQL, wantNeed: true},
		{name: "SqlLogin without a credential: refused, no prompt",
			endpoint: `{"location":"sql01.corp.example.com","database":"AR","auth":"SqlLogin"}`, wantAuth: sqlserver.AuthSQL,
			wantCode: "AR-CONNECTION", wantText: "needs a login name"},
		{name: "Windows with a credential: NTLM (the engine supports it)",
			endpoint: `{"location":"sql01.corp.example.com","database":"AR","auth":"Windows","user":"CORP\\ar","password":"pw1"}`, wantAuth: sqlserver.AuthWindows},
		{name: "Windows with a user only: NTLM, ask for the password",
			endpoint: `{"location":"sql01.corp.example.com","database":"AR","auth":"Windows","user":"CORP\\ar"}`, wantAuth: sqlserver.AuthWindows, wantNeed: true},
		{name: "Azure SQL by name, nothing else: Entra default",
			endpoint: `{"location":"ar.database.windows.net","database":"AR"}`, wantAuth: sqlserver.AuthEntraDefault},
		{name: "Azure SQL by type, nothing else: Entra default",
			endpoint: `{"location":"sqlmi01","database":"AR","databaseType":"AzureSQL"}`, wantAuth: sqlserver.AuthEntraDefault},
		{name: "Azure SQL with a credential: SQL login",
			endpoint: `{"location":"ar.database.windows.net","database":"AR","user":"ar","password":"pw1"}`, wantAuth: sqlserver.AuthSQL},
		{name: "Azure SQL with Windows: refused",
			endpoint: `{"location":"ar.database.windows.net","database":"AR","auth":"Windows"}`, wantAuth: sqlserver.AuthWindows,
			wantCode: "AR-CONNECTION", wantText: "does not accept Windows authentication"},
		{name: "service principal without a client id: refused, no prompt",
			endpoint: `{"location":"ar.database.windows.net","database":"AR","auth":"AzureADServicePrincipal"}`, wantAuth: sqlserver.AuthEntraServicePrincipal,
			wantCode: "AR-CONNECTION", wantText: "client) id"},
		{name: "service principal with its client id: ask for the secret",
			endpoint: `{"location":"ar.database.windows.net","database":"AR","auth":"AzureADServicePrincipal","user":"0b8f"}`, wantAuth: sqlserver.AuthEntraServicePrincipal, wantNeed: true},
		{name: "connection string names the login: ask for the password",
			endpoint: `{"location":"Server=sql01.corp.example.com;Database=AR;User Id=ar"}`, wantAuth: sqlserver.AuthSQL, wantNeed: true},
		{name: "no database: refused",
			endpoint: `{"location":"sql01.corp.example.com"}`, wantAuth: sqlserver.AuthWindows, wantCode: "AR-CONNECTION", wantText: "no database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ep Endpoint
			if err := json.Unmarshal([]byte(tt.endpoint), &ep); err != nil {
				t.Fatal(err)
			}
			_, need, err := NeedsPassword(&ep)
			if err != nil {
				t.Fatal(err)
			}
			if need != tt.wantNeed {
				t.Errorf("needs a password = %v, want %v", need, tt.wantNeed)
			}
			if need {
				ep.Password = "pw1" // as the front end would, from the prompt
			}
			o, err := SQLOptions(&ep)
			if got := o.Redacted(); !strings.Contains(got, "Authentication="+string(tt.wantAuth)) {
				t.Errorf("options %s, want Authentication=%s", got, tt.wantAuth)
			}
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var e *arerr.Error
			if !errors.As(err, &e) || e.Code != tt.wantCode || e.Exit != arerr.ExitInvalidInput || !strings.Contains(err.Error(), tt.wantText) {
				t.Fatalf("err = %v, want %s (exit 2) naming %q", err, tt.wantCode, tt.wantText)
			}
		})
	}
}
