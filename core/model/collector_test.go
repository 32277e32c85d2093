package model

import (
	"encoding/json"
	"maps"
	"math/rand/v2"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/activeroles/arupgrade/core/data"
)

func TestCollectorEnums(t *testing.T) {
	for _, c := range []struct {
		f    func(int64) (string, bool)
		code int64
		want string
		ok   bool
	}{
		{SourceKindName, 0, "DomainController", true},
		{SourceKindName, 1, "ActiveRolesService", true},
		{SourceKindName, 2, "ExchangeServer", true},
		{SourceKindName, 3, "Unknown", false},
		{SourceKindName, 255, "Unknown", false},
		{CategoryName, 0, "Logon", true},
		{CategoryName, 1, "AccountManagement", true},
		{CategoryName, 2, "DirectoryChange", true},
		{CategoryName, 3, "GroupPolicy", true},
		{CategoryName, 4, "ActiveRoles", true},
		{CategoryName, 5, "Unknown", false},
		{CategoryName, -1, "Unknown", false},
	} {
		got, ok := c.f(c.code)
		if got != c.want || ok != c.ok {
			t.Errorf("code %d: got %q,%v want %q,%v", c.code, got, ok, c.want, c.ok)
		}
	}
}

func TestEventSourceName(t *testing.T) {
	for _, c := range []struct {
		name, domain string
		has          bool
		want         string
	}{
		{"dc01", "CORP", true, `CORP\dc01`},
		{"dc01", "", true, "dc01"},
		{"dc01", "", false, "dc01"},
		{"dc01", "  ", true, `  \dc01`}, // a value of spaces counts (§13.5 Precisely)
	} {
		if got := EventSourceName(c.name, c.domain, c.has); got != c.want {
			t.Errorf("EventSourceName(%q,%q) = %q, want %q", c.name, c.domain, got, c.want)
		}
	}
}

