package historyimport

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/memlimit"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/retry"
	"github.com/activeroles/arupgrade/core/store"
)

// retryPolicy is the guide's policy; tests replace its Sleep.
var retryPolicy = retry.Guide

// Warning code of the principals notice (not a §12 code: the tool never
// copies database users, logins and roles).
var WarnPrincipalsNotCopied = model.W006PrincipalsNotCopied.ID

const azurePrincipalsAdvice = "Due to limitations in Azure SQL, SQL Server logins are never synchronised to Azure SQL databases; " +
	"to move SQL Server users and logins to Azure SQL, use Microsoft's tools such as Azure Data Studio or Azure Database Migration Service (DMS) Classic."

// writeFunc writes one batch: the destination's WriteHistoryBatch, or the
// WhatIf classifier.
type writeFunc func(ctx context.Context, b *store.HistoryBatch) (*store.HistoryBatchResult, error)

// Run imports the Management History of src into dst (model §8).
//
// Every check runs before anything is written; a failed check returns its
// *arerr.Error (AR-E0xx) and a nil Result. Once writing has started, Run
// returns the Result so far together with any error: a batch that could not
// be written after the guide's retries, a cancellation (category
// OperationStopped, after the batch in flight), or a source read error. The
// ImportRun row is then closed as Failed; running the import again continues
// where it stopped.
func Run(ctx context.Context, src store.Source, dst store.HistoryDestination, opts Options, rep Reporter) (res *Result, err error) {
	defer memlimit.Hold(memlimit.Budget)()
	defer func() {
		// A read or write that failed because the caller cancelled is a
		// cancellation, not a failure.
		if err != nil && ctx.Err() != nil && !isStopped(err) && !isPreflight(err) {
			err = arerr.Wrap(err, "AR-CANCELLED", arerr.CatOperationStopped,
				"Run the import again to continue where it stopped; nothing is imported twice.", "The history import was cancelled")
			if res != nil {
				res.Outcome = OutcomeCancelled
			}
		}
	}()
	return run(ctx, src, dst, opts, rep)
}

func isPreflight(err error) bool {
	var ee *arerr.Error
	return errors.As(err, &ee) && len(ee.Code) >= 4 && ee.Code[:4] == "AR-E"
}

func run(ctx context.Context, src store.Source, dst store.HistoryDestination, opts Options, rep Reporter) (*Result, error) {
	started := time.Now()
	if rep == nil {
		rep = nopReporter{}
	}
	p, err := validate(ctx, src, dst, opts)
	if err != nil {
		return nil, err
	}
	if f := p.firstFailure(); f != nil {
		return nil, checkErr(*f)
	}
	sc, err := newSourceSchema(p.srcInfo, p.src)
	if err != nil {
		return nil, err
	}
	out, err := targetSchema()
	if err != nil {
		return nil, err
	}
	r := &runner{opts: opts, rep: rep, log: rep.Log(), src: src, dst: dst, plan: p, sc: sc, out: out, res: newResult()}
	if err := r.countSource(ctx); err != nil {
		return nil, err
	}
	r.describe()
	WarnIfLargeBatch(rep, opts.BatchSize, "records")

	var write writeFunc
	if opts.WhatIf {
		r.t0 = opts.now().UTC().Truncate(time.Millisecond)
		wi, err := newWhatIfSink(ctx, dst, p.dstInfo, p.dst)
		if err != nil {
			return nil, err
		}
		write = wi.write
	} else {
		if err := r.initialize(ctx); err != nil {
			return nil, err
		}
		if err := r.startRun(ctx); err != nil {
			return nil, err
		}
		r.hw = r.loadHighWater(ctx)
		r.applyHighWater(r.hw)
		write = dst.WriteHistoryBatch
	}
	r.res.CutoffUTC = r.t0
	r.sel = selection{all: opts.Mode() == ModeAll, upper: data.TimeValue(r.t0)}
	if opts.Mode() == ModeDateRange {
		from, to := opts.From.Time(), opts.To.Time().AddDate(0, 0, 1)
		r.res.RangeFromUTC, r.res.RangeToUTC = &from, &to
		r.sel.hasLower, r.sel.lower = true, data.TimeValue(from)
		if to.Before(r.t0) {
			r.sel.upper = data.TimeValue(to)
		}
	}

	var begin beginFunc
	if b, ok := dst.(store.HistoryBatchBeginner); ok && !opts.WhatIf {
		begin = b.BeginHistoryBatch
	}
	runErr := r.pipeline(ctx, write, begin)
	r.res.ElapsedSeconds = time.Since(started).Seconds()
	if r.res.ElapsedSeconds > 0 {
		r.res.RecordsPerSecond = float64(r.selRecs) / r.res.ElapsedSeconds
	}
	switch {
	case runErr == nil && opts.WhatIf:
		r.res.Outcome = OutcomeWhatIf
	case runErr == nil:
		r.res.Outcome = OutcomeSucceeded
	case isStopped(runErr):
		r.res.Outcome = OutcomeCancelled
	default:
		r.res.Outcome = OutcomeFailed
	}
	if !opts.WhatIf {
		if ferr := r.finishRun(ctx, runErr == nil); ferr != nil && runErr == nil {
			runErr = ferr
			r.res.Outcome = OutcomeFailed
		}
	}
	r.warnings(runErr == nil)
	rep.Progress(engine.Progress{Activity: Activity, Step: "Done", Percent: 100, Completed: true})
	r.log.Info().Str("outcome", r.res.Outcome).Int64("added", r.res.Added()).Int64("skipped", r.res.SkippedTotal()).
		Int("batches", r.res.Batches).Int("retries", r.res.Retries).Float64("elapsedSeconds", r.res.ElapsedSeconds).
		Float64("recordsPerSecond", r.res.RecordsPerSecond).Msg("history import finished")
	return r.res, runErr
}

