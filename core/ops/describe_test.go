package ops

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/dbopen"
	"github.com/activeroles/arupgrade/core/engine"
)

// describe-endpoint names every form a user types as the engine's messages
// do, without connecting, and never shows a password.
func TestDescribeEndpoint(t *testing.T) {
	base := t.TempDir()
	params := map[string]any{"endpoints": []map[string]any{
		{"location": `sql01\INST,1433`, "database": "ARConfig76"},
		{"location": "Server=sql02.corp.example.com;Database=ARConfig82;User Id=sa;Password=Hunter2!"},
		{"location": "sqlserver://sa:Hunter2!@sql03?database=AR"},
		{"location": "ar76.arbundle", "baseDirectory": base},
	}}
	raw, _ := json.Marshal(params)
	var got []dbopen.Description
	out := engine.Run(t.Context(), engine.Request{Operation: "describe-endpoint", Params: raw, LogFile: "-"}, func(ev engine.Event) {
		if ev.Type == engine.TypeResult && ev.ResultType == "EndpointDescription" {
			var d dbopen.Description
			if err := json.Unmarshal(ev.Data, &d); err != nil {
				t.Fatal(err)
			}
			got = append(got, d)
		}
		if strings.Contains(string(ev.Data), "Hunter2") || strings.Contains(ev.Message, "Hunter2") {
			t.Fatalf("a password in an event: %+v", ev)
		}
	})
	if out.Outcome != engine.Succeeded {
		t.Fatalf("outcome %s: %+v", out.Outcome, out.Error)
	}
	want := []dbopen.Description{
		{Description: `sql01\INST,1433/ARConfig76`, Kind: "SqlServer", Server: `sql01\INST,1433`, Database: "ARConfig76"},
		{Description: "Server=sql02.corp.example.com;Database=ARConfig82;User Id=sa;Password=***", Kind: "SqlServer", Server: "sql02.corp.example.com", Database: "ARConfig82"},
		{Description: "sqlserver://sa:***@sql03?database=AR", Kind: "SqlServer", Server: "sql03", Database: "AR"},
		{Description: filepath.Join(base, "ar76.arbundle"), Kind: "Bundle", Path: filepath.Join(base, "ar76.arbundle")},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d descriptions: %+v", len(got), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("endpoint %d: got %+v, want %+v", i, got[i], want[i])
		}
	}

	out = engine.Run(t.Context(), engine.Request{Operation: "describe-endpoint", Params: json.RawMessage(`{"endpoints":[{"location":"sql01/AR"}]}`), LogFile: "-"}, func(engine.Event) {})
	if out.Error == nil || out.Error.Code != "AR-ARGS" || out.ExitCode != 2 {
		t.Fatalf("a location naming nothing: %+v, exit %d", out.Error, out.ExitCode)
	}
}
