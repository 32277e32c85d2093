package ops

// This file registers the two diagnostic operations that need nothing but
// the engine: "version" and "sleep". It is self-contained on purpose; the
// other operations live in their own files of this package.

import (
	"bytes"
	"context"
	"encoding/json"
	"runtime"
	"time"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/engine"
)

// VersionInfo is the result of the "version" operation
// (PowerShell type ActiveRolesUpgrade.VersionInfo).
type VersionInfo struct {
	Version    string   `json:"version"`    // product version, stamped at build time
	ABI        int      `json:"abi"`        // C ABI and event-protocol version
	GoVersion  string   `json:"goVersion"`  // Go toolchain that built the engine
	OS         string   `json:"os"`         // GOOS of the build
	Arch       string   `json:"arch"`       // GOARCH of the build
	Operations []string `json:"operations"` // every registered operation, sorted
}

// SleepParams are the params of the "sleep" operation.
type SleepParams struct {
	// Seconds to wait, 0 to MaxSleepSeconds; fractions allowed.
	Seconds float64 `json:"seconds"`
}

// MaxSleepSeconds bounds the "sleep" operation so a typo cannot hang a test run for days.
const MaxSleepSeconds = 3600

// SleepResult is the result of a "sleep" operation that ran to its end.
type SleepResult struct {
	Seconds float64 `json:"seconds"`
}

func init() {
	engine.Register("version", runVersion)
	engine.Register("sleep", runSleep)
}

// CurrentVersion describes this build of the engine.
func CurrentVersion() VersionInfo {
	return VersionInfo{
		Version:    engine.Version,
		ABI:        engine.ABI,
		GoVersion:  runtime.Version(),
		OS:         runtime.GOOS,
		Arch:       runtime.GOARCH,
		Operations: engine.Operations(),
	}
}

// runVersion emits one VersionInfo result. It takes no params.
func runVersion(_ context.Context, _ json.RawMessage, em *engine.Emitter) error {
	return em.Result("VersionInfo", CurrentVersion())
}

// runSleep is a diagnostic operation: it waits for params.seconds, emitting a
// progress event about every 100 ms, and ends early, with the "cancelled"
// outcome, when the job is cancelled. The module's and the C ABI's
// cancellation tests use it; it touches no database.
func runSleep(ctx context.Context, raw json.RawMessage, em *engine.Emitter) error {
	var p SleepParams
	if len(bytes.TrimSpace(raw)) > 0 && !bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			return arerr.Wrap(err, "AR-PARAMS", arerr.CatInvalidArgument,
				`Pass params such as {"seconds": 2}.`, "The sleep params are not valid")
		}
	}
	if p.Seconds < 0 || p.Seconds > MaxSleepSeconds {
		return arerr.Errorf("AR-PARAMS", arerr.CatInvalidArgument,
			"Pass a number of seconds from 0 to 3600.", "Cannot sleep for %v seconds.", p.Seconds)
	}
	const activity = "Sleeping"
	total := time.Duration(p.Seconds * float64(time.Second))
	start := time.Now()
	deadline := time.NewTimer(total)
	defer deadline.Stop()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			em.Log().Info().Dur("after", time.Since(start)).Msg("sleep cancelled")
			return ctx.Err()
		case <-deadline.C:
			em.Progress(engine.Progress{Activity: activity, Percent: 100, Completed: true})
			return em.Result("SleepResult", SleepResult(p))
		case <-tick.C:
			elapsed := time.Since(start)
			pct := 100 * elapsed.Seconds() / total.Seconds()
			if pct > 100 {
				pct = 100
			}
			em.Progress(engine.Progress{Activity: activity, Percent: pct,
				EtaSeconds: max(0, (total - elapsed).Seconds())})
		}
	}
}
