package historyimport

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/model"
)

// TestSourceVersionRemedy: a source older than 7.5 is told to upgrade to
// 7.5 first; one newer than 8.2 is not (upgrading it cannot help).
func TestSourceVersionRemedy(t *testing.T) {
	tests := []struct {
		version       string
		want, notWant string
	}{
		{"6.9.0", "Upgrade the source to Active Roles 7.5", ""},
		{"8.3.0", "version that created this database", "7.5 or later"},
		{"9.0.0", "version that created this database", "7.5 or later"},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			src := &infoOnly{info: dbInfo(t, "src", tt.version, model.RoleManagementHistory, nil), t: t}
			dst := &infoOnly{info: dbInfo(t, "dst", "", "", nil), t: t}
			_, err := Run(context.Background(), src, dst, Options{}, nil)
			var ee *arerr.Error
			if !errors.As(err, &ee) || ee.Code != model.E002SourceVersionUnsupported.ID {
				t.Fatalf("err = %v, want AR-E002", err)
			}
			if !strings.Contains(ee.Remedy, tt.want) || (tt.notWant != "" && strings.Contains(ee.Remedy, tt.notWant)) {
				t.Errorf("remedy %q: want %q, not %q", ee.Remedy, tt.want, tt.notWant)
			}
		})
	}
}
