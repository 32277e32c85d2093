package ops

import (
	"context"
	"encoding/json"

	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/export"
)

func init() { engine.Register("export", runExport) }

func runExport(ctx context.Context, raw json.RawMessage, em *engine.Emitter) error {
	var p export.Params
	if err := decodeParams(raw, &p, `{"source":{"server":"sql01.corp.example.com","database":"ARConfig76"},"out":"ar76.arbundle"}`); err != nil {
		return err
	}
	res, err := export.Run(ctx, p, em)
	if err != nil {
		return err
	}
	return em.Result("ExportResult", res)
}
