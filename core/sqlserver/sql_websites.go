package sqlserver

import (
	"fmt"
	"strings"
)

// sqlDeleteRow deletes one row by its primary key (configTx.Delete).
func sqlDeleteRow(table string, key []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "DELETE FROM %s WHERE ", dboTable(table))
	for i, c := range key {
		if i > 0 {
			b.WriteString(" AND ")
		}
		fmt.Fprintf(&b, "%s = @p%d", quoteIdent(c), i+1)
	}
	b.WriteString(";")
	return b.String()
}
