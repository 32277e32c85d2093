// Package sqlserver is the SQL Server side of the upgrade: connection
// options, error classification, identifier quoting, and the store.Source,
// store.ConfigDestination and store.HistoryDestination implementations. All
// T-SQL of the project lives in this package (sql.go holds the statements).
package sqlserver

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Auth is how the connection authenticates.
type Auth string

const (
	// AuthSQL is a SQL Server login (user name and password).
	AuthSQL Auth = "SqlPassword"
	// AuthWindows is Windows integrated authentication: SSPI on Windows;
	// elsewhere Kerberos (credential cache or keytab) or NTLM when a
	// DOMAIN\user name and password are given.
	AuthWindows Auth = "Windows"
	// AuthEntraPassword is a Microsoft Entra (Azure AD) user name and password.
	AuthEntraPassword Auth = "ActiveDirectoryPassword"
	// AuthEntraServicePrincipal is an application: client id and secret.
	AuthEntraServicePrincipal Auth = "ActiveDirectoryServicePrincipal"
	// AuthEntraManagedIdentity is the host's managed identity (system, or a
	// user-assigned one named by its client id).
	AuthEntraManagedIdentity Auth = "ActiveDirectoryManagedIdentity"
	// AuthEntraDefault is azidentity's default credential chain
	// (environment, workload identity, managed identity, Azure CLI, …).
	AuthEntraDefault Auth = "ActiveDirectoryDefault"
	// AuthEntraInteractive opens a browser sign-in; needs a desktop.
	AuthEntraInteractive Auth = "ActiveDirectoryInteractive"
)

// IsEntra reports whether a is one of the Microsoft Entra modes.
func (a Auth) IsEntra() bool { return strings.HasPrefix(string(a), "ActiveDirectory") }

// DatabaseType is the guide's "Database type" choice.
type DatabaseType string

const (
	OnPremises DatabaseType = "OnPremises"
	AzureSQL   DatabaseType = "AzureSQL"
)

// Encrypt is the TDS encryption mode.
type Encrypt string

const (
	// EncryptMandatory (the default) encrypts the whole session and validates
	// the server certificate unless TrustServerCertificate is set.
	EncryptMandatory Encrypt = "true"
	// EncryptStrict is TDS 8.0: TLS before any TDS traffic, certificate always
	// validated (SQL Server 2022+, Azure SQL).
	EncryptStrict Encrypt = "strict"
	// EncryptOptional encrypts the login only when the server has no
	// certificate; the data travels in clear. Only when explicitly asked.
	EncryptOptional Encrypt = "false"
	// EncryptDisabled sends everything in clear, the login too: only for a
	// server that has no TLS at all (a test server). Only when explicitly asked.
	EncryptDisabled Encrypt = "disable"
)

// DefaultAppName is the application name the server sees (sys.dm_exec_sessions).
const DefaultAppName = "ActiveRolesUpgrade"

// Default timeouts, as SqlClient's but with a longer command timeout: history
// batches and CREATE DATABASE can take longer than 30 s on a busy server.
const (
	DefaultConnectTimeout = 30 * time.Second
	DefaultCommandTimeout = 10 * time.Minute
)

// Options says how to reach one database. The zero value is not usable:
// build it with ParseLocation or fill it and call Validate.
type Options struct {
	Server   string // host name, FQDN or IP address
	Instance string // named instance, "" for the default instance
	Port     int    // 0 = default (1433, or the SQL Browser's answer for a named instance)
	Database string

	DatabaseType DatabaseType // "" = OnPremises, or AzureSQL when Server is an Azure SQL name
	Auth         Auth         // "" = AuthSQL when User is set, else AuthEntraDefault for AzureSQL, else AuthWindows
	User         string       // login, Entra user, DOMAIN\user (NTLM), or a managed identity's client id
	Password     string       // SQL/Entra/NTLM password or a service principal's client secret
	ClientID     string       // service principal: application (client) id; Entra password/interactive: the app registration
	TenantID     string       // service principal: tenant; "" = the server's

	Encrypt                Encrypt // "" = EncryptMandatory
	TrustServerCertificate bool    // skip certificate validation (warned)
	HostNameInCertificate  string  // expected certificate name when it differs from Server
	ServerSPN              string  // Kerberos SPN when the default MSSQLSvc/host:port is wrong

	// Kerberos on non-Windows hosts (Windows authentication without a password).
	Krb5ConfigFile    string // "" = /etc/krb5.conf
	Krb5CredCacheFile string // "" = $KRB5CCNAME or /tmp/krb5cc_<uid>
	Krb5KeytabFile    string
	Krb5Realm         string

	ConnectTimeout time.Duration // 0 = DefaultConnectTimeout
	CommandTimeout time.Duration // per statement; 0 = DefaultCommandTimeout, <0 = none
	AppName        string        // "" = DefaultAppName
}

