package dbopen

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/sqlserver"
	"github.com/activeroles/arupgrade/core/store"
)

// authNames maps the product's authentication names (PowerShell and CLI)
// to the driver's.
var authNames = map[string]sqlserver.Auth{
	"windows":                 sqlserver.AuthWindows,
	"integrated":              sqlserver.AuthWindows,
	"sqllogin":                sqlserver.AuthSQL,
	"sqlpassword":             sqlserver.AuthSQL,
	"azureadpassword":         sqlserver.AuthEntraPassword,
	"azureadserviceprincipal": sqlserver.AuthEntraServicePrincipal,
	"azureadmanagedidentity":  sqlserver.AuthEntraManagedIdentity,
	"azureaddefault":          sqlserver.AuthEntraDefault,
	"azureadinteractive":      sqlserver.AuthEntraInteractive,
}

// SQLOptions turns an endpoint into connection options; explicit fields win
// over the connection string's.
func SQLOptions(ep *Endpoint) (sqlserver.Options, error) {
	o, err := mergeOptions(ep)
	if err != nil {
		return o, err
	}
	if err := o.Validate(); err != nil {
		return o, arerr.Wrap(err, "AR-CONNECTION", arerr.CatInvalidArgument, "Correct the connection details.", "The connection to %s is not valid", o.Redacted())
	}
	return o, nil
}

// NeedsPassword reports whether ep's authentication needs a password or
// client secret that ep does not carry yet, and for which login, so that
// every front end asks for one under the same rule.
func NeedsPassword(ep *Endpoint) (user string, need bool, err error) {
	if ep.IsBundle() {
		return "", false, nil
	}
	o, err := mergeOptions(ep)
	if err != nil {
		return "", false, err
	}
	return o.User, o.NeedsSecret(), nil
}

// mergeOptions is SQLOptions without the final validation.
func mergeOptions(ep *Endpoint) (sqlserver.Options, error) {
	var o sqlserver.Options
	var err error
	switch {
	case ep.ConnectionString != "":
		o, err = sqlserver.ParseLocation(ep.ConnectionString)
	case ep.Server != "":
		if strings.ContainsAny(ep.Server+ep.Database, ";=") {
			return o, argErr("The server or database name contains ';' or '=': give the plain names.")
		}
		o, err = sqlserver.ParseLocation("Server=" + ep.Server + ";Database=" + ep.Database)
	default:
		return o, argErr("No SQL Server was given: name a server and database, a connection string, or a bundle path.")
	}
	if err != nil {
		return o, arerr.Wrap(err, "AR-CONNECTION", arerr.CatInvalidArgument, "Correct the connection details.", "The connection to %s is not valid", ep.Describe())
	}
	if ep.Database != "" {
		o.Database = ep.Database
	}
	if ep.Auth != "" {
		a, ok := authNames[strings.ToLower(ep.Auth)]
		if !ok {
			return o, argErr("Unknown authentication %q: use Windows, SqlLogin, AzureADPassword, AzureADServicePrincipal, AzureADManagedIdentity, AzureADDefault or AzureADInteractive.", ep.Auth)
		}
		o.Auth = a
	}
	if ep.User != "" {
		o.User = ep.User
		if o.Auth == sqlserver.AuthEntraServicePrincipal {
			o.ClientID = ep.User
		}
	}
	if ep.Password != "" {
		o.Password = ep.Password
	}
	switch strings.ToLower(ep.DatabaseType) {
	case "":
	case "onpremises":
		o.DatabaseType = sqlserver.OnPremises
	case "azuresql":
		o.DatabaseType = sqlserver.AzureSQL
	default:
		return o, argErr("Unknown database type %q: use OnPremises or AzureSQL.", ep.DatabaseType)
	}
	if ep.TrustServerCertificate {
		o.TrustServerCertificate = true
	}
	if ep.HostNameInCertificate != "" {
		o.HostNameInCertificate = ep.HostNameInCertificate
	}
	if ep.ConnectTimeoutSeconds > 0 {
		o.ConnectTimeout = time.Duration(ep.ConnectTimeoutSeconds) * time.Second
	}
	if ep.CommandTimeoutSeconds > 0 {
		o.CommandTimeout = time.Duration(ep.CommandTimeoutSeconds) * time.Second
	}
	if ep.ApplicationName != "" {
		o.AppName = ep.ApplicationName
	}
	return o, nil
}

func argErr(format string, args ...any) error {
	return arerr.Errorf("AR-ARGS", arerr.CatInvalidArgument, "See "+arerr.Command("help")+" for the parameters.", format, args...)
}

// openSQL connects and reports the connection's warnings. Options already
// built from ep may be passed to avoid building them twice.
func openSQL(ctx context.Context, ep *Endpoint, w Warner, oo sqlserver.OpenOptions, prebuilt ...sqlserver.Options) (*sqlserver.Database, error) {
	var o sqlserver.Options
	if len(prebuilt) > 0 {
		o = prebuilt[0]
	} else {
		var err error
		if o, err = SQLOptions(ep); err != nil {
			return nil, err
		}
	}
	if w != nil {
		for _, wn := range o.Warnings() {
			w.Warn(wn.Code, wn.Message)
		}
	}
	if w != nil && oo.Warn == nil {
		oo.Warn = w.Warn
	}
	d, err := sqlserver.Open(ctx, o, oo)
	if err != nil {
		return nil, connErr(err, o)
	}
	if w != nil {
		for _, n := range d.Notes() {
			w.Warn(n.Code, n.Message)
		}
	}
	return d, nil
}

func connErr(err error, o sqlserver.Options) error {
	var e *arerr.Error
	if errors.As(err, &e) {
		return e
	}
	return arerr.Wrap(err, "AR-CONNECTION", arerr.CatConnectionError,
		"Check the server name (use its FQDN), the network path, the credentials and the certificate.",
		"Cannot connect to %s", o.Redacted())
}

// openSQLSource opens a SQL Server database for reading.
func openSQLSource(ctx context.Context, ep *Endpoint, w Warner) (store.Source, error) {
	return openSQL(ctx, ep, w, sqlserver.OpenOptions{})
}

// OpenSnapshotSource opens a source whose reads form one consistent view
// (export): SNAPSHOT isolation where the database allows it.
func OpenSnapshotSource(ctx context.Context, ep *Endpoint, w Warner) (store.Source, error) {
	if ep.IsBundle() {
		return OpenSource(ctx, ep, w)
	}
	return openSQL(ctx, ep, w, sqlserver.OpenOptions{Snapshot: true})
}
