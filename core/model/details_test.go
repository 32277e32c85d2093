package model

import (
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/google/go-cmp/cmp"
)

var (
	sv   = data.StringValue
	null = data.NullValue()
)

func TestParseDetails(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []AttrChange
		ok   bool
	}{
		{name: "model example", ok: true,
			doc: `<changes><attr name="description" op="replace"><old>Sales</old><new>Sales EMEA</new></attr>
  <attr name="member" op="add"><new>CN=Ann,OU=Staff,DC=corp,DC=example</new></attr></changes>`,
			want: []AttrChange{
				{"description", "Replace", sv("Sales"), sv("Sales EMEA")},
				{"member", "Add", null, sv("CN=Ann,OU=Staff,DC=corp,DC=example")},
			}},
		{name: "missing old and new are NULL", ok: true, doc: `<changes><attr name="a" op="clear"/></changes>`,
			want: []AttrChange{{"a", "Clear", null, null}}},
		{name: "empty old is '' not NULL", ok: true, doc: `<changes><attr name="a" op="remove"><old></old><new/></attr></changes>`,
			want: []AttrChange{{"a", "Remove", sv(""), sv("")}}},
		{name: "no @name", ok: true, doc: `<changes><attr op="add"><new>x</new></attr></changes>`,
			want: []AttrChange{{"(unknown)", "Add", null, sv("x")}}},
		{name: "empty @name kept", ok: true, doc: `<changes><attr name="" op="add"/></changes>`,
			want: []AttrChange{{"", "Add", null, null}}},
		{name: "@op any case", ok: true, doc: `<changes><attr name="a" op="REPLACE"/><attr name="b" op='Add'/></changes>`,
			want: []AttrChange{{"a", "Replace", null, null}, {"b", "Add", null, null}}},
		{name: "unknown and absent @op", ok: true, doc: `<changes><attr name="a" op="modify"/><attr name="b"/></changes>`,
			want: []AttrChange{{"a", "Unknown", null, null}, {"b", "Unknown", null, null}}},
		{name: "nested text concatenated", ok: true,
			doc:  `<changes><attr name="a" op="replace"><old>x<b>y<i>z</i></b>w</old></attr></changes>`,
			want: []AttrChange{{"a", "Replace", sv("xyzw"), null}}},
		{name: "first old wins, others ignored", ok: true,
			doc:  `<changes><attr name="a" op="add"><other>o</other>t<old>1</old><old>2</old><new>n</new></attr><note/></changes>`,
			want: []AttrChange{{"a", "Add", sv("1"), sv("n")}}},
		{name: "entities and character references", ok: true,
			doc:  `<changes><attr name="R&amp;D &quot;x&quot;" op="add"><new>&lt;a&gt; &apos;b&apos; &#65;&#x263A; é</new></attr></changes>`,
			want: []AttrChange{{`R&D "x"`, "Add", null, sv(`<a> 'b' A☺ é`)}}},
		{name: "CDATA and comments", ok: true,
			doc:  `<changes><!-- c --><attr name="a" op="add"><new>x<![CDATA[<y>&]]><!--z-->w</new></attr></changes>`,
			want: []AttrChange{{"a", "Add", null, sv("x<y>&w")}}},
		{name: "XML declaration", ok: true, doc: `<?xml version="1.0"?><changes><attr name="a" op="add"/></changes>`,
			want: []AttrChange{{"a", "Add", null, null}}},
		{name: "attr in another namespace is not an attr", ok: true,
			doc:  `<changes xmlns:p="urn:x"><p:attr name="a"/><attr name="b" p:op="add" op="remove"/></changes>`,
			want: []AttrChange{{"b", "Remove", null, null}}},
		{name: "whitespace kept", ok: true, doc: "<changes>\n <attr name=\"a\" op=\"add\"><new> two\twords </new></attr>\n</changes>\n",
			want: []AttrChange{{"a", "Add", null, sv(" two\twords ")}}},
		{name: "empty root", ok: true, doc: `<changes/>`},
		{name: "root only whitespace", ok: true, doc: ` <changes> </changes> `},
		{name: "root other than changes", doc: `<change><attr name="a"/></change>`},
		{name: "root in a namespace", doc: `<changes xmlns="urn:x"><attr name="a"/></changes>`},
		{name: "root case differs", doc: `<Changes/>`},
		{name: "malformed: unclosed", doc: `<changes><attr name="a">`},
		{name: "malformed: mismatched", doc: `<changes><attr name="a"></old></changes>`},
		{name: "malformed: bad entity", doc: `<changes><attr name="a"><new>&nbsp;</new></attr></changes>`},
		{name: "malformed: bare ampersand", doc: `<changes><attr name="a&b"/></changes>`},
		{name: "malformed: unquoted attribute", doc: `<changes><attr name=a/></changes>`},
		{name: "malformed: second root", doc: `<changes/><changes/>`},
		{name: "malformed: text after root", doc: `<changes/>x`},
		{name: "malformed: control character", doc: "<changes><attr name=\"a\"><new>\x01</new></attr></changes>"},
		{name: "empty document", doc: ``},
		{name: "not XML", doc: `Sales EMEA`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseDetails(tt.doc)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			// The encoding/xml reading must agree (it is the reference).
			ref, refOK := parseDetailsXML(tt.doc)
			if refOK != ok || !cmp.Equal(ref, got) {
				t.Errorf("encoding/xml reading differs: %v %v", refOK, ref)
			}
		})
	}
}

