package collectorimport

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/historyimport"
	"github.com/activeroles/arupgrade/core/memlimit"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/retry"
	"github.com/activeroles/arupgrade/core/store"
)

// Activity names the progress of a Collector import.
const Activity = "Importing Collector events"

// Options are the history import's (dates, batch size, WhatIf, names, clock).
type Options = historyimport.Options

// Result is one Collector import's outcome (CollectorImportResult).
type Result struct {
	Source                 historyimport.Endpoint `json:"source"`
	Destination            historyimport.Endpoint `json:"destination"`
	DestinationInitialized bool                   `json:"destinationInitialized,omitempty"`
	WhatIf                 bool                   `json:"whatIf"`
	Mode                   string                 `json:"mode"`
	From                   *historyimport.Date    `json:"from,omitempty"`
	To                     *historyimport.Date    `json:"to,omitempty"`
	RangeFromUTC           *time.Time             `json:"rangeFromUtc,omitempty"`
	RangeToUTC             *time.Time             `json:"rangeToUtc,omitempty"`
	CutoffUTC              time.Time              `json:"cutoffUtc"` // events at or after it are not imported
	SourceEvents           int64                  `json:"sourceEvents"`
	Added                  int64                  `json:"added"`
	Skipped                int64                  `json:"skipped"` // duplicates + conflicts + TOO_LONG
	Duplicates             int64                  `json:"duplicates"`
	Conflicts              int64                  `json:"conflicts"`
	Excluded               int64                  `json:"excluded"`
	Batches                int                    `json:"batches"`
	ReportEntries          int                    `json:"reportEntries"`
	Report                 []Note                 `json:"report"`
	ImportRunID            int64                  `json:"importRunId,omitempty"`
	EventsPerSecond        float64                `json:"eventsPerSecond"`
	ElapsedSeconds         float64                `json:"elapsedSeconds"`
	Outcome                string                 `json:"outcome"`
}

var retryPolicy = retry.Guide

// Run imports the events of src into dst (model §13.5). Every check runs
// before anything is written (a failed one is its *arerr.Error and a nil
// Result). A cancelled run stops after the batch in flight; a re-run
// continues, adding nothing twice. With opts.WhatIf it counts what a run
// would do against the destination as it is and writes nothing.
func Run(ctx context.Context, src store.Source, dst store.HistoryDestination, opts Options, rep historyimport.Reporter) (res *Result, err error) {
	defer memlimit.Hold(memlimit.Budget)()
	defer func() {
		// A read or write that failed because the caller cancelled is a
		// cancellation, not a failure.
		var ee *arerr.Error
		if err != nil && ctx.Err() != nil && !(errors.As(err, &ee) && (ee.Category == arerr.CatOperationStopped || strings.HasPrefix(ee.Code, "AR-E"))) {
			err = arerr.Wrap(err, "AR-CANCELLED", arerr.CatOperationStopped,
				"Run the import again to continue where it stopped; nothing is imported twice.", "The Collector import was cancelled")
			if res != nil {
				res.Outcome = historyimport.OutcomeCancelled
			}
		}
	}()
	return run(ctx, src, dst, opts, rep)
}

