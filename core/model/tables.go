package model

import (
	"fmt"
	"strings"
	"sync"

	"github.com/activeroles/arupgrade/core/data"
)

// schemaCache holds the parsed schemas; the DDL is embedded, so each parses
// at most once per process.
var schemaCache sync.Map // schemaKey → *schemaEntry

type schemaEntry struct {
	once   sync.Once
	tables []data.Table
	err    error
}

// Tables returns the tables of version v and role r in DDL order, parsed from
// the embedded DDL. The result is the caller's to modify.
func Tables(v Version, r Role) ([]data.Table, error) {
	k, err := keyFor(v, r)
	if err != nil {
		return nil, fmt.Errorf("model tables: %w", err)
	}
	e, _ := schemaCache.LoadOrStore(k, &schemaEntry{})
	ent := e.(*schemaEntry)
	ent.once.Do(func() { ent.tables, ent.err = parseKey(k) })
	if ent.err != nil {
		return nil, ent.err
	}
	out := make([]data.Table, len(ent.tables))
	for i := range ent.tables {
		out[i] = cloneTable(&ent.tables[i])
	}
	return out, nil
}

// TableOf returns one table (name case-insensitive) of version v and role r.
func TableOf(v Version, r Role, name string) (*data.Table, error) {
	ts, err := Tables(v, r)
	if err != nil {
		return nil, err
	}
	for i := range ts {
		if strings.EqualFold(ts[i].Name, name) {
			return &ts[i], nil
		}
	}
	return nil, fmt.Errorf("model: Active Roles %s %s database has no table %s", v.Short(), r, name)
}

func parseKey(k schemaKey) ([]data.Table, error) {
	scripts, err := k.batches() // GO is not T-SQL
	if err != nil {
		return nil, err
	}
	ts, err := parseSchema(scripts...)
	if err != nil {
		return nil, fmt.Errorf("model tables %s: parse DDL: %w", strings.Join(k.files(), "+"), err)
	}
	return ts, nil
}

func cloneTable(t *data.Table) data.Table {
	c := *t
	c.Columns = append([]data.Column(nil), t.Columns...)
	c.PrimaryKey = append([]string(nil), t.PrimaryKey...)
	return c
}
