package sqlserver

import (
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const secret = "S3cr#t;P@ss"

var qsecret = `"` + secret + `"`

func TestParseLocation(t *testing.T) {
	base := func(o Options) Options { return o.withDefaults() }
	tests := []struct {
		name string
		in   string
		want Options
	}{
		{"ado sql login", `Server=sql01.corp.example.com;Database=ARConfig;User Id=sa;Password="` + secret + `"`,
			base(Options{Server: "sql01.corp.example.com", Database: "ARConfig", User: "sa", Password: secret, Auth: AuthSQL})},
		{"ado instance and port", `Data Source=tcp:sql01.corp.example.com\AR,1500;Initial Catalog=ARConfig;UID=sa;PWD=x1y2z3`,
			base(Options{Server: "sql01.corp.example.com", Instance: "AR", Port: 1500, Database: "ARConfig", User: "sa", Password: "x1y2z3"})},
		{"ado port only", `Server=sql01.corp.example.com,1433;Database=D;User Id=u;Password=p`,
			base(Options{Server: "sql01.corp.example.com", Port: 1433, Database: "D", User: "u", Password: "p"})},
		{"ado instance only", `Server=sql01.corp.example.com\SQLEXPRESS;Database=D;User Id=u;Password=p`,
			base(Options{Server: "sql01.corp.example.com", Instance: "SQLEXPRESS", Database: "D", User: "u", Password: "p"})},
		{"ado trust and encrypt", `Server=sql01.corp.example.com;Database=D;User Id=u;Password=p;Encrypt=strict;HostNameInCertificate=sql.corp.example.com;Connect Timeout=5;Command Timeout=0;Application Name=X`,
			base(Options{Server: "sql01.corp.example.com", Database: "D", User: "u", Password: "p", Encrypt: EncryptStrict,
				HostNameInCertificate: "sql.corp.example.com", ConnectTimeout: 5 * time.Second, CommandTimeout: -1, AppName: "X"})},
		{"ado trust server certificate", `Server=sql01.corp.example.com;Database=D;User Id=u;Password=p;Encrypt=true;TrustServerCertificate=true`,
			base(Options{Server: "sql01.corp.example.com", Database: "D", User: "u", Password: "p", TrustServerCertificate: true})},
		{"ado entra password", `Server=ar.database.windows.net;Database=D;Authentication=ActiveDirectoryPassword;User Id=ann@corp.example.com;Password=p;ApplicationClientId=0f8e7d6c-5b4a-4938-8271-605f4e3d2c1b`,
			base(Options{Server: "ar.database.windows.net", Database: "D", Auth: AuthEntraPassword, User: "ann@corp.example.com", Password: "p",
				ClientID: "0f8e7d6c-5b4a-4938-8271-605f4e3d2c1b", DatabaseType: AzureSQL})},
		{"ado service principal", `Server=ar.database.windows.net;Database=D;Authentication=ActiveDirectoryServicePrincipal;User Id=app-id;Password=secret1;TenantId=tid`,
			base(Options{Server: "ar.database.windows.net", Database: "D", Auth: AuthEntraServicePrincipal, User: "app-id", Password: "secret1", TenantID: "tid"})},
		{"ado managed identity", `Server=ar.database.windows.net;Database=D;Authentication=ActiveDirectoryMSI`,
			base(Options{Server: "ar.database.windows.net", Database: "D", Auth: AuthEntraManagedIdentity})},
		{"ado default", `Server=ar.database.windows.net;Database=D;Authentication=ActiveDirectoryDefault;Database Type=AzureSQL`,
			base(Options{Server: "ar.database.windows.net", Database: "D", Auth: AuthEntraDefault, DatabaseType: AzureSQL})},
		{"ado ntlm windows", `Server=sql01.corp.example.com;Database=D;Integrated Security=SSPI;User Id=CORP\admin;Password=p`,
			base(Options{Server: "sql01.corp.example.com", Database: "D", Auth: AuthWindows, User: `CORP\admin`, Password: "p"})},
		{"url sql login", "sqlserver://sa:" + url.QueryEscape(secret) + "@sql01.corp.example.com:1500/AR?database=ARConfig&encrypt=true",
			base(Options{Server: "sql01.corp.example.com", Port: 1500, Instance: "AR", Database: "ARConfig", User: "sa", Password: secret})},
		{"url password in query", "sqlserver://sql01.corp.example.com?database=D&user+id=sa&password=p&TrustServerCertificate=true",
			base(Options{Server: "sql01.corp.example.com", Database: "D", User: "sa", Password: "p", TrustServerCertificate: true})},
		{"url managed identity with client id", "sqlserver://ar.database.windows.net?database=D&authentication=ActiveDirectoryManagedIdentity&user+id=cid",
			base(Options{Server: "ar.database.windows.net", Database: "D", Auth: AuthEntraManagedIdentity, User: "cid"})},
		{"quoted value with doubled quote", `Server=sql01.corp.example.com;Database='a''b';User Id=u;Password=p`,
			base(Options{Server: "sql01.corp.example.com", Database: "a'b", User: "u", Password: "p"})},
	}
	if runtime.GOOS != "windows" && !krb5Available {
		// Windows auth without a password needs Kerberos; tested below.
	} else {
		tests = append(tests, struct {
			name string
			in   string
			want Options
		}{"ado windows", `Server=sql01.corp.example.com;Database=D;Integrated Security=true`,
			base(Options{Server: "sql01.corp.example.com", Database: "D", Auth: AuthWindows})})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseLocation(tc.in)
			if err != nil {
				t.Fatalf("ParseLocation: %v", err)
			}
			if err := got.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if d := cmp.Diff(tc.want, got.withDefaults()); d != "" {
				t.Errorf("options (-want +got):\n%s", d)
			}
		})
	}
}

