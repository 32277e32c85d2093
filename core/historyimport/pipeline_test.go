package historyimport

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/store"
)

// faultyBeginner is faultyDest on the pipelined path: the next batch is
// begun before the previous one commits (store.HistoryBatchBeginner).
// failBegin and failCommit fail a batch's begin or commit (call counts from
// 1); after runs once a batch committed.
type faultyBeginner struct {
	store.HistoryDestination
	b          store.HistoryBatchBeginner
	mu         sync.Mutex
	begins     map[int]int
	commits    map[int]int
	written    map[int]int // WriteHistoryBatch calls (batches written on their own)
	failBegin  func(seq, call int) error
	failCommit func(seq, call int) error
	after      func(seq int)
}

func pipelined(wrap func(*faultyBeginner)) func(store.HistoryDestination) store.HistoryDestination {
	return func(d store.HistoryDestination) store.HistoryDestination {
		f := &faultyBeginner{HistoryDestination: d, b: d.(store.HistoryBatchBeginner),
			begins: map[int]int{}, commits: map[int]int{}, written: map[int]int{}}
		wrap(f)
		return f
	}
}

func (f *faultyBeginner) count(m map[int]int, seq int) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	m[seq]++
	return m[seq]
}

func (f *faultyBeginner) BeginHistoryBatch(ctx context.Context, b *store.HistoryBatch) (func() (*store.HistoryBatchResult, error), error) {
	seq := b.Seq
	if n := f.count(f.begins, seq); f.failBegin != nil {
		if err := f.failBegin(seq, n); err != nil {
			// As a real failure does, it discards every batch not yet committed.
			dead, cancel := context.WithCancel(ctx)
			cancel()
			if _, derr := f.b.BeginHistoryBatch(dead, b); derr == nil {
				return nil, errors.New("test: a begin with a cancelled context succeeded")
			}
			return nil, err
		}
	}
	commit, err := f.b.BeginHistoryBatch(ctx, b)
	if err != nil {
		return nil, err
	}
	return func() (*store.HistoryBatchResult, error) {
		if n := f.count(f.commits, seq); f.failCommit != nil {
			if err := f.failCommit(seq, n); err != nil {
				return nil, err
			}
		}
		res, err := commit()
		if err == nil && f.after != nil {
			f.after(seq)
		}
		return res, err
	}, nil
}

func (f *faultyBeginner) WriteHistoryBatch(ctx context.Context, b *store.HistoryBatch) (*store.HistoryBatchResult, error) {
	f.count(f.written, b.Seq)
	res, err := f.HistoryDestination.WriteHistoryBatch(ctx, b)
	if err == nil && f.after != nil {
		f.after(b.Seq)
	}
	return res, err
}

// A batch the pipeline could not commit, and the one begun after it, are
// written again on their own: the import ends with every row exactly once.
func TestPipelineFailureWritesAgain(t *testing.T) {
	s := source(t, "7.6", "history", 1000, false)
	want := baseline(t, s)
	once := func(at int) func(seq, call int) error {
		return func(seq, call int) error {
			if seq == at && call == 1 {
				return transientErr{}
			}
			return nil
		}
	}
	cases := []struct {
		name    string
		wrap    func(*faultyBeginner)
		written []int // batches written on their own
	}{
		{"commit of batch 2 fails once", func(f *faultyBeginner) { f.failCommit = once(2) }, []int{2, 3}},
		{"begin of batch 3 fails once", func(f *faultyBeginner) { f.failBegin = once(3) }, []int{2, 3}},
		{"begin of batch 1 fails once", func(f *faultyBeginner) { f.failBegin = once(1) }, []int{1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dst := filepath.Join(t.TempDir(), "mh.arbundle")
			var fb *faultyBeginner
			res, err := importInto(t, s.path, dst, Options{BatchSize: 100}, pipelined(func(f *faultyBeginner) { fb = f; c.wrap(f) }))
			if err != nil {
				t.Fatal(err)
			}
			// Ten batches of records and one of memberships.
			if res.Retries != 1 || res.Batches != 11 || res.Entity(EntityChangeRecord).Imported != 1000 {
				t.Fatalf("retries %d, batches %d, imported %d; want 1, 11, 1000", res.Retries, res.Batches, res.Entity(EntityChangeRecord).Imported)
			}
			if len(fb.begins) != 11 {
				t.Fatalf("batches begun: %v, want all 11", fb.begins)
			}
			for _, seq := range c.written {
				if fb.written[seq] != 1 {
					t.Errorf("batch %d written on its own %d times, want 1 (%v)", seq, fb.written[seq], fb.written)
				}
			}
			if len(fb.written) != len(c.written) {
				t.Errorf("written on their own: %v, want %v", fb.written, c.written)
			}
			sameContent(t, content(t, dst), want)
		})
	}
}

// A batch that keeps failing stops the import with that batch's error;
// the batches before it are committed and a re-run completes the import.
func TestPipelineBatchFails(t *testing.T) {
	s := source(t, "7.6", "history", 1000, false)
	want := baseline(t, s)
	dst := filepath.Join(t.TempDir(), "mh.arbundle")
	res, err := importInto(t, s.path, dst, Options{BatchSize: 100}, pipelined(func(f *faultyBeginner) {
		f.failCommit = func(seq, _ int) error {
			if seq == 2 {
				return errPermanent
			}
			return nil
		}
		f.HistoryDestination = &faultyDest{HistoryDestination: f.HistoryDestination, fail: func(seq, _ int) error {
			if seq == 2 {
				return errPermanent
			}
			return nil
		}}
	}))
	var ee *arerr.Error
	if !errors.As(err, &ee) || !strings.Contains(ee.Message, "Batch 2 (source records") || !strings.Contains(ee.Message, "batches 1 to 1 are committed") {
		t.Fatalf("err = %v", err)
	}
	if res.Outcome != OutcomeFailed || res.Batches != 1 || res.Entity(EntityChangeRecord).Imported != 100 || res.Entity(EntityChangeRecord).Failed != 100 {
		t.Fatalf("outcome %s, batches %d, result %+v", res.Outcome, res.Batches, res.Entities)
	}
	if got := content(t, dst); len(got) >= len(want) {
		t.Fatalf("the failed run wrote %d rows of %d", len(got), len(want))
	}
	if _, err := importInto(t, s.path, dst, Options{BatchSize: 100}, nil); err != nil {
		t.Fatal(err)
	}
	sameContent(t, content(t, dst), want)
}
