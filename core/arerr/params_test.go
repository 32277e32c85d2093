package arerr

import (
	"reflect"
	"strings"
	"testing"
)

// A remedy names parameters once, as tokens; each front end renders its own
// spelling, and the engine's text (Error, the event JSON) the neutral one.
func TestRenderSpellsParametersPerFrontEnd(t *testing.T) {
	cli := Spelling{
		Param:   func(k string) string { return "--" + strings.ReplaceAll(k, ".", "-") },
		Command: func(op string) string { return "arupgrade " + op },
	}
	ps := Spelling{
		Param:   func(k string) string { return "-" + strings.ToUpper(k[:1]) + k[1:] },
		Command: func(op string) string { return map[string]string{"copy-principals": "Copy-ARDatabasePrincipals"}[op] },
	}
	remedy := "Give a " + Param("to") + " date on or after " + Param("from") + "; then run " + Command("copy-principals") + "."
	tests := []struct {
		name string
		sp   Spelling
		want string
	}{
		{"neutral", Neutral, "Give a 'to' date on or after 'from'; then run 'copy-principals'."},
		{"CLI", cli, "Give a --to date on or after --from; then run arupgrade copy-principals."},
		{"PowerShell", ps, "Give a -To date on or after -From; then run Copy-ARDatabasePrincipals."},
		{"only commands spelled", Spelling{Command: cli.Command}, "Give a 'to' date on or after 'from'; then run arupgrade copy-principals."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Render(remedy, tt.sp); got != tt.want {
				t.Fatalf("Render = %q, want %q", got, tt.want)
			}
		})
	}
	if got := Params(remedy, "again "+Param("from")+" and "+Param("source.auth")); !reflect.DeepEqual(got, []string{"to", "from", "source.auth"}) {
		t.Fatalf("Params = %v", got)
	}
	for _, plain := range []string{"no tokens here", "a {brace} and {param:} and {param:-x}", ""} {
		if HasTokens(plain) || Render(plain, cli) != plain {
			t.Fatalf("%q changed or counted as a template", plain)
		}
		if text, tmpl := Rendered(plain); text != plain || tmpl != "" {
			t.Fatalf("Rendered(%q) = %q, %q", plain, text, tmpl)
		}
	}
}

// Error() never shows a raw token, whatever the message and remedy name.
func TestErrorRendersTokensNeutrally(t *testing.T) {
	e := Errorf("AR-E013", CatInvalidArgument, "Give "+Param("to")+" on or after "+Param("from")+".", "%s %s is before %s.", Param("to"), "2024-01-01", "2024-06-30")
	if got := e.Error(); got != "'to' 2024-01-01 is before 2024-06-30. Give 'to' on or after 'from'." {
		t.Fatalf("Error() = %q", got)
	}
	w := Wrap(e, "AR-PARAMS", CatInvalidArgument, "See "+Command("help")+".", "The request is not valid")
	if strings.Contains(w.Error(), "{") {
		t.Fatalf("wrapped error shows a token: %q", w.Error())
	}
	if e.Exit != ExitPreflight {
		t.Fatalf("exit %d", e.Exit)
	}
}
