// Package arerr is the error vocabulary every part of the engine shares:
// codes, categories (PowerShell ErrorCategory names) and the CLI exit codes.
// It is the bottom package: it imports nothing of the project.
package arerr

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
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
	CatResourceBusy     = "ResourceBusy"
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
// Message and Remedy may name parameters and commands as tokens (Param,
// Command), which each front end renders in its own spelling; Error()
// renders them in the neutral one.
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
		return Render(e.Message+" "+e.Remedy, Neutral)
	}
	return Render(e.Message, Neutral)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an *Error. The exit code follows from the category unless
// the code is a preflight code (AR-E…), which exits with ExitPreflight.
func Errorf(code, category, remedy, format string, args ...any) *Error {
	e := &Error{Code: code, Category: category, Remedy: remedy, Message: fmt.Sprintf(format, args...)}
	e.Exit = ExitFor(code, category)
	return e
}

// CodeBundle is the failure of an operation that met a damaged bundle.
const CodeBundle = "AR-BUNDLE"

// Wrap attaches a code and category to an underlying error, keeping it for errors.Is/As.
//
// Whatever the operation was doing, an error caused by damaged stored data —
// one whose chain holds an error with a DamagedRemedy() method, such as a
// bundle's *bundle.FormatError, which names the file and the byte offset —
// is reported as such: AR-BUNDLE, InvalidData (exit 5), with that error's
// remedy, never as a connection or read problem. A caller's own AR-BUNDLE…
// code (and a cancellation) is kept.
//
// Likewise a write that ran out of disk space (AsDiskFull) is AR-DISK-FULL,
// WriteError, whatever the caller was writing.
func Wrap(err error, code, category, remedy, format string, args ...any) *Error {
	var d interface{ DamagedRemedy() string }
	switch {
	case category == CatOperationStopped:
	case code != CodeDiskFull && IsDiskFull(err):
		code, category = CodeDiskFull, CatWriteError
		remedy = "Free space on that volume (or choose a destination on a larger one), then run the command again."
	case !strings.HasPrefix(code, CodeBundle) && errors.As(err, &d):
		code, category, remedy = CodeBundle, CatInvalidData, d.DamagedRemedy()
	}
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

// CodeDiskFull is the failure of a write that ran out of disk space.
const CodeDiskFull = "AR-DISK-FULL"

// AsDiskFull maps an out-of-space error — one whose chain holds an error
// with a DiskFull() (path, free bytes) method, such as *bundle.DiskFullError
// — to its own failure: AR-DISK-FULL, category WriteError, exit 1, naming
// the path and the space left. Retrying cannot help, so nothing retries it.
// ok is false for any other error. what says what was being written.
func AsDiskFull(err error, what, remedy string) (e *Error, ok bool) {
	var df interface {
		DiskFull() (path string, free int64)
	}
	if err == nil || !errors.As(err, &df) {
		return nil, false
	}
	path, free := df.DiskFull()
	e = Errorf(CodeDiskFull, CatWriteError, remedy, "%s ran out of disk space: the volume of %s has %s free", what, path, formatBytes(free))
	e.Err = err
	return e, true
}

// IsDiskFull reports whether err was caused by a full disk.
func IsDiskFull(err error) bool {
	var df interface {
		DiskFull() (path string, free int64)
	}
	return err != nil && errors.As(err, &df)
}

func formatBytes(n int64) string {
	switch {
	case n < 0:
		return "an unknown amount of space"
	case n < 1024:
		return strconv.FormatInt(n, 10) + " bytes"
	}
	f, units := float64(n)/1024, []string{"KiB", "MiB", "GiB", "TiB"}
	i := 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	return strconv.FormatFloat(f, 'f', 1, 64) + " " + units[i]
}

// ExitFor is the exit code of a failure with this code and category.
func ExitFor(code, category string) int {
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
