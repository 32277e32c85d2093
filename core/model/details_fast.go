package model

import (
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
		changes = make([]AttrChange, 0, 3) // typical documents hold 1–3 changes
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
		switch c := s[i]; {
		case c < 0x20 && c != '\t' && c != '\n':
			return false
		case c >= 0x80:
			ascii = false
		case c == ']' && strings.HasPrefix(s[i+1:], "]>"):
			return false
		}
	}
	return ascii || utf8.ValidString(s) && !strings.Contains(s, "\uFFFE") && !strings.Contains(s, "\uFFFF")
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
