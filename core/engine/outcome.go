package engine

import (
	"context"
	"errors"
	"time"

	"github.com/activeroles/arupgrade/core/arerr"
)

// outcomeOf turns an operation's return value into the final event's fields.
func outcomeOf(ctx context.Context, err error) (string, *ErrorInfo, int) {
	if err == nil {
		return Succeeded, nil, arerr.ExitOK
	}
	var e *arerr.Error
	if errors.As(err, &e) {
		if e.Category == arerr.CatOperationStopped {
			return Cancelled, info(e), arerr.ExitCancelled
		}
		return Failed, info(e), e.Exit
	}
	var d interface{ DamagedRemedy() string }
	if arerr.IsDiskFull(err) || errors.As(err, &d) {
		// An operation that returned the bare error still reports it as
		// what it is (arerr.Wrap).
		e = arerr.Wrap(err, "AR-FAILED", arerr.CatNotSpecified, "See the log file for details.", "The operation failed")
		return Failed, info(e), e.Exit
	}
	if errors.Is(err, context.Canceled) || (ctx.Err() != nil && errors.Is(err, ctx.Err())) {
		return Cancelled, &ErrorInfo{Code: "AR-CANCELLED", Category: arerr.CatOperationStopped,
			Message: "The operation was cancelled; nothing was left half-written.", Remedy: "Run it again to continue."}, arerr.ExitCancelled
	}
	return Failed, &ErrorInfo{Code: "AR-FAILED", Category: arerr.CatNotSpecified, Message: err.Error(),
		Remedy: "See the log file for details."}, arerr.ExitFailed
}

func info(e *arerr.Error) *ErrorInfo { return InfoOf(e) }

// RequestOutcome is the outcome event of a request that could not start
// (ParseRequest failed), so every front end reports it like a failed job.
func RequestOutcome(err error) Event {
	var e *arerr.Error
	if !errors.As(err, &e) {
		e = arerr.Errorf("AR-REQUEST", arerr.CatInvalidArgument, "", "%v", err)
	}
	return Event{Type: TypeOutcome, Time: time.Now().UTC(), Outcome: Failed, Error: info(e), ExitCode: e.Exit}
}
