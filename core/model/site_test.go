package model

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// jsonEqual compares documents as parsed JSON (§10.2: member order and
// whitespace are not significant).
func jsonEqual(t *testing.T, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("result is not JSON: %v\n%s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expectation: %v", err)
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("document (-want +got):\n%s\n%s", diff, got)
	}
}

func TestConvertSiteDocument(t *testing.T) {
	tests := []struct {
		name         string
		xml          string
		want         string
		themeChanged bool
	}{
		{name: "model example", themeChanged: true,
			xml: `<site title="Active Roles" theme="classic">
  <navigation><item id="Directory" label="Directory Management" visible="true"/></navigation>
  <settings><setting name="SessionTimeoutMinutes" value="20"/></settings></site>`,
			want: `{"schemaVersion":3,"title":"Active Roles","theme":"default",
 "navigation":[{"id":"Directory","label":"Directory Management","visible":true}],
 "settings":{"SessionTimeoutMinutes":"20"},"upgradedFrom":"7.6"}`},
		{name: "title falls back to site name; no theme is default", xml: `<site/>`,
			want: `{"schemaVersion":3,"title":"Site for HelpDesk (7.6)","theme":"default","navigation":[],"settings":{},"upgradedFrom":"7.6"}`},
		{name: "empty title is kept", xml: `<site title=""/>`,
			want: `{"schemaVersion":3,"title":"","theme":"default","navigation":[],"settings":{},"upgradedFrom":"7.6"}`},
		{name: "dark in any case", xml: `<site theme="DARK"/>`,
			want: `{"schemaVersion":3,"title":"Site for HelpDesk (7.6)","theme":"dark","navigation":[],"settings":{},"upgradedFrom":"7.6"}`},
		{name: "Default in any case is not a change", xml: `<site theme="Default"/>`,
			want: `{"schemaVersion":3,"title":"Site for HelpDesk (7.6)","theme":"default","navigation":[],"settings":{},"upgradedFrom":"7.6"}`},
		{name: "empty theme is a change", xml: `<site theme=""/>`, themeChanged: true,
			want: `{"schemaVersion":3,"title":"Site for HelpDesk (7.6)","theme":"default","navigation":[],"settings":{},"upgradedFrom":"7.6"}`},
		{name: "navigation rules",
			xml: `<site title="T"><navigation>
  <item id="A" label="First A"/>
  <item id="" label="no id"/>
  <item label="absent id"/>
  <item id="a" visible=" FALSE "/>
  <item id="A" label="Second A"/>
  <item id="B" visible="0"/>
  <item id="C" visible="no"/>
  <item id="D" visible=""/>
  <other id="E"/>
</navigation><navigation><item id="F"/></navigation></site>`,
			want: `{"schemaVersion":3,"title":"T","theme":"default","settings":{},"upgradedFrom":"7.6","navigation":[
  {"id":"A","label":"First A","visible":true},
  {"id":"a","label":"a","visible":false},
  {"id":"B","label":"B","visible":false},
  {"id":"C","label":"C","visible":true},
  {"id":"D","label":"D","visible":true}]}`},
		{name: "settings rules",
			xml: `<site title="T"><settings>
  <setting name="X" value="1"/>
  <setting name="" value="dropped"/>
  <setting value="dropped"/>
  <setting name="Y"/>
  <setting name="X" value="2"/>
  <setting name="x" value="3"/>
</settings><settings><setting name="Z" value="9"/></settings></site>`,
			want: `{"schemaVersion":3,"title":"T","theme":"default","navigation":[],"upgradedFrom":"7.6",
  "settings":{"X":"2","Y":"","x":"3"}}`},
		{name: "entities and unknown content ignored",
			xml:  `<?xml version="1.0"?><!-- c --><site title="R&amp;D &lt;Sales&gt;" extra="1"><banner/>text<navigation><item id="N" label="&#233;"/></navigation></site>`,
			want: `{"schemaVersion":3,"title":"R&D <Sales>","theme":"default","navigation":[{"id":"N","label":"é","visible":true}],"settings":{},"upgradedFrom":"7.6"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, changed, err := ConvertSiteDocument(tt.xml, "Site for HelpDesk (7.6)", "7.6")
			if err != nil {
				t.Fatal(err)
			}
			if changed != tt.themeChanged {
				t.Errorf("themeChanged = %v, want %v", changed, tt.themeChanged)
			}
			jsonEqual(t, doc, tt.want)
		})
	}
}

func TestConvertSiteDocumentMemberOrder(t *testing.T) {
	doc, _, err := ConvertSiteDocument(`<site title="A&amp;B"><settings><setting name="b" value="2"/><setting name="a" value="1"/></settings></site>`, "S", "8.0")
	if err != nil {
		t.Fatal(err)
	}
	want := `{"schemaVersion":3,"title":"A&B","theme":"default","navigation":[],"settings":{"a":"1","b":"2"},"upgradedFrom":"8.0"}`
	if doc != want {
		t.Errorf("document\n got %s\nwant %s", doc, want)
	}
}

func TestConvertSiteDocumentBad(t *testing.T) {
	for _, x := range []string{
		`<portal title="x"/>`,
		`<site xmlns="urn:x"/>`,
		`<site>`,
		`<site></portal>`,
		`<site/><site/>`,
		`text<site/>`,
		``,
		`<site title="&bogus;"/>`,
	} {
		if _, _, err := ConvertSiteDocument(x, "S", "7.6"); !errors.Is(err, ErrBadDocument) {
			t.Errorf("ConvertSiteDocument(%q) error = %v, want ErrBadDocument", x, err)
		}
	}
}

func TestSiteDocumentRoundTrip(t *testing.T) {
	doc, _, err := ConvertSiteDocument(`<site title="T" theme="dark"><navigation><item id="A"/></navigation></site>`, "S", "7.5")
	if err != nil {
		t.Fatal(err)
	}
	d, err := ParseSiteDocument(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := SiteDocument{SchemaVersion: 3, Title: "T", Theme: "dark", Navigation: []NavItem{{"A", "A", true}}, Settings: map[string]string{}, UpgradedFrom: "7.5"}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("parsed (-want +got):\n%s", diff)
	}
	if _, err := ParseSiteDocument("{"); !errors.Is(err, ErrBadDocument) {
		t.Errorf("ParseSiteDocument({) error = %v", err)
	}
	// A §10.5 document made from an 8.2 one has no upgradedFrom member.
	d.UpgradedFrom = ""
	s, err := d.JSON()
	if err != nil {
		t.Fatal(err)
	}
	jsonEqual(t, s, `{"schemaVersion":3,"title":"T","theme":"dark","navigation":[{"id":"A","label":"A","visible":true}],"settings":{}}`)
}

func TestSiteTemplate(t *testing.T) {
	tests := map[string]string{
		"Site for Administrators":            "Administrators",
		"Site for Administrators (7.6)":      "Administrators",
		"site for administrators (2)":        "Administrators",
		"Site for HelpDesk":                  "HelpDesk",
		"SITE FOR HELPDESK (8.0)":            "HelpDesk",
		"Site for Self-Administration (7.5)": "SelfAdministration",
		"Site for SelfAdministration":        "Custom",
		"Site for Help Desk":                 "Custom",
		"Administrators":                     "Custom",
		"My portal":                          "Custom",
		"":                                   "Custom",
		"Site for":                           "Custom",
	}
	for name, want := range tests {
		if got := SiteTemplate(name); got != want {
			t.Errorf("SiteTemplate(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestDefaultSiteName(t *testing.T) {
	taken := NewNameSet("site for helpdesk (8.2)", "Site for HelpDesk (8.2) (2)", "Site for Administrators (7.6)")
	tests := []struct {
		template, want string
	}{
		{"Administrators", "Site for Administrators (8.2)"},
		{"HelpDesk", "Site for HelpDesk (8.2) (3)"},
		{"SelfAdministration", "Site for Self-Administration (8.2)"},
		{"Self-Administration", "Site for Self-Administration (8.2)"},
	}
	for _, tt := range tests {
		if got := DefaultSiteName(tt.template, taken.Has); got != tt.want {
			t.Errorf("DefaultSiteName(%q) = %q, want %q", tt.template, got, tt.want)
		}
	}
}

func TestUniqueSiteName(t *testing.T) {
	taken := NewNameSet("Portal", "PORTAL (2)", "Other (2)")
	tests := []struct {
		in, want string
		renamed  bool
	}{
		{"New", "New", false},
		{"portal", "portal (3)", true},
		{"Other", "Other", false},
	}
	for _, tt := range tests {
		got, renamed := UniqueSiteName(tt.in, taken.Has)
		if got != tt.want || renamed != tt.renamed {
			t.Errorf("UniqueSiteName(%q) = %q, %v; want %q, %v", tt.in, got, renamed, tt.want, tt.renamed)
		}
	}
	// Names given out during a run are taken for the next site.
	run := NewNameSet("Site")
	var got []string
	for range 3 {
		n, _ := UniqueSiteName("Site", run.Has)
		run.Add(n)
		got = append(got, n)
	}
	if diff := cmp.Diff([]string{"Site (2)", "Site (3)", "Site (4)"}, got); diff != "" {
		t.Errorf("successive names (-want +got):\n%s", diff)
	}
}