type runner struct {
	opts Options
	rep  Reporter
	log  *zerolog.Logger
	src  store.Source
	dst  store.HistoryDestination
	plan *plan
	sc   *sourceSchema
	out  *outSchema
	res  *Result

	t0    time.Time
	runID int64
	sel   selection
	hw    highWater // the rows an earlier run read through (highwater.go)

	recCount, attrCount, taskCount, memCount int64
	recsDone, memsDone                       int64 // source rows of each pass written (progress)
	pendingTasks                             int64
	selRecs, selAttrs, selTasks, pendingSel  int64 // selected by the window (written, duplicate, conflict, failed or skipped)
	seq                                      int
	passStart                                time.Time
	pass                                     batchKind
}

func (r *runner) countSource(ctx context.Context) error {
	var err error
	count := func(table string) int64 {
		if err != nil || table == "" {
			return -1
		}
		var n int64
		n, err = r.src.Count(ctx, table)
		if err != nil {
			err = readErr(err, table)
		}
		return n
	}
	r.recCount = count(r.sc.recTable)
	r.attrCount = count(r.sc.attrTable)
	r.taskCount = count(r.sc.taskTable)
	r.memCount = count(r.sc.memTable)
	return err
}

func (r *runner) describe() {
	p, res := r.plan, r.res
	res.Source = Endpoint{Name: srcName(r.opts, p.srcInfo), Version: p.src.Version.String(), Role: string(p.src.Role), State: p.src.State.String()}
	res.Destination = Endpoint{Name: dstName(r.opts, p.dstInfo), Role: string(p.dst.Role), State: p.dst.State.String()}
	if p.dst.State != model.StateBlank {
		res.Destination.Version = p.dst.Version.String()
	}
	res.WhatIf, res.Mode, res.From, res.To = r.opts.WhatIf, r.opts.Mode(), r.opts.From, r.opts.To
	res.Entity(EntityChangeRecord).Source = r.recCount
	res.Entity(EntityChangeRecordAttribute).Source = r.attrCount
	res.Entity(EntityApprovalTask).Source = r.taskCount
	res.Entity(EntityTemporalMembership).Source = r.memCount
	if r.opts.SkipPrincipals {
		res.Principals = Principals{Reason: "not requested (" + arerr.Param("skipPrincipals") + ")"}
	} else {
		res.Principals = Principals{Reason: "this tool does not copy database users, logins and roles"}
		if r.opts.DestinationIsAzureSQL {
			res.Principals.Reason += "; " + azurePrincipalsAdvice
		}
	}
}

