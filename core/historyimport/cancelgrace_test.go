package historyimport

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/store"
)

// Ctrl+C while a batch waits on a lock: the batch gets a grace period, then
// its statements are cancelled and it is rolled back, and the run ends as
// cancelled without retrying it; a batch that finishes within the grace is
// committed and counted.
func TestCancelGrace(t *testing.T) {
	s := source(t, "8.1", "history", 500, false)
	tests := []struct {
		name        string
		blocks      bool // the third batch never finishes on its own
		wantBatches int
	}{
		{"stuck batch is cancelled after the grace", true, 2},
		{"batch finishing within the grace is kept", false, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dst := filepath.Join(t.TempDir(), "mh.arbundle")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var stuckCalls int
			sawCancel := make(chan struct{}, 1)
			res, err := importCtx(ctx, t, s.path, dst, Options{BatchSize: 100, CancelGrace: 200 * time.Millisecond},
				func(d store.HistoryDestination) store.HistoryDestination {
					return &stuckDest{HistoryDestination: d, onThird: func(bctx context.Context) error {
						stuckCalls++
						cancel() // Ctrl+C arrives while batch 3 is in flight
						if !tc.blocks {
							time.Sleep(20 * time.Millisecond)
							if bctx.Err() != nil {
								return errors.New("the batch was cancelled inside its grace period")
							}
							return nil
						}
						<-bctx.Done() // waits on a lock until its statements are cancelled
						sawCancel <- struct{}{}
						return bctx.Err()
					}}
				}, nil)
			var ee *arerr.Error
			if !errors.As(err, &ee) || ee.Category != arerr.CatOperationStopped || ee.Exit != arerr.ExitCancelled {
				t.Fatalf("err = %v, want a cancelled run", err)
			}
			if res.Batches != tc.wantBatches || stuckCalls != 1 {
				t.Fatalf("batches %d (want %d), batch 3 written %d times (want once, no retry)", res.Batches, tc.wantBatches, stuckCalls)
			}
			if tc.blocks {
				select {
				case <-sawCancel:
				default:
					t.Fatal("the stuck batch's context was never cancelled")
				}
			}
			if _, err := importInto(t, s.path, dst, Options{BatchSize: 100}, nil); err != nil {
				t.Fatalf("re-run: %v", err)
			}
		})
	}
}

// stuckDest runs onThird with the batch's own context before writing batch 3.
type stuckDest struct {
	store.HistoryDestination
	onThird func(ctx context.Context) error
}

func (d *stuckDest) WriteHistoryBatch(ctx context.Context, b *store.HistoryBatch) (*store.HistoryBatchResult, error) {
	if b.Seq == 3 {
		if err := d.onThird(ctx); err != nil {
			return nil, err
		}
	}
	return d.HistoryDestination.WriteHistoryBatch(ctx, b)
}
