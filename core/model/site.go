package model

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// SiteSchemaVersion is the schemaVersion of G3 site documents (§10.2).
const SiteSchemaVersion = 3

// Site themes in 8.2.
const (
	ThemeDefault = "default"
	ThemeDark    = "dark"
)

// ErrBadDocument marks a site document that cannot be converted (report
// BAD_DOCUMENT, skip the site).
var ErrBadDocument = errors.New("bad Web Interface site document")

// SiteDocument is the G3 JSON site document (§10.2). Field order is the
// member order written.
type SiteDocument struct {
	SchemaVersion int               `json:"schemaVersion"`
	Title         string            `json:"title"`
	Theme         string            `json:"theme"`
	Navigation    []NavItem         `json:"navigation"`
	Settings      map[string]string `json:"settings"`
	UpgradedFrom  string            `json:"upgradedFrom,omitempty"`
}

// NavItem is one navigation entry.
type NavItem struct {
	ID      string `json:"id"`
	Label   string `json:"label"`
	Visible bool   `json:"visible"`
}

// JSON writes the document compactly; settings keys come out sorted.
func (d SiteDocument) JSON() (string, error) {
	if d.Navigation == nil {
		d.Navigation = []NavItem{} // [] rather than null: the member is an array
	}
	if d.Settings == nil {
		d.Settings = map[string]string{}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // titles and labels stay readable: "R&D", not "R\u0026D"
	if err := enc.Encode(d); err != nil {
		return "", fmt.Errorf("encode site document: %w", err)
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// ParseSiteDocument reads a G3 JSON site document.
func ParseSiteDocument(doc string) (SiteDocument, error) {
	var d SiteDocument
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return SiteDocument{}, fmt.Errorf("%w: %v", ErrBadDocument, err)
	}
	return d, nil
}

// xmlNode is a minimal element tree: what §10.2 reads of SiteXml.
type xmlNode struct {
	name     xml.Name
	attrs    []xml.Attr
	children []*xmlNode
}

func (n *xmlNode) attr(local string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Space == "" && a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

func (n *xmlNode) child(local string) *xmlNode {
	for _, c := range n.children {
		if c.name.Space == "" && c.name.Local == local {
			return c
		}
	}
	return nil
}

// ConvertSiteDocument converts a G1/G2 SiteXml document to the G3 JSON
// document (§10.2). themeChanged reports a theme 8.2 lacks (report
// THEME_CHANGED); an error wraps ErrBadDocument (skip the site).
func ConvertSiteDocument(siteXML, siteName, productVersion string) (doc string, themeChanged bool, err error) {
	root, err := parseSiteXML(siteXML)
	if err != nil {
		return "", false, err
	}
	if root.name.Space != "" || root.name.Local != "site" {
		return "", false, fmt.Errorf("%w: root element is <%s>, not <site>", ErrBadDocument, root.name.Local)
	}
	d := SiteDocument{SchemaVersion: SiteSchemaVersion, Title: siteName, Theme: ThemeDefault, UpgradedFrom: productVersion}
	if t, ok := root.attr("title"); ok {
		d.Title = t
	}
	if t, ok := root.attr("theme"); ok {
		switch strings.ToLower(t) {
		case ThemeDark:
			d.Theme = ThemeDark
		case ThemeDefault:
		default: // e.g. "classic", which 8.2 lacks
			themeChanged = true
		}
	}
	d.Navigation = navigation(root.child("navigation"))
	d.Settings = settings(root.child("settings"))
	doc, err = d.JSON()
	return doc, themeChanged, err
}

func navigation(nav *xmlNode) []NavItem {
	items := []NavItem{}
	if nav == nil {
		return items
	}
	seen := map[string]bool{}
	for _, c := range nav.children {
		if c.name.Space != "" || c.name.Local != "item" {
			continue
		}
		id, _ := c.attr("id")
		if id == "" || seen[id] { // ids compare case-sensitively; the first is kept
			continue
		}
		seen[id] = true
		it := NavItem{ID: id, Label: id, Visible: true}
		if l, ok := c.attr("label"); ok {
			it.Label = l
		}
		if v, ok := c.attr("visible"); ok {
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "false", "0":
				it.Visible = false
			}
		}
		items = append(items, it)
	}
	return items
}

func settings(set *xmlNode) map[string]string {
	out := map[string]string{}
	if set == nil {
		return out
	}
	for _, c := range set.children {
		if c.name.Space != "" || c.name.Local != "setting" {
			continue
		}
		name, _ := c.attr("name")
		if name == "" {
			continue
		}
		v, _ := c.attr("value")
		out[name] = v // a repeated name: the last wins
	}
	return out
}

// parseSiteXML builds the element tree of a well-formed document with one
// root element.
func parseSiteXML(s string) (*xmlNode, error) {
	d := xml.NewDecoder(strings.NewReader(s))
	var root *xmlNode
	var stack []*xmlNode
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadDocument, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &xmlNode{name: t.Name, attrs: t.Attr}
			if len(stack) == 0 {
				if root != nil {
					return nil, fmt.Errorf("%w: more than one root element", ErrBadDocument)
				}
				root = n
			} else {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 && len(bytes.TrimLeft(t, " \t\r\n")) > 0 {
				return nil, fmt.Errorf("%w: text outside the root element", ErrBadDocument)
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("%w: no root element", ErrBadDocument)
	}
	return root, nil
}