// initialize creates the G3 history schema in a blank destination.
func (r *runner) initialize(ctx context.Context) error {
	if r.plan.dst.State != model.StateBlank {
		return nil
	}
	tables, err := model.Tables(model.Target, model.RoleManagementHistory)
	if err != nil {
		return err
	}
	ddl, err := model.DDL(model.Target, model.RoleManagementHistory)
	if err != nil {
		return err
	}
	iid := r.opts.DestinationInstallationID
	if iid.IsZero() {
		iid = newGUID()
	}
	settings := map[string]string{
		model.SettingSchemaVersion:  model.Target.String(),
		model.SettingDatabaseRole:   string(model.RoleManagementHistory),
		model.SettingInstallationID: iid.String(),
	}
	if err := r.dst.Initialize(ctx, tables, ddl, settings); err != nil {
		return arerr.Wrap(err, "AR-DESTINATION-INIT", arerr.CatWriteError,
			"Check that the account may create tables in the destination (db_owner) and run the import again.",
			"Cannot initialise the blank destination %s as an 8.2 Management History database", r.res.Destination.Name)
	}
	r.log.Info().Str("installationId", iid.String()).Msg("initialised the blank destination as an 8.2 Management History database")
	r.res.DestinationInitialized = true
	r.res.Destination.Version = model.Target.String()
	r.res.Destination.Role = string(model.RoleManagementHistory)
	return nil
}

func newGUID() data.UUID {
	var u data.UUID
	_, _ = rand.Read(u[:])
	u[6] = (u[6] & 0x0f) | 0x40
	u[8] = (u[8] & 0x3f) | 0x80
	return u
}

func (r *runner) startRun(ctx context.Context) error {
	server, database := runNames(r.opts, r.plan.srcInfo)
	run := store.ImportRun{
		Kind: "History", SourceInstallationID: r.sc.iid, SourceVersion: r.sc.version.String(),
		SourceServer: server, SourceDatabase: database, Mode: r.opts.Mode(),
		StartedUTC: r.opts.now().UTC().Truncate(time.Millisecond),
	}
	if r.opts.Mode() == ModeDateRange {
		from, to := r.opts.From.Time(), r.opts.To.Time().AddDate(0, 0, 1)
		run.RangeFromUTC, run.RangeToUTC = &from, &to
	}
	id, now, err := r.dst.StartRun(ctx, run)
	if err != nil {
		return arerr.Wrap(err, "AR-DESTINATION-WRITE", arerr.CatWriteError,
			"Check the connection to the destination and its permissions (db_owner), then run the import again.",
			"Cannot record the import run in the destination %s", r.res.Destination.Name)
	}
	r.runID, r.t0 = id, now.UTC().Truncate(time.Millisecond)
	r.res.ImportRunID = id
	r.log.Info().Int64("importRunId", id).Time("cutoffUtc", r.t0).Str("mode", r.opts.Mode()).Msg("history import started")
	return nil
}

func (r *runner) finishRun(ctx context.Context, ok bool) error {
	outcome := "Succeeded"
	if !ok {
		outcome = "Failed"
	}
	t0 := r.t0
	fin := store.RunFinish{Outcome: outcome, FinishedUTC: r.opts.now().UTC().Truncate(time.Millisecond), CutoffUTC: &t0,
		AddedCount: r.res.Added(), SkippedCount: r.res.SkippedTotal(), ReportJSON: r.res.reportJSON()}
	// The run's row is closed even after a cancellation.
	if err := r.dst.FinishRun(context.WithoutCancel(ctx), r.runID, fin); err != nil {
		r.log.Error().Err(err).Int64("importRunId", r.runID).Msg("cannot close the ImportRun row")
		return arerr.Wrap(err, "AR-DESTINATION-WRITE", arerr.CatWriteError,
			"The imported batches are committed; run the import again to record a finished run.",
			"Cannot close import run %d in the destination", r.runID)
	}
	return nil
}

