package collectorimport

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/activeroles/arupgrade/core/benchproc"
	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/historyimport"
)

const childEnv = "AR_CI_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(childMain())
	}
	if benchproc.IsChild() {
		os.Exit(benchproc.ChildMain())
	}
	os.Exit(m.Run())
}

// childMain imports AR_CI_SRC into AR_CI_DST, printing a line per batch so
// the parent can kill it at a chosen batch.
func childMain() int {
	bs, _ := strconv.Atoi(os.Getenv("AR_CI_BATCH"))
	src, err := bundle.Open(os.Getenv("AR_CI_SRC"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	dst, err := bundle.OpenHistoryDestination(os.Getenv("AR_CI_DST"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if _, err := Run(context.Background(), src, dst, Options{BatchSize: bs}, lineReporter{}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := dst.Close(); err != nil {
		return 1
	}
	return 0
}

type lineReporter struct{ historyimport.Reporter }

func (lineReporter) Progress(p engine.Progress) {
	if !p.Completed {
		fmt.Println("batch")
	}
}

// Killed at random points (≥ 20 kills) and resumed, each event is in the
// destination exactly once.
func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary 20+ times")
	}
	src, _ := sample(t, "7.6", "collector", 1000, true)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	const batch = 50
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	killed := 0
	for i := 0; i < 40 && killed < 22; i++ {
		dst := filepath.Join(t.TempDir(), fmt.Sprintf("kill-%d.arbundle", i))
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"=1", "AR_CI_SRC="+src, "AR_CI_DST="+dst, "AR_CI_BATCH="+strconv.Itoa(batch))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(out)
		atBatch := rng.IntN(19)
		for seen := 0; seen <= atBatch && lines.Scan(); {
			if lines.Text() == "batch" {
				seen++
			}
		}
		time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		go func() {
			for lines.Scan() {
			}
		}()
		_ = cmd.Wait()
		if ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus); ws.Signaled() {
			killed++
		}
		res, err := importInto(t, src, dst, Options{BatchSize: batch})
		if err != nil {
			t.Fatalf("kill point %d: resume: %v", i, err)
		}
		// 1000 events, one of them TOO_LONG: 999 rows, each exactly once
		// (events() fails on a repeated GUID).
		if n := len(events(t, dst)); n != 999 || res.Conflicts != 0 {
			t.Fatalf("kill point %d: %d events after resume (want 999), %d conflicts", i, n, res.Conflicts)
		}
	}
	if killed < 20 {
		t.Fatalf("only %d runs were killed mid-import", killed)
	}
}
