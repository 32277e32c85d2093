package model

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"

	"github.com/activeroles/arupgrade/core/data"
)

// Documents are built from pieces that exercise both readers: the shapes the
// fast scanner handles and the ones it must hand to encoding/xml (comments,
// CDATA, namespaces, \r, bad entities, broken structure).

// pick draws from common most of the time and from rare now and then, so
// that most documents are ones the scanner decides.
func pick(t *rapid.T, label string, common, rare []string) string {
	// rapid favours small numbers and bounds, so "rare" is a value in between
	// (shrinking then moves towards the common pieces).
	if v := rapid.IntRange(0, 999).Draw(t, label+"?"); v >= 500 && v < 515 {
		return rapid.SampledFrom(rare).Draw(t, label)
	}
	return rapid.SampledFrom(common).Draw(t, label)
}

var (
	textCommon = []string{"Sales", "CN=Ann,OU=Staff,DC=corp", " ", "\n", "\t", "é☺", "a>b", `"q"`, "'a'",
		"&lt;", "&gt;", "&amp;", "&quot;", "&apos;", "&#65;", "&#x263A;", "&#x1F600;", "&#13;", "&#x0041;"}
	textRare = []string{"\r\n", "<!--c-->", "<![CDATA[<x>&]]>", "<?pi x?>", // handed to encoding/xml
		"&nbsp;", "&", "&#0;", "&#xD800;", "]]>", "<", "\x01", "&#X41;", "\xff", "\uFFFE"} // malformed
	attrNameCommon  = []string{"name", "op", "other", "n-m.x_1"}
	attrNameRare    = []string{"xmlns:p", "p:op", "xmlns", "1bad", ""}
	attrValueCommon = []string{"description", "member", "", "replace", "ADD", "Remove", "clear", "bogus", "R&amp;D", "a&#10;b", "a\tb", "a\nb"}
	attrValueRare   = []string{"x<y", "&bad;", "a&b", "\r"}
	elemCommon      = []string{"attr", "attr", "old", "new", "other"}
	elemRare        = []string{"p:attr", "é", "1x", ""}
)

func genText(t *rapid.T, label string) string {
	n := rapid.IntRange(0, 3).Draw(t, label+"n")
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(pick(t, label, textCommon, textRare))
	}
	return b.String()
}

func genAttrs(t *rapid.T) string {
	n := rapid.IntRange(0, 2).Draw(t, "nattrs")
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(pick(t, "sep", []string{" ", "  ", "\n", "\t"}, []string{""}))
		b.WriteString(pick(t, "aname", attrNameCommon, attrNameRare))
		b.WriteString(pick(t, "eq", []string{"=", " = ", "\n=\t"}, []string{"", "=="}))
		q := pick(t, "quote", []string{`"`, `'`}, []string{""})
		b.WriteString(q + pick(t, "avalue", attrValueCommon, attrValueRare) + q)
	}
	return b.String()
}

func genElement(t *rapid.T, depth int) string {
	name := pick(t, "elem", elemCommon, elemRare)
	start := "<" + name + genAttrs(t)
	if depth > 2 || rapid.IntRange(0, 3).Draw(t, "selfclose") == 0 {
		return start + pick(t, "close", []string{"/>", " />"}, []string{"/ >", ">"})
	}
	var b strings.Builder
	b.WriteString(start + ">")
	n := rapid.IntRange(0, 2).Draw(t, "children")
	for i := 0; i < n; i++ {
		if rapid.Bool().Draw(t, "textOrElem") {
			b.WriteString(genText(t, "text"))
		} else {
			b.WriteString(genElement(t, depth+1))
		}
	}
	end := name
	if rapid.IntRange(0, 99).Draw(t, "mismatch") == 37 {
		end = "x"
	}
	b.WriteString("</" + end + pick(t, "endclose", []string{">", " >", "\n>"}, []string{"", " x>"}))
	return b.String()
}