func run(ctx context.Context, src store.Source, dst store.HistoryDestination, opts Options, rep historyimport.Reporter) (*Result, error) {
	started := time.Now()
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	if opts.BatchSize < 0 || opts.BatchSize > historyimport.MaxBatchSize {
		return nil, arerr.Errorf("AR-ARGUMENT", arerr.CatInvalidArgument, fmt.Sprintf("Choose a batch size from 1 to %d (default %d).", historyimport.MaxBatchSize, historyimport.DefaultBatchSize),
			"Batch size %d is out of range.", opts.BatchSize)
	}
	if (opts.From == nil) != (opts.To == nil) {
		return nil, arerr.Errorf("AR-ARGUMENT", arerr.CatInvalidArgument, "Give both "+arerr.Param("from")+" and "+arerr.Param("to")+", or neither to import all events.",
			"A date range needs both a start and an end date.")
	}
	sInfo, err := src.Info(ctx)
	if err != nil {
		return nil, arerr.Wrap(err, "AR-SOURCE-READ", arerr.CatReadError, "Check the source and run the import again.", "Cannot read the source")
	}
	dInfo, err := dst.Info(ctx)
	if err != nil {
		return nil, arerr.Wrap(err, "AR-DESTINATION-READ", arerr.CatReadError, "Check the destination and run the import again.", "Cannot read the destination")
	}
	s, d := model.Detect(sInfo), model.Detect(dInfo)
	if err := preflight(s, d, sInfo, dInfo, opts, now()).firstFailure(); err != nil {
		return nil, err
	}
	historyimport.WarnIfLargeBatch(rep, opts.BatchSize, "events")
	res := &Result{Report: []Note{}, Mode: opts.Mode(), WhatIf: opts.WhatIf, From: opts.From, To: opts.To,
		Source:      historyimport.Endpoint{Name: nameOr(opts.SourceName, sInfo.Location), Version: s.Version.String(), Role: string(s.Role), State: s.State.String()},
		Destination: historyimport.Endpoint{Name: nameOr(opts.DestinationName, dInfo.Location), Role: string(d.Role), State: d.State.String()}}
	if d.State != model.StateBlank {
		res.Destination.Version = d.Version.String()
	}
	out, err := model.TableOf(model.Target, model.RoleCollector, "CollectedEvent")
	if err != nil {
		return nil, err
	}
	var lower, upper *time.Time
	if opts.Mode() == historyimport.ModeDateRange {
		f, t := opts.From.Time(), opts.To.Time().AddDate(0, 0, 1)
		lower, upper = &f, &t
		res.RangeFromUTC, res.RangeToUTC = lower, upper
	}
	var (
		write writeFunc
		runID int64
		t0    time.Time
	)
	if opts.WhatIf {
		w, err := newWhatIf(ctx, dst, dInfo, d, out)
		if err != nil {
			return nil, err
		}
		write, t0 = w.write, now().UTC().Truncate(time.Millisecond)
	} else {
		if d.State == model.StateBlank {
			if err := initialize(ctx, dst, opts); err != nil {
				return nil, arerr.Wrap(err, "AR-DESTINATION-INIT", arerr.CatWriteError,
					"Check that the account may create tables in the destination (db_owner) and run the import again.",
					"Cannot initialise the blank destination %s as an 8.2 Collector database", res.Destination.Name)
			}
			res.DestinationInitialized = true
			res.Destination.Role, res.Destination.State = string(model.RoleCollector), model.StateSupported.String()
		}
		res.Destination.Version = model.Target.String()
		run := store.ImportRun{Kind: "Collector", SourceInstallationID: s.InstallationID, SourceVersion: s.Version.String(),
			Mode: opts.Mode(), RangeFromUTC: lower, RangeToUTC: upper, StartedUTC: now().UTC().Truncate(time.Millisecond)}
		run.SourceServer, run.SourceDatabase = historyimport.RunNames(opts, sInfo)
		runID, t0, err = dst.StartRun(ctx, run)
		if err != nil {
			return nil, arerr.Wrap(err, "AR-DESTINATION-WRITE", arerr.CatWriteError,
				"Check the destination and its permissions (db_owner), then run the import again.", "Cannot record the import run in %s", res.Destination.Name)
		}
		t0 = t0.UTC().Truncate(time.Millisecond)
		write = dst.WriteHistoryBatch
	}
	res.ImportRunID, res.CutoffUTC = runID, t0
	runErr := importEvents(ctx, src, write, sInfo, s, out, runID, t0, lower, upper, opts, rep, res)
	res.ElapsedSeconds = time.Since(started).Seconds()
	if res.ElapsedSeconds > 0 {
		res.EventsPerSecond = float64(res.Added+res.Skipped) / res.ElapsedSeconds
	}
	res.ReportEntries = len(res.Report)
	outcome := "Succeeded"
	res.Outcome = historyimport.OutcomeSucceeded
	if runErr != nil {
		outcome, res.Outcome = "Failed", historyimport.OutcomeFailed
		var ee *arerr.Error
		if errors.As(runErr, &ee) && ee.Category == arerr.CatOperationStopped {
			res.Outcome = historyimport.OutcomeCancelled
		}
	} else if opts.WhatIf {
		res.Outcome = historyimport.OutcomeWhatIf
	}
	if !opts.WhatIf {
		report, _ := json.Marshal(res.Report)
		fin := store.RunFinish{Outcome: outcome, FinishedUTC: now().UTC().Truncate(time.Millisecond), CutoffUTC: &t0,
			AddedCount: res.Added, SkippedCount: res.Skipped, ReportJSON: string(report)}
		if ferr := dst.FinishRun(context.WithoutCancel(ctx), runID, fin); ferr != nil && runErr == nil {
			res.Outcome = historyimport.OutcomeFailed
			runErr = arerr.Wrap(ferr, "AR-DESTINATION-WRITE", arerr.CatWriteError,
				"The imported batches are committed; run the import again to record a finished run.", "Cannot close import run %d", runID)
		}
	}
	if rep != nil {
		rep.Progress(engine.Progress{Activity: Activity, Step: "Done", Percent: 100, Completed: true})
		rep.Log().Info().Str("outcome", res.Outcome).Int64("added", res.Added).Int64("skipped", res.Skipped).
			Int("batches", res.Batches).Float64("elapsedSeconds", res.ElapsedSeconds).Float64("eventsPerSecond", res.EventsPerSecond).
			Msg("Collector import finished")
	}
	return res, runErr
}

