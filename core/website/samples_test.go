package website

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/configimport"
)

// TestShippedSamples: for each shipped sample, imported into a new 8.2
// bundle, every old site is listed and gets one 8.2 site carrying its
// customisations (§10.5); the site made from it is not a default.
func TestShippedSamples(t *testing.T) {
	for _, sample := range []struct{ file, version string }{
		{"sample-7.6-combined.arbundle", "7.6"},
		{"sample-8.1-configuration.arbundle", "8.1"},
	} {
		t.Run(sample.version, func(t *testing.T) {
			ctx := context.Background()
			src, err := bundle.Open(filepath.Join("..", "..", "testdata", sample.file))
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			path := filepath.Join(t.TempDir(), "ar82.arbundle")
			if _, err := configimport.Run(ctx, src, open(t, path), configimport.Options{SkipEncryptedData: true, ServicesServer: "ars82.corp.example.com", SkipPrincipals: true}, nil); err != nil {
				t.Fatal(err)
			}
			addDefaults(t, path)
			b, err := bundle.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			old, err := List(ctx, b, []string{"*(" + sample.version + ")"})
			if err != nil {
				t.Fatal(err)
			}
			if len(old) < 3 {
				t.Fatalf("%d old sites listed, want the three of %s at least", len(old), sample.version)
			}
			before := len(listAll(t, path))
			for _, s := range old {
				if s.ProductVersion != sample.version || s.IsDefault {
					t.Errorf("old site %+v", s)
				}
				res, err := New(ctx, open(t, path), Request{SourceSite: s.SiteGUID, Template: s.Template, IISSiteName: "Default Web Site", ApplicationAlias: "ARWeb" + s.Template + strings.ReplaceAll(sample.version, ".", "")})
				if err != nil {
					t.Fatalf("new site from %s: %v", s.Name, err)
				}
				if res.UpgradedFrom != sample.version || res.SourceSite != s.Name || !strings.Contains(res.Name, "(8.2) (2)") {
					t.Errorf("new site from %s: %+v", s.Name, res)
				}
			}
			all := listAll(t, path)
			defaults := 0
			for _, s := range all {
				if s.IsDefault {
					defaults++
				}
			}
			if defaults != 3 || len(all) != before+len(old) {
				t.Errorf("%d defaults among %d sites, want 3 among %d", defaults, len(all), before+len(old))
			}
		})
	}
}
