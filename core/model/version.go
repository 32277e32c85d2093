package model

import (
	"fmt"
	"strconv"
	"strings"
)

// Generation groups versions that share one schema (model §2).
type Generation int

const (
	G1 Generation = 1 // 7.5, 7.6: configuration as entity-attribute-value; Combined databases
	G2 Generation = 2 // 8.0, 8.1: one table per kind; 8.1 adds ChangeRecord.CorrelationId
	G3 Generation = 3 // 8.2, the target
)

func (g Generation) String() string {
	if g >= G1 && g <= G3 {
		return "G" + strconv.Itoa(int(g))
	}
	return fmt.Sprintf("generation(%d)", int(g))
}

// Role is the Settings DatabaseRole.
type Role string

const (
	RoleConfiguration     Role = "Configuration"
	RoleManagementHistory Role = "ManagementHistory"
	RoleCombined          Role = "Combined"  // G1 only: configuration and history in one database
	RoleCollector         Role = "Collector" // Report Pack events (§13), every generation
)

// ParseRole accepts the role names in any case (the model's collation
// is case-insensitive) and returns the canonical spelling.
func ParseRole(s string) (Role, bool) {
	for _, r := range []Role{RoleConfiguration, RoleManagementHistory, RoleCombined, RoleCollector} {
		if strings.EqualFold(s, string(r)) {
			return r, true
		}
	}
	return "", false
}

// HasConfiguration reports whether a database of this role holds configuration.
func (r Role) HasConfiguration() bool { return r == RoleConfiguration || r == RoleCombined }

// HasHistory reports whether a database of this role holds Management History.
func (r Role) HasHistory() bool { return r == RoleManagementHistory || r == RoleCombined }

// Version is a SchemaVersion. Only Major.Minor decides the generation.
type Version struct{ Major, Minor, Patch int }

// Target is the version the tool upgrades to.
var Target = Version{8, 2, 0}

// ParseVersion reads 2 to 4 dot-separated decimal parts ("8.1", "7.6.3",
// "8.0.1.7"); a fourth part is accepted and dropped (model §2).
func ParseVersion(s string) (Version, error) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) < 2 || len(parts) > 4 {
		return Version{}, fmt.Errorf("version %q: want 2 to 4 numeric parts", s)
	}
	var n [3]int
	for i, p := range parts {
		if p == "" || len(p) > 9 || strings.TrimLeft(p, "0123456789") != "" {
			return Version{}, fmt.Errorf("version %q: part %q is not a decimal number", s, p)
		}
		if i < 3 {
			n[i], _ = strconv.Atoi(p) // cannot fail: ≤ 9 digits
		}
	}
	return Version{n[0], n[1], n[2]}, nil
}

// String is "M.m.p".
func (v Version) String() string { return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch) }

// Short is "M.m", the form product versions and messages use.
func (v Version) Short() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// Compare orders versions by Major.Minor only (patches share a schema).
func (v Version) Compare(o Version) int {
	switch {
	case v.Major != o.Major:
		return cmpInt(v.Major, o.Major)
	default:
		return cmpInt(v.Minor, o.Minor)
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Generation maps M.m to its generation; false for any version the model does
// not describe (6.9, 7.0–7.4, 7.7, 8.3, …).
func (v Version) Generation() (Generation, bool) {
	switch {
	case v.Major == 7 && (v.Minor == 5 || v.Minor == 6):
		return G1, true
	case v.Major == 8 && (v.Minor == 0 || v.Minor == 1):
		return G2, true
	case v.Major == 8 && v.Minor == 2:
		return G3, true
	}
	return 0, false
}

// MarshalText writes "M.m.p" so versions read naturally in JSON.
func (v Version) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText reads what ParseVersion accepts.
func (v *Version) UnmarshalText(b []byte) error {
	p, err := ParseVersion(string(b))
	if err != nil {
		return err
	}
	*v = p
	return nil
}