// initialize gives a blank destination the 8.2 Collector schema and its
// three Settings rows (§13.5 Precisely).
func initialize(ctx context.Context, dst store.HistoryDestination, opts Options) error {
	tables, err := model.Tables(model.Target, model.RoleCollector)
	if err != nil {
		return err
	}
	ddl, err := model.DDL(model.Target, model.RoleCollector)
	if err != nil {
		return err
	}
	iid := opts.DestinationInstallationID
	if iid.IsZero() {
		iid = newGUID()
	}
	settings := map[string]string{model.SettingSchemaVersion: model.Target.String(),
		model.SettingDatabaseRole: string(model.RoleCollector), model.SettingInstallationID: iid.String()}
	return dst.Initialize(ctx, tables, ddl, settings)
}

func nameOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func newGUID() data.UUID {
	var u data.UUID
	_, _ = rand.Read(u[:])
	u[6] = (u[6] & 0x0f) | 0x40
	u[8] = (u[8] & 0x3f) | 0x80
	return u
}

// importEvents scans the source events, converts and selects them, and
// writes them in batches under the guide's retry policy. A producer
// goroutine reads and converts the next batch while this one writes the
// previous: the two halves take about the same time, so a run on two cores
// takes little more than the longer of them.
func importEvents(ctx context.Context, src store.Source, write writeFunc, info *store.Info, s model.Detection,
	out *data.Table, runID int64, t0 time.Time, lower, upper *time.Time, opts Options, rep historyimport.Reporter, res *Result) error {
	cv := &source{gen: s.Generation, iid: s.InstallationID, offset: s.UTCOffsetMinutes, out: out, runID: data.IntValue(runID)}
	table := "CollectedEvent"
	if s.Generation == model.G1 {
		table = "Events"
		if err := cv.loadSources(ctx, src, info); err != nil {
			return err
		}
	}
	cv.t = info.Table(table)
	if cv.t == nil {
		return arerr.Errorf(model.E001SourceNotActiveRoles.ID, arerr.CatInvalidData, "Name an Active Roles Collector database.", "The source has no %s table.", table)
	}
	total, err := src.Count(ctx, table)
	if err != nil {
		return readErr(err)
	}
	res.SourceEvents = total
	// The producer reads under pctx: when the writer stops (a failed or
	// cancelled batch) the read stops too, and the producer has exited
	// before the rows close.
	pctx, stop := context.WithCancel(ctx)
	defer stop()
	rows, err := src.Scan(pctx, table)
	if err != nil {
		return readErr(err)
	}
	defer rows.Close()
	bs := opts.BatchSize
	if bs <= 0 {
		bs = historyimport.DefaultBatchSize
	}
	p := &producer{cv: cv, rows: rows, bs: bs, t0: t0, lower: lower, upper: upper,
		out: make(chan *eventBatch), free: make(chan *eventBatch, 2)}
	p.free <- &eventBatch{}
	p.free <- &eventBatch{}
	go p.run(pctx)
	defer func() {
		stop()
		for range p.out { // wait for the producer to exit
		}
	}()
	w := &writer{write: write, res: res, rep: rep, total: total, began: time.Now(),
		gi: out.MustIndex("EventGuid"), oi: out.MustIndex("OriginInstallationId"), oid: out.MustIndex("OriginEventId")}
	for {
		if ctx.Err() != nil {
			return cancelled(res.Batches)
		}
		var b *eventBatch
		ok := false
		select {
		case b, ok = <-p.out:
		case <-ctx.Done():
			return cancelled(res.Batches)
		}
		if !ok { // the producer ends without a last batch only when the run is cancelled
			return cancelled(res.Batches)
		}
		res.Excluded += b.excluded
		res.Skipped += b.skipped
		if b.err != nil {
			if ctx.Err() != nil {
				return cancelled(res.Batches)
			}
			return b.err
		}
		if err := w.flush(ctx, b); err != nil {
			return err
		}
		last := b.last
		p.free <- b
		if last {
			return nil
		}
		if ctx.Err() != nil {
			return cancelled(res.Batches)
		}
	}
}