// Warning is a finding about the options the caller should show; the
// connection still works.
type Warning struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Warning codes of this package.
const (
	WarnTrustServerCertificate = "AR-W101"
	WarnShortServerName        = "AR-W102"
	WarnEncryptionOff          = "AR-W103"
	WarnSnapshotOff            = "AR-W104"
	WarnBulkCopyUnavailable    = "AR-W105"
)

// azureSuffixes are the DNS suffixes of Azure SQL Database logical servers.
var azureSuffixes = []string{".database.windows.net", ".database.chinacloudapi.cn",
	".database.usgovcloudapi.net", ".database.cloudapi.de"}

func isAzureName(host string) bool {
	h := strings.ToLower(host)
	for _, s := range azureSuffixes {
		if strings.HasSuffix(h, s) {
			return true
		}
	}
	return false
}

// withDefaults fills the documented defaults.
func (o Options) withDefaults() Options {
	if o.DatabaseType == "" {
		o.DatabaseType = OnPremises
		if isAzureName(o.Server) {
			o.DatabaseType = AzureSQL
		}
	}
	if o.Auth == "" {
		// Azure SQL Database refuses Windows authentication, so without a
		// login its default is the Entra default credential chain (az login,
		// a managed identity, the environment), as dbatools and SqlClient users expect.
		switch {
		case o.User != "":
			o.Auth = AuthSQL
		case o.DatabaseType == AzureSQL:
			o.Auth = AuthEntraDefault
		default:
			o.Auth = AuthWindows
		}
	}
	if o.Encrypt == "" {
		o.Encrypt = EncryptMandatory
	}
	if o.ConnectTimeout == 0 {
		o.ConnectTimeout = DefaultConnectTimeout
	}
	if o.CommandTimeout == 0 {
		o.CommandTimeout = DefaultCommandTimeout
	}
	if o.AppName == "" {
		o.AppName = DefaultAppName
	}
	return o
}

// OptionsError is a problem with connection options or a location string. It
// names the bad part and the fix, and never holds a secret.
type OptionsError struct {
	Part    string // e.g. "Server", "Authentication", "Port"
	Problem string
	Fix     string
}

func (e *OptionsError) Error() string {
	s := "connection " + e.Part + ": " + e.Problem
	if e.Fix != "" {
		s += "; " + e.Fix
	}
	return s
}

func optErr(part, problem, fix string) error {
	return &OptionsError{Part: part, Problem: problem, Fix: fix}
}

// krb5Available is set by krb5.go when the Kerberos provider is compiled in.
var krb5Available bool

// Validate checks the options once, when they are built, so that a run
// never fails late on a typo: the form of every field (as ParseLocation
// does) and that the chosen authentication has what it needs.
func (o Options) Validate() error {
	if err := o.checkSyntax(); err != nil {
		return err
	}
	return o.withDefaults().checkComplete()
}

