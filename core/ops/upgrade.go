package ops

import (
	"context"
	"encoding/json"

	"github.com/activeroles/arupgrade/core/collectorimport"
	"github.com/activeroles/arupgrade/core/configimport"
	"github.com/activeroles/arupgrade/core/dbopen"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/historyimport"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/upgrade"
	"github.com/activeroles/arupgrade/core/website"
)

func init() { engine.Register("upgrade", runUpgrade) }

// runUpgrade is the whole database upgrade in one resumable run
// (core/upgrade orders and records it; the steps below are the other
// operations' own code).
func runUpgrade(ctx context.Context, raw json.RawMessage, em *engine.Emitter) error {
	var p upgrade.Params
	if err := decodeParams(raw, &p, `{"source":{"path":"ar76.arbundle"},"destination":{"path":"out"},"keyBackupPath":"ar76.key","keyBackupPassword":"…","servicesServer":"ars82.corp.example.com"}`); err != nil {
		return err
	}
	return upgrade.Run(ctx, &p, upgradeSteps{em: em}, em)
}

// upgradeSteps runs each upgrade step through its operation's code, emitting
// the operation's result object as the step finishes. The imports' own
// principals copy is off: the upgrade copies them as a step of its own.
type upgradeSteps struct{ em *engine.Emitter }

var _ upgrade.Steps = upgradeSteps{}

func (u upgradeSteps) configParams(s upgrade.ConfigStep) configParams {
	return configParams{Source: s.Source, Destination: s.Destination, KeyBackupPath: s.KeyBackupPath, KeyBackupPassword: s.KeyBackupPassword,
		SkipEncryptedData: s.SkipEncryptedData, ServicesServer: s.ServicesServer, SkipPrincipals: true}
}

func (u upgradeSteps) CheckConfiguration(ctx context.Context, s upgrade.ConfigStep) ([]model.Check, *configimport.Result, error) {
	p := u.configParams(s)
	p.WhatIf = true
	r, err := openConfigRun(ctx, &p, u.em, false)
	if err != nil {
		return nil, nil, err
	}
	defer r.close()
	checks, err := configimport.Preflight(ctx, r.src, r.dst, r.opts)
	if err != nil || upgrade.FirstFailure(checks) != nil {
		return checks, nil, err
	}
	// The WhatIf import tells which tenants and secrets will need attention.
	res, err := configimport.Run(ctx, r.src, r.dst, r.opts, u.em)
	return checks, res, err
}

func (u upgradeSteps) historyParams(s upgrade.HistoryStep) historyParams {
	return historyParams{Source: s.Source, Destination: s.Destination, From: s.From, To: s.To, BatchSize: s.BatchSize, SkipPrincipals: true}
}

func (u upgradeSteps) CheckHistory(ctx context.Context, s upgrade.HistoryStep) ([]model.Check, error) {
	p := u.historyParams(s)
	p.WhatIf = true
	r, err := openHistoryRun(ctx, &p, u.em, false)
	if err != nil {
		return nil, err
	}
	defer r.close()
	return historyimport.Preflight(ctx, r.src, r.dst, r.opts)
}

func (u upgradeSteps) ImportConfiguration(ctx context.Context, s upgrade.ConfigStep) (*configimport.Result, error) {
	p := u.configParams(s)
	res, err := importConfiguration(ctx, &p, u.em)
	if err != nil {
		return nil, err
	}
	return res, u.em.Result("ConfigurationImportResult", res)
}

func (u upgradeSteps) AssociateServices(ctx context.Context, dst dbopen.Endpoint, servicesServer string) (*configimport.ServicesResult, error) {
	p := servicesParams{Destination: dst, ServicesServer: servicesServer}
	if p.ServicesServer == "" {
		p.ServicesServer = localFQDN()
	}
	res, err := associateServices(ctx, &p, u.em)
	if err != nil {
		return nil, err
	}
	return res, u.em.Result("ServicesAssociationResult", res)
}

func (u upgradeSteps) ImportHistory(ctx context.Context, s upgrade.HistoryStep) (*historyimport.Result, error) {
	p := u.historyParams(s)
	res, err := importHistory(ctx, &p, u.em)
	if res != nil {
		if rerr := u.em.Result("HistoryImportResult", res); err == nil {
			err = rerr
		}
	}
	return res, err
}

func (u upgradeSteps) collectorParams(s upgrade.CollectorStep) collectorParams {
	return collectorParams{Source: s.Source, Destination: s.Destination, BatchSize: s.BatchSize}
}

func (u upgradeSteps) CheckCollector(ctx context.Context, s upgrade.CollectorStep) ([]model.Check, error) {
	p := u.collectorParams(s)
	p.WhatIf = true
	r, err := openCollectorRun(ctx, &p, u.em, false)
	if err != nil {
		return nil, err
	}
	defer r.close()
	return collectorimport.Preflight(ctx, r.src, r.dst, r.opts)
}

func (u upgradeSteps) ImportCollector(ctx context.Context, s upgrade.CollectorStep) (*collectorimport.Result, error) {
	p := u.collectorParams(s)
	res, err := importCollector(ctx, &p, u.em)
	if res != nil {
		// A failed or cancelled import still tells what it committed.
		if rerr := u.em.Result("CollectorImportResult", res); err == nil {
			err = rerr
		}
	}
	return res, err
}

func (u upgradeSteps) CopyPrincipals(ctx context.Context, src, dst dbopen.Endpoint) (bool, string) {
	return principalsStep(ctx, &src, &dst, u.em)
}

func (u upgradeSteps) ListWebSites(ctx context.Context, db dbopen.Endpoint) ([]website.SiteInfo, error) {
	src, err := dbopen.OpenSource(ctx, &db, u.em)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	return website.List(ctx, src, nil)
}

func (u upgradeSteps) NewWebSite(ctx context.Context, dst dbopen.Endpoint, req website.Request) (*website.Result, error) {
	p := websiteParams{Destination: dst, SourceSite: req.SourceSite, Template: req.Template, IISSiteName: req.IISSiteName,
		ApplicationAlias: req.ApplicationAlias, Name: req.Name}
	res, err := newWebsite(ctx, &p, u.em)
	if err != nil {
		return nil, err
	}
	return res, u.em.Result("WebSiteResult", res)
}
