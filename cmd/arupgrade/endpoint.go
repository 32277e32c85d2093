package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/dbopen"
	"github.com/activeroles/arupgrade/core/secrets"
)

// endpointFlags are the flags naming one side (prefix "source" or "destination").
func endpointFlags(prefix string, create bool) []cli.Flag {
	up := envPart(prefix)
	f := []cli.Flag{
		&cli.StringFlag{Name: prefix, Usage: "the " + prefix + ": a bundle path (*.arbundle) or a SQL Server connection string (sqlserver://… or \"Server=…;Database=…\"), without a password"},
		&cli.StringFlag{Name: prefix + "-auth", Usage: "authentication: Windows, SqlLogin, AzureADPassword, AzureADServicePrincipal, AzureADManagedIdentity, AzureADDefault, AzureADInteractive (default, the engine's: SqlLogin when a user is given, else AzureADDefault for Azure SQL, else Windows)"},
		&cli.StringFlag{Name: prefix + "-user", Usage: "login name (SQL login, Azure AD user, or service principal client id)"},
		&cli.StringFlag{Name: prefix + "-password-file", Usage: "read the " + prefix + " password from `FILE` (else $ARUPGRADE_" + up + "_PASSWORD, else a prompt)"},
		&cli.StringFlag{Name: prefix + "-database-type", Usage: "OnPremises or AzureSQL"},
		&cli.BoolFlag{Name: prefix + "-trust-server-certificate", Usage: "do NOT validate the server certificate (not recommended; prints a warning)"},
		&cli.StringFlag{Name: prefix + "-host-name-in-certificate", Usage: "host name expected in the server certificate"},
	}
	if create {
		f = append(f, &cli.BoolFlag{Name: "create-" + prefix, Usage: "create the " + prefix + " database or bundle (it must not exist)"})
	}
	return f
}

func endpointFrom(c *cli.Context, prefix string, required bool) (*dbopen.Endpoint, error) {
	loc := c.String(prefix)
	if loc == "" {
		if required {
			return nil, usageErr("--%s is required: give a bundle path (*.arbundle) or a SQL Server connection string.", prefix)
		}
		return nil, nil
	}
	ep, err := dbopen.ParseLocation(loc)
	if err != nil {
		return nil, err
	}
	if ep.ConnectionString != "" && dbopen.HasSecret(ep.ConnectionString) {
		return nil, usageErr("The --%s connection string contains a password, which would be visible in the process list and shell history. "+
			"Remove it and use --%s-password-file or $ARUPGRADE_%s_PASSWORD instead.", prefix, prefix, envPart(prefix))
	}
	ep.Auth = c.String(prefix + "-auth")
	ep.User = c.String(prefix + "-user")
	ep.DatabaseType = c.String(prefix + "-database-type")
	ep.TrustServerCertificate = c.Bool(prefix + "-trust-server-certificate")
	ep.HostNameInCertificate = c.String(prefix + "-host-name-in-certificate")
	ep.Create = c.Bool("create-" + prefix)
	// The engine decides whether a secret is needed, from the flags and the
	// connection string alike (User Id=…, sqlserver://user@host).
	user, need, err := dbopen.NeedsPassword(&ep)
	if err != nil {
		return nil, err
	}
	if need {
		pw, err := readSecret(c, prefix+"-password-file", "ARUPGRADE_"+envPart(prefix)+"_PASSWORD",
			fmt.Sprintf("Password for %s on %s: ", user, ep.Describe()))
		if err != nil {
			return nil, err
		}
		ep.Password = pw
	}
	return &ep, nil
}

// envPart is a flag prefix as an environment variable's part
// (collector-source: COLLECTOR_SOURCE).
func envPart(prefix string) string { return strings.ToUpper(strings.ReplaceAll(prefix, "-", "_")) }

// readSecret takes a secret from a file, an environment variable, or a prompt
// on the terminal — never from a flag value.
func readSecret(c *cli.Context, fileFlag, envVar, prompt string) (string, error) {
	if path := c.String(fileFlag); path != "" {
		// Bounded: --key-password-file /dev/zero must not eat the machine's memory.
		b, err := secrets.ReadFileLimited(path, secrets.MaxPasswordFileSize)
		var tl *secrets.TooLargeError
		if errors.As(err, &tl) {
			return "", usageErr("The password file %s given with --%s is larger than %d bytes: a password file holds only the password (and a line end).",
				path, fileFlag, tl.Limit)
		}
		if err != nil {
			return "", usageErr("Cannot read the password file given with --%s: %v.", fileFlag, err)
		}
		s := strings.TrimRight(string(b), "\r\n")
		clear(b)
		if s == "" {
			return "", usageErr("The password file given with --%s is empty.", fileFlag)
		}
		return s, nil
	}
	if v, ok := os.LookupEnv(envVar); ok && v != "" {
		return v, nil
	}
	if f, ok := c.App.Reader.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(c.App.ErrWriter, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(c.App.ErrWriter)
		if err != nil {
			return "", usageErr("Cannot read the password: %v.", err)
		}
		return string(b), nil
	}
	return "", usageErr("A password is needed and there is no terminal to ask on: use --%s FILE or set %s.", fileFlag, envVar)
}

func usageErr(format string, args ...any) *arerr.Error {
	return arerr.Errorf("AR-ARGS", arerr.CatInvalidArgument, "Run with --help for the flags.", format, args...)
}
