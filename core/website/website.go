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

	"github.com/activeroles/arupgrade/core/configimport"
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/engine"
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

type site struct {
	guid           data.UUID
	name           string
	productVersion string
	current        int64
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
	if strings.TrimSpace(req.IISSiteName) == "" || strings.TrimSpace(req.ApplicationAlias) == "" {
		return nil, engine.Errorf("AR-PARAMS", engine.CatInvalidArgument, "Give the IIS website name and the application alias.", "The new site needs an IIS website and an application alias.")
	}
	if _, err := configimport.RequireConfiguration82(ctx, dst, "Creating a Web Interface site"); err != nil {
		return nil, err
	}
	sites, names, err := readSites(ctx, dst)
	if err != nil {
		return nil, err
	}
	src, ok := findSite(sites, req.SourceSite)
	if !ok {
		return nil, engine.Errorf("AR-NOTFOUND", engine.CatObjectNotFound, "List the site configurations with Get-ARDatabaseInfo or the Configuration Center and give one of their names.",
			"There is no Web Interface site configuration %q.", req.SourceSite)
	}
	name := strings.TrimSpace(req.Name)
	if name == "" {
		name = model.DefaultSiteName(tmpl, names.Has)
	} else if names.Has(name) {
		return nil, engine.Errorf(model.E018SiteConflict.ID, engine.CatResourceExists, "Choose another name, or leave the name out to get the default one.",
			"A site configuration named %q already exists.", name)
	}
	if bound, err := activeBinding(ctx, dst, req.IISSiteName, req.ApplicationAlias); err != nil {
		return nil, err
	} else if bound {
		return nil, engine.Errorf(model.E018SiteConflict.ID, engine.CatResourceExists, "Choose another application alias or IIS website.",
			"The application %s/%s already serves an 8.2 site.", req.IISSiteName, req.ApplicationAlias)
	}
	doc, err := currentDocument(ctx, dst, src)
	if err != nil {
		return nil, err
	}
	if src.productVersion != "8.2" {
		doc.UpgradedFrom = src.productVersion
	} else {
		doc.UpgradedFrom = ""
	}
	doc.SchemaVersion = model.SiteSchemaVersion
	body, err := doc.JSON()
	if err != nil {
		return nil, err
	}
	var g data.UUID
	if _, err := io.ReadFull(req.Rand, g[:]); err != nil {
		return nil, err
	}
	g[6] = (g[6] & 0x0f) | 0x40
	g[8] = (g[8] & 0x3f) | 0x80
	res := &Result{SiteGUID: g.String(), Name: name, Template: tmpl, ProductVersion: "8.2", SourceSite: src.name,
		SourceSiteGUID: src.guid.String(), UpgradedFrom: doc.UpgradedFrom, IISSiteName: req.IISSiteName,
		ApplicationAlias: req.ApplicationAlias, WhatIf: req.WhatIf}
	if req.WhatIf {
		return res, nil
	}
	now := data.TimeValue(req.Now().UTC().Truncate(time.Millisecond))
	siteRow := data.Row{data.GUIDValue(g), data.StringValue(name), data.StringValue(tmpl), data.StringValue("8.2"),
		data.IntValue(1), data.GUIDValue(src.guid), now, now}
	docRow := data.Row{data.GUIDValue(g), data.IntValue(1), data.IntValue(model.SiteSchemaVersion), now, data.StringValue(body)}
	bindRow := data.Row{data.NullValue(), data.GUIDValue(g), data.StringValue(req.IISSiteName), data.StringValue(req.ApplicationAlias), data.StringValue("Active")}
	tx, err := dst.BeginConfig(ctx)
	if err != nil {
		return nil, engine.Wrap(err, "AR-WRITE", engine.CatWriteError, "", "Cannot start the transaction")
	}
	for _, w := range []struct {
		table string
		row   data.Row
	}{{"WebInterfaceSite", siteRow}, {"WebInterfaceSiteDocument", docRow}, {"WebInterfaceBinding", bindRow}} {
		if err := tx.Insert(ctx, w.table, []data.Row{w.row}); err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
			return nil, engine.Wrap(err, "AR-WRITE", engine.CatWriteError, "Nothing was written.", "Cannot write %s", w.table)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, engine.Wrap(err, "AR-WRITE", engine.CatWriteError, "Nothing was written.", "Cannot commit the new site")
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
	return "", engine.Errorf("AR-PARAMS", engine.CatInvalidArgument, "Use Administrators, HelpDesk or SelfAdministration.", "Unknown site template %q.", t)
}

func readSites(ctx context.Context, dst store.Source) ([]site, model.NameSet, error) {
	rows, err := dst.Scan(ctx, "WebInterfaceSite")
	if err != nil {
		return nil, nil, engine.Wrap(err, "AR-READ", engine.CatReadError, "", "Cannot read the site configurations")
	}
	defer rows.Close()
	var out []site
	names := model.NewNameSet()
	for rows.Next() {
		r := rows.Row()
		out = append(out, site{guid: r[0].AsGUID(), name: r[1].Str, productVersion: r[3].Str, current: r[4].Int})
		names.Add(r[1].Str)
	}
	return out, names, rows.Err()
}

func findSite(sites []site, key string) (site, bool) {
	key = strings.TrimSpace(key)
	if g, err := data.ParseUUID(key); err == nil {
		for _, s := range sites {
			if s.guid == g {
				return s, true
			}
		}
		return site{}, false
	}
	for _, s := range sites {
		if strings.EqualFold(s.name, key) {
			return s, true
		}
	}
	return site{}, false
}

func activeBinding(ctx context.Context, dst store.Source, iis, alias string) (bool, error) {
	rows, err := dst.Scan(ctx, "WebInterfaceBinding")
	if err != nil {
		return false, engine.Wrap(err, "AR-READ", engine.CatReadError, "", "Cannot read the site bindings")
	}
	defer rows.Close()
	for rows.Next() {
		r := rows.Row()
		if strings.EqualFold(r[2].Str, iis) && strings.EqualFold(r[3].Str, alias) && strings.EqualFold(r[4].Str, "Active") {
			return true, nil
		}
	}
	return false, rows.Err()
}

func currentDocument(ctx context.Context, dst store.Source, s site) (model.SiteDocument, error) {
	rows, err := dst.Scan(ctx, "WebInterfaceSiteDocument")
	if err != nil {
		return model.SiteDocument{}, engine.Wrap(err, "AR-READ", engine.CatReadError, "", "Cannot read the site documents")
	}
	defer rows.Close()
	for rows.Next() {
		r := rows.Row()
		if r[0].AsGUID() == s.guid && r[1].Int == s.current {
			d, err := model.ParseSiteDocument(r[4].Str)
			if err != nil {
				return d, engine.Wrap(err, "AR-BADDOC", engine.CatInvalidData, "Repair or re-import the source site.", "The current document of %q is not valid", s.name)
			}
			return d, nil
		}
	}
	if err := rows.Err(); err != nil {
		return model.SiteDocument{}, err
	}
	return model.SiteDocument{}, engine.Errorf("AR-BADDOC", engine.CatInvalidData, "Re-import the source site.", "The site %q has no document for its current revision %d.", s.name, s.current)
}
