// Package website creates 8.2 Web Interface site configurations from
// existing ones (model §10.5; the guide's "Creating sites based on old
// configuration objects").
package website

import (
	"context"
	"crypto/rand"
	"io"
	"strings"
	"time"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/store"
)

// Request says which site to create.
type Request struct {
	SourceSite       string // name (case-insensitive) or GUID of the existing configuration S
	Template         string // Administrators, HelpDesk or SelfAdministration (Self-Administration accepted)
	IISSiteName      string
	ApplicationAlias string
	Name             string // optional; default per §10.4
	WhatIf           bool
	Now              func() time.Time
	Rand             io.Reader
}

// Result is ActiveRolesUpgrade.WebSiteResult.
type Result struct {
	SiteGUID         string `json:"siteGuid"`
	Name             string `json:"name"`
	Template         string `json:"template"`
	ProductVersion   string `json:"productVersion"`
	SourceSite       string `json:"sourceSite"`
	SourceSiteGUID   string `json:"sourceSiteGuid"`
	UpgradedFrom     string `json:"upgradedFrom,omitempty"`
	IISSiteName      string `json:"iisSiteName"`
	ApplicationAlias string `json:"applicationAlias"`
	WhatIf           bool   `json:"whatIf"`
	Created          bool   `json:"created"`
}

// New creates the site configuration, its revision 1 and one Active
// binding in one transaction. S, its revisions and bindings are untouched.
func New(ctx context.Context, dst store.ConfigDestination, req Request) (*Result, error) {
	if req.Now == nil {
		req.Now = time.Now
	}
	if req.Rand == nil {
		req.Rand = rand.Reader
	}
	tmpl, err := template(req.Template)
	if err != nil {
		return nil, err
	}
	iis := strings.TrimSpace(req.IISSiteName)
	if err := checkIISSiteName(iis); err != nil {
		return nil, err
	}
	alias, err := NormalizeAlias(req.ApplicationAlias)
	if err != nil {
		return nil, err
	}
	cat, err := readCatalog(ctx, dst, "Creating a Web Interface site")
	if err != nil {
		return nil, err
	}
	src, ok := cat.find(req.SourceSite)
	if !ok {
		return nil, notFound(req.SourceSite)
	}
	name := strings.TrimSpace(req.Name)
	if name == "" {
		name = model.DefaultSiteName(tmpl, cat.names.Has)
	} else if cat.names.Has(name) {
		return nil, arerr.Errorf(model.E018SiteConflict.ID, arerr.CatResourceExists, "Choose another name, or leave the name out to get the default one.",
			"A site configuration named %q already exists.", name)
	}
	if holder := cat.activeHolder(iis, alias); holder != nil {
		return nil, arerr.Errorf(model.E018SiteConflict.ID, arerr.CatResourceExists, "Choose another application alias or IIS website, or remove that site first ("+arerr.Command("remove-website")+").",
			"The application %s/%s already serves the 8.2 site %q.", iis, alias, holder.name)
	}
	doc, err := currentDocument(ctx, dst, cat.info, src)
	if err != nil {
		return nil, err
	}
	if src.productVersion != model.Target.Short() {
		doc.UpgradedFrom = src.productVersion
	} else {
		doc.UpgradedFrom = ""
	}
	doc.SchemaVersion = model.SiteSchemaVersion
	body, err := doc.JSON()
	if err != nil {
		return nil, err
	}
	g, err := newGUID(req.Rand)
	if err != nil {
		return nil, err
	}
	res := &Result{SiteGUID: g.String(), Name: name, Template: tmpl, ProductVersion: model.Target.Short(), SourceSite: src.name,
		SourceSiteGUID: src.guid.String(), UpgradedFrom: doc.UpgradedFrom, IISSiteName: iis,
		ApplicationAlias: alias, WhatIf: req.WhatIf}
	if req.WhatIf {
		return res, nil
	}
	now := data.TimeValue(req.Now().UTC().Truncate(time.Millisecond))
	st, dt, bt := cat.info.Table(tSite), cat.info.Table(tDocument), cat.info.Table(tBinding)
	siteRow, err := row(st, map[string]data.Value{"SiteGuid": data.GUIDValue(g), "Name": data.StringValue(name), "Template": data.StringValue(tmpl),
		"ProductVersion": data.StringValue(model.Target.Short()), "CurrentRevision": data.IntValue(1), "SourceSiteGuid": data.GUIDValue(src.guid),
		"CreatedUtc": now, "ModifiedUtc": now})
	if err != nil {
		return nil, err
	}
	docRow, err := row(dt, map[string]data.Value{"SiteGuid": data.GUIDValue(g), "Revision": data.IntValue(1),
		"SchemaVersion": data.IntValue(model.SiteSchemaVersion), "SavedUtc": now, "Document": data.StringValue(body)})
	if err != nil {
		return nil, err
	}
	bindRow, err := row(bt, map[string]data.Value{"SiteGuid": data.GUIDValue(g), "IisSiteName": data.StringValue(iis),
		"ApplicationAlias": data.StringValue(alias), "BindingState": data.StringValue(StateActive)})
	if err != nil {
		return nil, err
	}
	if err := apply(ctx, dst, "create the site "+name, []change{
		{table: tSite, insert: []data.Row{siteRow}},
		{table: tDocument, insert: []data.Row{docRow}},
		{table: tBinding, insert: []data.Row{bindRow}},
	}); err != nil {
		return nil, err
	}
	res.Created = true
	return res, nil
}

func template(t string) (string, error) {
	switch strings.ToLower(strings.ReplaceAll(strings.TrimSpace(t), "-", "")) {
	case "administrators":
		return model.TemplateAdministrators, nil
	case "helpdesk":
		return model.TemplateHelpDesk, nil
	case "selfadministration":
		return model.TemplateSelfAdministration, nil
	}
	return "", arerr.Errorf("AR-PARAMS", arerr.CatInvalidArgument, "Use Administrators, HelpDesk or SelfAdministration.", "Unknown site template %q.", t)
}

// currentDocument parses the document of s's current revision.
func currentDocument(ctx context.Context, db store.Source, info *store.Info, s *site) (model.SiteDocument, error) {
	revs, err := documents(ctx, db, info, s.guid)
	if err != nil {
		return model.SiteDocument{}, err
	}
	for _, r := range revs {
		if r.Revision == s.current {
			d, err := model.ParseSiteDocument(r.Document)
			if err != nil {
				return d, arerr.Wrap(err, "AR-BADDOC", arerr.CatInvalidData, "Repair or re-import the source site.", "The current document of %q is not valid", s.name)
			}
			return d, nil
		}
	}
	return model.SiteDocument{}, arerr.Errorf("AR-BADDOC", arerr.CatInvalidData, "Re-import the source site.", "The site %q has no document for its current revision %d.", s.name, s.current)
}
