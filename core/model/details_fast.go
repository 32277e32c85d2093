package model

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/activeroles/arupgrade/core/data"
)

// parseDetailsFast reads the common shape of Details: elements with plain
// ASCII names, quoted attributes, text with the five predefined entities and
// numeric character references. handled=false means "ask encoding/xml": the
// scanner never decides a document it does not fully understand, except that
// a root other than <changes> is ok=false whatever else is wrong with it.
func parseDetailsFast(s string) (changes []AttrChange, ok, handled bool) {
	if !prescan(s) {
		return nil, false, false
	}
	p := dscan{s: s}
	p.skipSpace()
	if !p.at('<') {
		return nil, false, false
	}
	p.i++
	root, empty, good := p.startTag(nil)
	switch {
	case !good:
		return nil, false, false
	case root != "changes":
		return nil, false, true
	}
	if !empty {
		if n := strings.Count(s, "<attr"); n > 0 {
			changes = make([]AttrChange, 0, n)
		}
		for {
			if !p.text(nil) || !p.at('<') {
				return nil, false, false
			}
			p.i++
			if p.at('/') {
				if !p.endTag("changes") {
					return nil, false, false
				}
				break
			}
			var a attrPair
			name, empty, good := p.startTag(&a)
			if !good {
				return nil, false, false
			}
			if name != "attr" {
				if !empty && !p.content(name, nil) {
					return nil, false, false
				}
				continue
			}
			c, good := p.attr(&a, empty)
			if !good {
				return nil, false, false
			}
			changes = append(changes, c)
		}
	}
	p.skipSpace()
	if p.i != len(s) {
		return nil, false, false // more after the root: encoding/xml decides
	}
	if len(changes) == 0 {
		changes = nil
	}
	return changes, true, true
}

// prescan rejects what encoding/xml might refuse and the scanner does not
// check itself: control characters (\r is normalised by XML, so it goes to
// the slow path too), invalid UTF-8, U+FFFE/U+FFFF, and ]]> outside CDATA.
func prescan(s string) bool {
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\t' && c != '\n' {
			return false
		}
		if c >= 0x80 {
			ascii = false
		}
	}
	if !ascii && (!utf8.ValidString(s) || strings.Contains(s, "\uFFFE") || strings.Contains(s, "\uFFFF")) {
		return false
	}
	return !strings.Contains(s, "]]>")
}

type dscan struct {
	s string
	i int
}

// attrPair holds the raw (still escaped) values of @name and @op.
type attrPair struct {
	name, op       string
	hasName, hasOp bool
}

func (p *dscan) at(c byte) bool { return p.i < len(p.s) && p.s[p.i] == c }

func (p *dscan) skipSpace() bool {
	start := p.i
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\n' || p.s[p.i] == '\t') {
		p.i++
	}
	return p.i > start
}

func isNameStartByte(c byte) bool { return c == '_' || (c|0x20) >= 'a' && (c|0x20) <= 'z' }
func isNameByte(c byte) bool {
	return isNameStartByte(c) || c >= '0' && c <= '9' || c == '-' || c == '.'
}

// name reads a plain ASCII name; "" when there is none here (a prefixed or
// non-ASCII name also gives "" so that encoding/xml handles it).
func (p *dscan) name() string {
	start := p.i
	if p.i >= len(p.s) || !isNameStartByte(p.s[p.i]) {
		return ""
	}
	p.i++
	for p.i < len(p.s) && isNameByte(p.s[p.i]) {
		p.i++
	}
	if p.i < len(p.s) && (p.s[p.i] == ':' || p.s[p.i] >= 0x80) {
		return ""
	}
	return p.s[start:p.i]
}

// startTag reads a start tag after '<' up to and including '>' or '/>'. When
// a is non-nil it records the first @name and @op. xmlns attributes are left
// to encoding/xml.
func (p *dscan) startTag(a *attrPair) (name string, empty, ok bool) {
	name = p.name()
	if name == "" {
		return "", false, false
	}
	for {
		sp := p.skipSpace()
		if p.at('>') {
			p.i++
			return name, false, true
		}
		if p.at('/') {
			p.i++
			if !p.at('>') {
				return "", false, false
			}
			p.i++
			return name, true, true
		}
		if !sp { // attributes must be separated by white space
			return "", false, false
		}
		an := p.name()
		if an == "" || an == "xmlns" {
			return "", false, false
		}
		p.skipSpace()
		if !p.at('=') {
			return "", false, false
		}
		p.i++
		p.skipSpace()
		if !p.at('"') && !p.at('\'') {
			return "", false, false
		}
		q := p.s[p.i]
		p.i++
		end := strings.IndexByte(p.s[p.i:], q)
		if end < 0 {
			return "", false, false
		}
		raw := p.s[p.i : p.i+end]
		p.i += end + 1
		if strings.IndexByte(raw, '<') >= 0 || !validEntities(raw) {
			return "", false, false
		}
		if a != nil {
			switch {
			case an == "name" && !a.hasName:
				a.name, a.hasName = raw, true
			case an == "op" && !a.hasOp:
				a.op, a.hasOp = raw, true
			}
		}
	}
}

