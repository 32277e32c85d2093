package website

import (
	"context"
	"slices"
	"strings"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/store"
)

// SiteInfo is ActiveRolesUpgrade.WebSite: one site configuration object as
// the Configuration Center's Web Interface page shows it.
type SiteInfo struct {
	Name            string `json:"name"`
	SiteGUID        string `json:"siteGuid"`
	Template        string `json:"template"`
	ProductVersion  string `json:"productVersion"`
	IsDefault       bool   `json:"isDefault"`
	CurrentRevision int64  `json:"currentRevision"`
	Revisions       int    `json:"revisions"`
	// Bindings are the IIS applications recorded for the site: Active ones
	// are served by 8.2, Legacy ones were recorded from an earlier version.
	Bindings []BindingInfo `json:"bindings"`
	// SourceSiteName and SourceSiteGUID name the configuration this one was
	// made from (§10.5), when there is one. (Not "sourceSite": piped into
	// New-ARWebSite, that property would bind to its -SourceSite.)
	SourceSiteName string `json:"sourceSiteName,omitempty"`
	SourceSiteGUID string `json:"sourceSiteGuid,omitempty"`
	CreatedUTC     string `json:"createdUtc,omitempty"`
	ModifiedUTC    string `json:"modifiedUtc,omitempty"`
}

// BindingInfo is one WebInterfaceBinding.
type BindingInfo struct {
	IISSiteName      string `json:"iisSiteName"`
	ApplicationAlias string `json:"applicationAlias"`
	State            string `json:"state"`
}

// defaultNames are the names the 8.2 Web Interface setup gives its three
// default sites (§10.4, the guide's "Deleting default Web Interface sites").
var defaultNames = []string{"Site for Administrators (8.2)", "Site for HelpDesk (8.2)", "Site for Self-Administration (8.2)"}

// IsDefault reports whether a site is one of the three default 8.2 sites:
// one of their names, ProductVersion 8.2, and not made from another
// configuration. A site New-ARWebSite made from an old configuration may get
// a default name (§10.4) but carries its customisations: it is not a default.
func (s *site) IsDefault() bool {
	if s.productVersion != model.Target.Short() || !s.source.IsZero() {
		return false
	}
	for _, n := range defaultNames {
		if strings.EqualFold(s.name, n) {
			return true
		}
	}
	return false
}

// List returns the site configuration objects of an 8.2 configuration
// database whose name (or GUID) matches one of the patterns (all of them
// when there is none), in name order. A pattern without wildcards that
// matches nothing is AR-NOTFOUND, returned with the sites that were found.
// It only reads.
func List(ctx context.Context, db store.Source, patterns []string) ([]SiteInfo, error) {
	pats := make([]Pattern, 0, len(patterns))
	for _, p := range patterns {
		c, err := ParsePattern(p)
		if err != nil {
			return nil, err
		}
		pats = append(pats, c)
	}
	cat, err := readCatalog(ctx, db, "Listing Web Interface sites")
	if err != nil {
		return nil, err
	}
	found := make([]bool, len(pats))
	var out []SiteInfo
	for _, s := range sortedByName(cat.sites) {
		keep := len(pats) == 0
		for i, p := range pats {
			if p.Match(s.name) || p.Match(s.guid.String()) {
				keep, found[i] = true, true
			}
		}
		if keep {
			out = append(out, cat.describe(s))
		}
	}
	var missing []string
	for i, p := range pats {
		if !found[i] && !p.HasWildcards() {
			missing = append(missing, p.String())
		}
	}
	if len(missing) > 0 {
		return out, arerr.Errorf("AR-NOTFOUND", arerr.CatObjectNotFound,
			"List every site configuration with "+arerr.Command("list-websites")+" without a name, or use wildcards such as '*(7.6)'.",
			"There is no Web Interface site configuration named %s.", quoteJoin(missing))
	}
	return out, nil
}

func quoteJoin(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "'" + n + "'"
	}
	return strings.Join(q, ", ")
}

// sortedByName orders sites by name, ignoring case, then by GUID.
func sortedByName(sites []*site) []*site {
	out := append([]*site(nil), sites...)
	slices.SortFunc(out, func(a, b *site) int {
		if c := strings.Compare(strings.ToLower(a.name), strings.ToLower(b.name)); c != 0 {
			return c
		}
		return strings.Compare(a.guid.String(), b.guid.String())
	})
	return out
}

// describe is one site as SiteInfo.
func (c *catalog) describe(s *site) SiteInfo {
	si := SiteInfo{Name: s.name, SiteGUID: s.guid.String(), Template: s.template, ProductVersion: s.productVersion,
		IsDefault: s.IsDefault(), CurrentRevision: s.current, Revisions: s.revisions, Bindings: []BindingInfo{},
		CreatedUTC: utcText(s.created), ModifiedUTC: utcText(s.modified)}
	for _, b := range s.bindings {
		si.Bindings = append(si.Bindings, BindingInfo{IISSiteName: b.iis, ApplicationAlias: b.alias, State: b.state})
	}
	if !s.source.IsZero() {
		si.SourceSiteGUID = s.source.String()
		if src := c.byGUID(s.source); src != nil {
			si.SourceSiteName = src.name
		}
	}
	return si
}

// utcText writes a datetime2(3) UTC value as ISO 8601 with a Z ("" for NULL).
func utcText(v data.Value) string {
	if v.Kind != data.Time {
		return ""
	}
	return v.AsTime().Format("2006-01-02T15:04:05.000Z")
}
