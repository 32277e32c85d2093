package engine

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/activeroles/arupgrade/core/arerr"
)

// withTemplates gives every string member of a result that names parameters
// or commands as tokens (arerr.Param, arerr.Command) its neutral rendering,
// and keeps the tokens in a sibling member "<name>Template", so that a front
// end renders its own spelling (-SkipPrincipals, --skip-principals) while the
// JSON stays readable. Members keep their order; a result without tokens is
// returned as it is.
func withTemplates(b []byte) []byte {
	if !bytes.Contains(b, []byte("{param:")) && !bytes.Contains(b, []byte("{command:")) {
		return b
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out bytes.Buffer
	if err := rewriteValue(dec, &out); err != nil {
		return b
	}
	return out.Bytes()
}

func rewriteValue(dec *json.Decoder, out *bytes.Buffer) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			return rewriteObject(dec, out)
		case '[':
			out.WriteByte('[')
			for i := 0; dec.More(); i++ {
				if i > 0 {
					out.WriteByte(',')
				}
				if err := rewriteValue(dec, out); err != nil {
					return err
				}
			}
			_, err := dec.Token()
			out.WriteByte(']')
			return err
		}
	case string:
		writeJSON(out, arerr.Render(t, arerr.Neutral))
		return nil
	}
	writeJSON(out, tok)
	return nil
}

func rewriteObject(dec *json.Decoder, out *bytes.Buffer) error {
	type member struct {
		key  string
		raw  []byte // the rewritten value
		tmpl string
	}
	var members []member
	has := map[string]bool{}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return err
		}
		k, _ := kt.(string)
		has[k] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		m := member{key: k}
		var s string
		if strings.HasSuffix(k, "Template") {
			m.raw = raw // a template already (model.Check): kept as it is
		} else if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
			text, tmpl := arerr.Rendered(s)
			var buf bytes.Buffer
			writeJSON(&buf, text)
			m.raw, m.tmpl = buf.Bytes(), tmpl
		} else {
			var buf bytes.Buffer
			sub := json.NewDecoder(bytes.NewReader(raw))
			sub.UseNumber()
			if err := rewriteValue(sub, &buf); err != nil {
				return err
			}
			m.raw = buf.Bytes()
		}
		members = append(members, m)
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	out.WriteByte('{')
	first := true
	put := func(k string, raw []byte) {
		if !first {
			out.WriteByte(',')
		}
		first = false
		writeJSON(out, k)
		out.WriteByte(':')
		out.Write(raw)
	}
	for _, m := range members {
		put(m.key, m.raw)
		// A member already carrying its template (model.Check) keeps it.
		if m.tmpl != "" && !has[m.key+"Template"] && !strings.HasSuffix(m.key, "Template") {
			var buf bytes.Buffer
			writeJSON(&buf, m.tmpl)
			put(m.key+"Template", buf.Bytes())
		}
	}
	out.WriteByte('}')
	return nil
}

func writeJSON(out *bytes.Buffer, v any) {
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	out.Truncate(out.Len() - 1) // Encode's newline
}
