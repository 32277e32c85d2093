package ops

import (
	"context"
	"encoding/json"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/dbopen"
	"github.com/activeroles/arupgrade/core/engine"
)

func init() { engine.Register("describe-endpoint", runDescribeEndpoint) }

type describeParams struct {
	Endpoints []dbopen.Endpoint `json:"endpoints"`
}

// runDescribeEndpoint names endpoints as the engine does in its messages,
// without connecting: one EndpointDescription per endpoint, so that a front
// end's confirmation prompts and error targets read as the engine's
// (the module's ShouldProcess text, for one).
func runDescribeEndpoint(ctx context.Context, raw json.RawMessage, em *engine.Emitter) error {
	var p describeParams
	if err := decodeParams(raw, &p, `{"endpoints":[{"location":"sql01\\INST","database":"ARConfig76"},{"location":"ar76.arbundle"}]}`); err != nil {
		return err
	}
	if len(p.Endpoints) == 0 {
		return arerr.Errorf("AR-PARAMS", arerr.CatInvalidArgument, "Pass one or more endpoints.", "No endpoint was given to describe.")
	}
	for i := range p.Endpoints {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := em.Result("EndpointDescription", dbopen.DescribeEndpoint(&p.Endpoints[i])); err != nil {
			return err
		}
	}
	return nil
}
