package model

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// unescape decodes entity and character references; ok=false for anything
// the scanner leaves to encoding/xml.
func unescape(raw string) (string, bool) {
	if strings.IndexByte(raw, '&') < 0 {
		return raw, true
	}
	b, ok := appendUnescaped(make([]byte, 0, len(raw)), raw)
	return string(b), ok
}

func validEntities(raw string) bool {
	for {
		k := strings.IndexByte(raw, '&')
		if k < 0 {
			return true
		}
		_, n := entityAt(raw[k:])
		if n == 0 {
			return false
		}
		raw = raw[k+n:]
	}
}

func appendUnescaped(b []byte, raw string) ([]byte, bool) {
	for {
		k := strings.IndexByte(raw, '&')
		if k < 0 {
			return append(b, raw...), true
		}
		b = append(b, raw[:k]...)
		r, n := entityAt(raw[k:])
		if n == 0 {
			return b, false
		}
		b = utf8.AppendRune(b, r)
		raw = raw[k+n:]
	}
}

// entityAt decodes the reference at the start of s ('&…;') and returns the
// rune and the bytes consumed; n=0 when it is not one the scanner accepts.
func entityAt(s string) (r rune, n int) {
	end := strings.IndexByte(s, ';')
	if end < 2 {
		return 0, 0
	}
	body := s[1:end]
	switch body {
	case "lt":
		return '<', end + 1
	case "gt":
		return '>', end + 1
	case "amp":
		return '&', end + 1
	case "quot":
		return '"', end + 1
	case "apos":
		return '\'', end + 1
	}
	if body[0] != '#' || len(body) < 2 || len(body) > 10 {
		return 0, 0
	}
	digits, base := body[1:], 10
	if digits[0] == 'x' {
		digits, base = digits[1:], 16
	}
	if digits == "" || digits[0] == '+' || digits[0] == '-' {
		return 0, 0
	}
	v, err := strconv.ParseUint(digits, base, 32)
	if err != nil || !xmlChar(rune(v)) {
		return 0, 0
	}
	return rune(v), end + 1
}

// xmlChar is XML's Char production (what encoding/xml accepts in text).
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}
