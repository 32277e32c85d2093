package model

import (
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"
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
	if out, ok, handled := propsJSONFast(s); handled {
		return out, ok
	}
	m, ok := Props(s)
	return PropertiesJSON(m), ok
}

// propPair is one name=value of Data: the name as is, the value still
// escaped (Data's \ \; \=).
type propPair struct{ name, raw string }

// propsJSONFast is PropsJSON without a map or encoding/json, for Data whose
// names hold no escape and whose text needs no JSON escape other than \"
// and \\: printable ASCII except < > & (encoding/json writes those as
// \u003c…), and valid UTF-8 other than U+2028 and U+2029. handled=false
// leaves anything else to Props and PropertiesJSON; a bad escape is handled
// as they handle it ({} and not ok).
func propsJSONFast(s string) (out string, ok, handled bool) {
	var buf [8]propPair
	pairs := buf[:0]
	for {
		seg, eq, nameEsc := len(s), -1, false
	scan:
		for i := 0; i < len(s); i++ {
			switch c := s[i]; {
			case c == '\\':
				if i+1 == len(s) {
					return "{}", false, true
				}
				switch s[i+1] {
				case ';', '=', '\\':
				default:
					return "{}", false, true
				}
				if eq < 0 {
					nameEsc = true
				}
				i++
			case c == ';':
				seg = i
				break scan
			case c == '=':
				if eq < 0 {
					eq = i
				}
			case c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x7f:
				return "", false, false
			case c >= utf8.RuneSelf:
				r, n := utf8.DecodeRuneInString(s[i:])
				if r == utf8.RuneError && n == 1 || r == '\u2028' || r == '\u2029' {
					return "", false, false
				}
				i += n - 1
			}
		}
		if eq > 0 { // a pair with a name; else dropped
			if nameEsc {
				return "", false, false
			}
			pairs = append(pairs, propPair{s[:eq], s[eq+1 : seg]})
		}
		if seg == len(s) {
			break
		}
		s = s[seg+1:]
	}
	// encoding/json sorts a map's keys; the last of equal names wins.
	slices.SortStableFunc(pairs, func(a, b propPair) int { return strings.Compare(a.name, b.name) })
	n := 2
	for _, p := range pairs {
		n += len(p.name) + len(p.raw) + 8
	}
	b := make([]byte, 0, n)
	b = append(b, '{')
	for i, p := range pairs {
		if i+1 < len(pairs) && pairs[i+1].name == p.name {
			continue
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = appendJSONText(append(b, '"'), p.name, false)
		b = appendJSONText(append(b, '"', ':', '"'), p.raw, true)
		b = append(b, '"')
	}
	return string(append(b, '}')), true, true
}

// appendJSONText appends s with " and \ escaped for JSON; unescape first
// resolves Data's escapes (each \ before ; = or \, as checked).
func appendJSONText(b []byte, s string, unescape bool) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && unescape {
			i++
			c = s[i]
		}
		if c == '"' || c == '\\' {
			b = append(b, '\\')
		}
		b = append(b, c)
	}
	return b
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
	if out, ok := simpleProperties(s); ok {
		return out, true // what decoding and encoding again would give, without the cost
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil || m == nil {
		return "{}", false
	}
	return PropertiesJSON(m), true
}

// simpleProperties returns what decoding s and encoding it again with
// PropertiesJSON gives, when s is a simple JSON object of strings: keys
// strictly ascending, and no string holding anything the encoder escapes or
// replaces (control characters, < > &, U+2028, U+2029, invalid UTF-8) other
// than a value's \\ and \" (a key has no escapes at all: its escaped form
// would not sort as the key does). JSON whitespace between tokens is
// dropped. ok is false for anything else, which then takes the decoding
// path; real G2 data (DOMAIN\user values included) is nearly always simple.
func simpleProperties(s string) (out string, ok bool) {
	i, prev, spaced := 0, "", false
	ws := func() {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			i++
			spaced = true
		}
	}
	tok := func(c byte) bool {
		ws()
		if i < len(s) && s[i] == c {
			i++
			return true
		}
		return false
	}
	str := func(escapes bool) (string, bool) {
		ws()
		if i >= len(s) || s[i] != '"' {
			return "", false
		}
		start := i + 1
		for j := start; j < len(s); {
			c := s[j]
			switch {
			case c == '"':
				i = j + 1
				return s[start:j], true
			case c == '\\' && escapes && j+1 < len(s) && (s[j+1] == '\\' || s[j+1] == '"'):
				j += 2
			case c < 0x20 || c == '\\' || c == '<' || c == '>' || c == '&':
				return "", false
			case c < utf8.RuneSelf:
				j++
			default:
				r, n := utf8.DecodeRuneInString(s[j:])
				if r == utf8.RuneError || r == '\u2028' || r == '\u2029' {
					return "", false
				}
				j += n
			}
		}
		return "", false
	}
	if !tok('{') {
		return "", false
	}
	var pairs []string // key, value, key, value, … (only when s must be compacted)
	if !tok('}') {
		for first := true; ; first = false {
			if !first && !tok(',') {
				return "", false
			}
			k, ok := str(false)
			if !ok || (!first && k <= prev) || !tok(':') {
				return "", false
			}
			v, ok := str(true)
			if !ok {
				return "", false
			}
			prev, pairs = k, append(pairs, k, v)
			if tok('}') {
				break
			}
		}
	}
	if ws(); i != len(s) {
		return "", false
	}
	if !spaced {
		return s, true
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteByte('{')
	for j := 0; j < len(pairs); j += 2 {
		if j > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + pairs[j] + `":"` + pairs[j+1] + `"`)
	}
	b.WriteByte('}')
	return b.String(), true
}