// genShapedAttr builds an <attr> of the shape the service writes (the
// scanner's literal path, attrShape), now and then with one byte changed,
// dropped or added so that the literal path's edges are compared too.
func genShapedAttr(t *rapid.T) string {
	var b strings.Builder
	b.WriteString(`<attr name="` + pick(t, "sname", attrValueCommon, attrValueRare) +
		`" op="` + pick(t, "sop", attrValueCommon, attrValueRare) + `"`)
	if rapid.IntRange(0, 5).Draw(t, "sempty") == 0 {
		b.WriteString("/>")
	} else {
		b.WriteString(">")
		for i, n := 0, rapid.IntRange(0, 3).Draw(t, "schildren"); i < n; i++ {
			tag := rapid.SampledFrom([]string{"old", "new"}).Draw(t, "stag")
			if rapid.IntRange(0, 4).Draw(t, "sselfclose") == 0 {
				b.WriteString("<" + tag + "/>")
				continue
			}
			b.WriteString("<" + tag + ">" + genText(t, "stext") + "</" + tag + ">")
		}
		b.WriteString("</attr>")
	}
	el := b.String()
	switch k := rapid.IntRange(0, 19).Draw(t, "smutate"); {
	case k < 3 && len(el) > 0:
		at := rapid.IntRange(0, len(el)-1).Draw(t, "sat")
		c := rapid.SampledFrom([]string{"", " ", `"`, "'", "<", ">", "/", "x", "&"}).Draw(t, "sbyte")
		if k == 0 { // replace
			el = el[:at] + c + el[at+1:]
		} else if k == 1 { // insert
			el = el[:at] + c + el[at:]
		} else { // drop
			el = el[:at] + el[at+1:]
		}
	}
	return el
}

func genDetails(t *rapid.T) string {
	root := pick(t, "root", []string{"changes"}, []string{"change", "p:changes", "Changes"})
	var b strings.Builder
	b.WriteString(pick(t, "prolog", []string{"", " \n"}, []string{`<?xml version="1.0"?>`, "<!--c-->", "x", "\ufeff"}))
	b.WriteString("<" + root + genAttrs(t) + ">")
	n := rapid.IntRange(0, 4).Draw(t, "attrs")
	for i := 0; i < n; i++ {
		b.WriteString(pick(t, "between", []string{"", "\n  ", "text"}, []string{"&bad;", "<!---->"}))
		if rapid.Bool().Draw(t, "shaped") {
			b.WriteString(genShapedAttr(t))
		} else {
			b.WriteString(genElement(t, 1))
		}
	}
	b.WriteString("</" + root + ">")
	b.WriteString(pick(t, "epilog", []string{"", "\n"}, []string{"<changes/>", "x", "<!--c-->"}))
	doc := b.String()
	if cut := rapid.IntRange(0, 99).Draw(t, "truncate"); cut >= 40 && cut < 43 && cut-39 < len(doc) {
		doc = doc[:len(doc)-(cut-39)] // a broken tail now and then
	}
	return doc
}

// TestParseDetailsFastAgreesWithEncodingXML: whenever the scanner decides a
// document, encoding/xml decides it the same way.
func TestParseDetailsFastAgreesWithEncodingXML(t *testing.T) {
	handled, total, withRows := 0, 0, 0
	rapid.Check(t, func(t *rapid.T) {
		doc := genDetails(t)
		fast, ok, h := parseDetailsFast(nil, doc)
		total++
		if !h {
			return
		}
		handled++
		if len(fast) > 0 {
			withRows++
		}
		ref, refOK := parseDetailsXML(doc)
		if ok != refOK {
			t.Fatalf("fast ok=%v, encoding/xml ok=%v for %q", ok, refOK, doc)
		}
		if diff := cmp.Diff(ref, fast); diff != "" {
			t.Fatalf("fast path differs for %q (-encoding/xml +fast):\n%s", doc, diff)
		}
	})
	// Guard the generator itself: most documents must reach the comparison,
	// many of them with rows.
	t.Logf("fast path decided %d of %d documents, %d with rows", handled, total, withRows)
	if handled*2 < total || withRows*4 < total {
		t.Errorf("fast path decided only %d of %d generated documents (%d with rows)", handled, total, withRows)
	}
}

