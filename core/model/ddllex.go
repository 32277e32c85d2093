package model

import (
	"fmt"
	"strings"
)

// The tokens of the DDL subset ddlparse.go reads.

type tokKind uint8

const (
	tokWord   tokKind = iota + 1 // identifier or keyword; [bracketed] identifiers unwrapped
	tokNumber                    // unsigned decimal
	tokString                    // '…' (quotes removed)
	tokPunct                     // one of ( ) , ; . = < > and the like
)

type token struct {
	kind tokKind
	text string
	line int
}

func (t token) is(word string) bool { return t.kind == tokWord && strings.EqualFold(t.text, word) }
func (t token) punct(p string) bool { return t.kind == tokPunct && t.text == p }

// lex turns a script into tokens, dropping -- comments (outside strings: the
// model's comments hold quotes and semicolons).
func lex(src string) ([]token, error) {
	var toks []token
	line := 1
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '-' && i+1 < len(src) && src[i+1] == '-':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '\'':
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(src) {
					return nil, fmt.Errorf("line %d: unterminated string", line)
				}
				if src[j] == '\'' {
					if j+1 < len(src) && src[j+1] == '\'' { // '' is an escaped quote
						b.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				if src[j] == '\n' {
					line++
				}
				b.WriteByte(src[j])
				j++
			}
			toks = append(toks, token{tokString, b.String(), line})
			i = j + 1
		case c == '[':
			j := strings.IndexByte(src[i:], ']')
			if j < 0 {
				return nil, fmt.Errorf("line %d: unterminated [identifier]", line)
			}
			toks = append(toks, token{tokWord, src[i+1 : i+j], line})
			i += j + 1
		case isIdentStart(c):
			j := i + 1
			for j < len(src) && isIdentPart(src[j]) {
				j++
			}
			toks = append(toks, token{tokWord, src[i:j], line})
			i = j
		case c >= '0' && c <= '9':
			j := i + 1
			for j < len(src) && src[j] >= '0' && src[j] <= '9' {
				j++
			}
			toks = append(toks, token{tokNumber, src[i:j], line})
			i = j
		case strings.IndexByte("(),;.=<>+-*/!", c) >= 0:
			toks = append(toks, token{tokPunct, string(c), line})
			i++
		default:
			return nil, fmt.Errorf("line %d: unexpected character %q", line, c)
		}
	}
	return toks, nil
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '@' || c == '#' || (c|0x20) >= 'a' && (c|0x20) <= 'z'
}

func isIdentPart(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' || c == '$' }
