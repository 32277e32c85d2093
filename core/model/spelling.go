package model

import (
	"strings"
	"sync"
)

// spellings maps the lower-case form of every model table name to the
// model's spelling, and per table the same for its columns.
var spellings = sync.OnceValue(func() map[string]tableSpelling {
	out := map[string]tableSpelling{}
	for _, v := range []Version{{7, 5, 0}, {8, 0, 0}, {8, 1, 0}, Target} {
		for _, r := range []Role{RoleConfiguration, RoleManagementHistory, RoleCombined} {
			ts, err := Tables(v, r)
			if err != nil {
				continue // e.g. no Combined role after G1
			}
			for _, t := range ts {
				k := strings.ToLower(t.Name)
				s, ok := out[k]
				if !ok {
					s = tableSpelling{name: t.Name, columns: map[string]string{}}
				}
				for _, c := range t.Columns {
					s.columns[strings.ToLower(c.Name)] = c.Name
				}
				out[k] = s
			}
		}
	}
	return out
})

type tableSpelling struct {
	name    string
	columns map[string]string
}

// TableSpelling returns the model's spelling of a table name that equals a
// model table name case-insensitively, as SQL Server compares catalog names
// under the usual collations (and some servers list them in lower case).
func TableSpelling(name string) (string, bool) {
	s, ok := spellings()[strings.ToLower(name)]
	return s.name, ok
}

// ColumnSpelling is TableSpelling for a column of a model table.
func ColumnSpelling(table, column string) (string, bool) {
	s, ok := spellings()[strings.ToLower(table)]
	if !ok {
		return "", false
	}
	c, ok := s.columns[strings.ToLower(column)]
	return c, ok
}
