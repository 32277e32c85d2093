package model

import (
	"encoding/xml"
	"io"
	"strings"

	"github.com/activeroles/arupgrade/core/data"
)

// AttrChange is one ChangeRecordAttribute row parsed from G1 Details (§8.4).
// Old and New are String values, or NULL when the element is missing.
type AttrChange struct {
	Name, ChangeType string
	Old, New         data.Value
}

// UnknownAttributeName is the AttributeName of an attr without @name (§8.4).
const UnknownAttributeName = "(unknown)"

// ParseDetails parses a G1 ChangeHistory.Details value (§8.4): one change per
// attr child of the changes root, in document order; Seq is the index + 1.
// ok=false (report BAD_DETAILS, no rows) when the value is not well-formed
// XML, has no single root element, or the root is not <changes> (without a
// namespace).
//
// It runs once per history record, so the common shape is read by a
// hand-written scanner that allocates little; anything that scanner does not
// handle (comments, CDATA, processing instructions, DOCTYPE, namespaces,
// carriage returns, unusual characters or errors) is parsed again by
// encoding/xml, which decides.
func ParseDetails(doc string) (changes []AttrChange, ok bool) {
	changes, ok = AppendDetails(nil, doc)
	if len(changes) == 0 {
		changes = nil
	}
	return changes, ok
}

// AppendDetails is ParseDetails appending the changes to dst, so a caller
// parsing one document per record reuses one buffer instead of allocating a
// slice per record. When ok is false it returns dst unchanged. The changes'
// strings may share memory with doc.
func AppendDetails(dst []AttrChange, doc string) (changes []AttrChange, ok bool) {
	if c, ok, handled := parseDetailsFast(dst, doc); handled {
		return c, ok
	}
	c, ok := parseDetailsXML(doc)
	return append(dst, c...), ok
}

// parseDetailsXML is the reference reading of §8.4 with encoding/xml.
func parseDetailsXML(doc string) ([]AttrChange, bool) {
	d := xml.NewDecoder(strings.NewReader(doc)) // Strict by default: unknown entities are errors
	var (
		out          []AttrChange
		depth        int
		seenRoot     bool
		inAttr       bool
		cur          AttrChange
		haveOld      bool
		haveNew      bool
		collect      *data.Value // the old/new value being read, nil outside
		collectDepth int
		buf          strings.Builder
	)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case depth == 1:
				if seenRoot || t.Name.Space != "" || t.Name.Local != "changes" {
					return nil, false
				}
				seenRoot = true
			case depth == 2 && t.Name.Space == "" && t.Name.Local == "attr":
				inAttr, haveOld, haveNew = true, false, false
				cur = AttrChange{Name: UnknownAttributeName, ChangeType: Unknown}
				gotName, gotOp := false, false
				for _, a := range t.Attr {
					if a.Name.Space != "" {
						continue
					}
					switch {
					case a.Name.Local == "name" && !gotName:
						cur.Name, gotName = a.Value, true
					case a.Name.Local == "op" && !gotOp:
						cur.ChangeType, _ = ChangeTypeFromOp(a.Value)
						gotOp = true
					}
				}
			case depth == 3 && inAttr && collect == nil && t.Name.Space == "":
				if t.Name.Local == "old" && !haveOld {
					haveOld, collect = true, &cur.Old
				} else if t.Name.Local == "new" && !haveNew {
					haveNew, collect = true, &cur.New
				}
				if collect != nil {
					collectDepth = depth
					buf.Reset()
				}
			}
		case xml.EndElement:
			if collect != nil && depth == collectDepth {
				*collect = data.StringValue(buf.String())
				collect = nil
			}
			if depth == 2 && inAttr {
				out = append(out, cur)
				inAttr = false
			}
			depth--
		case xml.CharData:
			if depth == 0 && strings.TrimLeft(string(t), " \t\r\n") != "" {
				return nil, false // text outside the root element
			}
			if collect != nil {
				buf.Write(t) // XPath string(): all descendant text, CDATA included
			}
		}
	}
	if !seenRoot {
		return nil, false
	}
	if len(out) == 0 {
		return nil, true
	}
	return out, true
}
