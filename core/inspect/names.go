package inspect

import "github.com/activeroles/arupgrade/core/dbopen"

// sqlNames is the instance (as people type it: host, host\INST, host,port)
// and the database of a SQL Server endpoint, however it was given (instance
// and database, or a connection string); both are empty for a bundle.
func sqlNames(ep *dbopen.Endpoint) (server, database string) {
	if ep.IsBundle() {
		return "", ""
	}
	o, err := dbopen.SQLOptions(ep)
	if err != nil {
		// The endpoint was opened already, so this is not expected; name what was given.
		return ep.Server, ep.Database
	}
	return o.ServerName(), o.Database
}
