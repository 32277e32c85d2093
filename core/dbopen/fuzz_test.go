package dbopen

import (
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/sqlserver"
)

// FuzzLocation feeds arbitrary --source/--destination values to the
// location readers: never a panic; a value read as a connection string
// whose password the driver would use is one HasSecret sees (the CLI refuses
// passwords on the command line) and one Describe never shows.
func FuzzLocation(f *testing.F) {
	for _, s := range []string{
		"sample.arbundle", `C:\Backups\AR76.ARBUNDLE`, "",
		"sqlserver://sql01.corp.example.com?database=AR",
		"sqlserver://u:Secr3tPass@host:1433/inst?database=d",
		"sqlserver://host?database=d&password=Secr3tPass",
		"Server=sql01.corp.example.com;Database=ARConfig76",
		"Server=s;Database=d;User Id=u;Password=Secr3tPass;Encrypt=true",
		`Server=s;Database=d;User Id=u;Password="Secr;3t""Pass"`,
		"Data Source=sql01;Initial Catalog=AR;PWD=Secr3tPass",
		"Server=s;Database=d;Pass Word=Secr3tPass",
		"Server=s;Database=d;p_w_d=Secr3tPass",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ep, err := ParseLocation(s)
		if err != nil {
			return
		}
		_ = ep.Describe()
		if ep.ConnectionString == "" {
			return
		}
		o, err := sqlserver.ParseLocation(ep.ConnectionString)
		if err != nil || o.Password == "" {
			return
		}
		if !HasSecret(ep.ConnectionString) {
			t.Fatalf("HasSecret(%q) = false; the driver reads a password from it", ep.ConnectionString)
		}
		// Neither the password nor a piece of it between quotes and
		// separators (Password="a;b" used to show b).
		shown := ep.Describe()
		pieces := append(strings.FieldsFunc(o.Password, func(r rune) bool { return strings.ContainsRune(";\"'=&", r) }), o.Password)
		for _, p := range pieces {
			if len(p) >= 6 && !inOtherFields(o, p) && strings.Contains(shown, p) {
				t.Fatalf("Describe(%q) = %q shows %q of the password", ep.ConnectionString, shown, p)
			}
		}
	})
}

// inOtherFields reports whether p also appears in a key or a field that may
// be shown (then showing it is not a leak).
func inOtherFields(o sqlserver.Options, p string) bool {
	for _, v := range []string{o.Server, o.Instance, o.Database, o.User, o.AppName, o.HostNameInCertificate, o.ClientID,
		o.TenantID, o.ServerSPN, o.Krb5ConfigFile, o.Krb5CredCacheFile, o.Krb5KeytabFile, o.Krb5Realm, string(o.Auth),
		"server database user id password authentication encrypt trustservercertificate hostnameincertificate sqlserver://"} {
		if strings.Contains(strings.ToLower(v), strings.ToLower(p)) {
			return true
		}
	}
	return false
}