// checkSyntax checks each given field on its own; a location string may
// leave out what the caller adds later (database, credentials).
func (o Options) checkSyntax() error {
	o = o.withDefaults()
	if strings.TrimSpace(o.Server) == "" {
		return optErr("Server", "no server given", `give Server=host, host\instance or host,port`)
	}
	if strings.ContainsAny(o.Server, " \t;\\/,?#@") {
		return optErr("Server", fmt.Sprintf("%q is not a host name", o.Server),
			`give the host alone; put a named instance after a backslash (host\instance) and a port after a comma (host,1433)`)
	}
	if o.Instance != "" && !validInstance(o.Instance) {
		return optErr("Server", fmt.Sprintf("instance name %q is not valid", o.Instance), "an instance name has at most 16 letters, digits, _ or $")
	}
	if o.Port < 0 || o.Port > 65535 {
		return optErr("Port", fmt.Sprintf("%d is not a TCP port", o.Port), "give a port between 1 and 65535")
	}
	if len([]rune(o.Database)) > 128 {
		return optErr("Database", "the name is longer than 128 characters", "SQL Server names have at most 128 characters")
	}
	switch o.DatabaseType {
	case OnPremises, AzureSQL:
	default:
		return optErr("Database type", fmt.Sprintf("%q is unknown", o.DatabaseType), "use OnPremises or AzureSQL")
	}
	switch o.Encrypt {
	case EncryptMandatory, EncryptStrict, EncryptOptional, EncryptDisabled:
	default:
		return optErr("Encrypt", fmt.Sprintf("%q is unknown", o.Encrypt), "use Encrypt=true (default), strict, false or disable")
	}
	if o.Encrypt == EncryptStrict && o.TrustServerCertificate {
		return optErr("TrustServerCertificate", "strict encryption always validates the certificate", "remove TrustServerCertificate or use Encrypt=true")
	}
	if o.ConnectTimeout < 0 {
		return optErr("Connect Timeout", "negative timeout", "give seconds ≥ 0")
	}
	switch o.Auth {
	case AuthSQL, AuthWindows, AuthEntraPassword, AuthEntraServicePrincipal, AuthEntraManagedIdentity, AuthEntraDefault, AuthEntraInteractive:
	default:
		return optErr("Authentication", fmt.Sprintf("%q is not supported", o.Auth),
			"use SqlPassword, Windows, ActiveDirectoryPassword, ActiveDirectoryServicePrincipal, ActiveDirectoryManagedIdentity, ActiveDirectoryDefault or ActiveDirectoryInteractive")
	}
	return nil
}

// checkComplete checks what a connection needs as a whole (defaults applied).
// NeedsSecret reports whether the authentication the options resolve to
// takes a password or client secret that has not been given: the front ends
// then ask for it (prompt, file, environment variable), whichever way the
// user named the login (a flag, User Id=…, or sqlserver://user@host).
func (o Options) NeedsSecret() bool {
	o = o.withDefaults()
	if o.Password != "" {
		return false
	}
	// Only a login that is otherwise complete is asked for its secret: for a
	// missing login name, Validate's answer (which names it) comes first,
	// the same through every front end.
	switch o.Auth {
	case AuthSQL, AuthEntraPassword:
		return o.User != ""
	case AuthEntraServicePrincipal:
		return o.User != "" || o.ClientID != ""
	case AuthWindows:
		return o.User != "" && runtime.GOOS != "windows" // NTLM
	}
	return false
}

func (o Options) checkComplete() error {
	if o.Database == "" {
		return optErr("Database", "no database given", "give Database=<name>")
	}
	switch o.Auth {
	case AuthSQL:
		if o.User == "" {
			return optErr("Authentication", "SQL Server authentication needs a login name", "give User Id=<login> and a password, or use Windows authentication")
		}
	case AuthWindows:
		if o.DatabaseType == AzureSQL {
			return optErr("Authentication", "Azure SQL Database does not accept Windows authentication",
				"use SQL Server authentication or a Microsoft Entra mode (Authentication=ActiveDirectoryPassword, …)")
		}
		if runtime.GOOS != "windows" && o.Password == "" && !krb5Available {
			return optErr("Authentication", "Windows authentication without a password needs Kerberos, which this build does not include",
				`give User Id=DOMAIN\user and a password (NTLM), or use a build with Kerberos support`)
		}
		if o.User != "" && o.Password == "" && runtime.GOOS == "windows" {
			return optErr("User Id", "Windows authentication uses the signed-in account; a user name without a password is ignored",
				"remove User Id, or run the tool as that account")
		}
	case AuthEntraPassword:
		if o.User == "" || o.Password == "" {
			return optErr("Authentication", "ActiveDirectoryPassword needs the Entra user name and password", "give User Id=user@tenant and Password")
		}
		if o.ClientID == "" {
			return optErr("Authentication", "ActiveDirectoryPassword needs the client id of an app registration allowed to sign users in",
				"give ApplicationClientId=<guid>")
		}
	case AuthEntraServicePrincipal:
		if o.ClientID == "" && o.User == "" {
			return optErr("Authentication", "ActiveDirectoryServicePrincipal needs the application (client) id", "give User Id=<client id> (or ClientId) and Password=<client secret>")
		}
		if o.Password == "" {
			return optErr("Password", "ActiveDirectoryServicePrincipal needs the client secret", "give Password=<client secret>")
		}
	case AuthEntraManagedIdentity, AuthEntraDefault:
	case AuthEntraInteractive:
		if o.ClientID == "" {
			return optErr("Authentication", "ActiveDirectoryInteractive needs the client id of an app registration", "give ApplicationClientId=<guid>")
		}
		if runtime.GOOS != "windows" && runtime.GOOS != "darwin" && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
			return optErr("Authentication", "interactive sign-in needs a desktop with a browser",
				"use ActiveDirectoryDefault, ActiveDirectoryManagedIdentity or ActiveDirectoryServicePrincipal on a server without a desktop")
		}
	default:
		return optErr("Authentication", fmt.Sprintf("%q is not supported", o.Auth),
			"use SqlPassword, Windows, ActiveDirectoryPassword, ActiveDirectoryServicePrincipal, ActiveDirectoryManagedIdentity, ActiveDirectoryDefault or ActiveDirectoryInteractive")
	}
	return nil
}

