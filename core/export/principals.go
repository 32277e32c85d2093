package export

import (
	"context"
	"errors"
	"fmt"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/principals"
	"github.com/activeroles/arupgrade/core/store"
)

// PrincipalsSummary says what the bundle records of the source's
// principals (docs/bundle-format.md §2.1), so that it can be the source of
// Copy-ARDatabasePrincipals.
type PrincipalsSummary struct {
	Logins         int `json:"logins"`
	Users          int `json:"users"`
	Roles          int `json:"roles"`
	Memberships    int `json:"memberships"`
	Permissions    int `json:"permissions"`
	PasswordHashes int `json:"passwordHashes"`
}

// principalSource is a source whose principals can be read
// (*sqlserver.Database; *bundle.Bundle when it records them).
type principalSource interface {
	ReadPrincipals(ctx context.Context) (*principals.Snapshot, error)
}

// readPrincipals reads the source's principals snapshot for the bundle's
// header (Deliver 7 of Copy-ARDatabasePrincipals). Not being able to read
// them does not fail the export: the tables are what an import needs, the
// warning AR-W006 says why the bundle holds no principals and what to do,
// and nil is returned (a bundle source without them is only logged: the
// export loses nothing). Only a cancellation is an error.
func readPrincipals(ctx context.Context, src store.Source, name string, em *engine.Emitter) (*principals.Snapshot, *PrincipalsSummary, error) {
	r, ok := src.(principalSource)
	if !ok {
		return nil, nil, nil
	}
	s, err := r.ReadPrincipals(ctx)
	switch {
	case err != nil && ctx.Err() != nil:
		return nil, nil, ctx.Err()
	case errors.Is(err, bundle.ErrNoPrincipals):
		// Nothing is lost (the source bundle has none either): no warning.
		em.Log().Info().Str("source", name).Msg("the source bundle records no database principals, so neither does its export; export the SQL Server database itself with this version to record them")
		return nil, nil, nil
	case err != nil:
		em.Warn(model.W006PrincipalsNotCopied.ID, fmt.Sprintf("Database users, logins and roles are not recorded in the bundle: cannot read them from %s (%s). "+
			"The bundle can still be imported; copy them from the database with "+arerr.Command("copy-principals")+".", name, errText(err)))
		return nil, nil, nil
	}
	sum := &PrincipalsSummary{Logins: len(s.Logins), Users: len(s.Users), Roles: len(s.Roles), Memberships: len(s.Memberships), Permissions: len(s.Permissions)}
	for _, l := range s.Logins {
		if len(l.PasswordHash) > 0 {
			sum.PasswordHashes++
		}
	}
	if sum.PasswordHashes > 0 {
		em.Log().Warn().Int("passwordHashes", sum.PasswordHashes).
			Msg("the bundle records the password hashes of SQL Server logins (so a copy of the principals keeps their passwords): keep it as secret as the passwords")
	}
	return s, sum, nil
}

// errText is an error's message and remedy.
func errText(err error) string {
	var e *arerr.Error
	if errors.As(err, &e) {
		return e.Error()
	}
	return err.Error()
}
