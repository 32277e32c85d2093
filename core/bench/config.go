package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/activeroles/arupgrade/core/benchproc"
	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/configimport"
	"github.com/activeroles/arupgrade/core/fixture"
)

// ConfigurationConfig says what Configuration measures.
type ConfigurationConfig struct {
	Objects  int      // configuration objects of the generated source; 0 = 100,000
	Versions []string // source versions; empty = 7.6
	Dir      string   // keeps generated sources (reused); "" = a temporary folder
	Seed     int64
	// Executable re-executed for each version; empty means os.Executable().
	Executable string
}

type configSpec struct {
	Source string `json:"source"`
	Dest   string `json:"dest"`
}

type configOut struct {
	Objects int64   `json:"objects"`
	Seconds float64 `json:"seconds"`
}

const configKind = "configuration-import"

func init() {
	benchproc.Register(configKind, func(ctx context.Context, raw json.RawMessage) (any, error) {
		var s configSpec
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		src, err := bundle.Open(s.Source)
		if err != nil {
			return nil, err
		}
		defer src.Close()
		dst, err := bundle.OpenConfigDestination(s.Dest)
		if err != nil {
			return nil, err
		}
		defer dst.Close()
		start := time.Now()
		res, err := configimport.Run(ctx, src, dst, configimport.Options{SkipEncryptedData: true, ServicesServer: "ars82.bench.example.com", SkipPrincipals: true}, nil)
		if err != nil {
			return nil, err
		}
		return configOut{Objects: res.AddedCount, Seconds: time.Since(start).Seconds()}, nil
	})
}

// Configuration generates a configuration source per version and imports
// it into a blank bundle in a child process, printing the time and the
// child's peak memory (the target for 100,000 objects: under 60 s and under
// 500 MB).
func Configuration(ctx context.Context, cfg ConfigurationConfig, w io.Writer) error {
	if cfg.Objects <= 0 {
		cfg.Objects = 100_000
	}
	if len(cfg.Versions) == 0 {
		cfg.Versions = []string{"7.6"}
	}
	if cfg.Seed == 0 {
		cfg.Seed = 13
	}
	exe, err := executable(cfg.Executable)
	if err != nil {
		return err
	}
	dir, cleanup, err := workDir(cfg.Dir, "arupgrade-config-bench-")
	if err != nil {
		return err
	}
	defer cleanup()
	var rows []string
	for _, v := range cfg.Versions {
		src := filepath.Join(dir, fmt.Sprintf("config-bench-%s-%d-%d.arbundle", v, cfg.Objects, cfg.Seed))
		if _, err := os.Stat(src); err != nil {
			fmt.Fprintf(w, "generating a %s configuration of %d objects…\n", v, cfg.Objects)
			if _, err := fixture.WriteBundle(ctx, src, fixture.Spec{Version: v, Role: "configuration", ConfigObjects: cfg.Objects, Seed: cfg.Seed, Overwrite: true}); err != nil {
				return fmt.Errorf("benchmark: generate %s source: %w", v, err)
			}
		}
		dest := filepath.Join(dir, "config-bench-dest.arbundle")
		_ = os.Remove(dest)
		var out configOut
		u, err := benchproc.Run(ctx, exe, configKind, configSpec{Source: src, Dest: dest}, nil, &out)
		_ = os.Remove(dest)
		if err != nil {
			return err
		}
		rows = append(rows, fmt.Sprintf("%s → 8.2\t%d\t%.2f\t%.0f\t%.2f\t%.1f\t", v, out.Objects, out.Seconds,
			float64(out.Objects)/max(out.Seconds, 1e-9), u.CPUSeconds, float64(u.PeakRSSBytes)/(1<<20)))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "configuration import (bundle → bundle)\tobjects\tseconds\tobjects/s\tCPU s\tpeak RSS (MiB)\t")
	for _, r := range rows {
		fmt.Fprintln(tw, r)
	}
	return tw.Flush()
}
