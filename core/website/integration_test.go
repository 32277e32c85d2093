package website

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/storetest/testdb"
)

// TestSitesIntegration runs the guide's chapter end to end on a bundle and,
// with AR_TEST_SQLSERVER, on SQL Server (the upgraded 7.6 sample loaded
// into a scratch database): list, refuse hostile aliases, create from the
// old sites, remove the defaults (all-or-nothing), round-trip through files.
func TestSitesIntegration(t *testing.T) {
	for _, kind := range []string{"bundle", "sqlserver"} {
		t.Run(kind, func(t *testing.T) {
			if kind == "sqlserver" {
				testdb.Server(t) // skips without AR_TEST_SQLSERVER
			}
			loc := upgraded(t)
			if kind == "sqlserver" {
				loc = testdb.LoadBundle(t, loc)
			}
			sitesScenario(t, loc)
		})
	}
}

func sitesScenario(t *testing.T, loc string) {
	ctx := context.Background()
	dest := func() testdb.ConfigDestination {
		d, err := testdb.OpenConfigDestination(loc)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = d.Close() })
		return d
	}
	list := func(patterns ...string) map[string]SiteInfo {
		s, err := testdb.Open(loc)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		sites, err := List(ctx, s, patterns)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]SiteInfo{}
		for _, x := range sites {
			out[x.Name] = x
		}
		return out
	}
	// digest is the content of the three site tables, in a stable order.
	digest := func() [32]byte {
		s, err := testdb.Open(loc)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		var lines []string
		for _, table := range []string{tSite, tDocument, tBinding} {
			if err := scan(ctx, s, table, func(r data.Row) {
				lines = append(lines, table+fmt.Sprint(r))
			}); err != nil {
				t.Fatal(err)
			}
		}
		slices.Sort(lines)
		return sha256.Sum256([]byte(strings.Join(lines, "\n")))
	}
	wantErr := func(err error, code string) {
		t.Helper()
		var e *arerr.Error
		if !errors.As(err, &e) || e.Code != code {
			t.Fatalf("err %v, want %s", err, code)
		}
	}

	addDefaultsTo(t, dest())
	all := list()
	if len(all) != 8 || !all["Site for HelpDesk (8.2)"].IsDefault || all["Site for HelpDesk (7.6)"].IsDefault {
		t.Fatalf("sites %v", slices.Sorted(mapKeys(all)))
	}

	// Hostile aliases and a conflicting one change nothing.
	before := digest()
	for _, alias := range []string{"../etc", "a/b", `a\b`, "..", "a?b#c", strings.Repeat("x", 300)} {
		_, err := New(ctx, dest(), Request{SourceSite: "Site for HelpDesk (7.6)", Template: "HelpDesk", IISSiteName: "Default Web Site", ApplicationAlias: alias})
		wantErr(err, "AR-ALIAS")
	}
	_, err := New(ctx, dest(), Request{SourceSite: "Site for HelpDesk (7.6)", Template: "HelpDesk", IISSiteName: "default web site", ApplicationAlias: "/ARWEBHELPDESK/"})
	wantErr(err, model.E018SiteConflict.ID)
	if digest() != before {
		t.Fatal("refused requests changed the database")
	}

	// One 8.2 site from each old one.
	for name, s := range list("*(7.6)") {
		res, err := New(ctx, dest(), Request{SourceSite: s.SiteGUID, Template: s.Template, IISSiteName: "Default Web Site", ApplicationAlias: "ARWeb" + s.Template + "76"})
		if err != nil || res.UpgradedFrom != "7.6" || res.SourceSite != name {
			t.Fatalf("new site from %s: %+v, %v", name, res, err)
		}
	}

	// The defaults go without Force, all-or-nothing; nothing else goes without it.
	before = digest()
	_, err = Remove(ctx, failingDest{dest(), tSite}, RemoveRequest{Site: "Site for HelpDesk (8.2)", IncludeConfiguration: true})
	wantErr(err, "AR-WRITE")
	_, err = Remove(ctx, dest(), RemoveRequest{Site: "Site for HelpDesk (8.2) (2)", IncludeConfiguration: true})
	wantErr(err, "AR-NOTDEFAULT")
	_, err = Remove(ctx, dest(), RemoveRequest{Site: "Site for HelpDesk (7.6)", IncludeConfiguration: true, Force: true})
	wantErr(err, model.E020SiteInUse.ID)
	if digest() != before {
		t.Fatal("a failed or refused removal changed the database")
	}
	for _, n := range defaultNames {
		if _, err := Remove(ctx, dest(), RemoveRequest{Site: n, IncludeConfiguration: true}); err != nil {
			t.Fatalf("remove %s: %v", n, err)
		}
	}
	all = list()
	if len(all) != 8 || all["Site for HelpDesk (8.2)"].Name != "" || len(all["Site for HelpDesk (8.2) (2)"].Bindings) != 1 {
		t.Fatalf("after removing the defaults: %v", slices.Sorted(mapKeys(all)))
	}

	// Through a file: a copy beside the original differs only in GUID and
	// name; a backup restored after removal is identical.
	dir := t.TempDir()
	exportTo := func(site, file string) []byte {
		s, err := testdb.Open(loc)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if _, err := Export(ctx, s, ExportRequest{Site: site, Path: file, Overwrite: true}); err != nil {
			t.Fatalf("export %s: %v", site, err)
		}
		return read(t, file)
	}
	first := exportTo("Site for Administrators (7.6)", filepath.Join(dir, "a.json"))
	res, err := Import(ctx, dest(), ImportRequest{Path: filepath.Join(dir, "a.json")})
	if err != nil {
		t.Fatal(err)
	}
	second := exportTo(res.SiteGUID, filepath.Join(dir, "b.json"))
	if d := differingLines(t, first, second); len(d) != 2 || !strings.HasPrefix(d[0], `"siteGuid"`) || !strings.HasPrefix(d[1], `"name"`) {
		t.Fatalf("export, import, export differ in %q", d)
	}
	backup := exportTo("Site for HelpDesk (8.2) (2)", filepath.Join(dir, "c.json"))
	if _, err := Remove(ctx, dest(), RemoveRequest{Site: "Site for HelpDesk (8.2) (2)", IncludeConfiguration: true, Force: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := Import(ctx, dest(), ImportRequest{Path: filepath.Join(dir, "c.json")}); err != nil {
		t.Fatal(err)
	}
	if restored := exportTo("Site for HelpDesk (8.2) (2)", filepath.Join(dir, "d.json")); string(restored) != string(backup) {
		t.Fatalf("restored backup exports differently:\n%s\n----\n%s", backup, restored)
	}
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// addDefaultsTo plays the 8.2 Web Interface setup on any destination.
func addDefaultsTo(t *testing.T, d testdb.ConfigDestination) {
	t.Helper()
	ctx := context.Background()
	tx, err := d.BeginConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	now := data.TimeValue(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	for _, s := range []struct{ name, template, alias string }{
		{"Site for Administrators (8.2)", model.TemplateAdministrators, "ARWebAdmin"},
		{"Site for HelpDesk (8.2)", model.TemplateHelpDesk, "ARWebHelpDesk"},
		{"Site for Self-Administration (8.2)", model.TemplateSelfAdministration, "ARWebSelfService"},
	} {
		g := data.UUID5(model.HistoryNamespace, "default site "+s.name)
		doc := `{"schemaVersion":3,"title":"Active Roles","theme":"default","navigation":[],"settings":{}}`
		for _, w := range []struct {
			table string
			row   data.Row
		}{
			{tSite, data.Row{data.GUIDValue(g), data.StringValue(s.name), data.StringValue(s.template), data.StringValue("8.2"), data.IntValue(1), data.NullValue(), now, now}},
			{tDocument, data.Row{data.GUIDValue(g), data.IntValue(1), data.IntValue(3), now, data.StringValue(doc)}},
			{tBinding, data.Row{data.NullValue(), data.GUIDValue(g), data.StringValue("Default Web Site"), data.StringValue(s.alias), data.StringValue(StateActive)}},
		} {
			if err := tx.Insert(ctx, w.table, []data.Row{w.row}); err != nil {
				_ = tx.Rollback(ctx)
				t.Fatalf("default site %s: %v", s.name, err)
			}
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}
