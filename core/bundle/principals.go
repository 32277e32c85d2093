package bundle

import (
	"context"
	"errors"

	"github.com/activeroles/arupgrade/core/principals"
)

// ErrNoPrincipals: the bundle records no principals (exported by a version
// before format 1.1, or created by an import rather than an export).
var ErrNoPrincipals = errors.New("the bundle records no database principals")

// ReadPrincipals returns the principals snapshot Export-ARDatabase recorded
// in the header (docs/bundle-format.md §2.1), so a bundle can be the source
// of Copy-ARDatabasePrincipals like the database it was exported from. A
// bundle without one returns ErrNoPrincipals. The snapshot is a copy.
func (b *Bundle) ReadPrincipals(ctx context.Context) (*principals.Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p := b.view.hdr.Principals
	if p == nil {
		return nil, ErrNoPrincipals
	}
	c := *p
	// The slices are shared read-only with the header; the copy's own
	// slices may be appended to by a caller without touching it.
	c.Logins, c.Users, c.Roles = append([]principals.Login(nil), p.Logins...), append([]principals.User(nil), p.Users...), append([]principals.Role(nil), p.Roles...)
	c.Memberships, c.Permissions = append([]principals.Membership(nil), p.Memberships...), append([]principals.Permission(nil), p.Permissions...)
	c.Schemas, c.Objects = append([]string(nil), p.Schemas...), append([]principals.Object(nil), p.Objects...)
	c.Databases = append([]string(nil), p.Databases...)
	return &c, nil
}
