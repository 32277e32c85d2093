package website

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/fixture"
	"github.com/activeroles/arupgrade/core/model"
)

func export(t *testing.T, path, site, out string) *ExportResult {
	t.Helper()
	b, err := bundle.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Export(context.Background(), b, ExportRequest{Site: site, Path: out})
	if err != nil {
		t.Fatalf("export %s: %v", site, err)
	}
	return res
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// differingLines returns the lines of b that differ from a (same count).
func differingLines(t *testing.T, a, b []byte) []string {
	t.Helper()
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	if len(la) != len(lb) {
		t.Fatalf("%d lines, then %d lines:\n%s\n----\n%s", len(la), len(lb), a, b)
	}
	var out []string
	for i := range la {
		if la[i] != lb[i] {
			out = append(out, strings.TrimSpace(lb[i]))
		}
	}
	return out
}

// Export → import into the same database (GUID and name taken) → export:
// the two files differ only in the site's GUID and name.
func TestExportImportExportSameDatabase(t *testing.T) {
	path := upgraded(t)
	dir := t.TempDir()
	first := filepath.Join(dir, "first.json")
	exp := export(t, path, "Site for Administrators (7.6)", first)
	if exp.Revisions != 1 || exp.Bindings != 1 || exp.Bytes != int64(len(read(t, first))) {
		t.Fatalf("export %+v", exp)
	}
	res, err := Import(context.Background(), open(t, path), ImportRequest{Path: first})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Imported || !res.NewGUID || !res.Renamed || res.Name != "Site for Administrators (7.6) (2)" || res.SiteGUID == exp.SiteGUID ||
		res.OriginalSiteGUID != exp.SiteGUID || len(res.Bindings) != 1 || res.Bindings[0].State != StateLegacy {
		t.Fatalf("import %+v", res)
	}
	second := filepath.Join(dir, "second.json")
	export(t, path, res.SiteGUID, second)
	diff := differingLines(t, read(t, first), read(t, second))
	want := []string{`"siteGuid": "` + res.SiteGUID + `",`, `"name": "Site for Administrators (7.6) (2)",`}
	if strings.Join(diff, "\n") != strings.Join(want, "\n") {
		t.Fatalf("the files differ in:\n%s\nwant only:\n%s", strings.Join(diff, "\n"), strings.Join(want, "\n"))
	}
	// The copy is listed like the original.
	all := listAll(t, path)
	if c, o := all[res.Name], all["Site for Administrators (7.6)"]; c.Template != o.Template || c.ProductVersion != o.ProductVersion || c.Revisions != o.Revisions {
		t.Errorf("copy %+v, original %+v", c, o)
	}
}

// A backup restored after the site was removed, and a configuration moved to
// another database (several revisions, a SourceSiteGuid, Active bindings):
// byte-identical, GUID and name kept.
func TestExportImportRestoresAndMoves(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := upgraded(t)
	addDefaults(t, path)
	backup := filepath.Join(dir, "helpdesk.json")
	exp := export(t, path, "Site for HelpDesk (8.2)", backup)
	if _, err := Remove(ctx, open(t, path), RemoveRequest{Site: "Site for HelpDesk (8.2)", IncludeConfiguration: true}); err != nil {
		t.Fatal(err)
	}
	res, err := Import(ctx, open(t, path), ImportRequest{Path: backup})
	if err != nil {
		t.Fatal(err)
	}
	if res.NewGUID || res.Renamed || res.SiteGUID != exp.SiteGUID || res.Bindings[0] != (BindingInfo{"Default Web Site", "ARWebHelpDesk", StateActive}) {
		t.Fatalf("restore %+v", res)
	}
	again := filepath.Join(dir, "again.json")
	export(t, path, "Site for HelpDesk (8.2)", again)
	if !bytes.Equal(read(t, backup), read(t, again)) {
		t.Fatalf("restored site exports differently:\n%s\n----\n%s", read(t, backup), read(t, again))
	}

	// From an 8.2 sample into the upgraded database: two revisions, a
	// SourceSiteGuid and an Active binding travel unchanged.
	f82 := filepath.Join(dir, "f82.arbundle")
	if _, err := fixture.WriteBundle(ctx, f82, fixture.Spec{Version: "8.2", Role: "configuration", ConfigObjects: 60, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	for _, site := range []string{"Contoso Portal", "Site for Administrators (8.2)"} {
		out := filepath.Join(dir, site+".json")
		export(t, f82, site, out)
		// The upgraded database has these names already: the moved copy gets another.
		name := "Moved " + site
		res, err := Import(ctx, open(t, path), ImportRequest{Path: out, Name: name, LegacyBindings: site != "Contoso Portal"})
		if err != nil {
			t.Fatalf("%s: %v", site, err)
		}
		if res.NewGUID {
			t.Fatalf("%s: the GUID was not kept", site)
		}
		back := filepath.Join(dir, site+".back.json")
		export(t, path, res.SiteGUID, back)
		diff := differingLines(t, read(t, out), read(t, back))
		want := []string{`"name": "` + name + `",`}
		if site != "Contoso Portal" {
			want = append(want, `"state": "Legacy"`) // imported with -LegacyBindings
		}
		if strings.Join(diff, "|") != strings.Join(want, "|") {
			t.Errorf("%s moved with changes %q, want %q", site, diff, want)
		}
	}
	moved := listAll(t, path)
	if c := moved["Moved Contoso Portal"]; c.Revisions != 2 || len(c.Bindings) != 1 || c.Bindings[0].State != StateActive {
		t.Errorf("moved Contoso Portal: %+v", c)
	}
	if a := moved["Moved Site for Administrators (8.2)"]; a.SourceSiteGUID == "" || a.IsDefault {
		t.Errorf("moved admin site: %+v", a)
	}
}

func TestImportRefusals(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := upgraded(t)
	addDefaults(t, path)
	good := filepath.Join(dir, "admin.json")
	export(t, path, "Site for Administrators (8.2)", good)
	goodText := string(read(t, good))
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	before := fileSum(t, path)
	tests := []struct {
		name string
		req  ImportRequest
		code string
		msg  string
	}{
		{"the Active binding already serves a site", ImportRequest{Path: good}, model.E018SiteConflict.ID, "ARWebAdmin"},
		{"a name in use", ImportRequest{Path: good, Name: "contoso portal", LegacyBindings: true}, model.E018SiteConflict.ID, "contoso portal"},
		{"no such file", ImportRequest{Path: filepath.Join(dir, "nope.json")}, "AR-NOTFOUND", "does not exist"},
		{"not JSON", ImportRequest{Path: write("text.json", "hello")}, "AR-SITEFILE", "not a usable"},
		{"another format", ImportRequest{Path: write("fmt.json", strings.Replace(goodText, FileFormat, "Something.Else", 1))}, "AR-SITEFILE", "format"},
		{"an unknown member", ImportRequest{Path: write("extra.json", strings.Replace(goodText, `"format"`, `"extra": 1, "format"`, 1))}, "AR-SITEFILE", "extra"},
		{"a template 8.2 lacks", ImportRequest{Path: write("tmpl.json", strings.Replace(goodText, `"template": "Administrators"`, `"template": "Kiosk"`, 1))}, "AR-SITEFILE", "Kiosk"},
		{"a document that is not JSON", ImportRequest{Path: write("doc.json", strings.Replace(goodText, `"document": "{`, `"document": "x{`, 1))}, "AR-SITEFILE", "document"},
		{"a binding state 8.2 lacks", ImportRequest{Path: write("state.json", strings.Replace(goodText, `"state": "Active"`, `"state": "Paused"`, 1))}, "AR-SITEFILE", "Paused"},
		{"a hostile Active alias", ImportRequest{Path: write("alias.json", strings.Replace(goodText, `"applicationAlias": "ARWebAdmin"`, `"applicationAlias": "../etc"`, 1))}, "AR-SITEFILE", "../etc"},
		{"a time that is not UTC", ImportRequest{Path: write("time.json", strings.Replace(goodText, `"createdUtc": "2026-01-01T00:00:00.000Z"`, `"createdUtc": "yesterday"`, 1))}, "AR-SITEFILE", "yesterday"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Import(ctx, open(t, path), tt.req)
			var e *arerr.Error
			if !errors.As(err, &e) || e.Code != tt.code || !strings.Contains(e.Message, tt.msg) {
				t.Fatalf("err %v, want %s naming %q", err, tt.code, tt.msg)
			}
			if fileSum(t, path) != before {
				t.Fatal("a refused import changed the database")
			}
		})
	}
	// WhatIf plans and writes nothing; -LegacyBindings imports a copy that claims no application.
	res, err := Import(ctx, open(t, path), ImportRequest{Path: good, LegacyBindings: true, WhatIf: true})
	if err != nil || res.Imported || res.Name != "Site for Administrators (8.2) (2)" {
		t.Fatalf("WhatIf %+v, %v", res, err)
	}
	if fileSum(t, path) != before {
		t.Fatal("WhatIf changed the database")
	}
	res, err = Import(ctx, open(t, path), ImportRequest{Path: good, LegacyBindings: true})
	if err != nil || !res.Imported || res.Bindings[0].State != StateLegacy {
		t.Fatalf("legacy import %+v, %v", res, err)
	}
	if s := listAll(t, path)[res.Name]; len(s.Bindings) != 1 || s.Bindings[0].State != StateLegacy || s.IsDefault {
		t.Fatalf("imported copy %+v", s)
	}
}

func TestExportRefusals(t *testing.T) {
	path := upgraded(t)
	dir := t.TempDir()
	b, err := bundle.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	out := filepath.Join(dir, "x.json")
	var e *arerr.Error
	if _, err := Export(ctx, b, ExportRequest{Site: "Site for Kiosk (7.6)", Path: out}); !errors.As(err, &e) || e.Code != "AR-NOTFOUND" {
		t.Fatalf("unknown site: %v", err)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a failed export left a file")
	}
	if err := os.WriteFile(out, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Export(ctx, b, ExportRequest{Site: "Contoso Portal", Path: out}); !errors.As(err, &e) || e.Code != "AR-EXISTS" {
		t.Fatalf("existing file: %v", err)
	}
	if string(read(t, out)) != "keep me" {
		t.Fatal("an existing file was overwritten without Overwrite")
	}
	if _, err := Export(ctx, b, ExportRequest{Site: "Contoso Portal", Path: out, Overwrite: true}); err != nil {
		t.Fatal(err)
	}
	if f, err := ReadFile(out); err != nil || f.Site.Name != "Contoso Portal" {
		t.Fatalf("overwritten file: %+v, %v", f, err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(m) != 0 {
		t.Errorf("temporary files left: %q", m)
	}
}
