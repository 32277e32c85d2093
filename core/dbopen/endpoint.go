// Package dbopen turns an endpoint (a bundle path or a SQL Server database)
// into the store implementation that serves it, so every operation accepts a
// bundle wherever it accepts a SQL Server database.
package dbopen

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/activeroles/arupgrade/core/engine"
)

// BundleExt is the file extension of bundles.
const BundleExt = ".arbundle"

// Endpoint is a source or destination as the request names it (docs/DESIGN.md).
type Endpoint struct {
	Path                   string `json:"path,omitempty"`
	ConnectionString       string `json:"connectionString,omitempty"`
	Server                 string `json:"server,omitempty"`
	Database               string `json:"database,omitempty"`
	Auth                   string `json:"auth,omitempty"`
	User                   string `json:"user,omitempty"`
	Password               string `json:"password,omitempty"`
	DatabaseType           string `json:"databaseType,omitempty"`
	TrustServerCertificate bool   `json:"trustServerCertificate,omitempty"`
	HostNameInCertificate  string `json:"hostNameInCertificate,omitempty"`
	ConnectTimeoutSeconds  int    `json:"connectTimeoutSeconds,omitempty"`
	CommandTimeoutSeconds  int    `json:"commandTimeoutSeconds,omitempty"`
	ApplicationName        string `json:"applicationName,omitempty"`
	// Create asks for a new database (or bundle); it must not exist yet.
	Create bool `json:"create,omitempty"`
}

// IsBundle reports whether the endpoint is a bundle file.
func (e *Endpoint) IsBundle() bool { return e.Path != "" }

// IsZero reports whether nothing was given.
func (e *Endpoint) IsZero() bool {
	return e.Path == "" && e.ConnectionString == "" && e.Server == "" && e.Database == ""
}

// ParseLocation reads the CLI's --source/--destination value: a bundle path
// (*.arbundle, or any existing file) or a SQL Server connection string
// (sqlserver://… URL or Server=…;Database=… form).
func ParseLocation(s string) (Endpoint, error) {
	t := strings.TrimSpace(s)
	switch {
	case t == "":
		return Endpoint{}, engine.Errorf("AR-ARGS", engine.CatInvalidArgument,
			"Give a bundle path (*.arbundle) or a connection string such as \"Server=sql01.corp.example.com;Database=ARConfig76\".",
			"The location is empty.")
	case strings.HasPrefix(strings.ToLower(t), "sqlserver://"):
		return Endpoint{ConnectionString: t}, nil
	case strings.HasSuffix(strings.ToLower(t), BundleExt):
		return Endpoint{Path: t}, nil
	case strings.Contains(t, "=") && (strings.Contains(strings.ToLower(t), "server=") || strings.Contains(strings.ToLower(t), "data source=")):
		return Endpoint{ConnectionString: t}, nil
	}
	if fi, err := os.Stat(t); err == nil && !fi.IsDir() {
		return Endpoint{Path: t}, nil
	}
	return Endpoint{}, engine.Errorf("AR-ARGS", engine.CatInvalidArgument,
		"Give a bundle path ending in .arbundle, a sqlserver:// URL, or \"Server=host;Database=name\".",
		"%q is neither a bundle file nor a SQL Server connection string.", t)
}

// Describe names the endpoint for people; it never includes a password.
func (e *Endpoint) Describe() string {
	switch {
	case e.Path != "":
		if abs, err := filepath.Abs(e.Path); err == nil {
			return abs
		}
		return e.Path
	case e.Server != "" || e.Database != "":
		return fmt.Sprintf("%s/%s", e.Server, e.Database)
	case e.ConnectionString != "":
		return RedactConnectionString(e.ConnectionString)
	}
	return "(none)"
}

// RedactConnectionString removes passwords and secrets from a connection
// string in either form, for messages and logs.
func RedactConnectionString(s string) string {
	if strings.HasPrefix(strings.ToLower(s), "sqlserver://") {
		// sqlserver://user:password@host/... and ?password=...
		out := s
		if at := strings.Index(out, "@"); at > 0 {
			head := out[:at]
			if c := strings.LastIndex(head, ":"); c > len("sqlserver://") {
				out = head[:c] + ":***" + out[at:]
			}
		}
		return redactPairs(out, "&", "?")
	}
	return redactPairs(s, ";", "")
}

var secretKeys = []string{"password", "pwd", "clientsecret", "client secret", "secret", "accesstoken"}

func redactPairs(s, sep, lead string) string {
	prefix := ""
	body := s
	if lead != "" {
		if i := strings.Index(s, lead); i >= 0 {
			prefix, body = s[:i+1], s[i+1:]
		} else {
			return s
		}
	}
	parts := strings.Split(body, sep)
	for i, p := range parts {
		k, _, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		kk := strings.ToLower(strings.TrimSpace(k))
		for _, sk := range secretKeys {
			if kk == sk {
				parts[i] = k + "=***"
			}
		}
	}
	return prefix + strings.Join(parts, sep)
}

// HasSecret reports whether a connection string carries a password; the CLI
// refuses those, because a command line is visible to every user of the host.
func HasSecret(s string) bool { return RedactConnectionString(s) != s }