func (r *runner) warnings(ok bool) {
	res := r.res
	if mc := res.Entity(EntityTemporalMembership); mc.UnfinishedSkipped > 0 {
		mc.UnfinishedReason = unfinishedReason
		r.rep.Warn(model.W005UnfinishedMembershipsSkipped.ID, fmt.Sprintf(
			"%d unfinished temporal group membership(s) were not imported: %s. Import a date range that covers them to bring them over.",
			mc.UnfinishedSkipped, unfinishedReason))
	}
	if r.pendingTasks > 0 {
		r.rep.Warn(model.W001PendingApprovals.ID, fmt.Sprintf(
			"%d pending approval task(s) were selected; they are imported read-only, and 8.2 cannot act on them.", r.pendingTasks))
	}
	if res.ReportTruncated {
		r.rep.Warn("AR-REPORT-TRUNCATED", fmt.Sprintf("The run has %d report entries; ImportRun.Report keeps the first %d and the log has them all.", res.ReportEntries, MaxReportEntries))
	}
	if !r.opts.SkipPrincipals && ok {
		msg := "Database users, logins and roles were not copied to the destination; grant the 8.2 service account and your administrators access to it yourself."
		if r.opts.DestinationIsAzureSQL {
			msg += " " + azurePrincipalsAdvice
		}
		r.rep.Warn(WarnPrincipalsNotCopied, msg)
	}
}

// pipeline runs the producer in a goroutine and writes its batches here, in
// order. Two buffers circulate: one filling, one being written. A
// destination that takes the next batch while the previous one commits
// (store.HistoryBatchBeginner) holds two batches at a time, so four
// circulate: the producer stays a batch ahead.
func (r *runner) pipeline(ctx context.Context, write writeFunc, begin beginFunc) error {
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cv := &converter{sc: r.sc, o: r.out, runID: data.IntValue(r.runID), iid: r.sc.iid,
		recGUIDs:  model.NewGUIDDeriver(model.EntityChangeRecord, r.sc.iid),
		taskGUIDs: model.NewGUIDDeriver(model.EntityApprovalTask, r.sc.iid),
		memGUIDs:  model.NewGUIDDeriver(model.EntityTemporalMembership, r.sc.iid)}
	if r.opts.WhatIf {
		cv.runID = data.Value{}
	}
	prod := &producer{cv: cv, src: r.src, sel: r.sel, bs: r.opts.batchSize(), from: r.hw}
	buffers := 2
	if begin != nil {
		buffers = 4
	}
	free := make(chan *batchBuf, buffers)
	full := make(chan *batchBuf, buffers)
	for range buffers {
		free <- &batchBuf{}
	}
	perr := make(chan error, 1)
	go func() {
		defer close(full)
		perr <- prod.run(pctx, free, full)
	}()

	r.passStart, r.pass = time.Now(), recordsBatch
	var werr error
	var fl *inflight // the batch begun and not yet committed
	for bb := range full {
		if werr != nil {
			continue // drain what the producer still sends
		}
		if bb.kind != r.pass {
			if fl != nil {
				_, werr = r.commitInflight(ctx, write, &fl, free)
			}
			if werr != nil {
				cancel()
				continue
			}
			r.progress(r.recCount, r.recCount, true)
			r.passStart, r.pass = time.Now(), bb.kind
		}
		if begin != nil && bb.size() > 0 {
			werr = r.beginBatch(ctx, write, begin, &fl, bb, free)
		} else {
			r.assignSeq(bb)
			if werr = r.writeBatch(ctx, write, bb); werr == nil {
				free <- bb
			}
		}
		if werr == nil && ctx.Err() != nil {
			// Stop after the batches in flight.
			if fl != nil {
				_, werr = r.commitInflight(ctx, write, &fl, free)
			}
			if werr == nil {
				werr = r.stopped()
			}
		}
		if werr != nil {
			cancel()
		}
	}
	if werr == nil && fl != nil {
		_, werr = r.commitInflight(ctx, write, &fl, free)
	}
	pe := <-perr
	r.settle(prod)
	switch {
	case werr != nil:
		return werr
	case pe != nil && ctx.Err() != nil:
		return r.stopped()
	case pe != nil:
		var ee *arerr.Error
		if errors.As(pe, &ee) {
			return pe
		}
		return arerr.Wrap(pe, "AR-SOURCE-READ", arerr.CatReadError,
			"Check the source database and run the import again; it continues where it stopped.", "Reading the source failed")
	}
	r.progress(r.memsDone, r.memCount, true)
	if !r.opts.WhatIf {
		r.saveHighWater(ctx, prod)
	}
	return nil
}

