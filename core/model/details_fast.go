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
// The changes are appended to dst; unless ok, dst is returned unchanged.
func parseDetailsFast(dst []AttrChange, s string) (changes []AttrChange, ok, handled bool) {
	if !prescan(s) {
		return dst, false, false
	}
	// Most documents hold no entity reference at all: then no text or
	// attribute value needs its references checked.
	p := dscan{s: s, amp: strings.IndexByte(s, '&') >= 0}
	p.skipSpace()
	if !p.at('<') {
		return dst, false, false
	}
	p.i++
	root, empty, good := p.startTag(nil)
	switch {
	case !good:
		return dst, false, false
	case root != "changes":
		return dst, false, true
	}
	changes = dst
	if !empty {
		if changes == nil {
			changes = make([]AttrChange, 0, 3) // typical documents hold 1–3 changes
		}
		for {
			// Nearly every <attr> has the one shape the service writes;
			// matched literally it costs a fraction of the general scan.
			if c, ok := p.attrShape(); ok {
				changes = append(changes, c)
				continue
			}
			if !p.text(nil) || !p.at('<') {
				return dst, false, false
			}
			p.i++
			if p.at('/') {
				if !p.endTag("changes") {
					return dst, false, false
				}
				break
			}
			var a attrPair
			name, empty, good := p.startTag(&a)
			if !good {
				return dst, false, false
			}
			if name != "attr" {
				if !empty && !p.content(name, nil) {
					return dst, false, false
				}
				continue
			}
			c, good := p.attr(&a, empty)
			if !good {
				return dst, false, false
			}
			changes = append(changes, c)
		}
	}
	p.skipSpace()
	if p.i != len(s) {
		return dst, false, false // more after the root: encoding/xml decides
	}
	if len(changes) == len(dst) {
		changes = dst // nothing added: no new slice (nil stays nil)
	}
	return changes, true, true
}

// prescan rejects what encoding/xml might refuse and the scanner does not
// check itself: control characters (\r is normalised by XML, so it goes to
// the slow path too), invalid UTF-8, U+FFFE/U+FFFF, and ]]> outside CDATA.
//
// It runs over every byte of every G1 record's Details, so it looks at eight
// bytes at a time and only inspects, one byte or rune at a time, a word
// holding a byte below 0x20 (tab and newline included), at or above 0x80, or
// a ']'. Non-ASCII text is decoded where it occurs, in the same pass.
func prescan(s string) bool {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	for i := 0; i < len(s); {
		if i+8 <= len(s) {
			t := s[i : i+8] // one bounds check, and the eight loads merge into one
			w := uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
				uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56
			br := w ^ (']' * ones)
			// Some byte < 0x20, >= 0x80 or == ']' (a zero byte of br) sets a
			// high bit here: exact as to whether such a byte exists, not
			// which one.
			if ((w-0x20*ones)&^w|(br-ones)&^br|w)&highs == 0 {
				i += 8
				continue
			}
		}
		switch c := s[i]; {
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 || r == 0xFFFE || r == 0xFFFF {
				return false
			}
			i += n
			continue
		case c < 0x20 && c != '\t' && c != '\n':
			return false
		case c == ']' && strings.HasPrefix(s[i+1:], "]>"):
			return false
		}
		i++
	}
	return true
}

