package website

import "testing"

// TestPatternMatchesLikePowerShell: each case's expected result is what
// PowerShell 7.6 answers for `$text -like $pattern` (checked with pwsh), so
// the CLI's --name and Get-ARWebSite -Name select the same sites.
func TestPatternMatchesLikePowerShell(t *testing.T) {
	for _, tt := range []struct {
		text, pattern string
		want          bool
	}{
		{"Site for Administrators (7.6)", "*(7.6)", true},
		{"Site for Administrators (7.6)", "site for*", true},
		{"Site for Administrators (7.6)", "Site for Administrators `(7.6`)", true},
		{"Site for Administrators (7.6)", "*[(]7.6[)]", true},
		{"Site for HelpDesk (8.2)", "Site for ????Desk*", true},
		{"Site for HelpDesk (8.2)", "*[a-h]elp*", true},
		{"Site for HelpDesk (8.2)", "*(8.2", false},
		{"abc", "a*b*c", true},
		{"abc", "a*b*c*d", false},
		{"aXbXc", "a*c", true},
		{"a*c", "a`*c", true},
		{"abc", "a`*c", false},
		{"a[b", "a`[b", true},
		{"a[b", "a[[]b", true},
		{"ÄBC", "äbc", true},
		{"", "*", true},
		{"", "?", false},
		{"x", "[a-z]", true},
		{"X", "[a-z]", true},
		{"-", "[a-]", true},
		{"]", "]", true},
		{"a]", "a]", true},
		{"mississippi", "*sip*", true},
		{"mississippi", "m*iss*ppi", true},
		{"mississippi", "m*iss*ppx", false},
		{"ab", "a`", false},
		{"a`", "a`", true},
		{"a", "a`", false},
		{"é", "?", true},
		{"😀x", "?x", false}, // one character, two UTF-16 units
	} {
		p, err := ParsePattern(tt.pattern)
		if err != nil {
			t.Errorf("ParsePattern(%q): %v", tt.pattern, err)
			continue
		}
		if got := p.Match(tt.text); got != tt.want {
			t.Errorf("%q -like %q = %v, want %v", tt.text, tt.pattern, got, tt.want)
		}
	}
}

func TestPatternWildcardsAndErrors(t *testing.T) {
	for pattern, wild := range map[string]bool{
		"Site for HelpDesk (8.2)": false, "*(7.6)": true, "Site?": true, "[ab]c": true, "a`*b": false, "a`?": false,
	} {
		p, err := ParsePattern(pattern)
		if err != nil || p.HasWildcards() != wild {
			t.Errorf("ParsePattern(%q): wildcards %v, err %v; want %v", pattern, p.HasWildcards(), err, wild)
		}
	}
	// PowerShell: "The specified wildcard character pattern is not valid: [abc".
	if _, err := ParsePattern("[abc"); err == nil {
		t.Error("an unclosed [ was accepted")
	}
}
