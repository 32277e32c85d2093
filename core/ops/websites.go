package ops

import (
	"context"
	"encoding/json"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/dbopen"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/website"
)

// The Web Interface site operations besides new-website (website.go): the
// guide's chapter "Upgrading the Active Roles Web Interface".
func init() {
	engine.Register("list-websites", runListWebsites)
	engine.Register("remove-website", runRemoveWebsite)
	engine.Register("export-website", runExportWebsite)
	engine.Register("import-website", runImportWebsite)
}

type listWebsitesParams struct {
	Source dbopen.Endpoint `json:"source"`
	// Names are PowerShell wildcard patterns matched against each site's
	// name or GUID; none lists every site.
	Names []string `json:"names"`
}

// runListWebsites lists the site configuration objects of an 8.2
// configuration database (the guide's "Identifying configuration objects").
// It only reads and takes no lock.
func runListWebsites(ctx context.Context, raw json.RawMessage, em *engine.Emitter) error {
	var p listWebsitesParams
	if err := decodeParams(raw, &p, `{"source":{"path":"ar82.arbundle"},"names":["*(7.6)"]}`); err != nil {
		return err
	}
	if p.Source.IsZero() {
		return arerr.Errorf("AR-PARAMS", arerr.CatInvalidArgument, "Name the 8.2 configuration database: a bundle path or a SQL Server database.", "No source was given.")
	}
	src, err := dbopen.OpenSource(ctx, &p.Source, em)
	if err != nil {
		return err
	}
	sites, err := website.List(ctx, src, p.Names)
	// Closed before the results go out: piped into New-ARWebSite, each
	// result may rewrite this very bundle while the list is being read.
	_ = src.Close()
	for _, s := range sites {
		if rerr := em.Result("WebSite", s); rerr != nil {
			return rerr
		}
	}
	return err
}

type removeWebsiteParams struct {
	Destination          dbopen.Endpoint `json:"destination"`
	Site                 string          `json:"site"`
	IISSiteName          string          `json:"iisSiteName"`
	ApplicationAlias     string          `json:"applicationAlias"`
	IncludeConfiguration bool            `json:"includeConfiguration"`
	Force                bool            `json:"force"`
	WhatIf               bool            `json:"whatIf"`
}

// runRemoveWebsite removes a site's Active binding and, when asked, its
// configuration object (the guide's "Deleting default Web Interface sites"),
// in one transaction under the destination's writer lock.
func runRemoveWebsite(ctx context.Context, raw json.RawMessage, em *engine.Emitter) error {
	var p removeWebsiteParams
	if err := decodeParams(raw, &p, `{"destination":{"path":"ar82.arbundle"},"site":"Site for HelpDesk (8.2)","includeConfiguration":true}`); err != nil {
		return err
	}
	if p.Destination.IsZero() {
		return arerr.Errorf("AR-PARAMS", arerr.CatInvalidArgument, "Name the 8.2 configuration database.", "No destination was given.")
	}
	dst, release, err := openConfigForUpdate(ctx, &p.Destination, "remove-website", p.WhatIf, em)
	if err != nil {
		return err
	}
	defer func() { _ = dst.Close(); releaseLock(release, em) }()
	res, err := website.Remove(ctx, dst, website.RemoveRequest{Site: p.Site, IISSiteName: p.IISSiteName, ApplicationAlias: p.ApplicationAlias,
		IncludeConfiguration: p.IncludeConfiguration, Force: p.Force, WhatIf: p.WhatIf})
	if err != nil {
		return err
	}
	em.Log().Info().Str("site", res.Name).Int("bindings", len(res.RemovedBindings)).Bool("configuration", res.ConfigurationRemoved).
		Bool("whatIf", p.WhatIf).Msg("web interface site removed")
	return em.Result("WebSiteRemoval", res)
}

type exportWebsiteParams struct {
	Source    dbopen.Endpoint `json:"source"`
	Site      string          `json:"site"`
	Out       string          `json:"out"`
	Overwrite bool            `json:"overwrite"`
}

// runExportWebsite writes one site configuration object to a JSON file (a
// backup before changes, or to move it to another database). It only reads
// the database and takes no lock.
func runExportWebsite(ctx context.Context, raw json.RawMessage, em *engine.Emitter) error {
	var p exportWebsiteParams
	if err := decodeParams(raw, &p, `{"source":{"path":"ar82.arbundle"},"site":"Site for Administrators (7.6)","out":"site.json"}`); err != nil {
		return err
	}
	if p.Source.IsZero() {
		return arerr.Errorf("AR-PARAMS", arerr.CatInvalidArgument, "Name the 8.2 configuration database: a bundle path or a SQL Server database.", "No source was given.")
	}
	src, err := dbopen.OpenSource(ctx, &p.Source, em)
	if err != nil {
		return err
	}
	defer src.Close()
	res, err := website.Export(ctx, src, website.ExportRequest{Site: p.Site, Path: p.Out, Overwrite: p.Overwrite})
	if err != nil {
		return err
	}
	em.Log().Info().Str("site", res.Name).Str("file", res.Path).Msg("web interface site configuration exported")
	return em.Result("WebSiteExport", res)
}

type importWebsiteParams struct {
	Destination    dbopen.Endpoint `json:"destination"`
	Path           string          `json:"path"`
	Name           string          `json:"name"`
	LegacyBindings bool            `json:"legacyBindings"`
	WhatIf         bool            `json:"whatIf"`
}

// runImportWebsite writes a site configuration file into an 8.2
// configuration database, in one transaction under the writer lock.
func runImportWebsite(ctx context.Context, raw json.RawMessage, em *engine.Emitter) error {
	var p importWebsiteParams
	if err := decodeParams(raw, &p, `{"destination":{"path":"ar82.arbundle"},"path":"site.json"}`); err != nil {
		return err
	}
	if p.Destination.IsZero() || p.Path == "" {
		return arerr.Errorf("AR-PARAMS", arerr.CatInvalidArgument, "Name the 8.2 configuration database and the site configuration file.", "Importing a site needs a destination and a file.")
	}
	// The file is checked before the destination is opened or locked.
	if _, err := website.ReadFile(p.Path); err != nil {
		return err
	}
	dst, release, err := openConfigForUpdate(ctx, &p.Destination, "import-website", p.WhatIf, em)
	if err != nil {
		return err
	}
	defer func() { _ = dst.Close(); releaseLock(release, em) }()
	res, err := website.Import(ctx, dst, website.ImportRequest{Path: p.Path, Name: p.Name, LegacyBindings: p.LegacyBindings, WhatIf: p.WhatIf})
	if err != nil {
		return err
	}
	em.Log().Info().Str("site", res.Name).Str("file", res.Path).Bool("renamed", res.Renamed).Bool("whatIf", p.WhatIf).Msg("web interface site configuration imported")
	return em.Result("WebSiteImport", res)
}
