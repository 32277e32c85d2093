package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/store"
	"github.com/activeroles/arupgrade/core/storetest/testdb"
)

// TestSQLServerUpgrade is what a user does against SQL Server
// (AR_TEST_SQLSERVER): sources of 7.6 (Combined) and 8.1 on the server,
// import-configuration and import-history into new 8.2 databases the tool
// creates, each run twice; the second adds nothing.
func TestSQLServerUpgrade(t *testing.T) {
	testdb.Server(t)
	dir := t.TempDir()
	cases := []struct {
		name        string
		cfg, hist   string // fixture version and role of the sources
		cfgRole     string
		historyRole string
	}{
		{name: "7.6 Combined", cfg: "7.6", hist: "7.6", cfgRole: "combined", historyRole: "combined"},
		{name: "8.1 pair", cfg: "8.1", hist: "8.1", cfgRole: "configuration", historyRole: "history"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfgSrc := filepath.Join(dir, c.cfg+c.cfgRole+".arbundle")
			runCLI(t, 0, "fixture", "--version", c.cfg, "--role", c.cfgRole, "--out", cfgSrc, "--config-objects", "200", "--history-records", "300")
			histSrc := cfgSrc
			if c.historyRole != c.cfgRole {
				histSrc = filepath.Join(dir, c.hist+c.historyRole+".arbundle")
				runCLI(t, 0, "fixture", "--version", c.hist, "--role", c.historyRole, "--out", histSrc, "--history-records", "300")
			}
			key := strings.TrimSuffix(cfgSrc, ".arbundle") + ".key"
			keyPass := strings.TrimSuffix(cfgSrc, ".arbundle") + ".keypass.txt"

			srcCfg, pw := testdb.ConnString(t, testdb.LoadBundle(t, cfgSrc))
			srcHist, _ := testdb.ConnString(t, testdb.LoadBundle(t, histSrc))
			t.Setenv("ARUPGRADE_SOURCE_PASSWORD", pw)
			t.Setenv("ARUPGRADE_DESTINATION_PASSWORD", pw)
			cfgName, histName := testdb.Name("arupg_cfg82"), testdb.Name("arupg_mh82")
			dstCfg, _ := testdb.ConnString(t, cfgName)
			dstHist, _ := testdb.ConnString(t, histName)
			testdb.DropLater(t, cfgName)
			testdb.DropLater(t, histName)

			cfgArgs := []string{"import-configuration", "--source", srcCfg, "--destination", dstCfg, "--key-backup", key,
				"--key-password-file", keyPass, "--services-server", "ars82.corp.example.com", "--skip-principals"}
			first := runCLI(t, 0, append(cfgArgs, "--create-destination")...)
			if n := first["addedCount"]; n == nil || n.(float64) == 0 {
				t.Fatalf("first configuration import added %v", n)
			}
			if n := runCLI(t, 0, cfgArgs...)["addedCount"]; n != float64(0) {
				t.Errorf("second configuration import added %v", n)
			}

			histArgs := []string{"import-history", "--source", srcHist, "--destination", dstHist, "--skip-principals", "--batch-size", "100"}
			if got := imported(t, runCLI(t, 0, append(histArgs, "--create-destination")...)); got != 300 {
				t.Fatalf("first history import imported %d records, want 300", got)
			}
			if got := imported(t, runCLI(t, 0, histArgs...)); got != 0 {
				t.Errorf("second history import imported %d records", got)
			}
		})
	}
}

// runCLI runs arupgrade with --output json and returns its last line, the
// result; it fails the test unless the exit code is want.
func runCLI(t *testing.T, want int, args ...string) map[string]any {
	t.Helper()
	var out, errOut bytes.Buffer
	args = append([]string{"arupgrade"}, args...)
	args = append(args, "--output", "json", "--log-file", "-")
	code := run(context.Background(), args, strings.NewReader(""), &out, &errOut)
	if code != want {
		t.Fatalf("arupgrade %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args[1:], " "), code, want, out.String(), errOut.String())
	}
	// The last line is the result, with outcome and exitCode.
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var data map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &data); err != nil {
		t.Fatalf("last line is not JSON: %v\n%s", err, lines[len(lines)-1])
	}
	return data
}

// imported is the ChangeRecord count a history result reports as imported.
func imported(t *testing.T, res map[string]any) int {
	t.Helper()
	ents, _ := res["entities"].([]any)
	for _, e := range ents {
		m, _ := e.(map[string]any)
		if m["entity"] == "ChangeRecord" {
			n, _ := m["imported"].(float64)
			return int(n)
		}
	}
	t.Fatalf("no ChangeRecord entity in %v", res)
	return 0
}

// TestSQLServerDestinationInUse: while another run holds a SQL Server
// destination's writer lock, an import into it is refused at once with
// AR-E019 (exit 3) and writes nothing; once the lock is released the same
// command succeeds.
func TestSQLServerDestinationInUse(t *testing.T) {
	testdb.Server(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "h.arbundle")
	runCLI(t, 0, "fixture", "--version", "8.1", "--role", "history", "--out", src, "--history-records", "200")
	dst := testdb.Scratch(t)
	conn, pw := testdb.ConnString(t, dst)
	t.Setenv("ARUPGRADE_DESTINATION_PASSWORD", pw)
	other, err := testdb.OpenSQL(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	release, err := other.LockForWrite(context.Background(), store.LockHolder{Operation: "import-history", Host: "other-host", PID: 4242})
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"import-history", "--source", src, "--destination", conn, "--skip-principals"}
	res := runCLI(t, 3, args...)
	if e, _ := res["error"].(map[string]any); e == nil || e["code"] != "AR-E019" {
		t.Fatalf("refusal: %v", res)
	}
	if n, err := other.Count(context.Background(), "Settings"); err == nil && n > 0 {
		t.Errorf("the refused run initialised the destination (%d settings)", n)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	if got := imported(t, runCLI(t, 0, args...)); got != 200 {
		t.Errorf("after release: imported %d, want 200", got)
	}
}
