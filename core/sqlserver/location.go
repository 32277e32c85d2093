package sqlserver

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ParseLocation reads a database location in either form:
//
//	sqlserver://user@host:port/instance?database=X&encrypt=true&authentication=…
//	Server=host\instance,port;Database=X;User Id=…;Password=…;Encrypt=…;TrustServerCertificate=…;Authentication=…
//
// Keys are case-insensitive; SqlClient's synonyms (Data Source, Initial
// Catalog, UID, PWD, Integrated Security, …) are accepted. Unknown keys are
// errors, so that a typo never silently weakens the connection. Errors are
// *OptionsError values naming the bad part and the fix; they never contain
// the password. What only the whole can tell (a database given, the
// credentials an authentication mode needs) is checked by Validate.
func ParseLocation(s string) (Options, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Options{}, optErr("string", "empty", `give sqlserver://host/instance?database=X or Server=host;Database=X`)
	}
	var kv []keyValue
	var o Options
	var err error
	if strings.HasPrefix(strings.ToLower(s), "sqlserver://") {
		o, kv, err = splitURL(s)
	} else if strings.Contains(s, "://") {
		return Options{}, optErr("string", "only the sqlserver:// scheme is understood", `write sqlserver://host/instance?database=X`)
	} else {
		kv, err = splitKeyValues(s)
	}
	if err != nil {
		return Options{}, err
	}
	if err := o.apply(kv); err != nil {
		return Options{}, err
	}
	if err := o.checkSyntax(); err != nil {
		return Options{}, err
	}
	// Defaults are not filled in: a caller may still add the database or the
	// credentials (dbopen does), and Auth must then follow them. Validate
	// (Open calls it) checks the whole.
	return o, nil
}

type keyValue struct{ key, value string }

// splitURL reads the URL form. The userinfo may hold user[:password].
func splitURL(s string) (Options, []keyValue, error) {
	var o Options
	u, err := url.Parse(s)
	if err != nil {
		// url's error quotes the whole input, password included: do not wrap it.
		return o, nil, optErr("URL", "not a valid URL", `write sqlserver://[user@]host[:port][/instance]?database=X; percent-encode special characters such as @ : / ? # in names and passwords`)
	}
	if u.User != nil {
		o.User = u.User.Username()
		if p, ok := u.User.Password(); ok {
			o.Password = p
		}
	}
	host, port := u.Host, ""
	if h, p, err := net.SplitHostPort(u.Host); err == nil {
		host, port = h, p
	}
	o.Server = host
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n <= 0 || n > 65535 {
			return o, nil, optErr("Port", fmt.Sprintf("%q is not a TCP port", port), "give a port between 1 and 65535")
		}
		o.Port = n
	}
	if p := strings.Trim(u.Path, "/"); p != "" {
		if strings.Contains(p, "/") {
			return o, nil, optErr("URL path", fmt.Sprintf("%q has more than one part", p), "the path holds only the instance name; give the database as ?database=X")
		}
		o.Instance = p
	}
	var kv []keyValue
	for k, vs := range u.Query() {
		if len(vs) > 1 {
			return o, nil, optErr(k, "given more than once", "give each key once")
		}
		kv = append(kv, keyValue{k, vs[0]})
	}
	return o, kv, nil
}

// splitKeyValues reads Key=Value pairs separated by ';'. A value may be
// quoted with " or ' (doubled to include the quote), as in SqlClient.
func splitKeyValues(s string) ([]keyValue, error) {
	var out []keyValue
	i := 0
	for i < len(s) {
		for i < len(s) && (s[i] == ';' || s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i >= len(s) {
			break
		}
		eq := strings.IndexByte(s[i:], '=')
		semi := strings.IndexByte(s[i:], ';')
		if eq < 0 || (semi >= 0 && semi < eq) {
			// The text may be the tail of a password that contains ';': never echo it.
			after := "the start"
			if len(out) > 0 {
				after = out[len(out)-1].key
			}
			return nil, optErr("string", "text after "+after+" is not Key=Value",
				`separate Key=Value pairs with ';' and enclose a value that contains ';' in double quotes (Password="a;b")`)
		}
		key := strings.TrimSpace(s[i : i+eq])
		i += eq + 1
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		var val string
		if i < len(s) && (s[i] == '"' || s[i] == '\'') {
			q := s[i]
			i++
			var b strings.Builder
			closed := false
			for i < len(s) {
				if s[i] == q {
					if i+1 < len(s) && s[i+1] == q {
						b.WriteByte(q)
						i += 2
						continue
					}
					i++
					closed = true
					break
				}
				b.WriteByte(s[i])
				i++
			}
			if !closed {
				return nil, optErr(key, "quoted value has no closing quote", "close the quote; double a quote inside a quoted value")
			}
			val = b.String()
			for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
				i++
			}
			if i < len(s) && s[i] != ';' {
				return nil, optErr(key, "text after the closing quote", "end the value with ';'")
			}
		} else {
			end := strings.IndexByte(s[i:], ';')
			if end < 0 {
				end = len(s) - i
			}
			val = strings.TrimSpace(s[i : i+end])
			i += end
		}
		if key == "" {
			return nil, optErr("string", "a value without a key", "write Key=Value")
		}
		out = append(out, keyValue{key, val})
	}
	return out, nil
}

