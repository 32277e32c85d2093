package bench

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// The CLI's configuration benchmark, end to end at a small size.
func TestConfigurationTable(t *testing.T) {
	var out bytes.Buffer
	if err := Configuration(context.Background(), ConfigurationConfig{Objects: 500, Dir: t.TempDir()}, &out); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"7.6 → 8.2", "objects/s", "peak RSS"} {
		if !strings.Contains(out.String(), s) {
			t.Fatalf("table lacks %q:\n%s", s, out.String())
		}
	}
	t.Logf("\n%s", out.String())
}
