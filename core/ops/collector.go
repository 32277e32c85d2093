package ops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/collectorimport"
	"github.com/activeroles/arupgrade/core/dbopen"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/historyimport"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/sqlserver"
	"github.com/activeroles/arupgrade/core/store"
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
	src     store.Source
	dst     store.HistoryDestination
	opts    collectorimport.Options
	release func() error
	em      *engine.Emitter
}

func (r *collectorRun) close() {
	if r.src != nil {
		_ = r.src.Close()
	}
	if r.dst != nil {
		_ = r.dst.Close()
	}
	releaseLock(r.release, r.em)
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
	if (p.From == "") != (p.To == "") {
		return nil, arerr.Errorf("AR-PARAMS", arerr.CatInvalidArgument, "Give both "+arerr.Param("from")+" and "+arerr.Param("to")+" for a date-range import, or neither to import all events.",
			"Only one end of the date range was given.")
	}
	for _, d := range []struct {
		s   string
		dst **historyimport.Date
	}{{p.From, &opts.From}, {p.To, &opts.To}} {
		if d.s == "" {
			continue
		}
		v, err := historyimport.ParseDate(d.s)
		if err != nil {
			return nil, arerr.Wrap(err, "AR-PARAMS", arerr.CatInvalidArgument, "Write dates as yyyy-mm-dd, e.g. 2024-06-30.", "The date range is not valid")
		}
		*d.dst = &v
	}
	if p.BatchSize < 0 || p.BatchSize > historyimport.MaxBatchSize {
		return nil, arerr.Errorf("AR-PARAMS", arerr.CatInvalidArgument, fmt.Sprintf("Use a batch size from 1 to %d.", historyimport.MaxBatchSize),
			"Batch size %d is out of range.", p.BatchSize)
	}
	r := &collectorRun{opts: opts, em: em}
	var err error
	if r.src, err = dbopen.OpenSource(ctx, &p.Source, em); err != nil {
		return nil, err
	}
	var d dbopen.Destination
	if r.dst, d, err = dbopen.OpenHistoryDestination(ctx, &p.Destination, em, *em.Log()); err != nil {
		r.close()
		return nil, err
	}
	if err := claimOrPredict(ctx, &p.Destination, r.dst, "import-collector", write && !p.WhatIf, &d, &r.release, em); err != nil {
		r.close()
		return nil, err
	}
	if d.Exists {
		r.close()
		return nil, arerr.Errorf(model.E008DatabaseNameExists.ID, arerr.CatResourceExists,
			"Choose another name for the new database, or import into the existing one without asking to create it.",
			"A database named %s already exists.", p.Destination.Describe())
	}
	return r, nil
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