// TestAppendDetailsAgreesWithEncodingXML: appending to a buffer that already
// holds changes (with spare room the parser could scribble on, as when the
// history import reuses one buffer for every record) gives the buffer's
// changes followed by exactly what encoding/xml reads, and leaves the buffer
// as it was when the document is refused.
func TestAppendDetailsAgreesWithEncodingXML(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var prefix []AttrChange
		for i, n := 0, rapid.IntRange(0, 3).Draw(t, "prefix"); i < n; i++ {
			prefix = append(prefix, AttrChange{Name: "p" + strings.Repeat("x", i), ChangeType: "Replace", New: data.StringValue("v")})
		}
		buf := make([]AttrChange, len(prefix), len(prefix)+rapid.IntRange(0, 6).Draw(t, "room"))
		copy(buf, prefix)
		doc := genDetails(t)
		got, ok := AppendDetails(buf, doc)
		ref, refOK := parseDetailsXML(doc)
		if ok != refOK {
			t.Fatalf("AppendDetails ok=%v, encoding/xml ok=%v for %q", ok, refOK, doc)
		}
		want := append(append([]AttrChange{}, prefix...), ref...)
		if !ok {
			want = prefix
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("AppendDetails differs for %q (-want +got):\n%s", doc, diff)
		}
	})
}

// prescanBytewise is prescan's definition, one byte at a time: the reference
// for the eight-bytes-at-a-time loop.
func prescanBytewise(s string) bool {
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

// TestPrescanAgreesWithBytewise: the word-at-a-time prescan decides every
// string as the byte-by-byte definition does, on generated Details and on
// strings made of the bytes at the edges of each class (0x1f/0x20, '\t',
// '\n', '\r', 0x7f/0x80, ']', "]]>", U+FFFE) placed across word boundaries.
func TestPrescanAgreesWithBytewise(t *testing.T) {
	edges := []string{"a", "<", "]", "]]>", "]]", ">", "\x1f", " ", "\t", "\n", "\r", "\x00", "\x7f", "\x80", "\xff",
		"é", "\uFFFE", "\uFFFF", "\xef\xbf", "&", "&amp;", "^", "\\", "}"}
	rapid.Check(t, func(t *rapid.T) {
		var s string
		if rapid.Bool().Draw(t, "details") {
			s = genDetails(t)
		} else {
			var b strings.Builder
			b.WriteString(strings.Repeat("x", rapid.IntRange(0, 9).Draw(t, "pad"))) // shifts pieces across words
			for i, n := 0, rapid.IntRange(0, 12).Draw(t, "pieces"); i < n; i++ {
				b.WriteString(rapid.SampledFrom(edges).Draw(t, "piece"))
			}
			s = b.String()
		}
		if got, want := prescan(s), prescanBytewise(s); got != want {
			t.Fatalf("prescan(%q) = %v, byte by byte %v", s, got, want)
		}
	})
	for _, s := range []string{"", "abcdefgh", "abcdefg]]>", "abcdefgh\x1f", "abcdefgh\t\n", "abcdefg\x80", strings.Repeat("a", 15) + "]]>"} {
		if got, want := prescan(s), prescanBytewise(s); got != want {
			t.Errorf("prescan(%q) = %v, byte by byte %v", s, got, want)
		}
	}
}

// The history import skips counting UTF-16 code units of an attribute name
// of at most 256 bytes: that relies on no string needing more UTF-16 code
// units than it has UTF-8 bytes, invalid bytes included.
func TestUTF16LenAtMostUTF8Len(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var s string
		if rapid.Bool().Draw(t, "bytes") {
			s = string(rapid.SliceOf(rapid.Byte()).Draw(t, "raw"))
		} else {
			s = rapid.String().Draw(t, "s")
		}
		if n := data.UTF16Len(s); n > len(s) {
			t.Fatalf("UTF16Len(%q) = %d > %d bytes", s, n, len(s))
		}
	})
}
