//go:build unix

package ops

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/configimport"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/fixture"
	"github.com/activeroles/arupgrade/core/model"
)

// refusedInUse checks a run refused because another run holds the
// destination: AR-E019, ResourceBusy, exit 3, naming the other run.
func refusedInUse(t *testing.T, o engine.Event, otherOp string, otherPID int) {
	t.Helper()
	if o.Outcome != engine.Failed || o.ExitCode != arerr.ExitPreflight || o.Error == nil ||
		o.Error.Code != model.E019DestinationInUse.ID || o.Error.Category != arerr.CatResourceBusy {
		t.Fatalf("want a refusal with AR-E019 ResourceBusy exit 3, got %s", describeOutcome(o))
	}
	host, _ := os.Hostname()
	for _, want := range []string{otherOp, host, "process " + strconv.Itoa(otherPID), "started "} {
		if otherPID == 0 && want != otherOp {
			continue
		}
		if !strings.Contains(o.Error.Message, want) {
			t.Errorf("the refusal does not name the other run (%q): %s", want, o.Error.Message)
		}
	}
}

// Two history imports from different sources into one bundle: the second is
// refused at once while the first writes, and the bundle ends as the first
// run alone leaves it (issue 9: both used to report every record imported
// and the bundle held a mixture).
func TestConcurrentHistoryImportsIntoOneBundle(t *testing.T) {
	dir := t.TempDir()
	srcA, srcB, seed := filepath.Join(dir, "a.arbundle"), filepath.Join(dir, "b.arbundle"), filepath.Join(dir, "seed.arbundle")
	makeSample(t, srcA, fixture.Spec{Version: "8.1", Role: "history", HistoryRecords: 10000, Seed: 11})
	makeSample(t, srcB, fixture.Spec{Version: "7.6", Role: "history", HistoryRecords: 3000, Seed: 12})
	makeSample(t, seed, fixture.Spec{Version: "8.1", Role: "history", HistoryRecords: 20, Seed: 13})

	// The shared destination holds a first import already.
	base := filepath.Join(dir, "base.arbundle")
	if _, o := runOp(t, "import-history", map[string]any{"source": bundleParam(seed, false), "destination": bundleParam(base, true)}); o.Outcome != engine.Succeeded {
		t.Fatalf("seed import: %s", describeOutcome(o))
	}
	dst, want := filepath.Join(dir, "dst.arbundle"), filepath.Join(dir, "want.arbundle")
	copyFile(t, base, want)
	if _, o := runOp(t, "import-history", map[string]any{"source": bundleParam(srcA, false), "destination": bundleParam(want, false)}); o.Outcome != engine.Succeeded {
		t.Fatalf("reference import: %s", describeOutcome(o))
	}

	params := func(src string) map[string]any {
		return map[string]any{"source": bundleParam(src, false), "destination": bundleParam(dst, false), "batchSize": 100}
	}
	// Once A has committed a batch it holds the lock; stopped there, it
	// holds it for as long as B needs, however fast or loaded the machine.
	// A that finished before the stop took hold is run again.
	var a *child
	for attempt := 0; ; attempt++ {
		copyFile(t, base, dst)
		a = startChild(t, "import-history", params(srcA))
		if !a.waitFor(func(e engine.Event) bool { return e.Type == engine.TypeProgress && e.Step != "" && e.Rows > 0 }) {
			o, _ := a.wait(t)
			t.Fatalf("A ended before it committed a batch: %s", describeOutcome(o))
		}
		a.signal(syscall.SIGSTOP)
		if st, err := bundle.ProbeLock(dst); err == nil && st.Held && st.Holder != nil && st.Holder.PID == pid(a) {
			break
		}
		a.signal(syscall.SIGCONT)
		a.wait(t)
		if attempt == 4 {
			t.Fatal("A finished every time before it could be stopped holding the lock")
		}
	}
	start := time.Now()
	b := startChild(t, "import-history", params(srcB))
	ob, _ := b.wait(t)
	took := time.Since(start)
	a.signal(syscall.SIGCONT)
	oa, _ := a.wait(t)

	if oa.Outcome != engine.Succeeded {
		t.Fatalf("A: %s", describeOutcome(oa))
	}
	refusedInUse(t, ob, "import-history", pid(a))
	if took > 20*time.Second {
		t.Errorf("B was refused after %v; it must be refused at once", took)
	}
	got, gotRuns := dump(t, dst)
	wantTables, wantRuns := dump(t, want)
	sameTables(t, "destination", got, wantTables)
	if len(gotRuns) != len(wantRuns) || outcomes(gotRuns)["Succeeded"] != 2 {
		t.Errorf("ImportRun rows: %v; want the seed's and A's, both Succeeded", gotRuns)
	}
	if st, err := os.Stat(filepath.Join(dir, ".dst.arbundle.lock")); err == nil {
		t.Errorf("the lock file outlived the runs: %v", st.Name())
	}
}

