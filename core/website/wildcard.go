package website

import (
	"unicode"
	"unicode/utf16"

	"github.com/activeroles/arupgrade/core/arerr"
)

// Pattern is a PowerShell wildcard pattern (System.Management.Automation.
// WildcardPattern with IgnoreCase), matched here so that Get-ARWebSite -Name
// and arupgrade list-websites --name select the same sites: * is any run of
// characters, ? one character, [abc] one of a set, [a-z] one of a range, and
// a backtick makes the next character literal. Matching ignores case.
type Pattern struct {
	text  string
	items []patItem
	wild  bool
}

type patItem struct {
	kind   byte // 'c' literal, '?' any one, '*' any run, '[' set
	r      rune
	ranges [][2]rune
}

// ParsePattern compiles a wildcard pattern; an unclosed [ is AR-PARAMS.
func ParsePattern(p string) (Pattern, error) {
	out := Pattern{text: p}
	rs := units(p)
	for i := 0; i < len(rs); i++ {
		switch c := rs[i]; c {
		case '`':
			if i+1 < len(rs) {
				i++
			}
			out.items = append(out.items, patItem{kind: 'c', r: fold(rs[i])})
		case '*':
			if n := len(out.items); n == 0 || out.items[n-1].kind != '*' {
				out.items = append(out.items, patItem{kind: '*'})
			}
			out.wild = true
		case '?':
			out.items = append(out.items, patItem{kind: '?'})
			out.wild = true
		case '[':
			it, next, ok := parseSet(rs, i+1)
			if !ok {
				return Pattern{}, arerr.Errorf("AR-PARAMS", arerr.CatInvalidArgument,
					"Close the bracket, or write `[ for a literal [.", "The name pattern %q is not valid: a [ is not closed.", p)
			}
			out.items = append(out.items, it)
			out.wild = true
			i = next
		default:
			out.items = append(out.items, patItem{kind: 'c', r: fold(c)})
		}
	}
	return out, nil
}

// parseSet reads a [set] whose first character is rs[i]; it returns the
// item and the index of the closing ].
func parseSet(rs []rune, i int) (patItem, int, bool) {
	it := patItem{kind: '['}
	for ; i < len(rs); i++ {
		c := rs[i]
		if c == ']' {
			return it, i, true
		}
		if c == '`' && i+1 < len(rs) {
			i++
			c = rs[i]
		}
		lo, hi := fold(c), fold(c)
		if i+2 < len(rs) && rs[i+1] == '-' && rs[i+2] != ']' {
			hi = fold(rs[i+2])
			i += 2
		}
		it.ranges = append(it.ranges, [2]rune{lo, hi})
	}
	return it, i, false
}

func fold(r rune) rune { return unicode.ToLower(r) }

// units are s's UTF-16 code units: .NET strings are matched unit by unit,
// so ? matches half of a character outside the BMP, as in PowerShell.
func units(s string) []rune {
	u := utf16.Encode([]rune(s))
	out := make([]rune, len(u))
	for i, c := range u {
		out[i] = rune(c)
	}
	return out
}

// HasWildcards reports whether the pattern holds *, ? or [set]; a pattern
// without them names one item, whose absence is an error.
func (p Pattern) HasWildcards() bool { return p.wild }

// String is the pattern as given.
func (p Pattern) String() string { return p.text }

// Match reports whether s matches the whole pattern, ignoring case.
func (p Pattern) Match(s string) bool {
	in := units(s)
	for i, r := range in {
		in[i] = fold(r)
	}
	// Greedy match with backtracking to the last *: linear for patterns
	// without *, O(len(s)·len(p)) at worst.
	pi, si, star, mark := 0, 0, -1, 0
	for si < len(in) {
		if pi < len(p.items) {
			switch it := p.items[pi]; it.kind {
			case '*':
				star, mark = pi, si
				pi++
				continue
			case '?':
				pi, si = pi+1, si+1
				continue
			case 'c':
				if it.r == in[si] {
					pi, si = pi+1, si+1
					continue
				}
			case '[':
				if it.inSet(in[si]) {
					pi, si = pi+1, si+1
					continue
				}
			}
		}
		if star < 0 {
			return false
		}
		pi, mark = star+1, mark+1
		si = mark
	}
	for pi < len(p.items) && p.items[pi].kind == '*' {
		pi++
	}
	return pi == len(p.items)
}

func (it patItem) inSet(r rune) bool {
	for _, rg := range it.ranges {
		if rg[0] <= r && r <= rg[1] {
			return true
		}
	}
	return false
}
