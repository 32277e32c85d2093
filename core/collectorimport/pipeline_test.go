package collectorimport

import (
	"context"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/historyimport"
	"github.com/activeroles/arupgrade/core/retry"
	"github.com/activeroles/arupgrade/core/store"
)

// faultDest is a bundle destination that cancels the run once batch
// cancelAt is written, or fails batch failAt (a permanent error).
type faultDest struct {
	*bundle.HistoryDest
	cancel           context.CancelFunc
	cancelAt, failAt int
	writes           atomic.Int32  // batches given to WriteHistoryBatch
	written          chan struct{} // a token per batch written
}

func (d *faultDest) WriteHistoryBatch(ctx context.Context, b *store.HistoryBatch) (*store.HistoryBatchResult, error) {
	n := int(d.writes.Add(1))
	if n == d.failAt {
		return nil, retry.Permanent(errors.New("injected write failure"))
	}
	r, err := d.HistoryDest.WriteHistoryBatch(ctx, b)
	if n == d.cancelAt {
		d.cancel()
	}
	if err == nil {
		d.written <- struct{}{}
	}
	return r, err
}

// testSource reads CollectedEvent through testRows: the read fails after
// failAfter rows, or blocks at row blockAt until the scan's context ends
// (as a SQL Server read waits for the server), having called cancel first
// if it is set; each 0 for never.
type testSource struct {
	*bundle.Bundle
	failAfter, blockAt int
	cancel             context.CancelFunc
	rows               *testRows
}

func (s *testSource) Scan(ctx context.Context, table string) (store.Rows, error) {
	rs, err := s.Bundle.Scan(ctx, table)
	if err != nil || table != "CollectedEvent" {
		return rs, err
	}
	s.rows = &testRows{Rows: rs, ctx: ctx, failAfter: s.failAfter, blockAt: s.blockAt, cancel: s.cancel}
	return s.rows, nil
}

// testRows records a Close while Next runs, or a Next after Close: the
// reading goroutine outliving the import.
type testRows struct {
	store.Rows
	ctx                context.Context
	failAfter, blockAt int
	cancel             context.CancelFunc
	n                  int
	inNext, closed     atomic.Bool
	misuse             atomic.Value // string
	err                error
}

func (r *testRows) Next() bool {
	r.inNext.Store(true)
	defer r.inNext.Store(false)
	if r.closed.Load() {
		r.misuse.Store("Next after Close")
	}
	r.n++
	switch {
	case r.n == r.failAfter+1 && r.failAfter > 0:
		r.err = errors.New("injected read failure")
		return false
	case r.n == r.blockAt:
		if r.cancel != nil {
			r.cancel()
		}
		<-r.ctx.Done()
		r.err = r.ctx.Err()
		return false
	}
	return r.Rows.Next()
}

func (r *testRows) Err() error {
	if r.err != nil {
		return r.err
	}
	return r.Rows.Err()
}

func (r *testRows) Close() error {
	if r.inNext.Load() {
		r.misuse.Store("Close while Next runs")
	}
	r.closed.Store(true)
	return r.Rows.Close()
}

// While batch N+1 is read and converted, batch N is written. Whatever
// stops the writer (Ctrl+C, a failed batch, a failed read) leaves exactly
// the batches before it committed, stops the reading goroutine before Run
// returns, and a re-run adds the rest once.
func TestPipelineStops(t *testing.T) {
	const total, batch = 1000, 100
	cases := []struct {
		name        string
		cancelAt    int
		failAt      int
		failAfter   int    // source rows read before the read fails (0: never)
		blockAt     int    // the source row whose read waits for the end of the run (0: none)
		readCancels bool   // and cancels the run first: Ctrl+C while the writer waits for a batch
		code        string // the error's code
		wantBatches int
	}{
		// The reader is waiting in the middle of batch 4 when the run stops.
		{name: "cancelled during batch 3", cancelAt: 3, blockAt: 350, code: "AR-CANCELLED", wantBatches: 3},
		{name: "cancelled during batch 3, reader waiting for a free batch", cancelAt: 3, code: "AR-CANCELLED", wantBatches: 3},
		{name: "cancelled while batch 3 is read", blockAt: 250, readCancels: true, code: "AR-CANCELLED", wantBatches: 2},
		// Everything is in, but the run still says it was stopped.
		{name: "cancelled during the last full batch", cancelAt: 10, code: "AR-CANCELLED", wantBatches: 10},
		{name: "batch 4 fails", failAt: 4, code: "AR-BATCH-FAILED", wantBatches: 3},
		{name: "the read fails in batch 4", failAfter: 350, code: "AR-SOURCE-READ", wantBatches: 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			srcPath, _ := sample(t, "8.1", "collector", total, false)
			dst := filepath.Join(t.TempDir(), "dst.arbundle")
			b, err := bundle.Open(srcPath)
			if err != nil {
				t.Fatal(err)
			}
			src := &testSource{Bundle: b, failAfter: tc.failAfter, blockAt: tc.blockAt}
			d, err := bundle.OpenHistoryDestination(dst)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			fd := &faultDest{HistoryDest: d, cancel: cancel, cancelAt: tc.cancelAt, failAt: tc.failAt, written: make(chan struct{}, total/batch)}
			if tc.readCancels {
				// Cancel once the batches before the one being read are
				// written: a batch taken but not yet begun is not written.
				src.cancel = func() {
					for range tc.wantBatches {
						<-fd.written
					}
					cancel()
				}
			}
			res, err := Run(ctx, src, fd, Options{BatchSize: batch}, nil)
			if ee := (*arerr.Error)(nil); !errors.As(err, &ee) || ee.Code != tc.code {
				t.Fatalf("Run: %v, want %s", err, tc.code)
			}
			if res == nil || res.Batches != tc.wantBatches || res.Added != int64(tc.wantBatches*batch) {
				t.Fatalf("result %+v, want %d batches and %d added", res, tc.wantBatches, tc.wantBatches*batch)
			}
			if want := tc.wantBatches + min(tc.failAt, 1); int(fd.writes.Load()) != want {
				t.Errorf("%d writes, want %d: a batch was written after the stop", fd.writes.Load(), want)
			}
			if m := src.rows.misuse.Load(); m != nil {
				t.Errorf("the source's rows: %s", m)
			}
			if tc.code == "AR-CANCELLED" && res.Outcome != historyimport.OutcomeCancelled {
				t.Errorf("outcome %q, want %q", res.Outcome, historyimport.OutcomeCancelled)
			}
			if err := d.Close(); err != nil {
				t.Fatal(err)
			}
			if err := b.Close(); err != nil {
				t.Fatal(err)
			}
			if n := len(events(t, dst)); n != tc.wantBatches*batch {
				t.Fatalf("%d events in the destination, want %d", n, tc.wantBatches*batch)
			}
			again, err := importInto(t, srcPath, dst, Options{BatchSize: batch})
			if err != nil {
				t.Fatal(err)
			}
			if again.Added != int64(total-tc.wantBatches*batch) || again.Duplicates != int64(tc.wantBatches*batch) {
				t.Errorf("re-run added %d, duplicates %d", again.Added, again.Duplicates)
			}
			if n := len(events(t, dst)); n != total {
				t.Fatalf("%d events after the re-run, want %d", n, total)
			}
		})
	}
}
