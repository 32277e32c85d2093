package ops

import (
	"context"
	"encoding/json"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/dbopen"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/website"
)

func init() { engine.Register("new-website", runNewWebsite) }

type websiteParams struct {
	Destination      dbopen.Endpoint `json:"destination"`
	SourceSite       string          `json:"sourceSite"`
	Template         string          `json:"template"`
	IISSiteName      string          `json:"iisSiteName"`
	ApplicationAlias string          `json:"applicationAlias"`
	Name             string          `json:"name"`
	WhatIf           bool            `json:"whatIf"`
}

// runNewWebsite creates an 8.2 Web Interface site configuration from an
// existing one (model §10.5).
func runNewWebsite(ctx context.Context, raw json.RawMessage, em *engine.Emitter) error {
	var p websiteParams
	if err := decodeParams(raw, &p, `{"destination":{"path":"ar82.arbundle"},"sourceSite":"Site for Administrators (7.6)","template":"Administrators","iisSiteName":"Default Web Site","applicationAlias":"ARWebAdmin"}`); err != nil {
		return err
	}
	if p.Destination.IsZero() {
		return arerr.Errorf("AR-PARAMS", arerr.CatInvalidArgument, "Name the 8.2 configuration database.", "No destination was given.")
	}
	res, err := newWebsite(ctx, &p, em)
	if err != nil {
		return err
	}
	return em.Result("WebSiteResult", res)
}

// newWebsite is new-website without its result event (the upgrade runs it
// as a step).
func newWebsite(ctx context.Context, p *websiteParams, em *engine.Emitter) (*website.Result, error) {
	dst, release, err := openConfigForUpdate(ctx, &p.Destination, "new-website", p.WhatIf, em)
	if err != nil {
		return nil, err
	}
	defer func() { _ = dst.Close(); releaseLock(release, em) }()
	res, err := website.New(ctx, dst, website.Request{SourceSite: p.SourceSite, Template: p.Template,
		IISSiteName: p.IISSiteName, ApplicationAlias: p.ApplicationAlias, Name: p.Name, WhatIf: p.WhatIf})
	if err != nil {
		return nil, err
	}
	em.Log().Info().Str("site", res.Name).Str("from", res.SourceSite).Bool("whatIf", p.WhatIf).Msg("web interface site configuration created")
	return res, nil
}
