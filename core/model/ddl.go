package model

import (
	"embed"
	"fmt"
	"strings"
)

// The DDL is the model's, copied verbatim; the Combined script is composed
// as §3.3 defines it (scripts).
//
//go:embed ddl/*.sql
var ddlFS embed.FS

// schemaKey names one distinct schema: G1 7.5 and 7.6 share one, G2 8.0 and
// 8.1 differ by one column.
type schemaKey struct {
	variant string // "g1", "g2_80", "g2_81", "g3"; Collector: "g1", "g2", "g3"
	role    Role
}

func keyFor(v Version, r Role) (schemaKey, error) {
	g, ok := v.Generation()
	if !ok {
		return schemaKey{}, fmt.Errorf("the model has no schema for Active Roles %s", v.Short())
	}
	if c, ok := ParseRole(string(r)); !ok || c != r {
		return schemaKey{}, fmt.Errorf("unknown database role %q", r)
	}
	if r == RoleCombined && g != G1 {
		return schemaKey{}, fmt.Errorf("only Active Roles 7.5 and 7.6 have Combined databases, not %s", v.Short())
	}
	k := schemaKey{role: r}
	switch {
	case r == RoleCollector:
		// §13: one Collector schema per generation (8.0 and 8.1 identical).
		k.variant = "g" + g.String()[1:]
	case g == G1:
		k.variant = "g1"
	case g == G2 && v.Minor == 0:
		k.variant = "g2_80"
	case g == G2:
		k.variant = "g2_81"
	default:
		k.variant = "g3"
	}
	return k, nil
}

// files lists the embedded scripts that make up a schema, in order.
func (k schemaKey) files() []string {
	if k.role == RoleCollector {
		return []string{k.variant + "_collector.sql"}
	}
	switch k.variant {
	case "g1":
		switch k.role {
		case RoleConfiguration:
			return []string{"g1_configuration.sql"}
		case RoleManagementHistory:
			return []string{"g1_history.sql"}
		}
		return []string{"g1_configuration.sql", combinedHistory}
	case "g2_80", "g2_81":
		if k.role == RoleConfiguration {
			return []string{"g2_configuration.sql"}
		}
		if k.variant == "g2_80" {
			return []string{"g2_history_80.sql"}
		}
		return []string{"g2_history_80.sql", "g2_history_81_diff.sql"}
	}
	if k.role == RoleConfiguration {
		return []string{"g3_common.sql", "g3_configuration.sql"}
	}
	return []string{"g3_common.sql", "g3_history.sql"}
}

// DDL returns the T-SQL batches that create the schema of version v and role
// r, each to be sent in its own ExecContext. Batches are the model's scripts
// split at GO lines; 8.1's ALTER TABLE … ADD and the index on the new column
// must be separate batches because SQL Server compiles a batch before running
// it and would not yet know the column.
func DDL(v Version, r Role) ([]string, error) {
	k, err := keyFor(v, r)
	if err != nil {
		return nil, fmt.Errorf("model DDL: %w", err)
	}
	return k.batches()
}

// combinedHistory names §3.2's script without its Settings statement: the
// second half of the G1 Combined script (§3.3).
const combinedHistory = "g1_history.sql without Settings"

// script returns one script of files().
func script(f string) (string, error) {
	name := f
	if f == combinedHistory {
		name = "g1_history.sql"
	}
	b, err := ddlFS.ReadFile("ddl/" + name)
	if err != nil {
		return "", fmt.Errorf("model DDL %s: %w", name, err) // embedded: cannot happen
	}
	s := string(b)
	if f == combinedHistory {
		first, rest, _ := strings.Cut(s, "\n")
		if !strings.HasPrefix(first, "CREATE TABLE dbo.Settings") {
			return "", fmt.Errorf("model DDL: g1_history.sql does not start with the Settings statement")
		}
		s = rest
	}
	return s, nil
}

// batches returns the schema's T-SQL batches, scripts split at GO lines.
func (k schemaKey) batches() ([]string, error) {
	var out []string
	for _, f := range k.files() {
		s, err := script(f)
		if err != nil {
			return nil, err
		}
		out = append(out, splitBatches(s)...)
	}
	return out, nil
}

// splitBatches splits a script at lines holding only GO (any case), which is
// how sqlcmd and SSMS separate batches; GO is not T-SQL.
func splitBatches(script string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			out = append(out, s)
		}
		cur.Reset()
	}
	for line := range strings.Lines(script) {
		if strings.EqualFold(strings.TrimSpace(line), "GO") {
			flush()
			continue
		}
		cur.WriteString(line)
	}
	flush()
	return out
}
