package bundle

import (
	"context"
	"fmt"
	"slices"

	"github.com/activeroles/arupgrade/core/store"
)

// begunBatch is a batch whose rows are encoded and whose frames are being
// compressed, not yet committed.
type begunBatch struct {
	seq    int
	jobs   int     // its data frames: the first in the sink's queue once the batches before it are committed
	counts []int64 // the tables' row counts with it
	res    *store.HistoryBatchResult
	done   bool
	err    error
}

var _ store.HistoryBatchBeginner = (*HistoryDest)(nil)

// BeginHistoryBatch classifies and encodes a batch, starts compressing its
// frames and returns the function that commits it (store.HistoryBatchBeginner).
// The next batch may be begun before that: it is classified while this one
// compresses, which the commit would otherwise wait for with a core idle.
// Batches commit in the order they were begun; a failure discards every
// batch not yet committed, their keys included, and their commit functions
// return ErrBatchDiscarded.
func (d *HistoryDest) BeginHistoryBatch(ctx context.Context, b *store.HistoryBatch) (func() (*store.HistoryBatchResult, error), error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	fail := func(err error) error {
		return d.discard(fmt.Errorf("write history batch %d: %w", b.Seq, err), nil)
	}
	if err := ctx.Err(); err != nil {
		return nil, fail(err)
	}
	if err := d.journal(ctx); err != nil {
		return nil, fail(diskFull(d.path, err))
	}
	if len(d.begun) > 0 && d.kx.fresh >= d.kx.foldAt {
		// The key index may cover committed batches only.
		if err := d.commitBegun(len(d.begun)); err != nil {
			return nil, err
		}
	}
	if len(d.begun) == 0 {
		d.beginSnap, d.beginOpen = d.snapshot(), true
	}
	if err := d.lookupBatch(ctx, b); err != nil {
		return nil, fail(err)
	}
	res, pend, err := d.writeBatch(ctx, b)
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		err = d.s.flushAll() // its frames start compressing
	}
	if err == nil {
		d.beganKeys = true // even a failed apply may have added some
		err = d.applyKeys(pend)
	}
	if err != nil {
		return nil, fail(diskFull(d.path, err))
	}
	p := &begunBatch{seq: b.Seq, jobs: len(d.s.queued), res: res, counts: make([]int64, len(d.s.st))}
	for _, q := range d.begun {
		p.jobs -= q.jobs
	}
	for i := range d.s.st {
		p.counts[i] = d.s.st[i].count
	}
	d.begun = append(d.begun, p)
	return func() (*store.HistoryBatchResult, error) {
		d.mu.Lock()
		defer d.mu.Unlock()
		if !p.done {
			i := slices.Index(d.begun, p)
			if i < 0 {
				return nil, fmt.Errorf("write history batch %d: %w", p.seq, store.ErrBatchDiscarded)
			}
			_ = d.commitBegun(i + 1) // p.err says how it went
		}
		return p.res, p.err
	}, nil
}

// commitBegun commits the first n begun batches in order: their frames,
// then a commit frame each. A failure discards every batch not yet
// committed.
func (d *HistoryDest) commitBegun(n int) error {
	for range n {
		p := d.begun[0]
		err := d.s.writeQueuedN(p.jobs)
		if err == nil {
			sums := d.s.summaries()
			for i := range sums {
				sums[i].Count = p.counts[i]
			}
			err = d.s.commitFrame("batch", sums)
		}
		if err == nil {
			err = d.publish(p.counts)
		}
		if err != nil {
			return d.discard(fmt.Errorf("write history batch %d: %w", p.seq, diskFull(d.path, err)), p)
		}
		p.done = true
		d.begun = d.begun[1:]
		d.beginSnap = d.snapshot()
		for i := range d.beginSnap.st {
			d.beginSnap.st[i].count = p.counts[i]
		}
	}
	if len(d.begun) == 0 {
		d.beginOpen, d.beganKeys = false, false
		if d.kx != nil && d.kx.fresh >= d.kx.foldAt {
			d.foldKeys()
		}
	}
	return nil
}

// discard rolls the journal back to the last committed batch and forgets
// the keys of the batches begun since. failed, the begun batch whose commit
// failed, reports err; the others report store.ErrBatchDiscarded. It returns err.
func (d *HistoryDest) discard(err error, failed *begunBatch) error {
	if d.beginOpen && d.s != nil && d.broken == nil {
		d.rollback(d.beginSnap)
	}
	for _, p := range d.begun {
		p.done, p.res, p.err = true, nil, err
		if p != failed {
			p.err = fmt.Errorf("write history batch %d: %w", p.seq, store.ErrBatchDiscarded)
		}
	}
	d.begun, d.beginOpen = nil, false
	if d.beganKeys {
		d.dropKeys()
		d.beganKeys = false
	}
	return err
}

// discardBegun discards the batches begun and not committed (a call that
// writes on its own, such as WriteHistoryBatch or FinishRun, comes first).
func (d *HistoryDest) discardBegun() {
	if d.beginOpen || d.beganKeys {
		_ = d.discard(store.ErrBatchDiscarded, nil)
	}
}
