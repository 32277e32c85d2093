package configimport

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/activeroles/arupgrade/core/data"
)

// TestG1AttributeRules pins §7.1 rule 4 as this package reads it.
func TestG1AttributeRules(t *testing.T) {
	s := data.StringValue
	for _, tc := range []struct {
		name    string
		class   string
		attrs   []g1Attr
		want    map[string]data.Value
		multi   map[string][]string
		missing []string
		extra   []string
	}{
		{name: "lowest ValueIndex wins, others are EXTRA_VALUE", class: "Policy",
			attrs: []g1Attr{{name: "PolicyType", idx: 1, col: 'S', val: s("Other")}, {name: "PolicyType", idx: 0, col: 'S', val: s("Provisioning")},
				{name: "PolicyXml", col: 'X', val: s("<policy/>")}},
			want:  map[string]data.Value{"PolicyType": s("Provisioning"), "PolicyXml": s("<policy/>")},
			multi: map[string][]string{"LinkedTo": nil}, extra: []string{"PolicyType"}},
		{name: "a value in the wrong column counts as absent", class: "AccessTemplate",
			attrs:   []g1Attr{{name: "Permissions", col: 'S', val: s("<permissions/>")}, {name: "Description", col: 'S', val: s("d")}},
			want:    map[string]data.Value{"Description": s("d")},
			missing: []string{"Permissions"}},
		{name: "defaults and bits", class: "ScheduledTask",
			attrs: []g1Attr{{name: "ScheduleXml", col: 'X', val: s("<s/>")}, {name: "Enabled", col: 'I', val: data.IntValue(7)}},
			want:  map[string]data.Value{"ScheduleXml": s("<s/>"), "Enabled": data.IntValue(1), "Editable": data.IntValue(1)}},
		{name: "multi-valued in ValueIndex order, wrong column dropped; names any case", class: "VirtualAttribute",
			attrs: []g1Attr{{name: "syntax", col: 'S', val: s("2.5.5.12")}, {name: "AppliesTo", idx: 2, col: 'S', val: s("group")},
				{name: "AppliesTo", idx: 0, col: 'S', val: s("user")}, {name: "AppliesTo", idx: 1, col: 'I', val: data.IntValue(3)},
				{name: "Unknown", col: 'S', val: s("ignored")}},
			want:  map[string]data.Value{"Syntax": s("2.5.5.12"), "MultiValued": data.IntValue(0), "StoreInDatabase": data.IntValue(1)},
			multi: map[string][]string{"AppliesTo": {"user", "group"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := &srcObj{f: map[string]data.Value{}}
			applyCatalog(o, g1Catalog[tc.class], tc.attrs)
			if d := cmp.Diff(tc.want, o.f); d != "" {
				t.Errorf("values (-want +got):\n%s", d)
			}
			if tc.multi != nil {
				if d := cmp.Diff(tc.multi, o.multi); d != "" {
					t.Errorf("multi (-want +got):\n%s", d)
				}
			}
			if d := cmp.Diff(tc.missing, o.missing); d != "" {
				t.Errorf("missing (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.extra, o.extra); d != "" {
				t.Errorf("extra (-want +got):\n%s", d)
			}
		})
	}
}

func TestAssociateRules(t *testing.T) {
	const h = "ars01.corp.example.com"
	s := data.StringValue
	for _, tc := range []struct {
		name string
		tn   taskNote
		run  string
		host data.Value
	}{
		{"star means all servers", taskNote{exec: s(" * "), editable: true}, "AllServers", data.NullValue()},
		{"not editable keeps its server", taskNote{exec: s(" ARS-OLD.corp.example.com ")}, "SpecificServer", s("ars-old.corp.example.com")},
		{"not editable without a server goes to H", taskNote{exec: s("  ")}, "SpecificServer", s(h)},
		{"editable goes to H", taskNote{exec: s("ars-old.corp.example.com"), editable: true}, "SpecificServer", s(h)},
		{"G3 all servers untouched", taskNote{g3: true, allServers: true, editable: true}, "AllServers", data.NullValue()},
		{"G3 not editable keeps its host", taskNote{g3: true, exec: s("ars-old.corp.example.com")}, "SpecificServer", s("ars-old.corp.example.com")},
		{"G3 editable goes to H", taskNote{g3: true, exec: s("ars-old.corp.example.com"), editable: true}, "SpecificServer", s(h)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run, host := associate(&tc.tn, h)
			if run != tc.run || !host.Equal(tc.host) {
				t.Errorf("associate = %s %v, want %s %v", run, host, tc.run, tc.host)
			}
			wr, wh := expectedTask(&tc.tn, h)
			if wr != run || wh != host.Str {
				t.Errorf("verification's rule says %s %q", wr, wh)
			}
		})
	}
}
