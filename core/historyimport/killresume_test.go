package historyimport

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

	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/storetest/testdb"
)

// testChildMain is the child process of the kill-and-resume test: it imports
// AR_HI_SRC into AR_HI_DST and prints one line per committed batch, so the
// parent can kill it at a chosen batch.
func testChildMain() int {
	bs, _ := strconv.Atoi(os.Getenv("AR_HI_BATCH"))
	src, err := bundle.Open(os.Getenv("AR_HI_SRC"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	dst, err := openDestination(os.Getenv("AR_HI_DST"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	fmt.Println("start")
	_, err = Run(context.Background(), src, dst, Options{BatchSize: bs}, lineReporter{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := dst.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("done")
	return 0
}

type lineReporter struct{ nopReporter }

func (lineReporter) Progress(p engine.Progress) {
	if !p.Completed {
		fmt.Println("batch")
	}
}

func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary 20 times")
	}
	killAndResume(t, func(i int) string { return filepath.Join(t.TempDir(), fmt.Sprintf("kill-%d.arbundle", i)) })
}

// TestSQLServerKillAndResume is TestKillAndResume into SQL Server databases
// (AR_TEST_SQLSERVER): a killed batch transaction rolls back whole, and the
// re-run adds each record exactly once.
func TestSQLServerKillAndResume(t *testing.T) {
	testdb.Server(t)
	if testing.Short() {
		t.Skip("re-executes the test binary 20 times")
	}
	killAndResume(t, func(int) string { return testdb.Scratch(t) })
}

// killAndResume kills a child import into newDst(i) at random points, at
// least 20 times, resumes each in-process and compares the result with an
// uninterrupted import.
func killAndResume(t *testing.T, newDst func(i int) string) {
	s := source(t, "7.6", "history", 1000, false)
	want := baseline(t, s)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	const batch = 50 // 20 record batches and 1 membership batch
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 42))
	killed := 0
	for i := 0; i < 40 && killed < 22; i++ {
		dst := newDst(i)
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"=1", "AR_HI_SRC="+s.path, "AR_HI_DST="+dst, "AR_HI_BATCH="+strconv.Itoa(batch))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Half the kill points at a random batch count (plus a random
		// delay into the next batch), half after a random delay alone.
		lines := bufio.NewScanner(out)
		atBatch := -1
		if i%3 != 2 {
			atBatch = rng.IntN(21)
		}
		delay := time.Duration(rng.IntN(4000)) * time.Microsecond
		if atBatch < 0 {
			delay = time.Duration(rng.IntN(60_000)) * time.Microsecond
		}
		seen := 0
		if atBatch >= 0 {
			for seen <= atBatch && lines.Scan() {
				if lines.Text() == "batch" {
					seen++
				}
			}
		}
		time.Sleep(delay)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		go func() {
			for lines.Scan() {
			}
		}()
		_ = cmd.Wait()
		ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
		if ws.Signaled() {
			killed++
		}
		t.Logf("kill point %d: after %d batch lines + %v: killed %v", i, seen, delay, ws.Signaled())

		// Resume in-process; the result equals an uninterrupted import.
		if _, err := importInto(t, s.path, dst, Options{BatchSize: batch}, nil); err != nil {
			t.Fatalf("kill point %d: resume: %v", i, err)
		}
		sameContent(t, content(t, dst), want)
	}
	if killed < 20 {
		t.Fatalf("only %d of the runs were killed mid-import", killed)
	}
}
