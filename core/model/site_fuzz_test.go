package model

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzConvertSiteDocument feeds arbitrary SiteXml (read from the source
// database) to the §10.2 conversion: never a panic; a document that cannot
// be converted is ErrBadDocument (the site is skipped, BAD_DOCUMENT); one
// that can gives a G3 document that reads back to itself, with the
// navigation and settings rules kept (no empty or repeated ids, no empty
// setting names).
func FuzzConvertSiteDocument(f *testing.F) {
	for _, x := range []string{
		`<site title="Active Roles" theme="classic"><navigation><item id="Directory" label="Directory Management" visible="true"/></navigation><settings><setting name="SessionTimeoutMinutes" value="20"/></settings></site>`,
		`<site/>`, `<site title=""/>`, `<site theme="DARK"/>`,
		`<site title="T"><navigation><item id="A" label="First A"/><item id="" label="no id"/><item id="a" visible=" FALSE "/><item id="A" label="Second A"/><other id="E"/></navigation><navigation><item id="F"/></navigation></site>`,
		`<site title="T"><settings><setting name="X" value="1"/><setting name="" value="dropped"/><setting name="Y"/><setting name="X" value="2"/></settings></site>`,
		`<?xml version="1.0"?><!-- c --><site title="R&amp;D &lt;Sales&gt;" extra="1"><banner/>text<navigation><item id="N" label="&#233;"/></navigation></site>`,
		`<portal title="x"/>`, `<site xmlns="urn:x"/>`, `<site>`, `<site/><site/>`, `<site title="&bogus;"/>`, ``,
	} {
		f.Add(x, "Site for HelpDesk (7.6)", "7.6")
	}
	f.Fuzz(func(t *testing.T, siteXML, siteName, version string) {
		doc, _, err := ConvertSiteDocument(siteXML, siteName, version)
		if err != nil {
			if !errors.Is(err, ErrBadDocument) {
				t.Fatalf("error %q is not ErrBadDocument", err)
			}
			return
		}
		d, err := ParseSiteDocument(doc)
		if err != nil {
			t.Fatalf("the converted document does not read back: %v\n%s", err, doc)
		}
		if d.SchemaVersion != SiteSchemaVersion {
			t.Fatalf("schemaVersion %d", d.SchemaVersion)
		}
		// Written again it reads the same (bytes may differ: invalid UTF-8
		// in a name is written as an escaped U+FFFD the first time).
		again, err := d.JSON()
		if err != nil {
			t.Fatal(err)
		}
		if d2, err := ParseSiteDocument(again); err != nil || !cmp.Equal(d, d2) {
			t.Fatalf("the document does not round-trip:\n got %s\nwant %s (%v)", again, doc, err)
		}
		ids := map[string]bool{}
		for _, n := range d.Navigation {
			if n.ID == "" || ids[n.ID] {
				t.Fatalf("navigation id %q empty or repeated in %s", n.ID, doc)
			}
			ids[n.ID] = true
		}
		for k := range d.Settings {
			if k == "" {
				t.Fatalf("a setting without a name in %s", doc)
			}
		}
	})
}

// FuzzParseSiteDocument feeds arbitrary stored G3 site documents (read from
// the destination by new-website) to ParseSiteDocument: never a panic;
// failures are ErrBadDocument; what reads writes back and reads the same.
func FuzzParseSiteDocument(f *testing.F) {
	f.Add(`{"schemaVersion":3,"title":"Active Roles","theme":"default","navigation":[{"id":"Directory","label":"Directory Management","visible":true}],"settings":{"SessionTimeoutMinutes":"20"},"upgradedFrom":"7.6"}`)
	f.Add(`{"schemaVersion":3,"title":"","theme":"dark","navigation":[],"settings":{}}`)
	f.Add(`{}`)
	f.Add(`null`)
	f.Add(`{"navigation":{"x":1}}`)
	f.Add(strings.Repeat("[", 100))
	f.Fuzz(func(t *testing.T, doc string) {
		d, err := ParseSiteDocument(doc)
		if err != nil {
			if !errors.Is(err, ErrBadDocument) {
				t.Fatalf("error %q is not ErrBadDocument", err)
			}
			return
		}
		out, err := d.JSON()
		if err != nil {
			t.Fatalf("a document that reads does not write: %v", err)
		}
		d2, err := ParseSiteDocument(out)
		if err != nil {
			t.Fatalf("written document does not read back: %v", err)
		}
		out2, _ := d2.JSON()
		if out2 != out {
			t.Fatalf("not stable:\n%s\n%s", out, out2)
		}
	})
}
