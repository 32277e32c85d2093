package model

import "testing"

func TestParseVersion(t *testing.T) {
	tests := []struct {
		in      string
		want    Version
		wantErr bool
	}{
		{"7.6.3", Version{7, 6, 3}, false},
		{"8.1", Version{8, 1, 0}, false},
		{" 8.2.0 ", Version{8, 2, 0}, false},
		{"8.0.1.7", Version{8, 0, 1}, false},
		{"6.9.0", Version{6, 9, 0}, false},
		{"8", Version{}, true},
		{"8.1.2.3.4", Version{}, true},
		{"8.x", Version{}, true},
		{"8..1", Version{}, true},
		{"-8.1", Version{}, true},
		{"8.1-beta", Version{}, true},
		{"", Version{}, true},
	}
	for _, tt := range tests {
		got, err := ParseVersion(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseVersion(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestVersionGeneration(t *testing.T) {
	tests := []struct {
		v    Version
		want Generation
		ok   bool
	}{
		{Version{7, 5, 0}, G1, true},
		{Version{7, 6, 9}, G1, true},
		{Version{8, 0, 0}, G2, true},
		{Version{8, 1, 5}, G2, true},
		{Version{8, 2, 0}, G3, true},
		{Version{7, 4, 0}, 0, false},
		{Version{7, 7, 0}, 0, false},
		{Version{6, 9, 0}, 0, false},
		{Version{8, 3, 0}, 0, false},
	}
	for _, tt := range tests {
		g, ok := tt.v.Generation()
		if g != tt.want || ok != tt.ok {
			t.Errorf("%v.Generation() = %v, %v; want %v, %v", tt.v, g, ok, tt.want, tt.ok)
		}
	}
	if s := (Version{8, 1, 5}).String(); s != "8.1.5" {
		t.Errorf("String() = %q", s)
	}
	if s := (Version{8, 1, 5}).Short(); s != "8.1" {
		t.Errorf("Short() = %q", s)
	}
}

func TestParseRole(t *testing.T) {
	for in, want := range map[string]Role{"Configuration": RoleConfiguration, "managementhistory": RoleManagementHistory, "COMBINED": RoleCombined} {
		if got, ok := ParseRole(in); !ok || got != want {
			t.Errorf("ParseRole(%q) = %q, %v", in, got, ok)
		}
	}
	if _, ok := ParseRole("History"); ok {
		t.Error("ParseRole(History) accepted")
	}
}
