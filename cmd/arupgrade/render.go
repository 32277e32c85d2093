package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// omap is a JSON object that keeps its members' order, so text output
// follows the order of the result's fields.
type omap struct {
	keys []string
	vals map[string]any
}

// decodeOrdered decodes JSON keeping object member order.
func decodeOrdered(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return decodeValue(dec)
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			m := &omap{vals: map[string]any{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				m.keys = append(m.keys, k)
				m.vals[k] = v
			}
			_, err := dec.Token()
			return m, err
		case '[':
			var a []any
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			_, err := dec.Token()
			return a, err
		}
	}
	return tok, nil
}

// writeValue renders decoded JSON as indented "name: value" lines; lists of
// flat objects become tables.
func writeValue(w io.Writer, v any, indent int) {
	pad := strings.Repeat("  ", indent)
	switch x := v.(type) {
	case *omap:
		for _, k := range x.keys {
			child := x.vals[k]
			switch c := child.(type) {
			case *omap:
				if len(c.keys) == 0 {
					fmt.Fprintf(w, "%s%s: (none)\n", pad, k)
					continue
				}
				fmt.Fprintf(w, "%s%s:\n", pad, k)
				writeValue(w, c, indent+1)
			case []any:
				if len(c) == 0 {
					fmt.Fprintf(w, "%s%s: (none)\n", pad, k)
					continue
				}
				fmt.Fprintf(w, "%s%s:\n", pad, k)
				writeValue(w, c, indent+1)
			default:
				fmt.Fprintf(w, "%s%s: %s\n", pad, k, scalar(c))
			}
		}
	case []any:
		if cols := tableColumns(x); cols != nil {
			tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
			fmt.Fprintf(tw, "%s%s\n", pad, strings.Join(cols, "\t"))
			for _, e := range x {
				m := e.(*omap)
				cells := make([]string, len(cols))
				for i, c := range cols {
					if v, ok := m.vals[c]; ok {
						cells[i] = scalar(v)
					}
				}
				fmt.Fprintf(tw, "%s%s\n", pad, strings.Join(cells, "\t"))
			}
			_ = tw.Flush()
			return
		}
		for _, e := range x {
			switch e.(type) {
			case *omap, []any:
				fmt.Fprintf(w, "%s-\n", pad)
				writeValue(w, e, indent+1)
			default:
				fmt.Fprintf(w, "%s- %s\n", pad, scalar(e))
			}
		}
	default:
		fmt.Fprintf(w, "%s%s\n", pad, scalar(x))
	}
}

// tableColumns returns the columns when every element is an object of
// short scalars, else nil.
func tableColumns(a []any) []string {
	var cols []string
	seen := map[string]bool{}
	for _, e := range a {
		m, ok := e.(*omap)
		if !ok {
			return nil
		}
		for _, k := range m.keys {
			switch v := m.vals[k].(type) {
			case *omap, []any:
				return nil
			case string:
				if len(v) > 60 {
					return nil
				}
			}
			if !seen[k] {
				seen[k] = true
				cols = append(cols, k)
			}
		}
	}
	if len(cols) > 8 {
		return nil
	}
	return cols
}

func scalar(v any) string {
	switch x := v.(type) {
	case nil:
		return "(null)"
	case json.Number:
		if f, err := x.Float64(); err == nil && f != float64(int64(f)) {
			return fmt.Sprintf("%.2f", f)
		}
		return x.String()
	case string:
		return x
	}
	return fmt.Sprint(v)
}