func cancelled(batches int) error {
	e := arerr.Errorf("AR-CANCELLED", arerr.CatOperationStopped,
		"Run the import again to continue where it stopped; nothing is imported twice.",
		"The Collector import was cancelled after batch %d; the batches written so far are committed.", batches)
	e.Err = context.Canceled
	return e
}

// eventBatch is what the producer hands the writer: a batch of converted
// rows (fewer for the last), the notes of the events scanned for it, and
// what it counted on the way. Two circulate: the writer hands each back
// once written.
type eventBatch struct {
	rows     []data.Row
	vals     []data.Value // the rows' values, one slab
	notes    []Note
	scanned  int64 // source rows scanned up to the end of this batch
	excluded int64 // since the previous batch: outside the range or at/after the cutoff
	skipped  int64 // since the previous batch: TOO_LONG
	last     bool  // the source is exhausted
	err      error // reading or converting failed; the producer has stopped
}

type producer struct {
	cv           *source
	rows         store.Rows
	bs           int
	t0           time.Time
	lower, upper *time.Time
	out          chan *eventBatch // closed when run returns
	free         chan *eventBatch
}

func (p *producer) run(ctx context.Context) {
	defer close(p.out)
	var scanned int64
	next := func() *eventBatch {
		select {
		case b := <-p.free:
			n := len(p.cv.out.Columns)
			if cap(b.vals) < p.bs*n {
				b.vals = make([]data.Value, p.bs*n)
			}
			clear(b.vals)
			*b = eventBatch{rows: b.rows[:0], vals: b.vals, notes: b.notes[:0], scanned: scanned}
			return b
		case <-ctx.Done():
			return nil
		}
	}
	send := func(b *eventBatch) bool {
		select {
		case p.out <- b:
			return true
		case <-ctx.Done():
			return false
		}
	}
	b := next()
	if b == nil {
		return
	}
	n := len(p.cv.out.Columns)
	for p.rows.Next() {
		scanned++
		b.scanned = scanned
		// A stopped writer takes nothing more: stop reading soon, not a
		// whole batch later.
		if scanned&255 == 0 && ctx.Err() != nil {
			return
		}
		i := len(b.rows) * n
		row := data.Row(b.vals[i : i+n : i+n])
		ev, err := p.cv.convert(p.rows.Row(), row)
		if err != nil {
			b.err = arerr.Wrap(err, "AR-SOURCE-READ", arerr.CatInvalidData, "Check the source database.", "Cannot convert a source event")
			send(b)
			return
		}
		t := ev.time.AsTime()
		if !t.Before(p.t0) || (p.lower != nil && t.Before(*p.lower)) || (p.upper != nil && !t.Before(*p.upper)) {
			b.excluded++
			clear(row)
			continue
		}
		b.notes = append(b.notes, ev.notes...)
		if ev.skip {
			b.skipped++
			clear(row)
			continue
		}
		b.rows = append(b.rows, row)
		if len(b.rows) >= p.bs {
			if !send(b) {
				return
			}
			if b = next(); b == nil {
				return
			}
		}
	}
	if err := p.rows.Err(); err != nil {
		b.err = readErr(err)
	}
	b.last = true
	send(b)
}

