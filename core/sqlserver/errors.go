package sqlserver

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	mssql "github.com/microsoft/go-mssqldb"

	"github.com/activeroles/arupgrade/core/arerr"
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
	if ce := certificateFailure(err, o); ce != nil {
		ce.Err = e
		return ce
	}
	return e
}

// CodeCertificate is a connection refused because the server's TLS
// certificate did not pass validation (category ConnectionError, exit 4).
const CodeCertificate = "AR-CERTIFICATE"

// certificateFailure recognises a failed validation of the server's TLS
// certificate and says which problem it is and the options that fix it, in
// place of the generic connection remedy. go-mssqldb keeps the x509 error in
// the chain for strict (TDS 8) encryption but formats it as text with %v for
// TDS 7.x, so both are looked for.
func certificateFailure(err error, o *Options) *arerr.Error {
	kind, detail := certificateProblem(err)
	if kind == "" {
		return nil
	}
	server := "the server"
	if o != nil && o.Server != "" {
		server = o.ServerName()
	}
	// Which side failed is the caller's; both parameters are named (front ends spell them).
	trust := "Only on a network you trust, connecting without validation is possible with " +
		arerr.Param("source.trustServerCertificate") + " / " + arerr.Param("destination.trustServerCertificate") +
		" (a connection string: TrustServerCertificate=true)."
	var msg, remedy string
	switch kind {
	case certHostName:
		msg = fmt.Sprintf("Cannot connect to %s: its TLS certificate is for another host name (%s).", server, detail)
		remedy = "Connect with a name the certificate holds (usually the server's FQDN), or give the name in the certificate with " +
			arerr.Param("source.hostNameInCertificate") + " / " + arerr.Param("destination.hostNameInCertificate") + " (a connection string: HostNameInCertificate=…). " + trust
	case certInvalid:
		msg = fmt.Sprintf("Cannot connect to %s: its TLS certificate is not valid (%s).", server, detail)
		remedy = "Renew or replace the SQL Server certificate (check its dates, and this computer's clock). " + trust
	default:
		msg = fmt.Sprintf("Cannot connect to %s: its TLS certificate is not trusted; it is self-signed or issued by an authority this computer does not trust (%s).", server, detail)
		remedy = "Install a certificate from a certificate authority this computer trusts on SQL Server, or trust the certificate's issuer on this computer. " + trust
	}
	return arerr.Errorf(CodeCertificate, arerr.CatConnectionError, remedy, "%s", msg)
}

// Kinds of certificate problems.
const (
	certUntrusted = "untrusted"
	certHostName  = "hostname"
	certInvalid   = "invalid"
)

// certificateProblem returns the kind of a certificate validation failure in
// err's chain or text ("" when there is none) and the validator's words.
func certificateProblem(err error) (kind, detail string) {
	var he x509.HostnameError
	var ie x509.CertificateInvalidError
	var ue x509.UnknownAuthorityError
	var ve *tls.CertificateVerificationError
	switch {
	case errors.As(err, &he):
		return certHostName, he.Error()
	case errors.As(err, &ie):
		return certInvalid, ie.Error()
	case errors.As(err, &ue):
		return certUntrusted, ue.Error()
	case errors.As(err, &ve):
		return certUntrusted, ve.Err.Error()
	}
	msg := err.Error()
	i := strings.Index(msg, "x509: ")
	if i < 0 {
		if strings.Contains(msg, "tls: failed to verify certificate") {
			return certUntrusted, msg[strings.Index(msg, "tls: failed to verify certificate"):]
		}
		return "", ""
	}
	detail = msg[i:]
	switch {
	case strings.HasPrefix(detail, "x509: certificate is valid for"), strings.HasPrefix(detail, "x509: certificate is not valid for any names"):
		return certHostName, detail
	case strings.HasPrefix(detail, "x509: certificate has expired"), strings.Contains(detail, "not yet valid"):
		return certInvalid, detail
	}
	return certUntrusted, detail
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