// endTag reads the rest of an end tag after "</" (p.i at '/').
func (p *dscan) endTag(want string) bool {
	p.i++
	if p.name() != want {
		return false
	}
	p.skipSpace()
	if !p.at('>') {
		return false
	}
	p.i++
	return true
}

// text reads character data up to the next '<' (or the end), appending the
// decoded text to acc when acc is non-nil.
func (p *dscan) text(acc *textAcc) bool {
	end := strings.IndexByte(p.s[p.i:], '<')
	if end < 0 {
		end = len(p.s) - p.i
	}
	raw := p.s[p.i : p.i+end]
	p.i += end
	if raw == "" {
		return true
	}
	if acc == nil {
		return validEntities(raw)
	}
	return acc.add(raw)
}

// content reads an element's content through its end tag, appending the text
// of all descendants to acc when non-nil (XPath string()).
func (p *dscan) content(name string, acc *textAcc) bool {
	for {
		if !p.text(acc) || !p.at('<') {
			return false
		}
		p.i++
		if p.at('/') {
			return p.endTag(name)
		}
		child, empty, ok := p.startTag(nil)
		if !ok {
			return false
		}
		if !empty && !p.content(child, acc) {
			return false
		}
	}
}

// attr reads an <attr> element's content (its start tag already read).
func (p *dscan) attr(a *attrPair, empty bool) (AttrChange, bool) {
	c := AttrChange{Name: UnknownAttributeName, ChangeType: Unknown}
	if a.hasName {
		n, ok := unescape(a.name)
		if !ok {
			return c, false
		}
		c.Name = n
	}
	if a.hasOp {
		op, ok := unescape(a.op)
		if !ok {
			return c, false
		}
		c.ChangeType, _ = ChangeTypeFromOp(op)
	}
	if empty {
		return c, true
	}
	haveOld, haveNew := false, false
	for {
		if !p.text(nil) || !p.at('<') {
			return c, false
		}
		p.i++
		if p.at('/') {
			return c, p.endTag("attr")
		}
		child, empty, ok := p.startTag(nil)
		if !ok {
			return c, false
		}
		var dst *data.Value
		switch {
		case child == "old" && !haveOld:
			haveOld, dst = true, &c.Old
		case child == "new" && !haveNew:
			haveNew, dst = true, &c.New
		}
		if dst == nil {
			if !empty && !p.content(child, nil) {
				return c, false
			}
			continue
		}
		var acc textAcc
		if !empty && !p.content(child, &acc) {
			return c, false
		}
		*dst = data.StringValue(acc.String())
	}
}

// textAcc concatenates text pieces, keeping a single unescaped piece as a
// substring of the document (no copy) — the common case.
type textAcc struct {
	s     string
	buf   []byte
	multi bool
}

func (t *textAcc) add(raw string) bool {
	if strings.IndexByte(raw, '&') < 0 && !t.multi && t.s == "" {
		t.s = raw
		return true
	}
	if !t.multi {
		t.buf = append(t.buf[:0], t.s...)
		t.multi = true
	}
	var ok bool
	t.buf, ok = appendUnescaped(t.buf, raw)
	return ok
}

func (t *textAcc) String() string {
	if t.multi {
		return string(t.buf)
	}
	return t.s
}

// unescape decodes entity and character references; ok=false for anything
// the scanner leaves to encoding/xml.
func unescape(raw string) (string, bool) {
	if strings.IndexByte(raw, '&') < 0 {
		return raw, true
	}
	b, ok := appendUnescaped(make([]byte, 0, len(raw)), raw)
	return string(b), ok
}

func validEntities(raw string) bool {
	for {
		k := strings.IndexByte(raw, '&')
		if k < 0 {
			return true
		}
		_, n := entityAt(raw[k:])
		if n == 0 {
			return false
		}
		raw = raw[k+n:]
	}
}

func appendUnescaped(b []byte, raw string) ([]byte, bool) {
	for {
		k := strings.IndexByte(raw, '&')
		if k < 0 {
			return append(b, raw...), true
		}
		b = append(b, raw[:k]...)
		r, n := entityAt(raw[k:])
		if n == 0 {
			return b, false
		}
		b = utf8.AppendRune(b, r)
		raw = raw[k+n:]
	}
}

// entityAt decodes the reference at the start of s ('&…;') and returns the
// rune and the bytes consumed; n=0 when it is not one the scanner accepts.
func entityAt(s string) (r rune, n int) {
	end := strings.IndexByte(s, ';')
	if end < 2 {
		return 0, 0
	}
	body := s[1:end]
	switch body {
	case "lt":
		return '<', end + 1
	case "gt":
		return '>', end + 1
	case "amp":
		return '&', end + 1
	case "quot":
		return '"', end + 1
	case "apos":
		return '\'', end + 1
	}
	if body[0] != '#' || len(body) < 2 || len(body) > 10 {
		return 0, 0
	}
	digits, base := body[1:], 10
	if digits[0] == 'x' {
		digits, base = digits[1:], 16
	}
	if digits == "" || digits[0] == '+' || digits[0] == '-' {
		return 0, 0
	}
	v, err := strconv.ParseUint(digits, base, 32)
	if err != nil || !xmlChar(rune(v)) {
		return 0, 0
	}
	return rune(v), end + 1
}

// xmlChar is XML's Char production (what encoding/xml accepts in text).
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}
