package website

import (
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/configimport"
	"github.com/activeroles/arupgrade/core/fixture"
	"github.com/activeroles/arupgrade/core/model"
)

// upgraded returns an 8.2 configuration bundle imported from a 7.6 sample.
func upgraded(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "src.arbundle")
	if _, err := fixture.WriteBundle(context.Background(), src, fixture.Spec{Version: "7.6", Role: "configuration", ConfigObjects: 50, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	s, err := bundle.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	dstPath := filepath.Join(dir, "dst.arbundle")
	d, err := bundle.OpenConfigDestination(dstPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := configimport.Run(context.Background(), s, d, configimport.Options{SkipEncryptedData: true, ServicesServer: "ars82.corp.example.com", SkipPrincipals: true}, nil); err != nil {
		t.Fatal(err)
	}
	return dstPath
}

func open(t *testing.T, path string) *bundle.ConfigDest {
	t.Helper()
	d, err := bundle.OpenConfigDestination(path)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestNewSiteFromAnImportedOne(t *testing.T) {
	path := upgraded(t)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	res, err := New(context.Background(), open(t, path), Request{SourceSite: "site for administrators (7.6)", Template: "Administrators",
		IISSiteName: "Default Web Site", ApplicationAlias: "ARWebAdmin", Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Name != "Site for Administrators (8.2)" || res.UpgradedFrom != "7.6" || res.Template != model.TemplateAdministrators || !res.Created {
		t.Fatalf("result %+v", res)
	}
	// The new site, its revision 1 and its Active binding are in the database.
	d := open(t, path)
	ctx := context.Background()
	for table, want := range map[string]string{"WebInterfaceSite": res.SiteGUID, "WebInterfaceSiteDocument": res.SiteGUID, "WebInterfaceBinding": "Active"} {
		rows, err := d.Scan(ctx, table)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for rows.Next() {
			for _, v := range rows.Row() {
				if strings.EqualFold(v.String(), want) || strings.EqualFold(v.Str, want) {
					found = true
				}
			}
		}
		rows.Close()
		if !found {
			t.Errorf("%s has no row for %s", table, want)
		}
	}

	// A second site with the default name gets "(2)"; the same binding is a conflict.
	res2, err := New(ctx, open(t, path), Request{SourceSite: res.SiteGUID, Template: "Administrators", IISSiteName: "Default Web Site", ApplicationAlias: "ARWebAdmin2"})
	if err != nil {
		t.Fatal(err)
	}
	if res2.Name != "Site for Administrators (8.2) (2)" || res2.UpgradedFrom != "" {
		t.Fatalf("second site %+v (a copy of an 8.2 site has no upgradedFrom)", res2)
	}
}

func TestNewSiteRefusals(t *testing.T) {
	path := upgraded(t)
	base := Request{SourceSite: "Site for HelpDesk (7.6)", Template: "HelpDesk", IISSiteName: "Default Web Site", ApplicationAlias: "ARHelpDesk"}
	if _, err := New(context.Background(), open(t, path), base); err != nil {
		t.Fatal(err)
	}
	mySite := base
	mySite.ApplicationAlias, mySite.SourceSite = "my site", "Site for Administrators (7.6)"
	if res, err := New(context.Background(), open(t, path), mySite); err != nil || res.ApplicationAlias != "my site" {
		t.Fatalf("alias \"my site\" (a space is allowed): %+v, %v", res, err)
	}
	sum := func() [32]byte { b, _ := os.ReadFile(path); return sha256.Sum256(b) }
	before := sum()
	tests := []struct {
		name string
		req  Request
		code string
	}{
		{"binding already active", base, model.E018SiteConflict.ID},
		{"name in use", func() Request { r := base; r.ApplicationAlias = "Other"; r.Name = "site for helpdesk (7.6)"; return r }(), model.E018SiteConflict.ID},
		{"unknown source", func() Request { r := base; r.SourceSite = "Nope"; r.ApplicationAlias = "x"; return r }(), "AR-NOTFOUND"},
		{"unknown template", func() Request { r := base; r.Template = "Kiosk"; return r }(), "AR-PARAMS"},
		{"same alias with slashes and other case", func() Request { r := base; r.ApplicationAlias = "/My Site/"; return r }(), model.E018SiteConflict.ID},
		{"same website in other case", func() Request {
			r := base
			r.IISSiteName = "DEFAULT WEB SITE"
			r.ApplicationAlias = "arhelpdesk"
			return r
		}(), model.E018SiteConflict.ID},
	}
	for _, alias := range []string{"../etc", "a/b", `a\b`, "..", "a?b#c", strings.Repeat("x", 300), " padded ", ""} {
		r := base
		r.ApplicationAlias = alias
		tests = append(tests, struct {
			name string
			req  Request
			code string
		}{"hostile alias " + strconv.Quote(alias[:min(len(alias), 12)]), r, "AR-ALIAS"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(context.Background(), open(t, path), tt.req)
			var e *arerr.Error
			if !errors.As(err, &e) || e.Code != tt.code {
				t.Fatalf("err = %v, want code %s", err, tt.code)
			}
			if tt.code == "AR-ALIAS" && e.Exit != arerr.ExitInvalidInput {
				t.Errorf("exit %d, want %d (invalid input)", e.Exit, arerr.ExitInvalidInput)
			}
			if sum() != before {
				t.Fatal("a refused request changed the database")
			}
		})
	}
}
