package sqlserver

import (
	"fmt"
	"regexp"
	"strings"
)

// identPattern is what the model's table and column names look like. Names
// outside it are refused before any SQL is built, even though they would be
// quoted anyway: no caller of this package has a reason to pass one.
var identPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,127}$`)

// quoteIdent quotes one identifier as [name], doubling any ']'.
func quoteIdent(name string) string {
	return "[" + strings.ReplaceAll(name, "]", "]]") + "]"
}

// checkIdent validates a table or column name against identPattern.
func checkIdent(kind, name string) error {
	if !identPattern.MatchString(name) {
		return fmt.Errorf("%s name %q is not a plain identifier (letters, digits, _)", kind, name)
	}
	return nil
}

// dboTable is [dbo].[name] for a validated name.
func dboTable(name string) string { return "[dbo]." + quoteIdent(name) }

// quoteList quotes names and joins them with ", ", each prefixed by alias
// ("a." or "").
func quoteList(alias string, names []string) string {
	var b strings.Builder
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(alias)
		b.WriteString(quoteIdent(n))
	}
	return b.String()
}
