package bundle

import (
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/activeroles/arupgrade/core/principals"
)

// richSnapshot has one principal of each kind, names that need quoting and
// a password hash: what an export of a SQL Server database records.
func richSnapshot() *principals.Snapshot {
	return &principals.Snapshot{
		Server: "SQL01\\AR", Database: "ARConfig76",
		Caller:        principals.Caller{Login: "CORP\\admin", SID: []byte{1, 5, 0, 0, 9}},
		CanReadHashes: true, CanSeeLogins: true, ExternalPrincipals: true,
		Logins: []principals.Login{
			{Name: "O'Br]ien_Zoë", Type: principals.LoginSQL, SID: []byte{0xAA, 0xBB}, PasswordHash: []byte{0x02, 0x00, 0x11, 0x22},
				DefaultDatabase: "ARConfig76", DefaultLanguage: "us_english", CheckPolicy: true, Disabled: true},
			{Name: "CORP\\AR Admins", Type: principals.LoginWindowsGroup, SID: []byte{1, 5, 0, 0, 0x21}},
		},
		Users: []principals.User{
			{Name: "u'ser]Zoë", Type: principals.UserSQL, Auth: principals.AuthInstance, SID: []byte{0xAA, 0xBB}, DefaultSchema: "ar s'1"},
			{Name: "no_login", Type: principals.UserSQL, Auth: principals.AuthNone, SID: []byte{7}, DefaultSchema: "dbo"},
		},
		Roles:       []principals.Role{{Name: "ar_read]ers'", Owner: "dbo"}, {Name: "db_datareader", Owner: "dbo", Fixed: true}},
		Memberships: []principals.Membership{{Role: "ar_read]ers'", Member: "u'ser]Zoë"}},
		Permissions: []principals.Permission{
			{State: principals.StateGrantWithOption, Class: principals.ClassObject, Permission: "SELECT", Grantee: "no_login", Grantor: "dbo", Schema: "dbo", Object: "Conf", Column: "Id"},
			{State: principals.StateDeny, Class: principals.ClassDatabase, Permission: "VIEW DEFINITION", Grantee: "ar_read]ers'", Grantor: "dbo"},
		},
		Schemas:   []string{"ar s'1", "dbo"},
		Objects:   []principals.Object{{Schema: "dbo", Name: "Conf", Columns: []string{"Id", "Secret"}}},
		Databases: []string{"ARConfig76", "master"},
	}
}

// A bundle written with the source's principals gives back exactly that
// snapshot; one written without says so (ErrNoPrincipals), and so does a
// format 1.0 bundle, which stays readable.
func TestBundlePrincipals(t *testing.T) {
	ctx := context.Background()
	write := func(p *principals.Snapshot) string {
		path := tempPath(t, "p.arbundle")
		h := historyHeader()
		h.Principals = p
		w, err := Create(path, h)
		must(t, err)
		for _, r := range settingsRows(destIID) {
			must(t, w.Write("Settings", r))
		}
		must(t, w.Close())
		return path
	}

	want := richSnapshot()
	b, err := Open(write(want))
	must(t, err)
	got, err := b.ReadPrincipals(ctx)
	must(t, err)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("principals read back (-written +read):\n%s", diff)
	}
	got.Logins[0].Name = "changed"
	if again, _ := b.ReadPrincipals(ctx); again.Logins[0].Name != want.Logins[0].Name {
		t.Error("a caller's change to the snapshot changed the bundle's")
	}
	if n := len(readAll(t, b, "Settings")); n != 3 {
		t.Errorf("Settings rows %d, want 3", n)
	}

	without := write(nil)
	b, err = Open(without)
	must(t, err)
	if _, err := b.ReadPrincipals(ctx); !errors.Is(err, ErrNoPrincipals) {
		t.Errorf("a bundle without principals: %v, want ErrNoPrincipals", err)
	}

	// The same file as format 1.0 wrote it (prologue minor 0, no principals).
	raw, err := os.ReadFile(without)
	must(t, err)
	binary.LittleEndian.PutUint16(raw[10:], 0)
	binary.LittleEndian.PutUint32(raw[12:], crc32.Checksum(raw[:12], castagnoli))
	old := tempPath(t, "old.arbundle")
	must(t, os.WriteFile(old, raw, 0o600))
	b, err = Open(old)
	if err != nil {
		t.Fatalf("a format 1.0 bundle: %v", err)
	}
	if _, err := b.ReadPrincipals(ctx); !errors.Is(err, ErrNoPrincipals) {
		t.Errorf("a format 1.0 bundle: %v, want ErrNoPrincipals", err)
	}
	if n := len(readAll(t, b, "Settings")); n != 3 {
		t.Errorf("format 1.0 bundle: Settings rows %d, want 3", n)
	}
}
