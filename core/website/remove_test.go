package website

import (
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/store"
)

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func listAll(t *testing.T, path string) map[string]SiteInfo {
	t.Helper()
	b, err := bundle.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	sites, err := List(context.Background(), b, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]SiteInfo{}
	for _, s := range sites {
		out[s.Name] = s
	}
	return out
}

func rowCount(t *testing.T, path, table string, siteGUID string) int {
	t.Helper()
	b, err := bundle.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := b.Info(context.Background())
	i := info.Table(table).Index("SiteGuid")
	n := 0
	if err := scan(context.Background(), b, table, func(r data.Row) {
		if r[i].AsGUID().String() == siteGUID {
			n++
		}
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRemoveDefaultSites(t *testing.T) {
	path := upgraded(t)
	addDefaults(t, path)
	ctx := context.Background()
	before := listAll(t, path)

	// The binding alone: the configuration object stays, without an Active binding.
	res, err := Remove(ctx, open(t, path), RemoveRequest{Site: "site for helpdesk (8.2)"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Removed || res.ConfigurationRemoved || !res.IsDefault || len(res.RemovedBindings) != 1 || res.RemovedBindings[0].ApplicationAlias != "ARWebHelpDesk" {
		t.Fatalf("result %+v", res)
	}
	after := listAll(t, path)
	if hd := after["Site for HelpDesk (8.2)"]; len(hd.Bindings) != 0 || hd.Revisions != 1 {
		t.Fatalf("after removing the binding: %+v", hd)
	}
	// Again: nothing serves it any more.
	var e *arerr.Error
	if _, err := Remove(ctx, open(t, path), RemoveRequest{Site: "Site for HelpDesk (8.2)"}); !errors.As(err, &e) || e.Code != "AR-NOTFOUND" {
		t.Fatalf("second removal: %v, want AR-NOTFOUND", err)
	}

	// All three configuration objects, with every revision and binding; nothing else changes.
	for _, n := range defaultNames {
		g := before[n].SiteGUID
		res, err := Remove(ctx, open(t, path), RemoveRequest{Site: n, IncludeConfiguration: true})
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		if !res.ConfigurationRemoved || res.RevisionsRemoved != 1 {
			t.Errorf("%s: %+v", n, res)
		}
		for _, table := range []string{tSite, tDocument, tBinding} {
			if c := rowCount(t, path, table, g); c != 0 {
				t.Errorf("%s: %d rows left in %s", n, c, table)
			}
		}
	}
	after = listAll(t, path)
	if len(after) != len(before)-3 {
		t.Fatalf("%d sites left, want %d", len(after), len(before)-3)
	}
	for name, s := range after {
		b := before[name]
		if s.SiteGUID != b.SiteGUID || len(s.Bindings) != len(b.Bindings) || s.Revisions != b.Revisions || s.ModifiedUTC != b.ModifiedUTC {
			t.Errorf("%s changed: %+v, was %+v", name, s, b)
		}
	}
}

func TestRemoveRefusals(t *testing.T) {
	path := upgraded(t)
	addDefaults(t, path)
	ctx := context.Background()
	made, err := New(ctx, open(t, path), Request{SourceSite: "Site for HelpDesk (7.6)", Template: "HelpDesk", IISSiteName: "Default Web Site", ApplicationAlias: "ARHelp"})
	if err != nil {
		t.Fatal(err)
	}
	// A second Active binding of the Administrators default.
	tx, err := open(t, path).BeginConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	admin := listAll(t, path)["Site for Administrators (8.2)"]
	g, _ := data.ParseUUID(admin.SiteGUID)
	if err := tx.Insert(ctx, tBinding, []data.Row{{data.NullValue(), data.GUIDValue(g), data.StringValue("Intranet"), data.StringValue("ARWebAdmin"), data.StringValue(StateActive)}}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	before := fileSum(t, path)
	tests := []struct {
		name string
		req  RemoveRequest
		code string
		exit int
	}{
		{"not a default without force", RemoveRequest{Site: made.Name}, "AR-NOTDEFAULT", arerr.ExitInvalidInput},
		{"an imported site without force", RemoveRequest{Site: "Site for HelpDesk (7.6)", IncludeConfiguration: true}, "AR-NOTDEFAULT", arerr.ExitInvalidInput},
		{"a configuration another site was made from", RemoveRequest{Site: "Site for HelpDesk (7.6)", IncludeConfiguration: true, Force: true}, model.E020SiteInUse.ID, arerr.ExitPreflight},
		{"a configuration with an Active binding left", RemoveRequest{Site: "Site for Administrators (8.2)", IISSiteName: "Intranet", IncludeConfiguration: true}, model.E020SiteInUse.ID, arerr.ExitPreflight},
		{"a binding the site does not have", RemoveRequest{Site: "Site for Administrators (8.2)", ApplicationAlias: "Nope"}, "AR-NOTFOUND", arerr.ExitNotFound},
		{"an imported site has no Active binding", RemoveRequest{Site: "Contoso Portal", Force: true}, "AR-NOTFOUND", arerr.ExitNotFound},
		{"an unknown site", RemoveRequest{Site: "Site for Kiosk (8.2)"}, "AR-NOTFOUND", arerr.ExitNotFound},
		{"no site", RemoveRequest{}, "AR-PARAMS", arerr.ExitInvalidInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Remove(ctx, open(t, path), tt.req)
			var e *arerr.Error
			if !errors.As(err, &e) || e.Code != tt.code || e.Exit != tt.exit {
				t.Fatalf("err %v, want %s (exit %d)", err, tt.code, tt.exit)
			}
			if fileSum(t, path) != before {
				t.Fatal("a refused request changed the database")
			}
		})
	}

	// WhatIf plans and writes nothing.
	res, err := Remove(ctx, open(t, path), RemoveRequest{Site: made.SiteGUID, IncludeConfiguration: true, Force: true, WhatIf: true})
	if err != nil || res.Removed || !res.WhatIf || !res.ConfigurationRemoved || len(res.RemovedBindings) != 1 {
		t.Fatalf("WhatIf: %+v, %v", res, err)
	}
	if fileSum(t, path) != before {
		t.Fatal("WhatIf changed the database")
	}

	// One binding by website and alias (case and slashes as IIS compares them); the other stays.
	res, err = Remove(ctx, open(t, path), RemoveRequest{Site: "Site for Administrators (8.2)", IISSiteName: "INTRANET", ApplicationAlias: "/arwebadmin/"})
	if err != nil || len(res.RemovedBindings) != 1 || res.RemovedBindings[0].IISSiteName != "Intranet" {
		t.Fatalf("one binding: %+v, %v", res, err)
	}
	if b := listAll(t, path)["Site for Administrators (8.2)"].Bindings; len(b) != 1 || b[0].IISSiteName != "Default Web Site" {
		t.Fatalf("bindings left %+v", b)
	}
	// With -Force a site made from an old one goes, and then the old one is free to go too.
	if _, err := Remove(ctx, open(t, path), RemoveRequest{Site: made.Name, IncludeConfiguration: true, Force: true}); err != nil {
		t.Fatal(err)
	}
	res, err = Remove(ctx, open(t, path), RemoveRequest{Site: "Site for HelpDesk (7.6)", IncludeConfiguration: true, Force: true})
	if err != nil || !res.ConfigurationRemoved || len(res.RemovedBindings) != 1 || res.RemovedBindings[0].State != StateLegacy {
		t.Fatalf("old site with its Legacy binding: %+v, %v", res, err)
	}
}

// failingDest fails the transaction's delete from one table, after the
// deletes before it went through.
type failingDest struct {
	store.ConfigDestination
	table string
}

func (f failingDest) BeginConfig(ctx context.Context) (store.ConfigTx, error) {
	tx, err := f.ConfigDestination.BeginConfig(ctx)
	return failingTx{tx, f.table}, err
}

type failingTx struct {
	store.ConfigTx
	table string
}

func (f failingTx) Delete(ctx context.Context, table string, keys []data.Row) error {
	if table == f.table {
		return errors.New("disk on fire")
	}
	return f.ConfigTx.Delete(ctx, table, keys)
}

// TestRemoveIsOneTransaction: the site row's delete fails after its
// bindings and revisions were deleted in the same transaction: nothing is
// removed.
func TestRemoveIsOneTransaction(t *testing.T) {
	path := upgraded(t)
	addDefaults(t, path)
	before := fileSum(t, path)
	_, err := Remove(context.Background(), failingDest{open(t, path), tSite}, RemoveRequest{Site: "Site for HelpDesk (8.2)", IncludeConfiguration: true})
	var e *arerr.Error
	if !errors.As(err, &e) || e.Code != "AR-WRITE" || !strings.Contains(e.Remedy, "Nothing was written") {
		t.Fatalf("err %v, want AR-WRITE", err)
	}
	if fileSum(t, path) != before {
		t.Fatal("a failed removal left part of its changes")
	}
}