// canonical maps every accepted key spelling (lower case, spaces and
// underscores removed) to one name.
var canonical = map[string]string{
	"server": "server", "datasource": "server", "address": "server", "addr": "server", "networkaddress": "server", "host": "server",
	"port":     "port",
	"instance": "instance",
	"database": "database", "initialcatalog": "database",
	"userid": "user", "uid": "user", "user": "user", "username": "user",
	"password": "password", "pwd": "password",
	"encrypt":                "encrypt",
	"trustservercertificate": "trust",
	"hostnameincertificate":  "hostincert",
	"authentication":         "auth", "fedauth": "auth",
	"integratedsecurity": "integrated", "trustedconnection": "integrated",
	"connecttimeout": "connecttimeout", "connectiontimeout": "connecttimeout", "timeout": "connecttimeout", "dialtimeout": "connecttimeout",
	"commandtimeout":  "commandtimeout",
	"applicationname": "appname", "appname": "appname",
	"databasetype":        "dbtype",
	"applicationclientid": "clientid", "clientid": "clientid",
	"tenantid": "tenant", "tenant": "tenant",
	"serverspn":         "spn",
	"krb5configfile":    "krb5config",
	"krb5credcachefile": "krb5ccache",
	"krb5keytabfile":    "krb5keytab",
	"krb5realm":         "krb5realm",
}

func normKey(k string) string {
	k = strings.ToLower(strings.TrimSpace(k))
	r := strings.NewReplacer(" ", "", "_", "", "-", "")
	return r.Replace(k)
}

// apply sets o from the key/value pairs.
func (o *Options) apply(kv []keyValue) error {
	seen := map[string]bool{}
	for _, p := range kv {
		c, ok := canonical[normKey(p.key)]
		if !ok {
			return optErr(p.key, "unknown key", "check the spelling; supported: Server, Database, User Id, Password, Authentication, Encrypt, TrustServerCertificate, HostNameInCertificate, Connect Timeout, Command Timeout, Application Name, Database Type, ApplicationClientId, TenantId, ServerSPN, Integrated Security")
		}
		if seen[c] {
			return optErr(p.key, "given more than once", "give each key once")
		}
		seen[c] = true
		v := p.value
		switch c {
		case "server":
			if err := o.setServer(v); err != nil {
				return err
			}
		case "port":
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 || n > 65535 {
				return optErr("Port", fmt.Sprintf("%q is not a TCP port", v), "give a port between 1 and 65535")
			}
			o.Port = n
		case "instance":
			o.Instance = v
		case "database":
			o.Database = v
		case "user":
			o.User = v
		case "password":
			o.Password = v
		case "encrypt":
			switch strings.ToLower(v) {
			case "true", "yes", "mandatory", "1":
				o.Encrypt = EncryptMandatory
			case "strict":
				o.Encrypt = EncryptStrict
			case "false", "no", "optional", "0":
				o.Encrypt = EncryptOptional
			case "disable", "disabled":
				o.Encrypt = EncryptDisabled
			default:
				return optErr("Encrypt", fmt.Sprintf("%q is not an encryption mode", v), "use Encrypt=true (default), strict, false or disable")
			}
		case "trust":
			b, err := parseBool(v)
			if err != nil {
				return optErr("TrustServerCertificate", fmt.Sprintf("%q is not true or false", v), "use TrustServerCertificate=true or false")
			}
			o.TrustServerCertificate = b
		case "hostincert":
			o.HostNameInCertificate = v
		case "auth":
			a, err := parseAuth(v)
			if err != nil {
				return err
			}
			o.Auth = a
		case "integrated":
			switch strings.ToLower(v) {
			case "true", "yes", "sspi", "1":
				if o.Auth != "" && o.Auth != AuthWindows {
					return optErr("Integrated Security", "conflicts with Authentication="+string(o.Auth), "give one of them")
				}
				o.Auth = AuthWindows
			case "false", "no", "0":
			default:
				return optErr("Integrated Security", fmt.Sprintf("%q is not true or false", v), "use Integrated Security=true (or SSPI)")
			}
		case "connecttimeout", "commandtimeout":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return optErr(p.key, fmt.Sprintf("%q is not a number of seconds", v), "give whole seconds, e.g. 30")
			}
			d := time.Duration(n) * time.Second
			if c == "connecttimeout" {
				o.ConnectTimeout = d
			} else {
				if n == 0 {
					d = -1 // SqlClient: 0 = wait indefinitely
				}
				o.CommandTimeout = d
			}
		case "appname":
			o.AppName = v
		case "dbtype":
			switch normKey(v) {
			case "onpremises", "onpremise", "sqlserver":
				o.DatabaseType = OnPremises
			case "azuresql", "azuresqldatabase", "azure":
				o.DatabaseType = AzureSQL
			default:
				return optErr("Database Type", fmt.Sprintf("%q is unknown", v), "use OnPremises or AzureSQL")
			}
		case "clientid":
			o.ClientID = v
		case "tenant":
			o.TenantID = v
		case "spn":
			o.ServerSPN = v
		case "krb5config":
			o.Krb5ConfigFile = v
		case "krb5ccache":
			o.Krb5CredCacheFile = v
		case "krb5keytab":
			o.Krb5KeytabFile = v
		case "krb5realm":
			o.Krb5Realm = v
		}
	}
	return nil
}

