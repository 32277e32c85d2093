package dbopen

// Description names an endpoint for people, as every front end shows it: a
// bundle's full path, or a SQL Server database and its instance however the
// user typed them (instance, connection string in either form). It never
// holds a secret and needs no connection.
type Description struct {
	Description string `json:"description"` // Describe: the path, server/database or the redacted connection string
	Kind        string `json:"kind"`        // Bundle or SqlServer
	Path        string `json:"path,omitempty"`
	Server      string `json:"server,omitempty"` // as people write it: host, host\INST, host,port
	Database    string `json:"database,omitempty"`
}

// DescribeEndpoint names the endpoint (see Description).
func DescribeEndpoint(ep *Endpoint) Description {
	d := Description{Description: ep.Describe()}
	if ep.IsBundle() {
		d.Kind, d.Path = "Bundle", d.Description
		return d
	}
	d.Kind = "SqlServer"
	if o, err := mergeOptions(ep); err == nil {
		d.Server, d.Database = o.ServerName(), o.Database
	} else {
		d.Server, d.Database = ep.Server, ep.Database
	}
	return d
}