// settle turns the producer's scan counts into the excluded counts.
func (r *runner) settle(p *producer) {
	res := r.res
	rc, ac, tc, mc := res.Entity(EntityChangeRecord), res.Entity(EntityChangeRecordAttribute), res.Entity(EntityApprovalTask), res.Entity(EntityTemporalMembership)
	if p.stoppedEarly || p.recScanned == r.recCount {
		// Everything not selected was excluded by the window.
		rc.Excluded = max(0, r.recCount-r.selRecs)
		if r.attrCount >= 0 {
			ac.Excluded = max(0, r.attrCount-r.selAttrs)
		}
		tc.Excluded = max(0, r.taskCount-r.selTasks)
	}
	if p.memScanned == r.memCount {
		mc.Excluded = p.memExcluded
		mc.UnfinishedSkipped = p.memUnfinished
	}
	r.pendingTasks = r.pendingSel
}

// stopped is the error of a cancelled run; it wraps context.Canceled so
// callers may test errors.Is(err, context.Canceled).
func (r *runner) stopped() error {
	e := arerr.Errorf("AR-CANCELLED", arerr.CatOperationStopped,
		"Run the import again to continue where it stopped; nothing is imported twice.",
		"The history import was cancelled after batch %d; the batches written so far are committed.", r.seq)
	e.Err = context.Canceled
	return e
}

func isStopped(err error) bool {
	var ee *arerr.Error
	return errors.As(err, &ee) && ee.Category == arerr.CatOperationStopped
}

// DefaultCancelGrace is how long a batch in flight may still run after Ctrl+C.
const DefaultCancelGrace = 15 * time.Second

// afterGrace returns a context that outlives ctx's cancellation by grace and
// then ends too; stop releases it.
func afterGrace(ctx context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	bctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var timer *time.Timer
	var mu sync.Mutex
	stopAfter := context.AfterFunc(ctx, func() {
		mu.Lock()
		timer = time.AfterFunc(grace, cancel)
		mu.Unlock()
	})
	return bctx, func() {
		stopAfter()
		mu.Lock()
		if timer != nil {
			timer.Stop()
		}
		mu.Unlock()
		cancel()
	}
}

// beginFunc begins a batch on a destination that commits it later
// (store.HistoryBatchBeginner).
type beginFunc func(ctx context.Context, b *store.HistoryBatch) (func() (*store.HistoryBatchResult, error), error)

// inflight is a batch begun and not yet committed.
type inflight struct {
	bb     *batchBuf
	commit func() (*store.HistoryBatchResult, error)
	began  time.Time
}

// assignSeq numbers a batch that has rows to write.
func (r *runner) assignSeq(bb *batchBuf) {
	if bb.size() > 0 {
		r.seq++
		bb.b.Seq = r.seq
	}
}