func TestParseLocationErrors(t *testing.T) {
	tests := []struct {
		name, in string
		part     string // OptionsError.Part
		mention  string // text the message must contain
	}{
		{"empty", "", "string", "sqlserver://"},
		{"other scheme", "postgres://h/db", "string", "sqlserver://"},
		{"no server", "Database=D;User Id=u;Password=" + qsecret, "Server", "Server=host"},
		{"no database", "Server=sql01.corp.example.com;User Id=u;Password=" + qsecret, "Database", "Database=<name>"},
		{"bad port", `Server=sql01.corp.example.com,99999;Database=D;User Id=u;Password="` + secret + `"`, "Server", "port"},
		{"bad url port", "sqlserver://u:" + secret + "@h:abc?database=D", "URL", "percent-encode"},
		{"unknown key", "Server=h.corp.example.com;Databse=D;Password=" + qsecret, "Databse", "unknown key"},
		{"duplicate key", "Server=h.corp.example.com;Database=D;Initial Catalog=E", "Initial Catalog", "more than once"},
		{"bad encrypt", "Server=h.corp.example.com;Database=D;User Id=u;Password=" + qsecret + ";Encrypt=maybe", "Encrypt", "Encrypt=true"},
		{"bad auth", "Server=h.corp.example.com;Database=D;Authentication=Magic;Password=" + qsecret, "Authentication", "SqlPassword"},
		{"ad integrated", "Server=h.corp.example.com;Database=D;Authentication=ActiveDirectoryIntegrated", "Authentication", "not supported"},
		{"entra password without client id", "Server=a.database.windows.net;Database=D;Authentication=ActiveDirectoryPassword;User Id=u;Password=" + qsecret, "Authentication", "ApplicationClientId"},
		{"sp without secret", "Server=a.database.windows.net;Database=D;Authentication=ActiveDirectoryServicePrincipal;User Id=app", "Password", "client secret"},
		{"windows on azure", "Server=a.database.windows.net;Database=D;Integrated Security=true", "Authentication", "Azure SQL"},
		{"strict with trust", "Server=h.corp.example.com;Database=D;User Id=u;Password=" + qsecret + ";Encrypt=strict;TrustServerCertificate=true", "TrustServerCertificate", "strict"},
		{"unclosed quote", `Server=h.corp.example.com;Database=D;Password="` + secret, "Password", "quote"},
		{"not key value", "Server=h.corp.example.com;garbage;Password=" + qsecret, "string", "Key=Value"},
		{"unquoted password with semicolon", "Server=h.corp.example.com;Database=D;User Id=u;Password=" + secret, "string", "double quotes"},
		{"named pipes", `Server=np:\\h\pipe\sql\query;Database=D`, "Server", "TCP"},
		{"bad instance", `Server=h.corp.example.com\bad-instance!;Database=D;User Id=u;Password=p`, "Server", "instance"},
		{"url path with database", "sqlserver://h.corp.example.com/inst/db", "URL path", "?database="},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := ParseLocation(tc.in)
			if err == nil {
				err = o.Validate() // what only the whole can tell
			}
			if err == nil {
				t.Fatal("no error")
			}
			var oe *OptionsError
			if !errors.As(err, &oe) {
				t.Fatalf("error %T is not *OptionsError: %v", err, err)
			}
			if oe.Part != tc.part {
				t.Errorf("part = %q, want %q (%v)", oe.Part, tc.part, err)
			}
			if !strings.Contains(err.Error(), tc.mention) {
				t.Errorf("error %q does not mention %q", err, tc.mention)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), url.QueryEscape(secret)) {
				t.Errorf("error leaks the password: %v", err)
			}
		})
	}
}

func TestWindowsAuthWithoutKerberos(t *testing.T) {
	if runtime.GOOS == "windows" || krb5Available {
		t.Skip("Kerberos or SSPI available")
	}
	o, err := ParseLocation("Server=h.corp.example.com;Database=D;Integrated Security=true")
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Validate(); err == nil || !strings.Contains(err.Error(), "Kerberos") {
		t.Fatalf("err = %v, want a Kerberos explanation", err)
	}
}

