package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/engine"
)

// cliSpelling renders the parameters and commands that engine messages and
// remedies name ({param:from}, {command:copy-principals}) as this CLI's flags
// and commands (--from, arupgrade copy-principals).
var cliSpelling = arerr.Spelling{Param: cliFlag, Command: cliCommand}

// cliFlagNames are the flags whose names do not follow from the request key.
var cliFlagNames = map[string]string{
	"keyBackupPath":      "--key-backup",
	"keyBackupPassword":  "--key-password-file",
	"iisSiteName":        "--iis-site",
	"applicationAlias":   "--alias",
	"webSites":           "--website",
	"allWebSites":        "--all-websites",
	"source.create":      "--create-source",
	"destination.create": "--create-destination",
	// The history source is read with the source's login.
	"sourceHistory.password": "--source-password-file",
}

// cliFlag is the flag of a request key: --key-in-kebab-case, an endpoint's
// field after its side (source.trustServerCertificate →
// --source-trust-server-certificate).
func cliFlag(key string) string {
	if f, ok := cliFlagNames[key]; ok {
		return f
	}
	if side, ok := strings.CutSuffix(key, ".password"); ok {
		return cliFlag(side) + "-password-file" // never a flag value: a file (or the environment)
	}
	var b strings.Builder
	b.WriteString("--")
	for i, r := range key {
		switch {
		case r == '.':
			b.WriteByte('-')
		case unicode.IsUpper(r):
			if i > 0 && key[i-1] != '.' {
				b.WriteByte('-')
			}
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func cliCommand(op string) string {
	if op == "help" {
		return "arupgrade --help"
	}
	return "arupgrade " + op
}

// spellError is an engine error in this CLI's spelling.
func spellError(e *arerr.Error) *engine.ErrorInfo {
	return engine.InfoOf(e).Spelled(cliSpelling)
}

// spellResult renders the templates a result carries (a PrerequisiteCheck's
// messageTemplate and remedyTemplate) into its message and remedy in this
// CLI's spelling, and drops the templates. Member order is kept.
func spellResult(data json.RawMessage) json.RawMessage {
	if !bytes.Contains(data, []byte(`Template"`)) {
		return data
	}
	v, err := decodeOrdered(data)
	if err != nil {
		return data
	}
	spellValue(v)
	b, err := json.Marshal(v)
	if err != nil {
		return data
	}
	return b
}

func spellValue(v any) {
	switch x := v.(type) {
	case *omap:
		keys := x.keys[:0:0]
		for _, k := range x.keys {
			if base, ok := strings.CutSuffix(k, "Template"); ok {
				if t, isStr := x.vals[k].(string); isStr {
					if _, has := x.vals[base]; has {
						x.vals[base] = arerr.Render(t, cliSpelling)
						delete(x.vals, k)
						continue
					}
				}
			}
			spellValue(x.vals[k])
			keys = append(keys, k)
		}
		x.keys = keys
	case []any:
		for _, e := range x {
			spellValue(e)
		}
	}
}

// MarshalJSON writes the object with its members in their order.
func (m *omap) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range m.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(m.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
