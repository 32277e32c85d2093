//go:build krb5 && !windows

package sqlserver

// Kerberos for Windows authentication on Linux/macOS. It is behind the krb5
// build tag because go-mssqldb's krb5 provider pulls in gokrb5, which is not
// yet in go.mod.
import _ "github.com/microsoft/go-mssqldb/integratedauth/krb5"

func init() { krb5Available = true }