// writer writes the producer's batches in order, one transaction each.
type writer struct {
	write       writeFunc
	res         *Result
	rep         historyimport.Reporter
	total       int64
	began       time.Time
	gi, oi, oid int // EventGuid, OriginInstallationId, OriginEventId
}

func (w *writer) flush(ctx context.Context, eb *eventBatch) error {
	res := w.res
	if len(eb.rows) == 0 {
		res.Report = append(res.Report, eb.notes...)
		return nil
	}
	b := &store.HistoryBatch{Seq: res.Batches + 1, Memberships: eb.rows}
	var o *store.HistoryBatchResult
	_, err := retry.Do(ctx, retryPolicy, func(actx context.Context, _ int) error {
		// The batch in flight finishes even when the run is cancelled.
		r, err := w.write(context.WithoutCancel(actx), b)
		o = r
		return err
	})
	if err != nil {
		return arerr.Wrap(err, "AR-BATCH-FAILED", arerr.CatWriteError,
			"Check the log and the destination, then run the import again: it continues where it stopped and adds nothing twice.",
			"Batch %d could not be written; batches 1 to %d are committed", b.Seq, b.Seq-1)
	}
	res.Batches++
	res.Added += int64(o.MembershipsAdded)
	res.Duplicates += int64(o.MembershipsDuplicate)
	conf := o.Conflicts[store.CollectedEventTable.Table]
	res.Conflicts += int64(len(conf))
	res.Skipped += int64(o.MembershipsDuplicate + len(conf))
	res.Report = append(res.Report, eb.notes...)
	for _, g := range conf {
		for _, r := range eb.rows {
			if r[w.gi].AsGUID() == g {
				res.Report = append(res.Report, Note{Entity: model.EntityCollectedEvent, Key: g.String(), Reason: model.ReasonConflict,
					Detail: fmt.Sprintf("natural key (%s, %d) is already in the destination under another GUID; skipped", r[w.oi].AsGUID(), r[w.oid].Int)})
				break
			}
		}
	}
	if w.rep != nil {
		p := engine.Progress{Activity: Activity, Step: model.EntityCollectedEvent, Rows: eb.scanned, Total: w.total, Percent: -1}
		if w.total > 0 {
			p.Percent = min(100, 100*float64(eb.scanned)/float64(w.total))
		}
		if el := time.Since(w.began).Seconds(); el > 0 {
			p.RowsPerSecond = float64(eb.scanned) / el
		}
		w.rep.Progress(p)
	}
	return nil
}

func readErr(err error) error {
	return arerr.Wrap(err, "AR-SOURCE-READ", arerr.CatReadError,
		"Check the source database and run the import again; it continues where it stopped.", "Reading the source failed")
}

func (s *source) loadSources(ctx context.Context, src store.Source, info *store.Info) error {
	t := info.Table("EventSource")
	if t == nil {
		return arerr.Errorf(model.E001SourceNotActiveRoles.ID, arerr.CatInvalidData, "Name an Active Roles Collector database.", "The 7.x source has no EventSource table.")
	}
	rs, err := src.Scan(ctx, "EventSource")
	if err != nil {
		return readErr(err)
	}
	defer rs.Close()
	s.sources = map[int64]collectorSource{}
	id, kind, name, dom := t.MustIndex("SourceId"), t.MustIndex("Kind"), t.MustIndex("Name"), t.MustIndex("Domain")
	for rs.Next() {
		r := rs.Row()
		s.sources[r[id].Int] = collectorSource{kind: r[kind].Int, name: r[name].Str, domain: r[dom].Str, hasDomain: !r[dom].IsNull()}
	}
	if err := rs.Err(); err != nil {
		return readErr(err)
	}
	return nil
}
