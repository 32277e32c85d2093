//go:build linux

package abitest_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The Windows DLL built by build.ps1 loads with LoadLibrary and works
// end to end (version, a job, ARU_END, bad handle, bad request, cancel,
// close while running, no open jobs) in a Windows program under wine.
// Slow (about 10 s), so it runs only when ARUPGRADE_WINE_TEST=1 (build.ps1's
// Test task sets it when wine is installed) and not with -short; skipped when
// wine or mingw-w64 is absent.
func TestWineSmoke(t *testing.T) {
	if os.Getenv("ARUPGRADE_WINE_TEST") != "1" || testing.Short() {
		t.Skip("wine smoke test: set ARUPGRADE_WINE_TEST=1 (and no -short) to run it")
	}
	dll := os.Getenv("ARUPGRADE_DLL")
	if dll == "" {
		dll = filepath.Join(repoDir, "bin", "win-x64", "arupgrade.dll")
	}
	if _, err := os.Stat(dll); err != nil {
		t.Skipf("no Windows DLL at %s (run ./build.ps1 with mingw-w64 installed)", dll)
	}
	wine := lookFirst("wine64", "wine", "/usr/lib/wine/wine64")
	if wine == "" {
		t.Skip("wine is not installed (apt-get install wine64)")
	}
	gcc := lookFirst("x86_64-w64-mingw32-gcc")
	if gcc == "" {
		t.Skip("x86_64-w64-mingw32-gcc is not installed")
	}
	dir := t.TempDir()
	build := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(gcc, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s %v: %v\n%s", gcc, args, err, out)
		}
	}
	exe := filepath.Join(dir, "winsmoke.exe")
	build("-O1", "-Wall", "-I"+filepath.Join(repoDir, "cshim"), "-o", exe, filepath.Join("testdata", "winsmoke.c"))
	// wine 8 has no bcryptprimitives.dll, which the Go runtime loads from
	// system32 for ProcessPrng: a test-only stand-in goes into the prefix.
	stub := filepath.Join(dir, "bcryptprimitives.dll")
	build("-shared", "-O1", "-o", stub, filepath.Join("testdata", "bcryptprimitives.c"), "-lbcrypt")

	// A prefix of our own, kept between runs: creating one takes ~10 s.
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	prefix := filepath.Join(cache, "activerolesupgrade", "wine-abitest")
	if err := os.MkdirAll(filepath.Dir(prefix), 0o755); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "WINEPREFIX="+prefix, "WINEDEBUG=-all", "DISPLAY=")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	system32 := filepath.Join(prefix, "drive_c", "windows", "system32")
	if _, err := os.Stat(system32); err != nil {
		boot := exec.CommandContext(ctx, wine, "wineboot", "--init")
		boot.Env = env
		if out, err := boot.CombinedOutput(); err != nil {
			t.Fatalf("wineboot: %v\n%s", err, out)
		}
	}
	if _, err := os.Stat(filepath.Join(system32, "bcryptprimitives.dll")); err != nil {
		b, _ := os.ReadFile(stub)
		if err := os.WriteFile(filepath.Join(system32, "bcryptprimitives.dll"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.CommandContext(ctx, wine, exe, "Z:"+strings.ReplaceAll(dll, "/", `\`))
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	t.Cleanup(func() {
		// Stop the wineserver of our prefix (the one this test started).
		k := exec.Command(filepath.Join(filepath.Dir(wine), "wineserver"), "-k")
		if _, err := os.Stat(k.Path); err != nil {
			k = exec.Command("wineserver", "-k")
		}
		k.Env = env
		_ = k.Run()
	})
	if err != nil || !strings.Contains(string(out), "PASS") {
		t.Fatalf("winsmoke.exe under wine: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}

// lookFirst returns the first of names found on PATH (or as a path), "" if none.
func lookFirst(names ...string) string {
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}