// beginBatch begins bb and then commits the batch begun before it, so that
// bb is classified while that one's frames are still compressing. When
// either fails, the destination has discarded every batch not yet
// committed, and they are written again one at a time, under the retry
// policy, as without a pipeline.
func (r *runner) beginBatch(ctx context.Context, write writeFunc, begin beginFunc, fl **inflight, bb *batchBuf, free chan<- *batchBuf) error {
	r.assignSeq(bb)
	began := time.Now()
	bctx, stop := afterGrace(ctx, r.opts.cancelGrace())
	commit, err := begin(bctx, &bb.b)
	stop()
	if err != nil {
		r.log.Warn().Err(err).Int("batch", bb.b.Seq).Msg("batch failed; the batches not yet committed are written again one at a time")
		if prev := *fl; prev != nil {
			if _, err := r.commitInflight(ctx, write, fl, free); err != nil {
				r.seq = prev.bb.b.Seq
				return err
			}
		}
		if err := r.again(ctx, write, bb, err); err != nil {
			return err
		}
		free <- bb
		return nil
	}
	next := &inflight{bb: bb, commit: commit, began: began}
	if *fl != nil {
		prev := (*fl).bb
		again, err := r.commitInflight(ctx, write, fl, free)
		if err != nil {
			// bb was discarded with it and is not written.
			r.seq = prev.b.Seq
			return err
		}
		if again {
			// Its failure discarded bb: written now, the pipeline starts
			// afresh with the next batch.
			*fl = next
			_, err := r.commitInflight(ctx, write, fl, free)
			return err
		}
	}
	*fl = next
	return nil
}

// commitInflight commits the batch in flight and accounts for it; one the
// destination did not commit is written again on its own (again reports
// that).
func (r *runner) commitInflight(ctx context.Context, write writeFunc, fl **inflight, free chan<- *batchBuf) (again bool, err error) {
	f := *fl
	*fl = nil
	out, err := f.commit()
	if err != nil {
		r.log.Warn().Err(err).Int("batch", f.bb.b.Seq).Msg("batch not committed; it is written again on its own")
		if err := r.again(ctx, write, f.bb, err); err != nil {
			return true, err
		}
		free <- f.bb
		return true, nil
	}
	r.selected(f.bb)
	r.committed(f.bb, out, 1, f.began)
	free <- f.bb
	return false, nil
}

// again writes on its own a batch the pipeline did not commit: err says
// why. A batch that ran out of disk space is not tried again; one that
// failed counts a retry; one discarded with it is simply written.
func (r *runner) again(ctx context.Context, write writeFunc, bb *batchBuf, err error) error {
	if !errors.Is(err, store.ErrBatchDiscarded) {
		if _, full := arerr.AsDiskFull(err, "", ""); full {
			r.selected(bb)
			return r.failed(bb, err, 1)
		}
		r.res.Retries++
	}
	return r.writeBatch(ctx, write, bb)
}

// selected counts a batch's rows as selected (an empty batch counts its
// skipped rows).
func (r *runner) selected(bb *batchBuf) {
	rc, tc := r.res.Entity(EntityChangeRecord), r.res.Entity(EntityApprovalTask)
	rc.Skipped += bb.tooLongRecords
	tc.Skipped += bb.tooLongTasks
	r.selRecs += int64(len(bb.b.Records)) + bb.tooLongRecords
	r.selAttrs += int64(bb.nAttrs)
	r.selTasks += int64(bb.nTasks) + bb.tooLongTasks
	r.pendingSel += bb.pendingTasks
}

// writeBatch writes one batch (numbered by assignSeq) under the guide's
// retry policy and accounts for it.
func (r *runner) writeBatch(ctx context.Context, write writeFunc, bb *batchBuf) error {
	res := r.res
	// Records the converter skipped count even when the batch is empty.
	r.selected(bb)
	if bb.size() == 0 {
		r.addNotes(bb)
		return nil
	}
	began := time.Now()
	var out *store.HistoryBatchResult
	attempts, err := retry.Do(ctx, retryPolicy, func(actx context.Context, attempt int) error {
		// The batch in flight finishes even when the run is cancelled
		// (the guide: the wizard stops after the current step), but only
		// for a grace period: a batch waiting on a lock is then cancelled and
		// rolled back rather than holding Ctrl+C for the command timeout.
		bctx, stop := afterGrace(actx, r.opts.cancelGrace())
		o, err := write(bctx, &bb.b)
		stop()
		if err != nil {
			r.log.Warn().Err(err).Int("batch", bb.b.Seq).Int("attempt", attempt).Bool("transient", retry.IsTransient(err)).Msg("batch failed")
			if _, full := arerr.AsDiskFull(err, "", ""); full {
				return retry.Permanent(err) // another attempt only fills the disk again
			}
			return err
		}
		out = o
		return nil
	})
	if attempts > 1 {
		res.Retries += attempts - 1
	}
	if err != nil {
		if attempts == 0 || (ctx.Err() != nil && out == nil && errors.Is(err, ctx.Err())) {
			r.seq = bb.b.Seq - 1
			return r.stopped()
		}
		return r.failed(bb, err, attempts)
	}
	r.committed(bb, out, attempts, began)
	return nil
}

