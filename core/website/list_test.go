package website

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/fixture"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/store"
)

// addDefaults plays the 8.2 Web Interface setup on a bundle: the three
// default sites, each with revision 1 and an Active binding.
func addDefaults(t *testing.T, path string) { addDefaultsTo(t, open(t, path)) }

func names(sites []SiteInfo) []string {
	var out []string
	for _, s := range sites {
		out = append(out, s.Name)
	}
	return out
}

func TestListImportedAndDefaultSites(t *testing.T) {
	path := upgraded(t)
	addDefaults(t, path)
	ctx := context.Background()
	made, err := New(ctx, open(t, path), Request{SourceSite: "Site for HelpDesk (7.6)", Template: "HelpDesk", IISSiteName: "Default Web Site", ApplicationAlias: "ARHelp"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	all, err := List(ctx, b, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Contoso Portal", "Night Shift Console", "Site for Administrators (7.6)", "Site for Administrators (8.2)",
		"Site for HelpDesk (7.6)", "Site for HelpDesk (8.2)", "Site for HelpDesk (8.2) (2)", "Site for Self-Administration (7.6)", "Site for Self-Administration (8.2)"}
	if got := names(all); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("sites %q\nwant  %q", got, want)
	}
	by := map[string]SiteInfo{}
	for _, s := range all {
		by[s.Name] = s
	}
	// The three defaults are defaults; the site made from an old configuration is not.
	for _, n := range want {
		isDefault := strings.HasSuffix(n, "(8.2)")
		if by[n].IsDefault != isDefault {
			t.Errorf("%s: IsDefault %v, want %v", n, by[n].IsDefault, isDefault)
		}
	}
	old := by["Site for Administrators (7.6)"]
	if old.Template != model.TemplateAdministrators || old.ProductVersion != "7.6" || old.CurrentRevision != 1 || old.Revisions != 1 ||
		len(old.Bindings) != 1 || old.Bindings[0].State != StateLegacy || old.Bindings[0].IISSiteName == "" || old.SourceSiteName != "" {
		t.Errorf("imported site %+v", old)
	}
	n := by["Site for HelpDesk (8.2) (2)"]
	if n.SiteGUID != made.SiteGUID || n.SourceSiteName != "Site for HelpDesk (7.6)" || n.SourceSiteGUID != made.SourceSiteGUID ||
		len(n.Bindings) != 1 || n.Bindings[0] != (BindingInfo{"Default Web Site", "ARHelp", StateActive}) || n.ProductVersion != "8.2" {
		t.Errorf("new site %+v", n)
	}
	if !strings.HasSuffix(n.CreatedUTC, "Z") || n.CreatedUTC == "" {
		t.Errorf("createdUtc %q, want ISO 8601 UTC", n.CreatedUTC)
	}
}

func TestListNames(t *testing.T) {
	path := upgraded(t)
	addDefaults(t, path)
	ctx := context.Background()
	b, err := bundle.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	guid := func() string {
		all, _ := List(ctx, b, []string{"Contoso Portal"})
		return all[0].SiteGUID
	}()
	tests := []struct {
		patterns []string
		want     string
		missing  string // a literal name that is not there: AR-NOTFOUND naming it
	}{
		{[]string{"*(7.6)"}, "Site for Administrators (7.6)|Site for HelpDesk (7.6)|Site for Self-Administration (7.6)", ""},
		{[]string{"site for helpdesk*"}, "Site for HelpDesk (7.6)|Site for HelpDesk (8.2)", ""},
		{[]string{"SITE FOR HELPDESK (8.2)", "Night*"}, "Night Shift Console|Site for HelpDesk (8.2)", ""},
		{[]string{strings.ToUpper(guid)}, "Contoso Portal", ""},
		{[]string{"*(9.9)"}, "", ""}, // a wildcard that matches nothing is no error
		{[]string{"*(8.2)", "Site for Kiosk (8.2)"}, "Site for Administrators (8.2)|Site for HelpDesk (8.2)|Site for Self-Administration (8.2)", "Site for Kiosk (8.2)"},
	}
	for _, tt := range tests {
		got, err := List(ctx, b, tt.patterns)
		if strings.Join(names(got), "|") != tt.want {
			t.Errorf("List(%q) = %q, want %q", tt.patterns, names(got), tt.want)
		}
		var e *arerr.Error
		switch {
		case tt.missing == "" && err != nil:
			t.Errorf("List(%q): %v", tt.patterns, err)
		case tt.missing != "" && (!errors.As(err, &e) || e.Code != "AR-NOTFOUND" || e.Exit != arerr.ExitNotFound || !strings.Contains(e.Message, tt.missing)):
			t.Errorf("List(%q): err %v, want AR-NOTFOUND naming %q", tt.patterns, err, tt.missing)
		}
	}
	if _, err := List(ctx, b, []string{"[bad"}); err == nil {
		t.Error("an invalid pattern was accepted")
	}
}

// Listing only reads: it works while a writer holds the destination's lock,
// and on anything but an 8.2 configuration database it refuses (AR-E006).
func TestListReadsOnly(t *testing.T) {
	path := upgraded(t)
	ctx := context.Background()
	d := open(t, path)
	release, err := d.LockForWrite(ctx, store.LockHolder{Operation: "test", Host: "h", PID: 1, Started: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	b, err := bundle.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if sites, err := List(ctx, b, nil); err != nil || len(sites) != 5 {
		t.Fatalf("List under another run's lock: %d sites, %v", len(sites), err)
	}

	src := filepath.Join(t.TempDir(), "76.arbundle")
	if _, err := fixture.WriteBundle(ctx, src, fixture.Spec{Version: "7.6", Role: "configuration", ConfigObjects: 20, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	s, err := bundle.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	var e *arerr.Error
	if _, err := List(ctx, s, nil); !errors.As(err, &e) || e.Code != model.E006DestinationVersionMismatch.ID {
		t.Fatalf("List on a 7.6 database: %v, want AR-E006", err)
	}
}
