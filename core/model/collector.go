package model

import (
	"encoding/json"
	"strings"
)

// Collector databases (model §13): the Report Pack's events.

// EntityCollectedEvent is the §6.5 entity name of derived event GUIDs (§13.5)
// and the entity of its report entries.
const EntityCollectedEvent = "CollectedEvent"

// DefaultCollectorDatabase is the default name of a new 8.2 Collector database.
const DefaultCollectorDatabase = "ActiveRoles820_Collector"

// Reason codes of §13.5 not shared with the other imports.
const ReasonBadData = "BAD_DATA"

var (
	sourceKindNames = []string{"DomainController", "ActiveRolesService", "ExchangeServer"}
	categoryNames   = []string{"Logon", "AccountManagement", "DirectoryChange", "GroupPolicy", "ActiveRoles"}
)

// SourceKindName maps G1 EventSource.Kind / G2 SourceKind (§13.4); unknown →
// "Unknown", false (report UNKNOWN_ENUM, the event is written).
func SourceKindName(code int64) (string, bool) { return lookup(sourceKindNames, code, Unknown) }

// CategoryName maps a G1/G2 event Category (§13.4); unknown → "Unknown", false.
func CategoryName(code int64) (string, bool) { return lookup(categoryNames, code, Unknown) }

// SourceKindCode is SourceKindName's inverse (fixtures, tests).
func SourceKindCode(name string) (int64, bool) { return codeOf(sourceKindNames, name) }

// CategoryCode is CategoryName's inverse (fixtures, tests).
func CategoryCode(name string) (int64, bool) { return codeOf(categoryNames, name) }

// EventSourceName is §13.5's G1 SourceName: Name, prefixed "Domain\" when
// Domain has a length > 0 (a value of spaces counts).
func EventSourceName(name, domain string, hasDomain bool) string {
	if hasDomain && domain != "" {
		return domain + `\` + name
	}
	return name
}

// Props is §13.5's props(Data): G1 Data ("name=value" pairs separated by
// ";", with "\;", "\=" and "\\" escaping those characters) as a map. NULL or
// "" → {}; a pair without an unescaped "=" or with an empty name is dropped;
// a repeated name → the last wins; a pair splits at its first unescaped "=";
// names compare exactly. ok is false when a "\" precedes any other character
// or ends the value: the event is then written with {} and reported BAD_DATA.
func Props(s string) (props map[string]string, ok bool) {
	out := map[string]string{}
	var name, cur strings.Builder
	inValue := false
	end := func() {
		if inValue && name.Len() > 0 {
			out[name.String()] = cur.String()
		}
		name.Reset()
		cur.Reset()
		inValue = false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			if i+1 >= len(s) {
				return map[string]string{}, false
			}
			switch n := s[i+1]; n {
			case ';', '=', '\\':
				cur.WriteByte(n)
				i++
			default:
				return map[string]string{}, false
			}
		case ';':
			end()
		case '=':
			if inValue {
				cur.WriteByte(c)
				continue
			}
			name.WriteString(cur.String())
			cur.Reset()
			inValue = true
		default:
			cur.WriteByte(c)
		}
	}
	end()
	return out, true
}

// PropsJSON is Props serialised as the G3 Properties value (a JSON object of
// strings; keys sorted, so equal maps give equal text).
func PropsJSON(s string) (string, bool) {
	m, ok := Props(s)
	return PropertiesJSON(m), ok
}

// PropertiesJSON serialises a property map as a JSON object of strings.
func PropertiesJSON(m map[string]string) string {
	b, err := json.Marshal(m)
	if err != nil { // a map of strings always marshals
		return "{}"
	}
	return string(b)
}

// ReserializeProperties is §13.5's G2 Properties rule: the JSON object
// re-serialised, NULL → {}. ok is false when the value is not a JSON object
// of strings; it then becomes {} (the caller reports BAD_DATA).
func ReserializeProperties(s string, null bool) (string, bool) {
	if null {
		return "{}", true
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil || m == nil {
		return "{}", false
	}
	return PropertiesJSON(m), true
}
