package website

import (
	"context"
	"strings"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/configimport"
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/store"
)

// The three tables of a site configuration object (§10.1).
const (
	tSite     = "WebInterfaceSite"
	tDocument = "WebInterfaceSiteDocument"
	tBinding  = "WebInterfaceBinding"
)

// Binding states (WebInterfaceBinding.BindingState).
const (
	StateActive = "Active"
	StateLegacy = "Legacy"
)

// site is one WebInterfaceSite row with its bindings.
type site struct {
	guid           data.UUID
	name           string
	template       string
	productVersion string
	current        int64
	source         data.UUID // zero: NULL
	created        data.Value
	modified       data.Value
	bindings       []binding
	revisions      int
}

// binding is one WebInterfaceBinding row.
type binding struct {
	id         int64
	iis, alias string
	state      string
}

// catalog is what a run reads of the site tables, in primary-key order.
type catalog struct {
	info  *store.Info
	sites []*site
	names model.NameSet
}

// cols resolves a table's column indexes by name, so rows are read by name
// whatever order the database lists its columns in.
type cols struct {
	t   *data.Table
	idx map[string]int
}

func columnsOf(info *store.Info, table string, names ...string) (cols, error) {
	t := info.Table(table)
	if t == nil {
		return cols{}, arerr.Errorf("AR-READ", arerr.CatInvalidData, "Name an Active Roles 8.2 configuration database.", "The database %s has no %s table.", info.Location, table)
	}
	c := cols{t: t, idx: map[string]int{}}
	for _, n := range names {
		i := t.Index(n)
		if i < 0 {
			return cols{}, arerr.Errorf("AR-READ", arerr.CatInvalidData, "Name an Active Roles 8.2 configuration database.", "The %s table of %s has no %s column.", table, info.Location, n)
		}
		c.idx[n] = i
	}
	return c, nil
}

func (c cols) get(r data.Row, name string) data.Value { return r[c.idx[name]] }

// readCatalog checks that db is an 8.2 configuration database and reads its
// site configuration objects and bindings (documents are read on demand).
func readCatalog(ctx context.Context, db store.Source, what string) (*catalog, error) {
	info, err := configimport.RequireConfiguration82(ctx, db, what)
	if err != nil {
		return nil, err
	}
	sc, err := columnsOf(info, tSite, "SiteGuid", "Name", "Template", "ProductVersion", "CurrentRevision", "SourceSiteGuid", "CreatedUtc", "ModifiedUtc")
	if err != nil {
		return nil, err
	}
	c := &catalog{info: info, names: model.NewNameSet()}
	byGUID := map[data.UUID]*site{}
	err = scan(ctx, db, tSite, func(r data.Row) {
		s := &site{guid: sc.get(r, "SiteGuid").AsGUID(), name: strings.Clone(sc.get(r, "Name").Str), template: strings.Clone(sc.get(r, "Template").Str),
			productVersion: strings.Clone(sc.get(r, "ProductVersion").Str), current: sc.get(r, "CurrentRevision").Int,
			source: sc.get(r, "SourceSiteGuid").AsGUID(), created: sc.get(r, "CreatedUtc"), modified: sc.get(r, "ModifiedUtc")}
		c.sites = append(c.sites, s)
		c.names.Add(s.name)
		byGUID[s.guid] = s
	})
	if err != nil {
		return nil, err
	}
	bc, err := columnsOf(info, tBinding, "BindingId", "SiteGuid", "IisSiteName", "ApplicationAlias", "BindingState")
	if err != nil {
		return nil, err
	}
	err = scan(ctx, db, tBinding, func(r data.Row) {
		if s := byGUID[bc.get(r, "SiteGuid").AsGUID()]; s != nil {
			s.bindings = append(s.bindings, binding{id: bc.get(r, "BindingId").Int, iis: strings.Clone(bc.get(r, "IisSiteName").Str),
				alias: strings.Clone(bc.get(r, "ApplicationAlias").Str), state: strings.Clone(bc.get(r, "BindingState").Str)})
		}
	})
	if err != nil {
		return nil, err
	}
	dc, err := columnsOf(info, tDocument, "SiteGuid")
	if err != nil {
		return nil, err
	}
	err = scan(ctx, db, tDocument, func(r data.Row) {
		if s := byGUID[dc.get(r, "SiteGuid").AsGUID()]; s != nil {
			s.revisions++
		}
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// scan calls fn for every row of a table (the row is only valid during fn).
func scan(ctx context.Context, db store.Source, table string, fn func(data.Row)) error {
	rows, err := db.Scan(ctx, table)
	if err != nil {
		return arerr.Wrap(err, "AR-READ", arerr.CatReadError, "", "Cannot read %s", table)
	}
	defer rows.Close()
	for rows.Next() {
		fn(rows.Row())
	}
	if err := rows.Err(); err != nil {
		return arerr.Wrap(err, "AR-READ", arerr.CatReadError, "", "Cannot read %s", table)
	}
	return nil
}

// find returns the site whose GUID or (case-insensitive) name is key.
func (c *catalog) find(key string) (*site, bool) {
	key = strings.TrimSpace(key)
	if g, err := data.ParseUUID(key); err == nil {
		for _, s := range c.sites {
			if s.guid == g {
				return s, true
			}
		}
		return nil, false
	}
	for _, s := range c.sites {
		if strings.EqualFold(s.name, key) {
			return s, true
		}
	}
	return nil, false
}

func (c *catalog) byGUID(g data.UUID) *site {
	for _, s := range c.sites {
		if s.guid == g {
			return s
		}
	}
	return nil
}

// activeHolder returns the site whose Active binding is the IIS application
// (iis, alias), if any.
func (c *catalog) activeHolder(iis, alias string) *site {
	for _, s := range c.sites {
		for _, b := range s.bindings {
			if b.state == StateActive && sameBinding(b.iis, b.alias, iis, alias) {
				return s
			}
		}
	}
	return nil
}

// notFound is the error for a site key that names no configuration object.
func notFound(key string) error {
	return arerr.Errorf("AR-NOTFOUND", arerr.CatObjectNotFound,
		"List the site configurations with "+arerr.Command("list-websites")+" and give one of their names or GUIDs.",
		"There is no Web Interface site configuration %q.", key)
}

// documents reads every revision of one site, in revision order.
func documents(ctx context.Context, db store.Source, info *store.Info, g data.UUID) ([]revision, error) {
	dc, err := columnsOf(info, tDocument, "SiteGuid", "Revision", "SchemaVersion", "SavedUtc", "Document")
	if err != nil {
		return nil, err
	}
	var out []revision
	err = scan(ctx, db, tDocument, func(r data.Row) {
		if dc.get(r, "SiteGuid").AsGUID() == g {
			out = append(out, revision{Revision: dc.get(r, "Revision").Int, SchemaVersion: dc.get(r, "SchemaVersion").Int,
				saved: dc.get(r, "SavedUtc"), Document: strings.Clone(dc.get(r, "Document").Str)})
		}
	})
	return out, err
}

// revision is one WebInterfaceSiteDocument row.
type revision struct {
	Revision      int64
	SchemaVersion int64
	saved         data.Value
	Document      string
}