// Six services associations at once into one configuration bundle, each
// naming another server: each run either succeeds having read what the run
// before it wrote (they serialise) or is refused with AR-E019 — never a
// success whose change silently disappears (issue 9: all six exited 0 and
// one setting survived).
func TestParallelServicesAssociationsLoseNothing(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src.arbundle"), filepath.Join(dir, "dst.arbundle")
	makeSample(t, src, fixture.Spec{Version: "8.1", Role: "configuration", ConfigObjects: 3000, Seed: 21})
	const first = "ars00.corp.example.com"
	if _, o := runOp(t, "import-configuration", map[string]any{"source": bundleParam(src, false), "destination": bundleParam(dst, true),
		"skipEncryptedData": true, "skipPrincipals": true, "servicesServer": first}); o.Outcome != engine.Succeeded {
		t.Fatalf("setup import: %s", describeOutcome(o))
	}
	const n = 6
	kids := make([]*child, n)
	for i := range kids {
		kids[i] = startChild(t, "set-services-association", map[string]any{"destination": bundleParam(dst, false),
			"servicesServer": fmt.Sprintf("ars%02d.corp.example.com", i+1)})
	}
	// from → to of each successful run (dynamic groups all move together).
	next := map[string]string{}
	refused := 0
	for i, k := range kids {
		o, results := k.wait(t)
		if o.Outcome != engine.Succeeded {
			refusedInUse(t, o, "set-services-association", 0)
			refused++
			continue
		}
		var res configimport.ServicesResult
		if len(results) != 1 || json.Unmarshal(results[0].Data, &res) != nil {
			t.Fatalf("run %d: results %v", i, results)
		}
		from := ""
		for _, c := range res.Changed {
			if c.Entity != "DynamicGroup" {
				continue
			}
			if from != "" && c.From != from {
				t.Fatalf("run %d saw dynamic groups on two servers (%s, %s): a half-written state", i, from, c.From)
			}
			from = c.From
		}
		if from == "" {
			t.Fatalf("run %d changed no dynamic group", i)
		}
		if _, dup := next[from]; dup {
			t.Fatalf("two successful runs both read %s: one's update was lost", from)
		}
		next[from] = res.ServicesServer
	}
	if len(next) == 0 {
		t.Fatal("no run succeeded")
	}
	// The successful runs form one chain from the first server; its end is
	// what the bundle holds.
	at, steps := first, 0
	for {
		to, ok := next[at]
		if !ok {
			break
		}
		at, steps = to, steps+1
	}
	if steps != len(next) {
		t.Fatalf("successful runs %v do not form one chain from %s", next, first)
	}
	tables, _ := dump(t, dst)
	for _, row := range tables["DynamicGroup"] {
		if !strings.Contains(row, `ServiceHost="`+at+`"`) {
			t.Fatalf("the bundle holds %s; the last successful run set %s", row, at)
		}
	}
	t.Logf("%d succeeded in turn, %d refused", len(next), refused)
}

// Two configuration imports asking to create the same destination, the
// second 0.3 s after the first: the second is refused (AR-E019 while the
// first runs, AR-E008 after) and the first's file survives intact (issue 9:
// the first failed and removed the file the second had reported created).
func TestCreateRaceKeepsTheWinnersFile(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.arbundle")
	fx := makeSample(t, src, fixture.Spec{Version: "7.6", Role: "configuration", ConfigObjects: 3000, Seed: 31})
	pw, err := os.ReadFile(fx.KeyPasswordPath)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "out", "dst.arbundle")
	// With the key backup each run first spends a while deriving the key,
	// the window in which both used to find no destination and create one.
	params := map[string]any{"source": bundleParam(src, false), "destination": bundleParam(dst, true),
		"keyBackupPath": fx.KeyBackupPath, "keyBackupPassword": string(pw), "skipPrincipals": true, "servicesServer": "ars82.corp.example.com"}
	// 0.3 s as reported, then shorter gaps: both runs find no destination.
	for round, gap := range []time.Duration{300, 0, 10, 40, 100, 200} {
		_ = os.RemoveAll(filepath.Dir(dst))
		a := startChild(t, "import-configuration", params)
		time.Sleep(gap * time.Millisecond)
		b := startChild(t, "import-configuration", params)
		oa, ra := a.wait(t)
		ob, rb := b.wait(t)
		t.Logf("round %d: first %s; second %s", round, describeOutcome(oa), describeOutcome(ob))
		// With no gap the second may win the lock: exactly one succeeds.
		if oa.Outcome != engine.Succeeded {
			oa, ob, ra = ob, oa, rb
			a, b = b, a
		}
		if oa.Outcome != engine.Succeeded {
			t.Fatalf("round %d: neither run succeeded: %s", round, describeOutcome(oa))
		}
		switch {
		case ob.Error != nil && ob.Error.Code == model.E008DatabaseNameExists.ID && ob.ExitCode == arerr.ExitPreflight:
		default:
			refusedInUse(t, ob, "import-configuration", pid(a))
		}
		var res configimport.Result
		if len(ra) != 1 || json.Unmarshal(ra[0].Data, &res) != nil {
			t.Fatalf("round %d: results %v", round, ra)
		}
		tables, runs := dump(t, dst)
		if len(runs) != 1 || runs[0]["Outcome"].Str != "Succeeded" || runs[0]["ImportRunId"].Int != res.ImportRunID {
			t.Fatalf("round %d: the winner's destination has ImportRun rows %v", round, runs)
		}
		if len(tables["ManagedUnit"]) == 0 {
			t.Fatalf("round %d: the winner's destination is empty", round)
		}
		if got := listDir(t, filepath.Dir(dst)); len(got) != 1 {
			t.Fatalf("round %d: the folder holds %v, want the bundle alone", round, got)
		}
	}
}