// failed accounts for a batch that could not be written and returns the
// run's error.
func (r *runner) failed(bb *batchBuf, err error, attempts int) error {
	res := r.res
	rc, ac, tc, mc := res.Entity(EntityChangeRecord), res.Entity(EntityChangeRecordAttribute), res.Entity(EntityApprovalTask), res.Entity(EntityTemporalMembership)
	if bb.kind == membershipsBatch {
		mc.Failed += int64(len(bb.b.Memberships))
	} else {
		rc.Failed += int64(len(bb.b.Records))
		ac.Failed += int64(bb.nAttrs)
		tc.Failed += int64(bb.nTasks)
	}
	if e, full := arerr.AsDiskFull(err, fmt.Sprintf("Batch %d (%s)", bb.b.Seq, r.describeBatch(bb)),
		fmt.Sprintf("Free space on that volume (or import into a destination on a larger one) and run the import again: batches 1 to %d are committed, and it continues after them, adding nothing twice.", bb.b.Seq-1)); full {
		return e
	}
	cat := arerr.CatWriteError
	if retry.IsTransient(err) {
		cat = arerr.CatConnectionError
	}
	return arerr.Wrap(err, "AR-BATCH-FAILED", cat,
		"Check the log and the destination database, then run the import again: it continues where it stopped and adds nothing twice.",
		"Batch %d (%s) could not be written after %d attempt(s); batches 1 to %d are committed", bb.b.Seq, r.describeBatch(bb), attempts, bb.b.Seq-1)
}

// committed accounts for a committed batch, logs it and reports progress.
func (r *runner) committed(bb *batchBuf, out *store.HistoryBatchResult, attempts int, began time.Time) {
	r.res.Batches++
	r.account(bb, out)
	r.addNotes(bb)
	r.log.Info().Int("batch", bb.b.Seq).Str("kind", map[batchKind]string{recordsBatch: "records", membershipsBatch: "memberships"}[bb.kind]).
		Int64("firstId", bb.firstID).Int64("lastId", bb.lastID).Str("firstTimeUtc", fmtTime(bb.firstT)).Str("lastTimeUtc", fmtTime(bb.lastT)).
		Int("records", len(bb.b.Records)).Int("attributes", bb.nAttrs).Int("tasks", bb.nTasks).Int("memberships", len(bb.b.Memberships)).
		Int("added", out.RecordsAdded+out.TasksAdded+out.MembershipsAdded+out.AttributesAdded).
		Int("duplicates", out.RecordsDuplicate+out.TasksDuplicate+out.MembershipsDuplicate).
		Dur("duration", time.Since(began)).Int("attempts", attempts).Msg("batch committed")
	if bb.kind == membershipsBatch {
		r.memsDone = bb.scanned
		r.progress(r.memsDone, r.memCount, false)
	} else {
		r.recsDone = bb.scanned
		r.progress(r.recsDone, r.recCount, false)
	}
}

func (r *runner) describeBatch(bb *batchBuf) string {
	what := "source records"
	if bb.kind == membershipsBatch {
		what = "source temporal memberships"
	}
	return fmt.Sprintf("%s %d to %d, %s to %s UTC", what, bb.firstID, bb.lastID, fmtTime(bb.firstT), fmtTime(bb.lastT))
}

func fmtTime(v data.Value) string {
	if v.Kind != data.Time {
		return "?"
	}
	return v.AsTime().Format("2006-01-02T15:04:05.000Z")
}

