package dbopen

import (
	"context"
	"errors"
	"io/fs"
	"os"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/store"
)

// Warner receives connection warnings (certificate validation off, short
// server names); *engine.Emitter satisfies it.
type Warner interface {
	Warn(code, message string)
}

// OpenSource opens an endpoint for reading.
func OpenSource(ctx context.Context, ep *Endpoint, w Warner) (store.Source, error) {
	if ep.IsBundle() {
		if _, err := os.Stat(ep.Path); errors.Is(err, fs.ErrNotExist) {
			return nil, arerr.Errorf("AR-NOTFOUND", arerr.CatObjectNotFound,
				"Check the path; create a sample with "+arerr.Command("fixture")+".",
				"The bundle %s does not exist.", ep.Describe())
		}
		b, err := bundle.Open(ep.Path)
		if err != nil {
			return nil, bundleErr(err, ep)
		}
		return b, nil
	}
	return openSQLSource(ctx, ep, w)
}

// OpenForInspection opens an endpoint to look at it: like OpenSource, but a
// bundle that a history import is writing, or was interrupted in, opens as
// far as it is committed rather than being refused as unfinished.
func OpenForInspection(ctx context.Context, ep *Endpoint, w Warner) (store.Source, error) {
	if !ep.IsBundle() {
		return OpenSource(ctx, ep, w)
	}
	if _, err := os.Stat(ep.Path); errors.Is(err, fs.ErrNotExist) {
		return OpenSource(ctx, ep, w) // its not-found error
	}
	b, err := bundle.OpenCommitted(ep.Path)
	if err != nil {
		return nil, bundleErr(err, ep)
	}
	return b, nil
}

// bundleErr maps bundle format errors to a data-integrity failure.
func bundleErr(err error, ep *Endpoint) error {
	var fe *bundle.FormatError
	if errors.As(err, &fe) {
		remedy := "The file is damaged or incomplete: restore it from its origin or create it again with arupgrade export."
		if errors.Is(err, bundle.ErrUnsupportedVersion) {
			// Not damaged: a newer format this version cannot read.
			remedy = "It was written by a newer version of ActiveRolesUpgrade: update arupgrade (or the PowerShell module) to that version or later to read it."
		}
		return arerr.Wrap(err, "AR-BUNDLE", arerr.CatInvalidData, remedy, "The bundle %s cannot be used", ep.Describe())
	}
	return arerr.Wrap(err, "AR-READ", arerr.CatReadError, "Check the path and your permissions.", "Cannot open the bundle %s", ep.Describe())
}