// TestParseLocationLeavesDefaultsOpen: a location without credentials takes
// the ones added later, and the authentication follows them.
func TestParseLocationLeavesDefaultsOpen(t *testing.T) {
	o, err := ParseLocation("Server=sql01.corp.example.com")
	if err != nil {
		t.Fatal(err)
	}
	o.Database, o.User, o.Password = "D", "sa", "p"
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := o.withDefaults().Auth; got != AuthSQL {
		t.Errorf("auth %s, want SqlPassword", got)
	}
}

func TestRedactedNeverHoldsPassword(t *testing.T) {
	for _, in := range []string{
		"Server=h.corp.example.com;Database=D;User Id=u;Password=" + `"` + secret + `"`,
		"sqlserver://u:" + url.QueryEscape(secret) + "@h.corp.example.com?database=D",
		"Server=a.database.windows.net;Database=D;Authentication=ActiveDirectoryServicePrincipal;User Id=app;Password=\"" + secret + "\"",
	} {
		o, err := ParseLocation(in)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{o.Redacted(), o.String(), fmt.Sprintf("%v", o), fmt.Sprintf("%+v", o), fmt.Sprintf("%#v", o), o.Location()} {
			if strings.Contains(s, secret) || strings.Contains(s, url.QueryEscape(secret)) {
				t.Errorf("leak in %q", s)
			}
		}
		if !strings.Contains(o.Redacted(), "Password=***") {
			t.Errorf("Redacted() %q does not show that a password is set", o.Redacted())
		}
	}
}

func TestWarnings(t *testing.T) {
	tests := []struct {
		name string
		o    Options
		want []string
	}{
		{"fqdn validated", Options{Server: "sql01.corp.example.com", Database: "D", User: "u"}, nil},
		{"short name", Options{Server: "SQL01", Database: "D", User: "u"}, []string{WarnShortServerName}},
		{"short name with host in certificate", Options{Server: "SQL01", HostNameInCertificate: "sql01.corp.example.com", Database: "D", User: "u"}, nil},
		{"ip address", Options{Server: "10.0.0.5", Database: "D", User: "u"}, nil},
		{"localhost", Options{Server: "localhost", Database: "D", User: "u"}, nil},
		{"trust", Options{Server: "SQL01", Database: "D", User: "u", TrustServerCertificate: true}, []string{WarnTrustServerCertificate}},
		{"encryption off", Options{Server: "sql01.corp.example.com", Database: "D", User: "u", Encrypt: EncryptOptional}, []string{WarnEncryptionOff}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, w := range tc.o.Warnings() {
				got = append(got, w.Code)
				if w.Message == "" {
					t.Error("empty message")
				}
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("warnings (-want +got):\n%s", d)
			}
		})
	}
}

func TestDSN(t *testing.T) {
	o := Options{Server: "sql01.corp.example.com", Instance: "AR", Port: 1500, Database: "A;B", User: "sa", Password: secret}
	u, err := url.Parse(o.dsn())
	if err != nil {
		t.Fatal(err)
	}
	if u.User != nil {
		t.Error("credentials in the URL userinfo")
	}
	if u.Host != "sql01.corp.example.com:1500" || u.Path != "/AR" {
		t.Errorf("host %q path %q", u.Host, u.Path)
	}
	q := u.Query()
	want := map[string]string{"database": "A;B", "user id": "sa", "password": secret, "encrypt": "true",
		"trustservercertificate": "false", "app name": DefaultAppName, "dial timeout": "30", "connection timeout": "30"}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, q.Get(k), v)
		}
	}
	sp := Options{Server: "a.database.windows.net", Database: "D", Auth: AuthEntraServicePrincipal, ClientID: "cid", TenantID: "tid", Password: "s"}
	q = mustQuery(t, sp.dsn())
	if q.Get("fedauth") != string(AuthEntraServicePrincipal) || q.Get("user id") != "cid@tid" || q.Get("password") != "s" {
		t.Errorf("service principal dsn %v", q)
	}
	if _, err := connector(sp); err != nil {
		t.Errorf("azuread connector: %v", err)
	}
	if _, err := connector(o); err != nil {
		t.Errorf("connector: %v", err)
	}
}

func mustQuery(t *testing.T, s string) url.Values {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// Encrypt=disable reaches servers without TLS, with the same warning as
// encryption off.
func TestEncryptDisable(t *testing.T) {
	for _, s := range []string{"sqlserver://u@127.0.0.1:1433?database=AR&encrypt=disable", "Server=127.0.0.1,1433;Database=AR;User Id=u;Encrypt=disable"} {
		o, err := ParseLocation(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if o.Encrypt != EncryptDisabled {
			t.Errorf("%s: Encrypt = %q", s, o.Encrypt)
		}
		w := o.Warnings()
		if len(w) == 0 || w[0].Code != WarnEncryptionOff || !strings.Contains(w[0].Message, "disabled") {
			t.Errorf("%s: warnings %+v", s, w)
		}
		if !strings.Contains(o.dsn(), "encrypt=disable") {
			t.Errorf("%s: dsn has no encrypt=disable", s)
		}
	}
}