type dscan struct {
	s   string
	i   int
	amp bool // s holds a '&'
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

// nameByte is isNameByte as a table: names are read a byte at a time.
var nameByte = func() (t [256]bool) {
	for c := range t {
		t[c] = isNameByte(byte(c))
	}
	return t
}()

// name reads a plain ASCII name; "" when there is none here (a prefixed or
// non-ASCII name also gives "" so that encoding/xml handles it).
func (p *dscan) name() string {
	start := p.i
	if p.i >= len(p.s) || !isNameStartByte(p.s[p.i]) {
		return ""
	}
	p.i++
	for p.i < len(p.s) && nameByte[p.s[p.i]] {
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
		// Values are short: one loop finds the closing quote and refuses a
		// '<' on the way, cheaper than two IndexByte calls.
		start := p.i
		for p.i < len(p.s) && p.s[p.i] != q {
			if p.s[p.i] == '<' {
				return "", false, false
			}
			p.i++
		}
		if p.i == len(p.s) {
			return "", false, false
		}
		raw := p.s[start:p.i]
		p.i++
		if p.amp && !validEntities(raw) {
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
		return !p.amp || validEntities(raw)
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
	if a.hasName && !p.amp {
		c.Name = a.name
	} else if a.hasName {
		n, ok := unescape(a.name)
		if !ok {
			return c, false
		}
		c.Name = n
	}
	if a.hasOp && !p.amp {
		c.ChangeType, _ = ChangeTypeFromOp(a.op)
	} else if a.hasOp {
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
		acc := textAcc{amp: p.amp}
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
	amp   bool // the document holds a '&' (else no piece can)
}

func (t *textAcc) add(raw string) bool {
	if !t.multi && t.s == "" && (!t.amp || strings.IndexByte(raw, '&') < 0) {
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

// attrShape reads, at p.i, an <attr> element of exactly the shape the
// service writes: <attr name="…" op="…"> followed directly by <old>…</old>
// and/or <new>…</new> (or their empty forms), then </attr>; or the empty
// <attr name="…" op="…"/>. Anything else (other attributes, other quotes,
// white space, other children, a duplicate, a reference it cannot decode)
// returns ok=false with p.i unchanged, and the general scan decides. What it
// returns is what (*dscan).attr returns for the same element.
func (p *dscan) attrShape() (c AttrChange, ok bool) {
	const open, op = `<attr name="`, `" op="`
	s, i := p.s, p.i
	if !strings.HasPrefix(s[i:], open) {
		return c, false
	}
	name, i, ok := shapeValue(s, i+len(open))
	if !ok || !strings.HasPrefix(s[i:], op) {
		return c, false
	}
	opRaw, i, ok := shapeValue(s, i+len(op))
	if !ok {
		return c, false
	}
	c = AttrChange{Name: name, ChangeType: Unknown}
	if p.amp {
		if c.Name, ok = unescape(name); !ok {
			return c, false
		}
		if opRaw, ok = unescape(opRaw); !ok {
			return c, false
		}
	}
	c.ChangeType, _ = ChangeTypeFromOp(opRaw)
	switch {
	case strings.HasPrefix(s[i:], `"/>`):
		p.i = i + 3
		return c, true
	case strings.HasPrefix(s[i:], `">`):
		i += 2
	default:
		return c, false
	}
	haveOld, haveNew := false, false
	for {
		if strings.HasPrefix(s[i:], "</attr>") {
			p.i = i + len("</attr>")
			return c, true
		}
		if len(s)-i < len("<old/>") || s[i] != '<' {
			return c, false
		}
		var dst *data.Value
		switch s[i+1 : i+4] {
		case "old":
			if haveOld {
				return c, false
			}
			haveOld, dst = true, &c.Old
		case "new":
			if haveNew {
				return c, false
			}
			haveNew, dst = true, &c.New
		default:
			return c, false
		}
		tag := s[i+1 : i+4]
		switch s[i+4] {
		case '/':
			if s[i+5] != '>' {
				return c, false
			}
			*dst = data.StringValue("")
			i += len("<old/>")
			continue
		case '>':
			i += len("<old>")
		default:
			return c, false
		}
		end := strings.IndexByte(s[i:], '<')
		if end < 0 {
			return c, false
		}
		text := s[i : i+end]
		i += end
		if len(s)-i < len("</old>") || s[i+1] != '/' || s[i+2:i+5] != tag || s[i+5] != '>' {
			return c, false
		}
		i += len("</old>")
		if p.amp {
			if text, ok = unescape(text); !ok {
				return c, false
			}
		}
		*dst = data.StringValue(text)
	}
}

// shapeValue reads a double-quoted attribute value from i up to its closing
// quote (returned as next); ok=false at a '<' or at the end of s.
func shapeValue(s string, i int) (raw string, next int, ok bool) {
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '"':
			return s[i:j], j, true
		case '<':
			return "", i, false
		}
	}
	return "", i, false
}