// The §13.5 vectors and the "Precisely" rules.
func TestProps(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
		ok   bool
	}{
		{`user=CORP\\ann;ip=10.0.0.7;note=a\;b`, `{"ip":"10.0.0.7","note":"a;b","user":"CORP\\ann"}`, true},
		{``, `{}`, true},
		{`a=b=c`, `{"a":"b=c"}`, true},
		{`a=1;a=2`, `{"a":"2"}`, true},
		{`A=1;a=2`, `{"A":"1","a":"2"}`, true},
		{`novalue;x=1`, `{"x":"1"}`, true},
		{`=v;x=1`, `{"x":"1"}`, true},
		{` =v`, `{" ":"v"}`, true},
		{` a = b `, `{" a ":" b "}`, true},
		{`a\=b=c`, `{"a=b":"c"}`, true},
		{`k=`, `{"k":""}`, true},
		{`;;`, `{}`, true},
		{`a=x\y`, `{}`, false},
		{`a=1;b=2\`, `{}`, false},
		{`a=1;b\n=2`, `{}`, false},
		{`a=\\\;\=`, `{"a":"\\;="}`, true},
	} {
		got, ok := PropsJSON(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("props(%q) = %s,%v want %s,%v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestReserializeProperties(t *testing.T) {
	for _, c := range []struct {
		in   string
		null bool
		want string
		ok   bool
	}{
		{"", true, "{}", true},
		{`{ "b" : "2", "a":"1" }`, false, `{"a":"1","b":"2"}`, true},
		{`{}`, false, `{}`, true},
		{`[1]`, false, `{}`, false},
		{`{"a":1}`, false, `{}`, false},
	} {
		got, ok := ReserializeProperties(c.in, c.null)
		if got != c.want || ok != c.ok {
			t.Errorf("ReserializeProperties(%q) = %s,%v want %s,%v", c.in, got, ok, c.want, c.ok)
		}
	}
}

// refProps is a deliberately simple reading of §13.5: unescape into runes
// marked escaped or not, then split.
func refProps(s string) (map[string]string, bool) {
	type ch struct {
		c   rune
		esc bool
	}
	var cs []ch
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		if rs[i] == '\\' {
			if i+1 == len(rs) || !strings.ContainsRune(`;=\`, rs[i+1]) {
				return map[string]string{}, false
			}
			cs = append(cs, ch{rs[i+1], true})
			i++
			continue
		}
		cs = append(cs, ch{rs[i], false})
	}
	out := map[string]string{}
	var pairs [][]ch
	start := 0
	for i, c := range cs {
		if c.c == ';' && !c.esc {
			pairs = append(pairs, cs[start:i])
			start = i + 1
		}
	}
	pairs = append(pairs, cs[start:])
	str := func(x []ch) string {
		var b strings.Builder
		for _, c := range x {
			b.WriteRune(c.c)
		}
		return b.String()
	}
	for _, p := range pairs {
		for i, c := range p {
			if c.c == '=' && !c.esc {
				if i > 0 {
					out[str(p[:i])] = str(p[i+1:])
				}
				break
			}
		}
	}
	return out, true
}

func TestPropsMatchesReference(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.StringOf(rapid.SampledFrom([]rune{'a', 'b', ' ', '=', ';', '\\', 'é', '😀', 'n'})).Draw(t, "data")
		got, ok := Props(s)
		want, wok := refProps(s)
		if ok != wok || !maps.Equal(got, want) {
			t.Fatalf("props(%q) = %v,%v; reference %v,%v", s, got, ok, want, wok)
		}
		j := PropertiesJSON(got)
		var back map[string]string
		if err := json.Unmarshal([]byte(j), &back); err != nil || !maps.Equal(back, got) {
			t.Fatalf("PropertiesJSON(%v) = %s does not read back", got, j)
		}
	})
}

func TestCollectorSchema(t *testing.T) {
	for _, c := range []struct {
		v      string
		tables []string
	}{
		{"7.5.0", []string{"Settings", "EventSource", "Events"}},
		{"7.6.3", []string{"Settings", "EventSource", "Events"}},
		{"8.0.1", []string{"Settings", "CollectedEvent"}},
		{"8.1.5", []string{"Settings", "CollectedEvent"}},
		{"8.2.0", []string{"Settings", "ImportRun", "CollectedEvent"}},
	} {
		v, _ := ParseVersion(c.v)
		ts, err := Tables(v, RoleCollector)
		if err != nil {
			t.Fatalf("%s: %v", c.v, err)
		}
		var got []string
		for _, x := range ts {
			got = append(got, x.Name)
		}
		if strings.Join(got, ",") != strings.Join(c.tables, ",") {
			t.Errorf("%s Collector tables = %v, want %v", c.v, got, c.tables)
		}
	}
	ev, err := TableOf(Target, RoleCollector, "CollectedEvent")
	if err != nil {
		t.Fatal(err)
	}
	if i := ev.Index("Properties"); i < 0 || ev.Columns[i].Nullable {
		t.Errorf("G3 CollectedEvent.Properties must be NOT NULL")
	}
}

func TestDetectCollector(t *testing.T) {
	d := Detect(info(map[string]string{"SchemaVersion": "8.1.2", "DatabaseRole": "collector", "InstallationId": "0f8e7d6c-5b4a-4938-8271-605f4e3d2c1b"}))
	if d.State != StateSupported || d.Role != RoleCollector || d.Generation != G2 {
		t.Fatalf("got %+v", d)
	}
	if d.Role.HasHistory() || d.Role.HasConfiguration() {
		t.Error("a Collector database holds neither configuration nor history")
	}
	if g := DerivedGUID(EntityCollectedEvent, d.InstallationID, 42); g == DerivedGUID(EntityChangeRecord, d.InstallationID, 42) || g == (data.UUID{}) {
		t.Error("event GUIDs must derive from their own entity name")
	}
}

// The canonical fast path of ReserializeProperties gives exactly what
// decoding and encoding again gives, on canonical objects (random maps as
// PropertiesJSON writes them) and on near misses (reordered, spaced,
// escaped, duplicated, truncated).
func TestReserializeCanonicalFastPath(t *testing.T) {
	slow := func(s string) (string, bool) {
		var m map[string]string
		if err := json.Unmarshal([]byte(s), &m); err != nil || m == nil {
			return "{}", false
		}
		return PropertiesJSON(m), true
	}
	rng := rand.New(rand.NewPCG(7, 13))
	alphabet := []string{"a", "b", "Z", "0", " ", "=", ";", "é", "€", "😀", "<", "&", "\\", "\"", "\n", "\u2028", "\x01", "/"}
	word := func() string {
		var b strings.Builder
		for n := rng.IntN(5); n > 0; n-- {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	inputs := []string{"{}", " { } ", `{"a" : "1" ,"b":"2"}`, "{\n\t\"a\":\"x\\\\y\"\r}", `{"a" : "1" ,}`, `{"a":"1"} x`, `{"a":"1"}}`, `{"a":"1"`, `{`, `{"a"}`, `{"a":"1""b":"2"}`, `{"a":"1"}`, `{"b":"1","a":"2"}`, `{"a":"1","a":"2"}`, `{"a": "1"}`, `{"a":"1",}`, `{"a":1}`, `{"a":"\u00e9"}`,
		`{"a":"x"`, `{"":""}`, `{"a":"b","b":"c"}`, "{\"a\":\"\xff\"}", `[]`, `null`, `{"a":"<"}`}
	for i := 0; i < 3000; i++ {
		m := map[string]string{}
		for n := rng.IntN(5); n > 0; n-- {
			m[word()] = word()
		}
		c := PropertiesJSON(m)
		inputs = append(inputs, c)
		if len(c) > 3 { // a near miss: one byte changed, dropped or doubled, or spaces added
			j := 1 + rng.IntN(len(c)-2)
			inputs = append(inputs, c[:j]+c[j+1:], c[:j]+c[j:j+1]+c[j:], c[:j]+alphabet[rng.IntN(len(alphabet))]+c[j+1:],
				strings.ReplaceAll(c, `":"`, `" : "`), " "+strings.ReplaceAll(c, `","`, "\",\n\"")+"\t")
		}
	}
	fast := 0
	for _, in := range inputs {
		gs, gok := ReserializeProperties(in, false)
		ws, wok := slow(in)
		if gs != ws || gok != wok {
			t.Fatalf("ReserializeProperties(%q) = %q, %v; decoding and encoding gives %q, %v", in, gs, gok, ws, wok)
		}
		if _, ok := simpleProperties(in); ok {
			fast++
		}
	}
	if fast < 500 {
		t.Errorf("only %d of %d inputs took the fast path", fast, len(inputs))
	}
}

// PropsJSON's fast path gives what Props and PropertiesJSON give, on Data
// built from the characters each rule is about (escapes, separators, what
// JSON escapes, invalid UTF-8), and takes most of it.
func TestPropsJSONFastPath(t *testing.T) {
	slow := func(s string) (string, bool) {
		m, ok := Props(s)
		return PropertiesJSON(m), ok
	}
	alphabet := []string{"a", "b", "B", " ", "=", "=", ";", ";", `\`, `\;`, `\=`, `\\`, `"`, "é", "😀", "<", "&", "\n", "\x7f", "\u2028", "\xff", "\x01"}
	fast := 0
	check := func(t *rapid.T, in string) {
		got, ok := PropsJSON(in)
		want, wok := slow(in)
		if got != want || ok != wok {
			t.Fatalf("PropsJSON(%q) = %s, %v; Props and PropertiesJSON give %s, %v", in, got, ok, want, wok)
		}
		if _, _, handled := propsJSONFast(in); handled {
			fast++
		}
	}
	runs := 0
	rapid.Check(t, func(t *rapid.T) {
		runs++
		parts := rapid.SliceOfN(rapid.SampledFrom(alphabet), 0, 30).Draw(t, "parts")
		check(t, strings.Join(parts, ""))
	})
	// The shape of real Data: names, values with DOMAIN\\user, escaped ; and =.
	rapid.Check(t, func(t *rapid.T) {
		runs++
		var b strings.Builder
		for i, n := 0, rapid.IntRange(0, 6).Draw(t, "pairs"); i < n; i++ {
			if i > 0 {
				b.WriteByte(';')
			}
			b.WriteString(rapid.SampledFrom([]string{"user", "ip", "note", "path", "a", "User"}).Draw(t, "name"))
			b.WriteByte('=')
			b.WriteString(rapid.SampledFrom([]string{"", `CORP\\ann`, "10.0.0.7", `a\;b\=c`, `say "hi"`, "é", "x=y", "<b>&", "\u2028"}).Draw(t, "value"))
		}
		check(t, b.String())
	})
	if fast < runs/3 {
		t.Errorf("only %d of %d inputs took the fast path", fast, runs)
	}
}
