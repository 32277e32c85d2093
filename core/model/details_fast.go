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
// bytes at a time and only inspects, byte by byte, a word holding a byte
// below 0x20 (tab and newline included), at or above 0x80, or a ']'.
func prescan(s string) bool {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	ascii := true
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		br := w ^ (']' * ones)
		// Some byte < 0x20 or == ']' (a zero byte of br) sets a high bit
		// here: exact as to whether such a byte exists, not which one.
		if ((w-0x20*ones)&^w|(br-ones)&^br)&highs == 0 {
			if w&highs != 0 {
				ascii = false // UTF-8 is checked at the end
			}
			continue
		}
		for j := i; j < i+8; j++ {
			if !prescanByte(s, j, &ascii) {
				return false
			}
		}
	}
	for ; i < len(s); i++ {
		if !prescanByte(s, i, &ascii) {
			return false
		}
	}
	return ascii || utf8.ValidString(s) && !strings.Contains(s, "\uFFFE") && !strings.Contains(s, "\uFFFF")
}

// prescanByte is prescan's check of s[i]; it clears *ascii at a byte >= 0x80.
func prescanByte(s string, i int, ascii *bool) bool {
	switch c := s[i]; {
	case c < 0x20 && c != '\t' && c != '\n':
		return false
	case c >= 0x80:
		*ascii = false
	case c == ']' && strings.HasPrefix(s[i+1:], "]>"):
		return false
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
