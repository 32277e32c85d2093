//go:build !windows

package sqlserver

// Kerberos for Windows authentication on Linux/macOS (credential cache or
// keytab); Windows uses SSPI.
import _ "github.com/microsoft/go-mssqldb/integratedauth/krb5"

func init() { krb5Available = true }
