package ops

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/arerr"
)

// TestPrerequisitesRefuseTheOtherKindsParameters: a parameter of the other
// kind of import is refused before anything is opened (the module and the
// CLI used to disagree: one refused it, the other ignored it silently).
func TestPrerequisitesRefuseTheOtherKindsParameters(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src.arbundle"), filepath.Join(dir, "dst.arbundle")
	tests := []struct {
		name  string
		extra map[string]any
		want  string // the parameter the message names; "" when accepted
	}{
		{"history with a key backup", map[string]any{"kind": "history", "keyBackupPath": "k.key"}, "keyBackupPath"},
		{"collector with a services server", map[string]any{"kind": "collector", "servicesServer": "ars.example.com"}, "servicesServer"},
		{"history with replace", map[string]any{"kind": "history", "replace": true}, "replace"},
		{"configuration with a date", map[string]any{"kind": "configuration", "from": "2024-01-01"}, "from"},
		{"default kind with an end date", map[string]any{"to": "2024-01-01"}, "to"},
		{"history with its own dates", map[string]any{"kind": "history", "from": "2024-01-01", "skipEncryptedData": false}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := map[string]any{"source": map[string]any{"path": src}, "destination": map[string]any{"path": dst}}
			for k, v := range tt.extra {
				p[k] = v
			}
			_, o := runOp(t, "test-prerequisites", p)
			if tt.want == "" {
				if o.Error != nil && o.Error.Code == "AR-PARAMS" && strings.Contains(o.Error.Message, "does not apply") {
					t.Fatalf("refused its own kind's parameters: %s", describeOutcome(o))
				}
				return
			}
			if o.Error == nil || o.Error.Code != "AR-PARAMS" || o.ExitCode != arerr.ExitInvalidInput ||
				!strings.Contains(o.Error.Message, "'"+tt.want+"' does not apply") {
				t.Fatalf("want AR-PARAMS (exit 2) naming %s, got %s", tt.want, describeOutcome(o))
			}
			if _, err := os.Stat(dst); err == nil {
				t.Fatal("the destination was created")
			}
		})
	}
}
