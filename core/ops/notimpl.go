package ops

import (
	"context"
	"encoding/json"

	"github.com/activeroles/arupgrade/core/dbopen"
	"github.com/activeroles/arupgrade/core/engine"
)

func init() {
	engine.Register("copy-principals", runCopyPrincipals)
}

type copyPrincipalsParams struct {
	Source      dbopen.Endpoint `json:"source"`
	Destination dbopen.Endpoint `json:"destination"`
	WhatIf      bool            `json:"whatIf"`
}

// runCopyPrincipals is the guide's "Copy database users, permissions,
// logins and roles". Its engine has not landed; the operation says so
// instead of pretending.
func runCopyPrincipals(ctx context.Context, raw json.RawMessage, em *engine.Emitter) error {
	var p copyPrincipalsParams
	if err := decodeParams(raw, &p, `{"source":{…},"destination":{…}}`); err != nil {
		return err
	}
	e := engine.NotImplemented("Copying database users, permissions, logins and roles")
	e.Remedy = "Copy them with the Configuration Center (\"Copy database users, permissions, logins and roles\"), " +
		"or script them with SQL Server tools; for Azure SQL use Azure Data Studio or Azure DMS."
	return e
}
