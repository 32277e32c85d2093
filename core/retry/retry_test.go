package retry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

type transientErr struct{ t bool }

func (e transientErr) Error() string   { return fmt.Sprintf("transient=%v", e.t) }
func (e transientErr) Transient() bool { return e.t }

type fixedBackOff struct{ d time.Duration }

func (f fixedBackOff) NextBackOff() time.Duration { return f.d }

// testPolicy is Guide with a recorded, instant sleep.
func testPolicy(slept *[]time.Duration) Policy {
	p := Guide
	p.NewBackOff = func() BackOff { return fixedBackOff{time.Millisecond} }
	return p.WithSleep(func(ctx context.Context, d time.Duration) error {
		*slept = append(*slept, d)
		return ctx.Err()
	})
}

func TestDoCounts(t *testing.T) {
	timeout := &net.OpError{Op: "read", Err: syscall.ECONNRESET}
	tests := []struct {
		name         string
		errs         []error // error of attempt i; nil = success; past the end = the last one again
		wantAttempts int
		wantErr      bool
	}{
		{"success first", []error{nil}, 1, false},
		{"transient then success", []error{transientErr{true}, nil}, 2, false},
		{"transient gives up after 3 retries", []error{transientErr{true}}, 4, true},
		{"network error gives up after 3 retries", []error{timeout}, 4, true},
		{"EOF counts as network", []error{io.ErrUnexpectedEOF}, 4, true},
		{"other error retried once", []error{errors.New("boom")}, 2, true},
		{"other then success", []error{errors.New("boom"), nil}, 2, false},
		{"transient says false overrides", []error{transientErr{false}}, 2, true},
		{"permanent not retried", []error{Permanent(transientErr{true})}, 1, true},
		{"transient twice then other stops", []error{transientErr{true}, transientErr{true}, errors.New("x")}, 3, true},
		{"other then transient continues", []error{errors.New("x"), transientErr{true}, transientErr{true}, nil}, 4, false},
		{"caller's cancellation error not retried", []error{context.Canceled}, 1, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var slept []time.Duration
			n, err := Do(context.Background(), testPolicy(&slept), func(ctx context.Context, attempt int) error {
				i := attempt - 1
				if i >= len(tc.errs) {
					i = len(tc.errs) - 1
				}
				return tc.errs[i]
			})
			if n != tc.wantAttempts {
				t.Errorf("attempts = %d, want %d", n, tc.wantAttempts)
			}
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if len(slept) != n-1 && !(tc.wantErr && len(slept) == n-1) {
				t.Errorf("slept %d times for %d attempts", len(slept), n)
			}
			if err != nil {
				var re *Error
				if !errors.As(err, &re) || re.Attempts != n {
					t.Fatalf("err %v is not *Error with %d attempts", err, n)
				}
				if !strings.Contains(err.Error(), fmt.Sprintf("after %d attempt", n)) {
					t.Errorf("error %q does not name the attempts", err)
				}
			}
		})
	}
}

func TestDoCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var slept []time.Duration
	calls := 0
	n, err := Do(ctx, testPolicy(&slept), func(ctx context.Context, attempt int) error {
		calls++
		cancel() // the caller gives up during the attempt
		return fmt.Errorf("query: %w", context.Canceled)
	})
	if calls != 1 || n != 1 {
		t.Fatalf("calls=%d attempts=%d, want 1", calls, n)
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}

	n, err = Do(ctx, Guide, func(context.Context, int) error { t.Fatal("called with a cancelled context"); return nil })
	if n != 0 || !errors.Is(err, context.Canceled) {
		t.Fatalf("attempts=%d err=%v", n, err)
	}
}

func TestDoCancelledDuringSleep(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	p := Guide.WithSleep(func(ctx context.Context, d time.Duration) error { cancel(); return ctx.Err() })
	n, err := Do(ctx, p, func(context.Context, int) error { return transientErr{true} })
	if n != 1 || !errors.Is(err, context.Canceled) {
		t.Fatalf("attempts=%d err=%v", n, err)
	}
}

func TestDefaultBackOffIsSmallAndGrows(t *testing.T) {
	b := DefaultBackOff()
	prevMax := time.Duration(0)
	for i := 0; i < 6; i++ {
		d := b.NextBackOff()
		if d <= 0 || d > 5*time.Second*3/2 {
			t.Fatalf("backoff %d = %v", i, d)
		}
		if i == 0 && d > 300*time.Millisecond {
			t.Fatalf("first backoff %v too long", d)
		}
		prevMax = max(prevMax, d)
	}
	if prevMax < 400*time.Millisecond {
		t.Fatalf("backoff does not grow: max %v", prevMax)
	}
}

func TestTimerSleepHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := timerSleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > time.Second {
		t.Fatal("sleep ignored cancellation")
	}
}

func TestIsTransient(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("x"), false},
		{fmt.Errorf("wrap: %w", transientErr{true}), true},
		{&net.DNSError{Err: "no such host", Name: "x", IsTimeout: true}, true},
		{fmt.Errorf("read: %w", syscall.ECONNREFUSED), true},
		{io.EOF, true},
		{&Error{Attempts: 4, Err: transientErr{true}}, true},
	}
	for _, tc := range tests {
		if got := IsTransient(tc.err); got != tc.want {
			t.Errorf("IsTransient(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// A statement that ran into its command timeout would most likely wait as
// long again: it gets the one retry of any other error, not three.
func TestCommandTimeoutIsNotTransient(t *testing.T) {
	err := fmt.Errorf("insert batch: %w", context.DeadlineExceeded)
	if IsTransient(err) || IsNetwork(err) {
		t.Fatal("a command timeout counted as transient")
	}
	calls := 0
	attempts, _ := Do(context.Background(), Policy{TransientRetries: 3, OtherRetries: 1}, func(context.Context, int) error {
		calls++
		return err
	})
	if attempts != 2 || calls != 2 {
		t.Fatalf("attempts %d calls %d, want 2", attempts, calls)
	}
}
