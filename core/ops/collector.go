package ops

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/collectorimport"
	"github.com/activeroles/arupgrade/core/dbopen"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/sqlserver"
)

func init() {
	engine.Register("import-collector", runImportCollector)
}

// collectorParams are import-collector's params (docs/DESIGN.md).
type collectorParams struct {
	Source      dbopen.Endpoint `json:"source"`
	Destination dbopen.Endpoint `json:"destination"`
	From        string          `json:"from"`
	To          string          `json:"to"`
	BatchSize   int             `json:"batchSize"`
	WhatIf      bool            `json:"whatIf"`
}

const exampleCollector = `{"source":{"path":"collector76.arbundle"},"destination":{"path":"collector82.arbundle","create":true},"from":"2024-01-01","to":"2024-06-30"}`

// collectorRun is an opened Collector import.
type collectorRun struct {
	*historyPair
	opts collectorimport.Options
}

// defaultCollectorDatabase names a new SQL Server destination that was given
// without a database: ActiveRoles820_Collector, the 8.2 wizard's default (§13).
func defaultCollectorDatabase(ep *dbopen.Endpoint) {
	if !ep.Create || ep.IsBundle() || ep.Database != "" {
		return
	}
	if ep.ConnectionString != "" {
		if o, err := sqlserver.ParseLocation(ep.ConnectionString); err != nil || o.Database != "" {
			return // an invalid string is refused when it is opened
		}
	}
	ep.Database = model.DefaultCollectorDatabase
}

// openCollectorRun opens a Collector import; a run that writes also takes
// the destination's writer lock (a check or WhatIf only predicts it).
func openCollectorRun(ctx context.Context, p *collectorParams, em *engine.Emitter, write bool) (*collectorRun, error) {
	if p.Source.IsZero() || p.Destination.IsZero() {
		return nil, arerr.Errorf("AR-PARAMS", arerr.CatInvalidArgument,
			"Give a source and a destination (SQL Server databases or bundle files).", "The Collector import needs a source and a destination.")
	}
	defaultCollectorDatabase(&p.Destination)
	opts := collectorimport.Options{BatchSize: p.BatchSize, WhatIf: p.WhatIf,
		SourceName: p.Source.Describe(), DestinationName: p.Destination.Describe(), SameDatabase: sameDatabase(&p.Source, &p.Destination)}
	var err error
	if opts.From, opts.To, err = dateRangeAndBatch(p.From, p.To, p.BatchSize, "events"); err != nil {
		return nil, err
	}
	pair, _, err := openHistoryPair(ctx, &p.Source, &p.Destination, "import-collector", write && !p.WhatIf, em)
	if err != nil {
		return nil, err
	}
	return &collectorRun{historyPair: pair, opts: opts}, nil
}

func runImportCollector(ctx context.Context, raw json.RawMessage, em *engine.Emitter) error {
	var p collectorParams
	if err := decodeParams(raw, &p, exampleCollector); err != nil {
		return err
	}
	res, err := importCollector(ctx, &p, em)
	if res != nil {
		// A failed or cancelled import still tells what it committed before stopping.
		if rerr := em.Result("CollectorImportResult", res); err == nil {
			err = rerr
		}
	}
	return err
}

// importCollector is the import-collector operation without its result
// event; a failed run may return its partial result.
func importCollector(ctx context.Context, p *collectorParams, em *engine.Emitter) (*collectorimport.Result, error) {
	r, err := openCollectorRun(ctx, p, em, true)
	if err != nil {
		return nil, err
	}
	defer r.close()
	res, err := collectorimport.Run(ctx, r.src, r.dst, r.opts, em)
	var ee *arerr.Error
	if errors.As(err, &ee) && p.Destination.Create && !p.WhatIf &&
		(ee.Code == arerr.CodeDiskFull || ee.Category == arerr.CatInvalidData) {
		// As the history import: a run that cannot continue removes the
		// destination it created; other failures keep the committed batches.
		if discardCreated(ctx, &p.Destination, r.dst, em) {
			ee.Remedy = "The new destination " + p.Destination.Describe() + " was removed. " + firstSentence(ee.Remedy) + " Then run the same command again."
		}
	}
	return res, err
}

// collectorChecks is test-prerequisites for kind collector.
func collectorChecks(ctx context.Context, p *collectorParams, em *engine.Emitter) ([]model.Check, error) {
	r, err := openCollectorRun(ctx, p, em, false)
	if err != nil {
		return nil, err
	}
	defer r.close()
	return collectorimport.Preflight(ctx, r.src, r.dst, r.opts)
}
