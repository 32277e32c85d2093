package model

import (
	"strings"
	"testing"
)

func TestIsFQDN(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"ars01.corp.example.com", true},
		{"  ARS01.Corp.Example.COM  ", true}, // trimmed and lower-cased first
		{"a.b", true},
		{"x-1.y-2", true},
		{"ars01", false}, // one label
		{"", false},
		{"ars01.", false},
		{".corp.example.com", false},
		{"ars..corp", false},
		{"-ars.corp", false},
		{"ars-.corp", false},
		{"ars_01.corp", false},
		{"ärs.corp", false},
		{"ars 01.corp", false},
		{strings.Repeat("a", 63) + ".com", true},
		{strings.Repeat("a", 64) + ".com", false},
		{strings.Repeat(strings.Repeat("a", 63)+".", 3) + strings.Repeat("a", 63), true},        // 255 chars
		{strings.Repeat(strings.Repeat("a", 63)+".", 3) + strings.Repeat("a", 63) + "a", false}, // 256 chars
	}
	for _, tt := range tests {
		if got := IsFQDN(tt.in); got != tt.want {
			t.Errorf("IsFQDN(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestCodes(t *testing.T) {
	codes := Codes()
	if len(codes) != 23 {
		t.Fatalf("%d codes, want 18 errors and 5 warnings", len(codes))
	}
	seen := map[string]bool{}
	for i, c := range codes {
		if seen[c.ID] || c.Name == "" {
			t.Errorf("code %d %v duplicated or unnamed", i, c)
		}
		seen[c.ID] = true
		if c.IsWarning() != (i >= 18) {
			t.Errorf("%v IsWarning = %v", c, c.IsWarning())
		}
	}
	if E002SourceVersionUnsupported.String() != "AR-E002 SourceVersionUnsupported" {
		t.Errorf("String() = %q", E002SourceVersionUnsupported.String())
	}
	if c, ok := CodeByID("ar-w005"); !ok || c != W005UnfinishedMembershipsSkipped {
		t.Errorf("CodeByID(ar-w005) = %v, %v", c, ok)
	}
	if len(Reasons()) != 17 {
		t.Errorf("%d reasons, want the 17 of §7.1", len(Reasons()))
	}
	for _, r := range []string{ReasonRenamed, ReasonThemeChanged, ReasonExtraValue, ReasonNoKey, ReasonBindingIncomplete} {
		if ReasonSkipsObject(r) {
			t.Errorf("%s marks a written object, not a skipped one", r)
		}
	}
	for _, r := range []string{ReasonDuplicate, ReasonInvalidSID, ReasonBadDocument, ReasonDanglingReference} {
		if !ReasonSkipsObject(r) {
			t.Errorf("%s skips the object", r)
		}
	}
}

func TestEntities(t *testing.T) {
	names := func(es []Entity) string {
		var n []string
		for _, e := range es {
			n = append(n, e.Name)
		}
		return strings.Join(n, " ")
	}
	cfg := "ManagedDomain ManagedUnit AccessTemplate PermissionAssignment Policy Workflow VirtualAttribute ScheduledTask " +
		"DynamicGroup GroupFamily WebInterfaceSite AzureTenant AddOn ReplicationPartner"
	hist := "ChangeRecord ChangeRecordAttribute ApprovalTask TemporalMembership"
	if got := names(Entities(RoleConfiguration)); got != cfg {
		t.Errorf("configuration entities = %s", got)
	}
	if got := names(Entities(RoleManagementHistory)); got != hist {
		t.Errorf("history entities = %s", got)
	}
	if got := names(Entities(RoleCombined)); got != cfg+" "+hist {
		t.Errorf("combined entities = %s", got)
	}
	// Every entity lives in a table of the model for each generation.
	for _, e := range Entities(RoleCombined) {
		if e.G1Table != "" {
			if _, err := TableOf(v76, RoleCombined, e.G1Table); err != nil {
				t.Error(err)
			}
		}
		if _, err := TableOf(v81, roleOf(e), e.G2Table); err != nil {
			t.Error(err)
		}
		if _, err := TableOf(v82, roleOf(e), e.Name); err != nil {
			t.Error(err)
		}
	}
	e, ok := EntityByG1Class("webinterfacesite")
	if !ok || e.G1Class != "WebInterfaceSite" || e.G1Table != "ConfigObject" || !e.Main {
		t.Errorf("EntityByG1Class = %+v, %v", e, ok)
	}
	if a, _ := EntityByG1Class("AddOn"); a.Main {
		t.Error("AddOn is counted as a main table")
	}
	for g, want := range map[Generation]string{G1: "ChangeHistory ApprovalTask TemporalMembership", G2: hist, G3: hist} {
		if got := strings.Join(HistoryTables(g), " "); got != want {
			t.Errorf("HistoryTables(%v) = %s", g, got)
		}
	}
}

func roleOf(e Entity) Role {
	if e.G1Class == "" {
		return RoleManagementHistory
	}
	return RoleConfiguration
}
