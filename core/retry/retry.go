// Package retry holds the upgrade guide's retry policy in one place: a
// network-related or transient error is retried up to three times, any other
// error once, with a small jittered exponential backoff. Cancellation of the
// caller's context is never retried.
//
// Errors take part through interfaces, so any store can classify its own
// errors: interface{ Transient() bool } (the SQL Server error wrapper, bundle
// destinations) and net.Error.
package retry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// BackOff yields the delay before the next attempt.
type BackOff interface {
	NextBackOff() time.Duration
}

// Policy says how many times to retry and how long to wait between attempts.
type Policy struct {
	// TransientRetries is the number of retries after a transient or network
	// error (the guide: 3).
	TransientRetries int
	// OtherRetries is the number of retries after any other error (the guide: 1).
	OtherRetries int
	// NewBackOff returns a fresh delay sequence for one Do call; nil means no delay.
	NewBackOff func() BackOff
	// Sleep waits d or until ctx is done; nil means a timer. Tests inject a
	// recorder so they never sleep.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Guide is the policy of the upgrade guide ("Importing Management History
// data"): transient or network errors up to 3 retries, other errors 1 retry.
var Guide = Policy{
	TransientRetries: 3,
	OtherRetries:     1,
	NewBackOff:       DefaultBackOff,
}

// DefaultBackOff starts at 200 ms, doubles, is jittered by ±50 % and never
// waits more than 5 s: long enough for a failover or a deadlock victim's
// partner to finish, short enough that a failing run ends quickly.
func DefaultBackOff() BackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = 200 * time.Millisecond
	b.Multiplier = 2
	b.RandomizationFactor = 0.5
	b.MaxInterval = 5 * time.Second
	b.Reset()
	return b
}

// WithSleep returns a copy of p that waits with sleep (for tests).
func (p Policy) WithSleep(sleep func(ctx context.Context, d time.Duration) error) Policy {
	p.Sleep = sleep
	return p
}

// Error is the final error of Do: the last attempt's error and how many
// attempts were made.
type Error struct {
	Attempts int
	Err      error
}

func (e *Error) Error() string {
	if e.Attempts == 1 {
		return fmt.Sprintf("failed after 1 attempt: %v", e.Err)
	}
	return fmt.Sprintf("failed after %d attempts: %v", e.Attempts, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Transient reports whether the last error was transient, so that a caller
// one level up classifies the final error the same way.
func (e *Error) Transient() bool { return IsTransient(e.Err) }

// permanent marks an error that must not be retried at all.
type permanent struct{ err error }

func (p *permanent) Error() string { return p.err.Error() }
func (p *permanent) Unwrap() error { return p.err }

// Permanent wraps err so that Do returns it at once (invalid input, a failed
// invariant: retrying cannot help and may repeat side effects).
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanent{err: err}
}

// Do calls fn until it succeeds or the policy gives up, and returns the
// number of attempts made. attempt is 1-based. When it gives up, the error is
// an *Error naming the attempts; a context error of ctx is returned as is
// (wrapped in *Error when attempts were made before).
func Do(ctx context.Context, p Policy, fn func(ctx context.Context, attempt int) error) (attempts int, err error) {
	var bo BackOff
	if p.NewBackOff != nil {
		bo = p.NewBackOff()
	}
	sleep := p.Sleep
	if sleep == nil {
		sleep = timerSleep
	}
	for attempt := 1; ; attempt++ {
		if cerr := ctx.Err(); cerr != nil {
			if attempt == 1 {
				return 0, cerr
			}
			return attempt - 1, &Error{Attempts: attempt - 1, Err: errors.Join(cerr, err)}
		}
		err = fn(ctx, attempt)
		if err == nil {
			return attempt, nil
		}
		if !retryable(ctx, err) {
			return attempt, &Error{Attempts: attempt, Err: err}
		}
		allowed := p.OtherRetries
		if IsTransient(err) {
			allowed = p.TransientRetries
		}
		if attempt > allowed {
			return attempt, &Error{Attempts: attempt, Err: err}
		}
		var d time.Duration
		if bo != nil {
			d = bo.NextBackOff()
			if d < 0 { // backoff.Stop
				return attempt, &Error{Attempts: attempt, Err: err}
			}
		}
		if serr := sleep(ctx, d); serr != nil {
			return attempt, &Error{Attempts: attempt, Err: errors.Join(serr, err)}
		}
	}
}

// retryable rules out what no retry can fix: cancellation and permanent errors.
func retryable(ctx context.Context, err error) bool {
	var pe *permanent
	if errors.As(err, &pe) {
		return false
	}
	if ctx.Err() != nil {
		return false
	}
	if errors.Is(err, context.Canceled) {
		return false
	}
	return true
}

func timerSleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// IsTransient reports whether err is worth retrying up to the transient
// limit: an error that says so (interface{ Transient() bool }, checked first so
// a store can overrule), a net.Error, a dropped or refused connection, or an
// unexpected end of stream. A statement that ran into its command timeout is
// not transient: the same statement would most likely wait as long again, so
// it gets the one retry of any other error. The caller's own cancellation is
// excluded by Do before this is asked.
func IsTransient(err error) bool {
	if err == nil {
		return false
	}
	var t interface{ Transient() bool }
	if errors.As(err, &t) {
		return t.Transient()
	}
	return IsNetwork(err)
}

// IsNetwork reports network-level failures: net.Error, connection reset,
// refused or aborted, broken pipe, and EOF in the middle of a conversation.
func IsNetwork(err error) bool {
	if err == nil || errors.Is(err, context.DeadlineExceeded) {
		return false // a command timeout, not the network (see IsTransient)
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE),
		errors.Is(err, net.ErrClosed):
		return true
	}
	return false
}
