package ops

import (
	"context"
	"encoding/json"

	"github.com/activeroles/arupgrade/core/dbopen"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/inspect"
)

func init() { engine.Register("inspect", runInspect) }

type inspectParams struct {
	Source dbopen.Endpoint `json:"source"`
}

func runInspect(ctx context.Context, raw json.RawMessage, em *engine.Emitter) error {
	var p inspectParams
	if err := decodeParams(raw, &p, `{"source":{"path":"sample.arbundle"}}`); err != nil {
		return err
	}
	res, err := inspect.Run(ctx, &p.Source, em)
	if err != nil {
		return err
	}
	return em.Result("DatabaseInfo", res)
}
