package website

import (
	"context"
	"strings"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/store"
)

// RemoveRequest says which site to remove (the guide's "Deleting default
// Web Interface sites").
type RemoveRequest struct {
	Site string // name (case-insensitive) or GUID of the site configuration object
	// IISSiteName and ApplicationAlias, when given, pick one Active binding
	// of the site; by default every Active binding of the site is removed.
	IISSiteName      string
	ApplicationAlias string
	// IncludeConfiguration also removes the configuration object (its row,
	// every revision and every binding, Legacy ones included) when no other
	// site uses it.
	IncludeConfiguration bool
	// Force allows removing a site other than the three default 8.2 sites.
	Force  bool
	WhatIf bool
}

// RemoveResult is ActiveRolesUpgrade.WebSiteRemoval.
type RemoveResult struct {
	Name      string `json:"name"`
	SiteGUID  string `json:"siteGuid"`
	IsDefault bool   `json:"isDefault"`
	// RemovedBindings are the bindings removed (or, with WhatIf, that would be).
	RemovedBindings []BindingInfo `json:"removedBindings"`
	// ConfigurationRemoved: the configuration object itself is (or would be)
	// removed, with RevisionsRemoved revisions.
	ConfigurationRemoved bool `json:"configurationRemoved"`
	RevisionsRemoved     int  `json:"revisionsRemoved"`
	WhatIf               bool `json:"whatIf"`
	Removed              bool `json:"removed"`
}

// Remove removes a site's Active binding(s) and, with IncludeConfiguration,
// its configuration object, in one transaction. Anything but the three
// default 8.2 sites needs Force; a configuration that another site was made
// from, or that keeps an Active binding not being removed, is refused
// (AR-E020). A refused request changes nothing.
func Remove(ctx context.Context, dst store.ConfigDestination, req RemoveRequest) (*RemoveResult, error) {
	if strings.TrimSpace(req.Site) == "" {
		return nil, arerr.Errorf("AR-PARAMS", arerr.CatInvalidArgument, "Give the name or GUID of the site configuration, as "+arerr.Command("list-websites")+" lists it.", "No site was named.")
	}
	iis := strings.TrimSpace(req.IISSiteName)
	alias := strings.Trim(strings.TrimSpace(req.ApplicationAlias), "/")
	cat, err := readCatalog(ctx, dst, "Removing a Web Interface site")
	if err != nil {
		return nil, err
	}
	s, ok := cat.find(req.Site)
	if !ok {
		return nil, notFound(req.Site)
	}
	res := &RemoveResult{Name: s.name, SiteGUID: s.guid.String(), IsDefault: s.IsDefault(), RemovedBindings: []BindingInfo{}, WhatIf: req.WhatIf}
	if !res.IsDefault && !req.Force {
		return nil, arerr.Errorf("AR-NOTDEFAULT", arerr.CatInvalidArgument,
			"Add "+arerr.Param("force")+" to remove it anyway; nothing was removed.",
			"%q is not one of the three default 8.2 sites (%s).", s.name, strings.Join(defaultNames, ", "))
	}

	// The Active bindings this request removes, and those it leaves.
	var removed, kept []binding
	for _, b := range s.bindings {
		if b.state != StateActive {
			continue
		}
		if (iis == "" || strings.EqualFold(b.iis, iis)) && (alias == "" || SameAlias(b.alias, alias)) {
			removed = append(removed, b)
		} else {
			kept = append(kept, b)
		}
	}
	switch {
	case (iis != "" || alias != "") && len(removed) == 0:
		return nil, arerr.Errorf("AR-NOTFOUND", arerr.CatObjectNotFound, "List the site's bindings with "+arerr.Command("list-websites")+".",
			"The site %q has no Active binding %s.", s.name, bindingText(iis, alias))
	case len(removed) == 0 && !req.IncludeConfiguration:
		return nil, arerr.Errorf("AR-NOTFOUND", arerr.CatObjectNotFound,
			"Add "+arerr.Param("includeConfiguration")+" to remove the configuration object itself.",
			"The site %q has no Active binding: no 8.2 application serves it.", s.name)
	}

	var revs []revision
	if req.IncludeConfiguration {
		if err := inUse(cat, s, kept); err != nil {
			return nil, err
		}
		if revs, err = documents(ctx, dst, cat.info, s.guid); err != nil {
			return nil, err
		}
		removed = s.bindings // Legacy ones go with the configuration object
		res.ConfigurationRemoved, res.RevisionsRemoved = true, len(revs)
	}
	for _, b := range removed {
		res.RemovedBindings = append(res.RemovedBindings, BindingInfo{IISSiteName: b.iis, ApplicationAlias: b.alias, State: b.state})
	}
	if req.WhatIf {
		return res, nil
	}

	changes := []change{{table: tBinding}}
	for _, b := range removed {
		changes[0].delete = append(changes[0].delete, data.Row{data.IntValue(b.id)})
	}
	if req.IncludeConfiguration {
		docs := change{table: tDocument}
		for _, r := range revs {
			docs.delete = append(docs.delete, data.Row{data.GUIDValue(s.guid), data.IntValue(r.Revision)})
		}
		changes = append(changes, docs, change{table: tSite, delete: []data.Row{{data.GUIDValue(s.guid)}}})
	}
	if err := apply(ctx, dst, "remove the site "+s.name, changes); err != nil {
		return nil, err
	}
	res.Removed = true
	return res, nil
}

// inUse refuses to remove a configuration object that another site was made
// from (SourceSiteGuid) or that still has an Active binding.
func inUse(cat *catalog, s *site, kept []binding) error {
	var users []string
	for _, o := range cat.sites {
		if o != s && o.source == s.guid {
			users = append(users, "'"+o.name+"'")
		}
	}
	if len(users) > 0 {
		return arerr.Errorf(model.E020SiteInUse.ID, arerr.CatResourceBusy,
			"Remove those sites first, or remove only this site's binding (leave out "+arerr.Param("includeConfiguration")+"). Nothing was removed.",
			"The configuration %q is in use: %s %s made from it.", s.name, strings.Join(users, ", "), pluralWas(len(users)))
	}
	if len(kept) > 0 {
		return arerr.Errorf(model.E020SiteInUse.ID, arerr.CatResourceBusy,
			"Remove every Active binding of the site (leave out "+arerr.Param("iisSiteName")+" and "+arerr.Param("applicationAlias")+"), or keep the configuration. Nothing was removed.",
			"The configuration %q is in use: the application %s still serves it.", s.name, bindingText(kept[0].iis, kept[0].alias))
	}
	return nil
}

func pluralWas(n int) string {
	if n == 1 {
		return "was"
	}
	return "were"
}

func bindingText(iis, alias string) string {
	if iis == "" {
		iis = "*"
	}
	if alias == "" {
		alias = "*"
	}
	return iis + "/" + alias
}
