package engine

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/arerr"
)

// The outcome's error is readable as it is (neutral spelling) and carries
// its templates and parameter keys, from which each front end renders its
// own spelling.
func TestErrorInfoCarriesTemplatesAndRendersPerFrontEnd(t *testing.T) {
	e := arerr.Errorf("AR-E013", arerr.CatInvalidArgument, "Give a "+arerr.Param("to")+" date on or after "+arerr.Param("from")+".",
		"%s 2024-01-01 is before %s 2024-06-30.", arerr.Param("to"), arerr.Param("from"))
	_, info, exit := outcomeOf(t.Context(), e)
	if exit != arerr.ExitPreflight {
		t.Fatalf("exit %d, want %d", exit, arerr.ExitPreflight)
	}
	b, _ := json.Marshal(info)
	var got map[string]any
	_ = json.Unmarshal(b, &got)
	if got["remedy"] != "Give a 'to' date on or after 'from'." || got["message"] != "'to' 2024-01-01 is before 'from' 2024-06-30." {
		t.Fatalf("neutral text: %s", b)
	}
	if got["remedyTemplate"] != e.Remedy || !reflect.DeepEqual(got["parameters"], []any{"to", "from"}) {
		t.Fatalf("templates and parameters: %s", b)
	}
	ps := info.Spelled(arerr.Spelling{Param: func(k string) string { return "-" + strings.ToUpper(k[:1]) + k[1:] }})
	if ps.Remedy != "Give a -To date on or after -From." || ps.Message != "-To 2024-01-01 is before -From 2024-06-30." || ps.RemedyTemplate != "" {
		t.Fatalf("spelled: %+v", ps)
	}
	if info.Remedy != "Give a 'to' date on or after 'from'." {
		t.Fatal("Spelled changed the original")
	}

	plain := InfoOf(arerr.Errorf("AR-ARGS", arerr.CatInvalidArgument, "Fix it.", "Bad."))
	if b, _ := json.Marshal(plain); strings.Contains(string(b), "Template") || strings.Contains(string(b), "parameters") {
		t.Fatalf("a text without parameters grew template fields: %s", b)
	}
}
