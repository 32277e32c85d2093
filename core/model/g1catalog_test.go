package model

import "testing"

func TestG1Catalog(t *testing.T) {
	// Every configuration entity has a catalog entry, and nothing else does.
	for _, e := range Entities(RoleConfiguration) {
		if as, ok := G1Attributes(e.G1Class); !ok || len(as) == 0 {
			t.Errorf("no catalog for %s", e.G1Class)
		}
	}
	if len(g1Catalog) != len(Entities(RoleConfiguration)) {
		t.Errorf("catalog has %d classes, entities %d", len(g1Catalog), len(Entities(RoleConfiguration)))
	}
	if _, ok := G1Attributes("Mailbox"); ok {
		t.Error("unknown class has a catalog")
	}
	tests := []struct {
		class, attr string
		want        G1Attribute
	}{
		{"permissionassignment", "scope", G1Attribute{Name: "Scope", Value: ValueInt, HasDefault: true, Default: 2}},
		{"PermissionAssignment", "Trustee", G1Attribute{Name: "Trustee", Value: ValueBin, Required: true}},
		{"Policy", "LinkedTo", G1Attribute{Name: "LinkedTo", Value: ValueStr, Multi: true}},
		{"VirtualAttribute", "StoreInDatabase", G1Attribute{Name: "StoreInDatabase", Value: ValueInt, HasDefault: true, Default: 1}},
		{"WebInterfaceSite", "SiteXml", G1Attribute{Name: "SiteXml", Value: ValueXML, Required: true}},
		{"AzureTenant", "ApplicationId", G1Attribute{Name: "ApplicationId", Value: ValueGUID, Required: true}},
		{"ManagedDomain", "OverridePassword", G1Attribute{Name: "OverridePassword", Value: ValueBin}},
	}
	for _, tt := range tests {
		got, ok := G1AttributeOf(tt.class, tt.attr)
		if !ok || got != tt.want {
			t.Errorf("G1AttributeOf(%s, %s) = %+v, %v; want %+v", tt.class, tt.attr, got, ok, tt.want)
		}
	}
	if _, ok := G1AttributeOf("Workflow", "Color"); ok {
		t.Error("unknown attribute found")
	}
	if c := ValueXML.Column(); c != "XmlValue" {
		t.Errorf("ValueXML.Column() = %q", c)
	}
}
