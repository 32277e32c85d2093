package benchproc

import (
	"context"
	"encoding/json"
	"os"
	"runtime"
	"testing"
)

// The test binary is its own benchmark child.
func TestMain(m *testing.M) {
	if IsChild() {
		os.Exit(ChildMain())
	}
	os.Exit(m.Run())
}

func init() {
	Register("alloc", func(ctx context.Context, spec json.RawMessage) (any, error) {
		var mb int
		if err := json.Unmarshal(spec, &mb); err != nil {
			return nil, err
		}
		b := make([]byte, mb<<20)
		for i := range b {
			b[i] = 1 // touch every page so it is resident
		}
		return map[string]int{"touched": len(b)}, nil
	})
}

// TestRunMeasuresTheChildsOwnMemory: a child that touches 64 MiB reports a
// peak RSS of at least that, while the parent stays small.
func TestRunMeasuresTheChildsOwnMemory(t *testing.T) {
	var out struct{ Touched int }
	u, err := Run(context.Background(), "", "alloc", 64, nil, &out)
	if err != nil {
		t.Fatal(err)
	}
	if out.Touched != 64<<20 {
		t.Fatalf("child result %+v", out)
	}
	if runtime.GOOS == "linux" && u.PeakRSSBytes < 64<<20 {
		t.Fatalf("peak RSS %d bytes, want at least 64 MiB", u.PeakRSSBytes)
	}
	if _, err := Run(context.Background(), "", "nope", 1, nil, &out); err == nil {
		t.Fatal("an unknown scenario kind succeeded")
	}
}
