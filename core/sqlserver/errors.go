package sqlserver

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	mssql "github.com/microsoft/go-mssqldb"

	"github.com/activeroles/arupgrade/core/retry"
)

// transientNumbers are SqlClient's transient error numbers: retrying the
// batch can succeed.
var transientNumbers = map[int32]bool{
	1204:  true,                           // lock resources exhausted
	1205:  true,                           // deadlock victim
	1222:  true,                           // lock request timeout
	49918: true, 49919: true, 49920: true, // Azure: too many operations / busy
	4060:  true,                                                     // cannot open database (failover in progress)
	4221:  true,                                                     // login to read-secondary failed during redo
	40143: true, 40613: true, 40501: true, 40540: true, 40197: true, // Azure: service busy, reconfiguration
	10929: true, 10928: true, // Azure: resource limits
	10060: true, 10054: true, 10053: true, // network: timeout, reset, aborted
	997: true, // overlapped I/O in progress
	233: true, // no process on the other end of the pipe
}

// Error is a failed SQL Server operation: what was being done, the server's
// error number (0 when the failure was not a server error) and whether
// retrying can help. Its message never contains a secret of the options.
type Error struct {
	Op     string // e.g. "read settings"
	Number int32
	err    error // redacted when the driver's text held a secret
	trans  bool
}

func (e *Error) Error() string { return e.Op + ": " + e.err.Error() }
func (e *Error) Unwrap() error { return e.err }

// SQLErrorNumber is the SQL Server error number, 0 for client-side failures.
func (e *Error) SQLErrorNumber() int32 { return e.Number }

// Transient reports whether retrying can succeed (retry.Guide retries these
// up to three times, others once).
func (e *Error) Transient() bool { return e.trans }

// sqlNumberer is satisfied by mssql.Error and by *Error.
type sqlNumberer interface{ SQLErrorNumber() int32 }

// ErrorNumber returns the SQL Server error number in err's chain, or 0.
func ErrorNumber(err error) int32 {
	var n sqlNumberer
	if errors.As(err, &n) {
		return n.SQLErrorNumber()
	}
	return 0
}

// IsTransient classifies a driver error: a transient server error number, a
// dropped connection or another network failure.
func IsTransient(err error) bool {
	if err == nil {
		return false
	}
	var e *Error
	if errors.As(err, &e) {
		return e.trans
	}
	return classify(err)
}

func classify(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	var me mssql.Error
	if errors.As(err, &me) {
		if transientNumbers[me.Number] {
			return true
		}
		for _, a := range me.All {
			if transientNumbers[a.Number] {
				return true
			}
		}
	}
	if errors.Is(err, driver.ErrBadConn) {
		return true
	}
	var se mssql.StreamError // a broken TDS stream means a broken connection
	if errors.As(err, &se) {
		return true
	}
	var re mssql.RetryableError
	if errors.As(err, &re) {
		return true
	}
	if retry.IsNetwork(err) {
		return true
	}
	// go-mssqldb reports some socket failures as text only.
	msg := strings.ToLower(err.Error())
	for _, s := range []string{"connection reset", "connection refused", "broken pipe", "use of closed network connection", "i/o timeout"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// wrap turns a driver error into *Error, removing any secret of o from its
// text (driver errors can echo parts of the connection string). Context
// errors stay recognisable with errors.Is.
func wrap(op string, err error, o *Options) error {
	if err == nil {
		return nil
	}
	e := &Error{Op: op, Number: ErrorNumber(err), err: err, trans: IsTransient(err)}
	if o != nil {
		if red, changed := redact(err.Error(), o.secrets()); changed {
			// Keep number and classification, drop the chain that holds the secret.
			e.err = redactedError{msg: red, ctx: contextCause(err)}
		}
	}
	return e
}

type redactedError struct {
	msg string
	ctx error
}

func (r redactedError) Error() string { return r.msg }
func (r redactedError) Unwrap() error { return r.ctx }

func contextCause(err error) error {
	switch {
	case errors.Is(err, context.Canceled):
		return context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		return context.DeadlineExceeded
	}
	return nil
}

func redact(s string, secrets []string) (string, bool) {
	changed := false
	for _, sec := range secrets {
		if sec != "" && strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, "***")
			changed = true
		}
	}
	return s, changed
}

// ErrDatabaseExists is matched (errors.Is) by *DatabaseExistsError.
var ErrDatabaseExists = errors.New("database already exists")

// DatabaseExistsError says CreateDatabase found DB_ID(name) not NULL (AR-E008).
type DatabaseExistsError struct{ Name, Server string }

func (e *DatabaseExistsError) Error() string {
	return fmt.Sprintf("database %q already exists on %s; choose another name", e.Name, e.Server)
}

// Is makes errors.Is(err, ErrDatabaseExists) true.
func (e *DatabaseExistsError) Is(target error) bool { return target == ErrDatabaseExists }
