// Package dbopen turns an endpoint (a bundle path or a SQL Server database)
// into the store implementation that serves it, so every operation accepts a
// bundle wherever it accepts a SQL Server database.
package dbopen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/activeroles/arupgrade/core/arerr"
)

// BundleExt is the file extension of bundles.
const BundleExt = ".arbundle"

// Endpoint is a source or destination as the request names it (docs/DESIGN.md).
type Endpoint struct {
	// Location is what the user typed (-Source, --source): a bundle path, a
	// connection string or a SQL Server instance; decoding resolves it with
	// ParseLocation into Path, ConnectionString or Server, so every front end
	// reads the forms by the same rule. BaseDirectory anchors a relative path
	// (the PowerShell location, which is not the engine's working directory).
	Location      string `json:"location,omitempty"`
	BaseDirectory string `json:"baseDirectory,omitempty"`

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

// UnmarshalJSON decodes strictly (an unknown field is a typo) and resolves
// Location, which excludes path, connectionString and server.
func (e *Endpoint) UnmarshalJSON(b []byte) error {
	type plain Endpoint
	var p plain
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return err
	}
	*e = Endpoint(p)
	return e.resolveLocation()
}

func (e *Endpoint) resolveLocation() error {
	if e.Location == "" {
		return nil
	}
	if e.Path != "" || e.ConnectionString != "" || e.Server != "" {
		return arerr.Errorf("AR-ARGS", arerr.CatInvalidArgument,
			"Name the database once: a location, or a path, a connection string or a server.",
			"The endpoint has both a location (%q) and a path, connection string or server.", shownLocation(e.Location))
	}
	loc, err := ParseLocation(e.Location)
	if err != nil {
		return err
	}
	if loc.Path != "" && !filepath.IsAbs(loc.Path) && e.BaseDirectory != "" {
		loc.Path = filepath.Join(e.BaseDirectory, loc.Path)
	}
	e.Path, e.ConnectionString, e.Server = loc.Path, loc.ConnectionString, loc.Server
	e.Location, e.BaseDirectory = "", ""
	return nil
}

// instanceName is a SQL Server instance as users type it: host, host\INSTANCE,
// host,port or host\INSTANCE,port, optionally tcp:-prefixed; the host is a
// name, FQDN (an Azure SQL server included), IPv4 address, "." or "(local)".
var instanceName = regexp.MustCompile(`^(?i)(tcp:)?([a-z0-9]([a-z0-9._-]*[a-z0-9_])?|\.|\(local\))(\\[a-z0-9_$#-]+)?(,[0-9]{1,5})?$`)

// ParseLocation reads what the user typed as a source or destination
// (--source, -Source): a bundle path (*.arbundle, or any existing file), a
// SQL Server connection string (sqlserver://… URL or Server=…;Database=…
// form), or a SQL Server instance (sql01, sql01\INST, sql01,1433, an Azure
// SQL server name) whose database is named separately.
func ParseLocation(s string) (Endpoint, error) {
	t := strings.TrimSpace(s)
	switch {
	case t == "":
		return Endpoint{}, arerr.Errorf("AR-ARGS", arerr.CatInvalidArgument,
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
	if instanceName.MatchString(t) {
		return Endpoint{Server: t}, nil
	}
	return Endpoint{}, arerr.Errorf("AR-ARGS", arerr.CatInvalidArgument,
		"Give a bundle path ending in .arbundle, a SQL Server instance (sql01, sql01\\INST, sql01,1433) with its database, a sqlserver:// URL, or \"Server=host;Database=name\".",
		"%q is neither a bundle file, a SQL Server instance nor a connection string.", shownLocation(t))
}

// shownLocation is a location for a message: as typed, unless it may be a
// connection string (which can carry a password).
func shownLocation(s string) string {
	if strings.ContainsAny(s, "=@") || strings.Contains(s, "://") {
		return RedactConnectionString(s)
	}
	return s
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
// string in either form, for messages and logs. Keys are matched as the
// driver matches them (any case; spaces, '_' and '-' ignored; URL query keys
// percent-decoded), quoted values are skipped whole (Password="a;b"), and
// text that is not Key=Value — possibly the tail of a password — is not
// shown either.
func RedactConnectionString(s string) string {
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(s)), "sqlserver://") {
		return redactURL(strings.TrimSpace(s))
	}
	return redactPairs(s)
}

// secretKeys are the keys (normalised with normKey) whose values are secret.
var secretKeys = map[string]bool{"password": true, "pwd": true, "clientsecret": true, "secret": true, "accesstoken": true}

// normKey normalises a key as core/sqlserver does.
func normKey(k string) string {
	return strings.NewReplacer(" ", "", "\t", "", "_", "", "-", "").Replace(strings.ToLower(strings.TrimSpace(k)))
}

func redactURL(s string) string {
	rest := s[len("sqlserver://"):]
	head, query, hasQuery := strings.Cut(rest, "?")
	// sqlserver://user:password@host/...: the last '@' ends the userinfo.
	if at := strings.LastIndex(head, "@"); at >= 0 {
		if c := strings.Index(head[:at], ":"); c >= 0 {
			head = head[:c] + ":***" + head[at:]
		}
	}
	out := s[:len("sqlserver://")] + head
	if !hasQuery {
		return out
	}
	parts := strings.Split(query, "&")
	for i, p := range parts {
		k, _, _ := strings.Cut(p, "=")
		key, err := url.QueryUnescape(k)
		if err != nil || secretKeys[normKey(key)] {
			parts[i] = k + "=***"
		}
	}
	return out + "?" + strings.Join(parts, "&")
}

// redactPairs redacts the Server=…;Password=… form, reading it as the
// driver does (core/sqlserver splitKeyValues).
func redactPairs(s string) string {
	var b strings.Builder
	i := 0
	for i < len(s) {
		start := i
		for i < len(s) && (s[i] == ';' || s[i] == ' ' || s[i] == '\t') {
			i++
		}
		b.WriteString(s[start:i])
		if i >= len(s) {
			break
		}
		eq := strings.IndexByte(s[i:], '=')
		semi := strings.IndexByte(s[i:], ';')
		if eq < 0 || (semi >= 0 && semi < eq) {
			b.WriteString("***") // maybe the tail of a password that holds ';'
			return b.String()
		}
		key := s[i : i+eq]
		b.WriteString(key)
		b.WriteByte('=')
		i += eq + 1
		vstart := i
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i < len(s) && (s[i] == '"' || s[i] == '\'') {
			q := s[i]
			i++
			for i < len(s) {
				if s[i] == q {
					if i+1 < len(s) && s[i+1] == q {
						i += 2
						continue
					}
					i++
					break
				}
				i++
			}
			// The driver refuses text after the closing quote; it is shown as
			// part of the value (redacted with it).
			if end := strings.IndexByte(s[i:], ';'); end >= 0 {
				i += end
			} else {
				i = len(s)
			}
		} else if end := strings.IndexByte(s[i:], ';'); end >= 0 {
			i += end
		} else {
			i = len(s)
		}
		if secretKeys[normKey(key)] {
			b.WriteString("***")
		} else {
			b.WriteString(s[vstart:i])
		}
	}
	return b.String()
}

// HasSecret reports whether a connection string carries a password; the CLI
// refuses those, because a command line is visible to every user of the host.
func HasSecret(s string) bool { return RedactConnectionString(s) != s }