// The common shapes must take the fast path, or the speed target is lost.
func TestParseDetailsFastPathTaken(t *testing.T) {
	for _, doc := range []string{
		benchDetails,
		`<changes><attr name="a" op="add"><new>&lt;x&gt; &#233;</new></attr></changes>`,
		"<changes>\n  <attr name='a' op='remove'><old/></attr>\n</changes>",
		`<changes/>`,
		`<other/>`,
	} {
		if _, _, handled := parseDetailsFast(nil, doc); !handled {
			t.Errorf("fast path declined %q", doc)
		}
	}
}

const benchDetails = `<changes><attr name="description" op="replace"><old>Sales</old><new>Sales EMEA</new></attr>` +
	`<attr name="member" op="add"><new>CN=Ann Smith,OU=Staff,DC=corp,DC=example</new></attr>` +
	`<attr name="telephoneNumber" op="replace"><old>+1 555 0100</old><new>+1 555 0199</new></attr></changes>`

func BenchmarkParseDetails(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchDetails)))
	for b.Loop() {
		if c, ok := ParseDetails(benchDetails); !ok || len(c) != 3 {
			b.Fatal("parse failed")
		}
	}
}

func BenchmarkParseDetailsEncodingXML(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if c, ok := parseDetailsXML(benchDetails); !ok || len(c) != 3 {
			b.Fatal("parse failed")
		}
	}
}

// TestParseDetailsStaysOnTheFastPath guards the history import's speed
// without timing anything: a typical document must be parsed by the
// hand-written scanner, which allocates once, not by encoding/xml (~90
// allocations). Speed itself is measured by BenchmarkParseDetails.
func TestParseDetailsStaysOnTheFastPath(t *testing.T) {
	doc := `<changes><attr name="description" op="replace"><old>Sales</old><new>Sales EMEA</new></attr>` +
		`<attr name="member" op="add"><new>CN=Ann,OU=Staff,DC=corp,DC=example</new></attr>` +
		`<attr name="info" op="clear"><old>x &amp; y</old></attr></changes>`
	allocs := testing.AllocsPerRun(100, func() {
		if _, ok := ParseDetails(doc); !ok {
			t.Fatal("typical document refused")
		}
	})
	if allocs > 4 {
		t.Errorf("ParseDetails allocates %.0f times per typical document; the fast path allocates once, so it was not taken", allocs)
	}
}

// TestAttrShape: the literal path takes the elements the service writes and
// leaves every variation to the general scan (with p.i unchanged), which
// TestParseDetailsFastAgreesWithEncodingXML then compares with encoding/xml.
func TestAttrShape(t *testing.T) {
	tests := []struct {
		el   string
		want bool
	}{
		{`<attr name="description" op="replace"><old>Sales</old><new>Sales EMEA</new></attr>`, true},
		{`<attr name="member" op="add"><new>CN=Ann,OU=Staff</new></attr>`, true},
		{`<attr name="info" op="clear"></attr>`, true},
		{`<attr name="info" op="clear"/>`, true},
		{`<attr name="info" op="replace"><old/><new></new></attr>`, true},
		{`<attr name="info" op="replace"><new>x &amp; y</new></attr>`, true},
		{`<attr op="add" name="member"><new>x</new></attr>`, false},  // other order
		{`<attr name='member' op='add'><new>x</new></attr>`, false},  // other quotes
		{`<attr name="member" op="add" ><new>x</new></attr>`, false}, // white space
		{"<attr name=\"member\" op=\"add\">\n<new>x</new></attr>", false},
		{`<attr name="member" op="add"><new>x</new><new>y</new></attr>`, false}, // duplicate
		{`<attr name="member" op="add"><new><b>x</b></new></attr>`, false},      // markup inside
		{`<attr name="member" op="add"><other>x</other></attr>`, false},
		{`<attr name="member" op="add"><new>x</old></attr>`, false},
		{`<attr name="member" op="add"><new>&bogus;</new></attr>`, false},
		{`<attr name="member" op="add"><new>x</new></attr `, false},
	}
	for _, tt := range tests {
		doc := "<changes>" + tt.el + "</changes>"
		p := dscan{s: doc, i: len("<changes>"), amp: strings.IndexByte(doc, '&') >= 0}
		_, ok := p.attrShape()
		if ok != tt.want {
			t.Errorf("attrShape(%s) = %v, want %v", tt.el, ok, tt.want)
		}
		if !ok && p.i != len("<changes>") {
			t.Errorf("attrShape(%s) declined but moved to %d", tt.el, p.i)
		}
		if ok && doc[p.i:] != "</changes>" {
			t.Errorf("attrShape(%s) stopped at %q, want the end of the element", tt.el, doc[p.i:])
		}
	}
}
