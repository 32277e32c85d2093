package engine

import (
	"encoding/json"
	"testing"

	"github.com/activeroles/arupgrade/core/arerr"
)

// A result whose texts name parameters reads as text (neutral spelling) and
// carries the tokens beside each such member, wherever it is nested; one
// that names none is emitted byte for byte as marshalled.
func TestResultTemplates(t *testing.T) {
	type followUp struct {
		Action string   `json:"action"`
		Items  []string `json:"items"`
	}
	type result struct {
		Outcome   string     `json:"outcome"`
		Count     int        `json:"count"`
		Reason    string     `json:"reason"`
		FollowUps []followUp `json:"followUps"`
		Remedy    string     `json:"remedy"`
		RemedyT   string     `json:"remedyTemplate"`
	}
	r := result{Outcome: "Succeeded", Count: 3,
		Reason:    "skipped at your request (" + arerr.Param("skipPrincipals") + ")",
		FollowUps: []followUp{{Action: "Copy them with " + arerr.Command("copy-principals") + " <later>.", Items: []string{"a " + arerr.Param("force"), "b"}}},
		Remedy:    "Give ('servicesServer' x).", RemedyT: "Give (" + arerr.Param("servicesServer") + " x)."}
	b, _ := json.Marshal(r)
	got := string(withTemplates(b))
	want := `{"outcome":"Succeeded","count":3,"reason":"skipped at your request ('skipPrincipals')","reasonTemplate":"skipped at your request ({param:skipPrincipals})",` +
		`"followUps":[{"action":"Copy them with 'copy-principals' <later>.","actionTemplate":"Copy them with {command:copy-principals} <later>.","items":["a 'force'","b"]}],` +
		`"remedy":"Give ('servicesServer' x).","remedyTemplate":"Give ({param:servicesServer} x)."}`
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	var back map[string]any
	if err := json.Unmarshal([]byte(got), &back); err != nil {
		t.Fatalf("not JSON: %v", err)
	}

	plain, _ := json.Marshal(result{Outcome: "x <y>", Reason: "no tokens {here}"})
	if out := withTemplates(plain); string(out) != string(plain) {
		t.Fatalf("a result without tokens changed: %s", out)
	}
}
