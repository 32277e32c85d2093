package model

import (
	"strconv"
	"strings"
)

// Site templates (WebInterfaceSite.Template).
const (
	TemplateAdministrators     = "Administrators"
	TemplateHelpDesk           = "HelpDesk"
	TemplateSelfAdministration = "SelfAdministration"
	TemplateCustom             = "Custom"
)

// templatePrefixes is §10.3's prefix rule, in the model's order.
var templatePrefixes = []struct{ prefix, template string }{
	{"Site for Administrators", TemplateAdministrators},
	{"Site for HelpDesk", TemplateHelpDesk},
	{"Site for Self-Administration", TemplateSelfAdministration},
}

// SiteTemplate derives an imported G1/G2 site's Template from its name by
// case-insensitive prefix (§10.3); anything else is Custom.
func SiteTemplate(siteName string) string {
	for _, p := range templatePrefixes {
		if len(siteName) >= len(p.prefix) && strings.EqualFold(siteName[:len(p.prefix)], p.prefix) {
			return p.template
		}
	}
	return TemplateCustom
}

// DefaultSiteName is §10.4: "Site for <T> (8.2)", or if taken the first free
// "Site for <T> (8.2) (n)", n = 2, 3, …. template is a Template value
// (SelfAdministration is written Self-Administration) or the display form.
// taken must compare names case-insensitively (see NameSet).
func DefaultSiteName(template string, taken func(string) bool) string {
	t := template
	if strings.EqualFold(t, TemplateSelfAdministration) {
		t = "Self-Administration"
	}
	name, _ := UniqueSiteName("Site for "+t+" ("+Target.Short()+")", taken)
	return name
}

// UniqueSiteName is §10.3's renaming: name itself when free, else the first
// free "<name> (n)", n = 2, 3, …; renamed reports the latter (report
// RENAMED). taken must compare names case-insensitively (see NameSet).
func UniqueSiteName(name string, taken func(string) bool) (string, bool) {
	if !taken(name) {
		return name, false
	}
	for n := 2; ; n++ {
		c := name + " (" + strconv.Itoa(n) + ")"
		if !taken(c) {
			return c, true
		}
	}
}

// NameSet is a set of names compared case-insensitively, as the model's
// collation compares site names.
type NameSet map[string]struct{}

// NewNameSet returns a set holding names.
func NewNameSet(names ...string) NameSet {
	s := NameSet{}
	for _, n := range names {
		s.Add(n)
	}
	return s
}

func (s NameSet) key(n string) string { return strings.ToLower(n) }

// Add inserts a name.
func (s NameSet) Add(n string) { s[s.key(n)] = struct{}{} }

// Has reports whether the set holds a name equal to n ignoring case.
func (s NameSet) Has(n string) bool { _, ok := s[s.key(n)]; return ok }
