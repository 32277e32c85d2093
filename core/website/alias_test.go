package website

import (
	"errors"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/arerr"
)

func TestNormalizeAlias(t *testing.T) {
	tests := []struct {
		alias, want string
		rule        string // "" = valid
	}{
		{"ARWebAdmin", "ARWebAdmin", ""},
		{"my site", "my site", ""}, // a space inside is allowed
		{"/my site/", "my site", ""},
		{"/ARWebAdmin", "ARWebAdmin", ""},
		{"Données-Ω", "Données-Ω", ""},
		{strings.Repeat("a", 255), strings.Repeat("a", 255), ""},
		{"../etc", "", "one path segment"},
		{"a/b", "", "one path segment"},
		{`a\b`, "", `'\'`},
		{"..", "", `"." and ".."`},
		{".", "", `"." and ".."`},
		{"/../", "", `"." and ".."`},
		{"a?b#c", "", "'?'"},
		{"a#b", "", "'#'"},
		{"100%", "", "'%'"},
		{"a*", "", "'*'"},
		{"c:x", "", "':'"},
		{"<x>", "", "'<'"},
		{"a|b", "", "'|'"},
		{`a"b`, "", `'"'`},
		{"tab\there", "", "control characters"},
		{" lead", "", "start or end with a space"},
		{"trail ", "", "start or end with a space"},
		{"/ x/", "", "start or end with a space"},
		{"", "", "empty"},
		{"//", "", "empty"},
		{strings.Repeat("a", 256), "", "longer than 255"},
		{strings.Repeat("a", 300), "", "longer than 255"},
		{strings.Repeat("😀", 128), "", "longer than 255"}, // 256 UTF-16 units
	}
	for _, tt := range tests {
		name := tt.alias
		if len(name) > 20 {
			name = name[:20] + "…"
		}
		t.Run(name, func(t *testing.T) {
			got, err := NormalizeAlias(tt.alias)
			if tt.rule == "" {
				if err != nil || got != tt.want {
					t.Fatalf("NormalizeAlias(%q) = %q, %v; want %q", tt.alias, got, err, tt.want)
				}
				return
			}
			var e *arerr.Error
			if !errors.As(err, &e) {
				t.Fatalf("NormalizeAlias(%q) = %q, %v; want an error naming %q", tt.alias, got, err, tt.rule)
			}
			if e.Code != "AR-ALIAS" || e.Category != arerr.CatInvalidArgument || e.Exit != arerr.ExitInvalidInput {
				t.Errorf("error %s/%s/exit %d, want AR-ALIAS/InvalidArgument/exit 2", e.Code, e.Category, e.Exit)
			}
			if !strings.Contains(e.Message, tt.rule) {
				t.Errorf("message %q does not name the rule %q", e.Message, tt.rule)
			}
		})
	}
}

func TestSameAlias(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		same bool
	}{
		{"my site", "/my site/", true},
		{"ARWebAdmin", "arwebadmin", true},
		{"/ARWebAdmin", "ARWEBADMIN/", true},
		{"ARWebAdmin", "ARWebAdmin2", false},
		{"my site", "mysite", false},
	} {
		if got := SameAlias(tt.a, tt.b); got != tt.same {
			t.Errorf("SameAlias(%q, %q) = %v", tt.a, tt.b, got)
		}
	}
}
