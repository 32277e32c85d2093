package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/arerr"
)

// The engine's parameter keys, spelled as this CLI's flags: every key a
// remedy under core/ names maps to a flag the CLI has.
func TestCLISpelling(t *testing.T) {
	tests := []struct{ key, want string }{
		{"from", "--from"},
		{"servicesServer", "--services-server"},
		{"skipEncryptedData", "--skip-encrypted-data"},
		{"keyBackupPath", "--key-backup"},
		{"keyBackupPassword", "--key-password-file"},
		{"source.trustServerCertificate", "--source-trust-server-certificate"},
		{"destination.hostNameInCertificate", "--destination-host-name-in-certificate"},
		{"destination.create", "--create-destination"},
		{"source.password", "--source-password-file"},
		{"collectorSource.password", "--collector-source-password-file"},
		{"sourceHistory.password", "--source-password-file"},
		{"collectorSource", "--collector-source"},
		{"planPath", "--plan-path"},
		{"whatIf", "--what-if"},
		{"iisSiteName", "--iis-site"},
		{"applicationAlias", "--alias"},
		{"webSites", "--website"},
		{"logFile", "--log-file"},
	}
	app := NewApp(nil, nil, nil)
	flags := map[string]bool{}
	for _, c := range app.Commands {
		for _, f := range c.Flags {
			for _, n := range f.Names() {
				flags["--"+n] = true
			}
		}
	}
	for _, tt := range tests {
		got := arerr.Render(arerr.Param(tt.key), cliSpelling)
		if got != tt.want {
			t.Errorf("%s: %s, want %s", tt.key, got, tt.want)
		}
		if !flags[got] {
			t.Errorf("%s: the CLI has no flag %s", tt.key, got)
		}
	}
	if got := arerr.Render(arerr.Command("copy-principals")+"; "+arerr.Command("help"), cliSpelling); got != "arupgrade copy-principals; arupgrade --help" {
		t.Errorf("commands: %s", got)
	}
}

// Every parameter a text under core/ names (arerr.Param("…") or a literal
// {param:…}) is spelled as a flag this CLI has, so no remedy tells a CLI
// user to pass something that does not exist.
func TestEveryEngineParameterIsACLIFlag(t *testing.T) {
	re := regexp.MustCompile(`arerr\.Param\("([^"]+)"\)|\{param:([A-Za-z][A-Za-z0-9.-]*)\}`)
	keys := map[string]string{}
	err := filepath.WalkDir("../../core", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || strings.Contains(path, "core/arerr/") {
			return err
		}
		b, err := os.ReadFile(path)
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			keys[m[1]+m[2]] = path
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) < 10 {
		t.Fatalf("found only %d parameter keys under core/: %v", len(keys), keys)
	}
	flags := map[string]bool{}
	for _, c := range NewApp(nil, nil, nil).Commands {
		for _, f := range c.Flags {
			for _, n := range f.Names() {
				flags["--"+n] = true
			}
		}
	}
	for key, path := range keys {
		if f := cliFlag(key); !flags[f] {
			t.Errorf("%s names {param:%s}, spelled %s, which no command has", path, key, f)
		}
	}
}