// account adds a written batch's outcome to the result.
func (r *runner) account(bb *batchBuf, out *store.HistoryBatchResult) {
	res := r.res
	rc, ac, tc, mc := res.Entity(EntityChangeRecord), res.Entity(EntityChangeRecordAttribute), res.Entity(EntityApprovalTask), res.Entity(EntityTemporalMembership)
	rc.Imported += int64(out.RecordsAdded)
	rc.AlreadyPresent += int64(out.RecordsDuplicate)
	tc.Imported += int64(out.TasksAdded)
	tc.AlreadyPresent += int64(out.TasksDuplicate)
	mc.Imported += int64(out.MembershipsAdded)
	mc.AlreadyPresent += int64(out.MembershipsDuplicate)
	ac.Imported += int64(out.AttributesAdded)
	conflictAttrs := 0
	if len(out.Conflicts) > 0 {
		o := r.out
		for table, guids := range out.Conflicts {
			set := make(map[data.UUID]bool, len(guids))
			for _, g := range guids {
				set[g] = true
			}
			switch table {
			case EntityChangeRecord:
				rc.Conflicts += int64(len(guids))
				for _, hr := range bb.b.Records {
					if g := hr.Record[o.r.guid].AsGUID(); set[g] {
						conflictAttrs += len(hr.Attributes)
						r.report(conflictEntry(table, g, hr.Record[o.r.oiid], hr.Record[o.r.oid]))
					}
				}
			case EntityApprovalTask:
				tc.Conflicts += int64(len(guids))
				for _, hr := range bb.b.Records {
					for _, t := range hr.Tasks {
						if g := t[o.t.guid].AsGUID(); set[g] {
							r.report(conflictEntry(table, g, t[o.t.oiid], t[o.t.oid]))
						}
					}
				}
			case EntityTemporalMembership:
				mc.Conflicts += int64(len(guids))
				for _, m := range bb.b.Memberships {
					if g := m[o.m.guid].AsGUID(); set[g] {
						r.report(conflictEntry(table, g, m[o.m.oiid], m[o.m.oid]))
					}
				}
			}
		}
	}
	ac.AlreadyPresent += int64(max(0, bb.nAttrs-out.AttributesAdded-conflictAttrs))
	ac.Conflicts += int64(conflictAttrs)
}

func conflictEntry(table string, g data.UUID, oiid, oid data.Value) ReportEntry {
	return ReportEntry{Entity: table, Key: g.String(), Reason: model.ReasonConflict,
		Detail: fmt.Sprintf("natural key (%s, %d) is already in the destination under another GUID; skipped", oiid.AsGUID(), oid.Int)}
}

func (r *runner) addNotes(bb *batchBuf) {
	for _, n := range bb.notes {
		r.report(n)
	}
}

// report adds an ImportRun.Report entry and logs it (the log keeps every
// entry, also beyond the report's cap).
func (r *runner) report(e ReportEntry) {
	r.res.addReport(e)
	r.log.Info().Str("entity", e.Entity).Str("key", e.Key).Str("reason", e.Reason).Str("detail", e.Detail).Msg("report entry")
}

func (r *runner) progress(rows, total int64, completed bool) {
	step := EntityChangeRecord
	if r.pass == membershipsBatch {
		step = EntityTemporalMembership
	}
	p := engine.Progress{Activity: Activity, Step: step, Rows: rows, Total: total, Percent: -1}
	if total > 0 {
		p.Percent = min(100, 100*float64(rows)/float64(total))
	}
	if el := time.Since(r.passStart).Seconds(); el > 0 && rows > 0 {
		p.RowsPerSecond = float64(rows) / el
		if total > rows {
			p.EtaSeconds = float64(total-rows) / p.RowsPerSecond
		}
	}
	if completed {
		p.Percent, p.EtaSeconds = 100, 0
	}
	r.rep.Progress(p)
}

type nopReporter struct{}

var nopLogger = zerolog.Nop()

func (nopReporter) Progress(engine.Progress) {}
func (nopReporter) Warn(string, string)      {}
func (nopReporter) Log() *zerolog.Logger     { return &nopLogger }
