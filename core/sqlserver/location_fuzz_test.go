package sqlserver

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

// FuzzParseLocation feeds arbitrary connection strings and URLs to
// ParseLocation, Validate and the renderings used in messages: never a
// panic; every error is an *OptionsError; no rendering shows the password.
func FuzzParseLocation(f *testing.F) {
	for _, s := range []string{
		`Server=sql01.corp.example.com;Database=ARConfig;User Id=sa;Password="` + secret + `"`,
		`Data Source=tcp:sql01.corp.example.com\AR,1500;Initial Catalog=ARConfig;UID=sa;PWD=x1y2z3`,
		`Server=sql01.corp.example.com;Database=D;User Id=u;Password=p;Encrypt=strict;HostNameInCertificate=sql.corp.example.com;Connect Timeout=5;Command Timeout=0;Application Name=X`,
		`Server=ar.database.windows.net;Database=D;Authentication=ActiveDirectoryServicePrincipal;User Id=app-id;Password=secret1;TenantId=tid`,
		`Server=sql01.corp.example.com;Database='a''b';User Id=u;Password=p`,
		`Server=np:sql01;Database=D`, `Server=;Database=D`, `Server=s;Database=D;Password="unclosed`,
		"sqlserver://sa:" + url.QueryEscape(secret) + "@sql01.corp.example.com:1500/AR?database=ARConfig&encrypt=true",
		"sqlserver://sql01.corp.example.com?database=D&user+id=sa&password=p&TrustServerCertificate=true",
		"sqlserver://h:99999?database=D", "sqlserver://h/a/b?database=D", "http://x", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := ParseLocation(s)
		if err != nil {
			var oe *OptionsError
			if !errors.As(err, &oe) {
				t.Fatalf("error %q (%T) is not an *OptionsError", err, err)
			}
			return
		}
		verr := o.Validate()
		if verr != nil {
			var oe *OptionsError
			if !errors.As(verr, &oe) {
				t.Fatalf("Validate error %q (%T) is not an *OptionsError", verr, verr)
			}
		}
		_ = o.Warnings()
		if len(o.Password) < 6 || shownElsewhere(o) {
			return
		}
		for name, r := range map[string]string{"Redacted": o.Redacted(), "String": o.String(), "GoString": o.GoString(),
			"Location": o.Location(), "Validate": errText(verr)} {
			if strings.Contains(r, o.Password) {
				t.Fatalf("%s of %q shows the password: %s", name, s, r)
			}
		}
	})
}

// FuzzLocationPassword builds connection strings around any password, quoted
// as SqlClient quotes it: the password reads back exactly, and no error
// about the string shows it.
func FuzzLocationPassword(f *testing.F) {
	f.Add("sql01.corp.example.com", "ARConfig", "sa", secret)
	f.Add("s", "d", "u", `a"b;c'd`)
	f.Add("s", "d", "u", `''`)
	f.Add("s", "d", "u", " padded ")
	f.Fuzz(func(t *testing.T, server, database, user, password string) {
		q := func(v string) string { return `"` + strings.ReplaceAll(v, `"`, `""`) + `"` }
		s := "Server=" + q(server) + ";Database=" + q(database) + ";User Id=" + q(user) + ";Password=" + q(password)
		o, err := ParseLocation(s)
		if err == nil && o.Password != password {
			t.Fatalf("password %q read back as %q from %s", password, o.Password, s)
		}
		if err == nil {
			err = o.Validate()
		}
		if err == nil || len(password) < 6 {
			return
		}
		for _, v := range []string{server, database, user, "Server Database User Id Password"} {
			if strings.Contains(v, password) {
				return
			}
		}
		if strings.Contains(err.Error(), password) {
			t.Fatalf("error %q shows the password", err)
		}
	})
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// shownElsewhere reports whether the password also appears in a field that
// messages may show (then showing it there is no leak).
func shownElsewhere(o Options) bool {
	for _, v := range []string{o.Server, o.Instance, o.Database, o.User, o.AppName, o.HostNameInCertificate, o.ClientID,
		o.TenantID, o.ServerSPN, o.Krb5ConfigFile, o.Krb5CredCacheFile, o.Krb5KeytabFile, o.Krb5Realm, string(o.Auth),
		string(o.Encrypt), string(o.DatabaseType), "Server=;Database=;Authentication=;Encrypt=;TrustServerCertificate=true false sqlserver.Options{}"} {
		if strings.Contains(v, o.Password) {
			return true
		}
	}
	return false
}
