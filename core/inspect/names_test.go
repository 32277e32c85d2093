package inspect

import (
	"encoding/json"
	"testing"

	"github.com/activeroles/arupgrade/core/dbopen"
)

// TestInspectNamesSQLServerApart checks that a DatabaseInfo of a SQL Server
// database carries its instance and database as separate properties (what
// Get-ARDatabaseInfo | Export-ARDatabase binds), whatever form the source
// was typed in, and that a bundle carries neither.
func TestInspectNamesSQLServerApart(t *testing.T) {
	tests := []struct {
		name, location, database string
		wantServer, wantDatabase string
	}{
		{"host", "sql01", "ARConfig76", "sql01", "ARConfig76"},
		{"named instance", `sql01\INST`, "ARConfig76", `sql01\INST`, "ARConfig76"},
		{"port", "sql01,1433", "ARConfig76", "sql01,1433", "ARConfig76"},
		{"Azure SQL server", "contoso.database.windows.net", "ARHistory81", "contoso.database.windows.net", "ARHistory81"},
		{"ADO.NET connection string", "Server=sql01;Database=ARConfig76;Integrated Security=true", "", "sql01", "ARConfig76"},
		{"sqlserver URL", "sqlserver://sql01:1433?database=ARConfig76", "", "sql01,1433", "ARConfig76"},
		{"database given apart wins", "Server=sql01;Database=Old", "ARConfig76", "sql01", "ARConfig76"},
		{"bundle", "backup.arbundle", "", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := json.Marshal(map[string]string{"location": tc.location, "database": tc.database})
			if err != nil {
				t.Fatal(err)
			}
			var ep dbopen.Endpoint
			if err := json.Unmarshal(raw, &ep); err != nil {
				t.Fatalf("location %q: %v", tc.location, err)
			}
			server, database := sqlNames(&ep)
			if server != tc.wantServer || database != tc.wantDatabase {
				t.Errorf("sqlNames(%q, %q) = %q, %q; want %q, %q", tc.location, tc.database, server, database, tc.wantServer, tc.wantDatabase)
			}
		})
	}
}
