package dbopen

import (
	"context"

	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/store"
)

// openSQLSource opens a SQL Server database; wired to core/sqlserver.
func openSQLSource(ctx context.Context, ep *Endpoint, w Warner) (store.Source, error) {
	return nil, engine.NotImplemented("Reading from SQL Server")
}
