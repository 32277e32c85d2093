package model

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/arerr"
)

// A check's JSON reads as text (neutral spelling) with the template beside
// it, and a plan file that stored it gives the same check back.
func TestCheckJSONRendersParameters(t *testing.T) {
	c := Check{Code: "AR-E017", Name: "ServiceHostInvalid", Status: StatusFail, Message: "No services server was given.",
		Remedy: "Give the FQDN (" + arerr.Param("servicesServer") + " ars01.corp.example.com).", Category: "InvalidArgument"}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{`"remedy":"Give the FQDN ('servicesServer' ars01.corp.example.com)."`, `"remedyTemplate":"Give the FQDN ({param:servicesServer} ars01.corp.example.com)."`} {
		if !strings.Contains(s, want) {
			t.Fatalf("%s lacks %s", s, want)
		}
	}
	if strings.Contains(s, "messageTemplate") || strings.Contains(s, "Category") {
		t.Fatalf("unexpected fields: %s", s)
	}
	var back Check
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	c.Category = ""
	if back != c {
		t.Fatalf("round trip: %+v, want %+v", back, c)
	}
}
