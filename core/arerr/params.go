package arerr

import (
	"regexp"
	"strings"
)

// Parameters and commands in messages and remedies.
//
// The engine serves several front ends that spell the same parameter
// differently (the CLI's --from, PowerShell's -From, the request's "from"),
// so a text the engine writes names a parameter by its request key —
// {param:from}, an endpoint's field as {param:source.auth} — and an
// operation by its name, {command:copy-principals}. Each front end renders
// the tokens in its own spelling (Render with its Spelling); the event JSON
// carries the text rendered in the engine's own, neutral spelling (Neutral:
// 'from', 'copy-principals') beside the template, so that it stays readable.

// Param is the token naming a request parameter in a message or remedy.
func Param(key string) string { return "{param:" + key + "}" }

// Command is the token naming an operation in a message or remedy.
func Command(op string) string { return "{command:" + op + "}" }

var tokenRE = regexp.MustCompile(`\{(param|command):([A-Za-z][A-Za-z0-9.-]*)\}`)

// Spelling says how a front end writes a parameter (by its request key) and
// a command (by its operation name). A nil func leaves the neutral spelling.
type Spelling struct {
	Param   func(key string) string
	Command func(op string) string
}

// Neutral is the engine's own spelling: the request key or operation name in
// single quotes.
var Neutral = Spelling{}

// Render replaces every token of s by sp's spelling.
func Render(s string, sp Spelling) string {
	if !strings.Contains(s, "{") {
		return s
	}
	return tokenRE.ReplaceAllStringFunc(s, func(tok string) string {
		m := tokenRE.FindStringSubmatch(tok)
		switch {
		case m[1] == "param" && sp.Param != nil:
			return sp.Param(m[2])
		case m[1] == "command" && sp.Command != nil:
			return sp.Command(m[2])
		}
		return "'" + m[2] + "'"
	})
}

// HasTokens reports whether s names a parameter or command as a token.
func HasTokens(s string) bool { return strings.Contains(s, "{") && tokenRE.MatchString(s) }

// Params lists the parameter keys the texts name, each once, in order.
func Params(texts ...string) []string {
	var keys []string
	seen := map[string]bool{}
	for _, s := range texts {
		for _, m := range tokenRE.FindAllStringSubmatch(s, -1) {
			if m[1] == "param" && !seen[m[2]] {
				seen[m[2]] = true
				keys = append(keys, m[2])
			}
		}
	}
	return keys
}

// Rendered is a text in the neutral spelling and, when it names parameters
// or commands, its template for the front ends.
func Rendered(s string) (text, template string) {
	if !HasTokens(s) {
		return s, ""
	}
	return Render(s, Neutral), s
}
