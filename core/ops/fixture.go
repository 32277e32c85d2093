package ops

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/dbopen"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/fixture"
)

func init() { engine.Register("fixture", runFixture) }

// fixtureParams is the generator's Spec (which reads keyPassword and
// overwrite itself and never prints the password) plus the output path.
type fixtureParams struct {
	fixture.Spec
	Out string `json:"out"`
}

// runFixture writes a deterministic sample database as a bundle, with its
// key backup and password file beside it.
func runFixture(ctx context.Context, raw json.RawMessage, em *engine.Emitter) error {
	var p fixtureParams
	if err := decodeParams(raw, &p, `{"version":"7.6","out":"sample.arbundle","historyRecords":500,"seed":1}`); err != nil {
		return err
	}
	if p.Out == "" || p.Version == "" {
		return arerr.Errorf("AR-PARAMS", arerr.CatInvalidArgument, "Give a version (7.5, 7.6, 8.0, 8.1 or 8.2) and an output path.", "The fixture needs a version and an output file.")
	}
	release, err := dbopen.LockBundle(ctx, p.Out, "fixture")
	if err != nil {
		return err
	}
	defer func() { _ = release() }()
	if _, err := os.Stat(p.Out); err == nil && !p.Spec.Overwrite {
		return arerr.Errorf("AR-EXISTS", arerr.CatResourceExists, "Choose another file name or remove the file.", "The bundle %s already exists.", p.Out)
	}
	if err := os.MkdirAll(filepath.Dir(p.Out), 0o755); err != nil {
		return arerr.WriteErr(err, p.Out, "Choose a folder you can write to.", "Cannot create the folder of %s", p.Out)
	}
	spec := p.Spec
	em.Log().Info().Str("version", spec.Version).Str("role", spec.Role).Int("historyRecords", spec.HistoryRecords).
		Int("configObjects", spec.ConfigObjects).Int64("seed", spec.Seed).Str("out", p.Out).Msg("generating sample database")
	keyPath, pwPath := fixture.KeyFiles(p.Out)
	var fresh []string // the files this run makes, removed again if it fails
	for _, f := range []string{p.Out, keyPath, pwPath} {
		if _, err := os.Lstat(f); errors.Is(err, fs.ErrNotExist) {
			fresh = append(fresh, f)
		}
	}
	res, err := fixture.WriteBundle(ctx, p.Out, spec)
	if err != nil {
		for _, f := range fresh {
			_ = os.Remove(f)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if e, ok := arerr.AsDiskFull(bundle.ClassifyDiskFull(p.Out, err), "Writing the sample "+p.Out,
			"Nothing was left behind. Free space on that volume, or choose a folder on another volume, and run the command again."); ok {
			return e
		}
		return arerr.Wrap(err, "AR-FIXTURE", arerr.CatInvalidArgument, "Check the version, role and sizes (see "+arerr.Command("help")+").", "Cannot generate the sample")
	}
	return em.Result("FixtureResult", res)
}