func validInstance(s string) bool {
	if len(s) > 16 {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '$' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// ServerName is the server as people write it: host, host\instance, host,port.
func (o Options) ServerName() string {
	s := o.Server
	if o.Instance != "" {
		s += `\` + o.Instance
	}
	if o.Port != 0 {
		s += "," + strconv.Itoa(o.Port)
	}
	return s
}

// Location is "server/database" for messages and store.Info.
func (o Options) Location() string { return o.ServerName() + "/" + o.Database }

// Redacted renders the options as a connection string without any secret;
// use it in every message and log line.
func (o Options) Redacted() string {
	o = o.withDefaults()
	var b strings.Builder
	fmt.Fprintf(&b, "Server=%s;Database=%s;Authentication=%s", o.ServerName(), o.Database, o.Auth)
	if o.User != "" {
		fmt.Fprintf(&b, ";User Id=%s", o.User)
	}
	if o.ClientID != "" {
		fmt.Fprintf(&b, ";ApplicationClientId=%s", o.ClientID)
	}
	if o.Password != "" {
		b.WriteString(";Password=***")
	}
	fmt.Fprintf(&b, ";Encrypt=%s", o.Encrypt)
	if o.TrustServerCertificate {
		b.WriteString(";TrustServerCertificate=true")
	}
	if o.HostNameInCertificate != "" {
		fmt.Fprintf(&b, ";HostNameInCertificate=%s", o.HostNameInCertificate)
	}
	if o.DatabaseType == AzureSQL {
		b.WriteString(";Database Type=AzureSQL")
	}
	return b.String()
}

// String is Redacted, so that formatting Options with %v never leaks a secret.
func (o Options) String() string { return o.Redacted() }

// GoString keeps %#v from printing the password too.
func (o Options) GoString() string { return "sqlserver.Options{" + o.Redacted() + "}" }

// secrets lists the values that must never appear in a message.
func (o Options) secrets() []string {
	var s []string
	if len(o.Password) >= 3 { // shorter ones would blank out ordinary words
		s = append(s, o.Password, url.QueryEscape(o.Password), url.PathEscape(o.Password))
	}
	return s
}

// Warnings lists what is risky about the options: certificate validation
// off, encryption off, or validation against a short server name (the guide,
// "Configuring Active Roles for a newer Microsoft OLE DB Driver": the
// certificate is checked against the name given, so give the FQDN).
func (o Options) Warnings() []Warning {
	o = o.withDefaults()
	var w []Warning
	switch o.Encrypt {
	case EncryptOptional:
		w = append(w, Warning{WarnEncryptionOff,
			fmt.Sprintf("encryption is off for %s: data, including imported secrets, may travel in clear; use Encrypt=true", o.ServerName())})
	case EncryptDisabled:
		w = append(w, Warning{WarnEncryptionOff,
			fmt.Sprintf("encryption is disabled for %s: the login and all data, including imported secrets, travel in clear; give the server a certificate and use Encrypt=true", o.ServerName())})
	}
	if o.TrustServerCertificate {
		w = append(w, Warning{WarnTrustServerCertificate,
			fmt.Sprintf("TrustServerCertificate is on for %s: the server certificate is not validated, so the connection can be intercepted; install a certificate from a certificate authority and remove TrustServerCertificate", o.ServerName())})
	}
	validating := o.Encrypt != EncryptOptional && o.Encrypt != EncryptDisabled && !o.TrustServerCertificate
	if validating && o.HostNameInCertificate == "" && isShortName(o.Server) {
		w = append(w, Warning{WarnShortServerName,
			fmt.Sprintf("server %q is a short name: certificate validation needs the name in the certificate, usually the FQDN (e.g. %s.corp.example.com); give the FQDN or HostNameInCertificate", o.Server, o.Server)})
	}
	return w
}

func isShortName(host string) bool {
	if net.ParseIP(strings.Trim(host, "[]")) != nil {
		return false
	}
	h := strings.ToLower(host)
	if h == "localhost" || h == "." || h == "(local)" {
		return false
	}
	return !strings.Contains(strings.TrimSuffix(h, "."), ".")
}

// dsn renders the options as a go-mssqldb URL connection string. Secrets go
// in query parameters (URL-encoded), never in the userinfo, so that nothing
// that echoes the host part can leak them.
func (o Options) dsn() string {
	o = o.withDefaults()
	q := url.Values{}
	q.Set("database", o.Database)
	q.Set("app name", o.AppName)
	q.Set("encrypt", string(o.Encrypt))
	if o.TrustServerCertificate || o.Encrypt == EncryptOptional || o.Encrypt == EncryptDisabled {
		// Encrypt=false encrypts at most the login packet and, as in SqlClient,
		// does not validate the certificate for it (warned by Warnings).
		q.Set("trustservercertificate", "true")
	} else {
		// msdsn trusts by default when encrypt is absent; always say it.
		q.Set("trustservercertificate", "false")
	}
	if o.HostNameInCertificate != "" {
		q.Set("hostnameincertificate", o.HostNameInCertificate)
	}
	secs := strconv.Itoa(int(o.ConnectTimeout / time.Second))
	q.Set("dial timeout", secs)
	q.Set("connection timeout", secs)
	if o.ServerSPN != "" {
		q.Set("serverspn", o.ServerSPN)
	}
	switch o.Auth {
	case AuthSQL:
		q.Set("user id", o.User)
		q.Set("password", o.Password)
	case AuthWindows:
		if o.Password != "" {
			// NTLM (or SSPI with explicit credentials on Windows).
			q.Set("user id", o.User)
			q.Set("password", o.Password)
		} else if runtime.GOOS != "windows" {
			q.Set("authenticator", "krb5")
			setIf(q, "krb5-configfile", o.Krb5ConfigFile)
			setIf(q, "krb5-realm", o.Krb5Realm)
			if o.Krb5KeytabFile != "" {
				q.Set("krb5-keytabfile", o.Krb5KeytabFile)
				q.Set("user id", o.User)
			} else {
				cc := o.Krb5CredCacheFile
				if cc == "" {
					cc = defaultCredCache()
				}
				setIf(q, "krb5-credcachefile", cc)
			}
			if o.Krb5ConfigFile == "" {
				q.Set("krb5-configfile", "/etc/krb5.conf")
			}
		}
	case AuthEntraPassword:
		q.Set("fedauth", string(o.Auth))
		q.Set("user id", o.User)
		q.Set("password", o.Password)
		q.Set("applicationclientid", o.ClientID)
	case AuthEntraServicePrincipal:
		q.Set("fedauth", string(o.Auth))
		id := o.ClientID
		if id == "" {
			id = o.User
		}
		if o.TenantID != "" && !strings.Contains(id, "@") {
			id += "@" + o.TenantID
		}
		q.Set("user id", id)
		q.Set("password", o.Password)
	case AuthEntraManagedIdentity:
		q.Set("fedauth", string(o.Auth))
		if id := firstNonEmpty(o.ClientID, o.User); id != "" {
			q.Set("user id", id)
		}
	case AuthEntraDefault:
		q.Set("fedauth", string(o.Auth))
	case AuthEntraInteractive:
		q.Set("fedauth", string(o.Auth))
		setIf(q, "user id", o.User)
		q.Set("applicationclientid", o.ClientID)
	}
	u := url.URL{Scheme: "sqlserver", Host: o.Server, RawQuery: q.Encode()}
	if strings.Contains(o.Server, ":") && net.ParseIP(o.Server) != nil {
		u.Host = "[" + o.Server + "]"
	}
	if o.Port != 0 {
		u.Host = net.JoinHostPort(strings.Trim(u.Host, "[]"), strconv.Itoa(o.Port))
	}
	if o.Instance != "" {
		u.Path = "/" + o.Instance
	}
	return u.String()
}

func defaultCredCache() string {
	if v := os.Getenv("KRB5CCNAME"); v != "" {
		return strings.TrimPrefix(v, "FILE:")
	}
	return fmt.Sprintf("/tmp/krb5cc_%d", os.Getuid())
}

func setIf(q url.Values, k, v string) {
	if v != "" {
		q.Set(k, v)
	}
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
