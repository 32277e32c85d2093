package engine

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Error categories: PowerShell ErrorCategory names, so the module can build
// an ErrorRecord without a translation table.
const (
	CatInvalidArgument  = "InvalidArgument"
	CatInvalidData      = "InvalidData"
	CatInvalidOperation = "InvalidOperation"
	CatConnectionError  = "ConnectionError"
	CatObjectNotFound   = "ObjectNotFound"
	CatPermissionDenied = "PermissionDenied"
	CatResourceExists   = "ResourceExists"
	CatNotImplemented   = "NotImplemented"
	CatOperationStopped = "OperationStopped"
	CatReadError        = "ReadError"
	CatWriteError       = "WriteError"
	CatNotSpecified     = "NotSpecified"
)

// Exit codes of the CLI (documented in the README).
const (
	ExitOK             = 0
	ExitFailed         = 1
	ExitInvalidInput   = 2
	ExitPreflight      = 3
	ExitNotFound       = 4
	ExitDataIntegrity  = 5
	ExitNotImplemented = 6
	ExitCancelled      = 130
)

// Error is a failure an operation reports to the user: a stable code, a
// category, a message naming the problem and a remedy naming the fix.
type Error struct {
	Code     string
	Category string
	Message  string
	Remedy   string
	Exit     int
	Err      error
}

func (e *Error) Error() string {
	if e.Remedy != "" {
		return e.Message + " " + e.Remedy
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an *Error. The exit code follows from the category unless
// the code is a preflight code (AR-E…), which exits with ExitPreflight.
func Errorf(code, category, remedy, format string, args ...any) *Error {
	e := &Error{Code: code, Category: category, Remedy: remedy, Message: fmt.Sprintf(format, args...)}
	e.Exit = exitFor(code, category)
	return e
}

// Wrap attaches a code and category to an underlying error, keeping it for errors.Is/As.
func Wrap(err error, code, category, remedy, format string, args ...any) *Error {
	e := Errorf(code, category, remedy, format, args...)
	e.Message = e.Message + ": " + err.Error()
	e.Err = err
	return e
}

// NotImplemented is the plain run-time answer for an operation whose engine has not landed.
func NotImplemented(what string) *Error {
	return Errorf("AR-NOTIMPL", CatNotImplemented,
		"This release cannot do it yet; use the Active Roles Configuration Center for this step.",
		"%s is not available yet in this version of ActiveRolesUpgrade.", what)
}

func exitFor(code, category string) int {
	if len(code) >= 4 && code[:4] == "AR-E" {
		return ExitPreflight
	}
	switch category {
	case CatInvalidArgument:
		return ExitInvalidInput
	case CatConnectionError, CatObjectNotFound:
		return ExitNotFound
	case CatInvalidData:
		return ExitDataIntegrity
	case CatNotImplemented:
		return ExitNotImplemented
	case CatOperationStopped:
		return ExitCancelled
	}
	return ExitFailed
}

// outcomeOf turns an operation's return value into the final event's fields.
func outcomeOf(ctx context.Context, err error) (string, *ErrorInfo, int) {
	if err == nil {
		return Succeeded, nil, ExitOK
	}
	var e *Error
	if errors.As(err, &e) {
		if e.Category == CatOperationStopped {
			return Cancelled, info(e), ExitCancelled
		}
		return Failed, info(e), e.Exit
	}
	if errors.Is(err, context.Canceled) || (ctx.Err() != nil && errors.Is(err, ctx.Err())) {
		return Cancelled, &ErrorInfo{Code: "AR-CANCELLED", Category: CatOperationStopped,
			Message: "The operation was cancelled; nothing was left half-written.", Remedy: "Run it again to continue."}, ExitCancelled
	}
	return Failed, &ErrorInfo{Code: "AR-FAILED", Category: CatNotSpecified, Message: err.Error(),
		Remedy: "See the log file for details."}, ExitFailed
}

func info(e *Error) *ErrorInfo {
	return &ErrorInfo{Code: e.Code, Category: e.Category, Message: e.Message, Remedy: e.Remedy}
}

// RequestOutcome is the outcome event of a request that could not start
// (ParseRequest failed), so every front end reports it like a failed job.
func RequestOutcome(err error) Event {
	var e *Error
	if !errors.As(err, &e) {
		e = Errorf("AR-REQUEST", CatInvalidArgument, "", "%v", err)
	}
	return Event{Type: TypeOutcome, Time: time.Now().UTC(), Outcome: Failed, Error: info(e), ExitCode: e.Exit}
}