// setServer reads host, host\instance, host,port, host\instance,port, with
// an optional tcp: prefix.
func (o *Options) setServer(v string) error {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(strings.ToLower(v), "tcp:") {
		v = v[4:]
	} else if i := strings.Index(v, ":"); i > 0 && (strings.HasPrefix(strings.ToLower(v), "np:") || strings.HasPrefix(strings.ToLower(v), "lpc:")) {
		return optErr("Server", "named pipes and shared memory are not supported", "connect over TCP: Server=host or host,port")
	}
	if v == "" {
		return optErr("Server", "empty", `give Server=host, host\instance or host,port`)
	}
	if i := strings.LastIndexByte(v, ','); i >= 0 {
		ps := strings.TrimSpace(v[i+1:])
		n, err := strconv.Atoi(ps)
		if err != nil || n <= 0 || n > 65535 {
			return optErr("Server", fmt.Sprintf("port %q is not a TCP port", ps), `write host,1433 with a port between 1 and 65535`)
		}
		o.Port = n
		v = strings.TrimSpace(v[:i])
	}
	if i := strings.IndexByte(v, '\\'); i >= 0 {
		o.Instance = v[i+1:]
		v = v[:i]
		if o.Instance == "" {
			return optErr("Server", "empty instance name after the backslash", `write host\instance, or host alone for the default instance`)
		}
	}
	if v == "." || strings.EqualFold(v, "(local)") {
		v = "localhost"
	}
	o.Server = v
	return nil
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "yes", "1":
		return true, nil
	case "false", "no", "0":
		return false, nil
	}
	return false, fmt.Errorf("not a boolean")
}

// parseAuth accepts the SqlClient names and the guide's wording.
func parseAuth(v string) (Auth, error) {
	switch normKey(v) {
	case "sqlpassword", "sql", "sqlserver", "sqlserverauthentication", "sqllogin":
		return AuthSQL, nil
	case "windows", "integrated", "windowsauthentication", "sspi", "kerberos", "ntlm":
		return AuthWindows, nil
	case "activedirectorypassword", "entrapassword", "azureactivedirectoryauthentication":
		return AuthEntraPassword, nil
	case "activedirectoryserviceprincipal", "activedirectoryapplication", "serviceprincipal":
		return AuthEntraServicePrincipal, nil
	case "activedirectorymanagedidentity", "activedirectorymsi", "managedidentity":
		return AuthEntraManagedIdentity, nil
	case "activedirectorydefault":
		return AuthEntraDefault, nil
	case "activedirectoryinteractive":
		return AuthEntraInteractive, nil
	case "activedirectoryintegrated":
		return "", optErr("Authentication", "ActiveDirectoryIntegrated is not supported by this tool",
			"use Windows authentication for on-premises SQL Server, or ActiveDirectoryDefault for Azure SQL")
	}
	return "", optErr("Authentication", fmt.Sprintf("%q is unknown", v),
		"use SqlPassword, Windows, ActiveDirectoryPassword, ActiveDirectoryServicePrincipal, ActiveDirectoryManagedIdentity, ActiveDirectoryDefault or ActiveDirectoryInteractive")
}
