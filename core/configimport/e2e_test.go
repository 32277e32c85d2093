package configimport

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/fixture"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/secrets"
)

var smallSpec = fixture.Spec{Version: "7.6", Role: "combined", ConfigObjects: 400, Seed: 11, HistoryRecords: 40}

// importOnce imports src into dstPath and fails the test on error.
func importOnce(t *testing.T, src, dstPath string, opts Options) *Result {
	t.Helper()
	res, err := Run(context.Background(), openSource(t, src), openDest(t, dstPath), opts, newReporter())
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return res
}

func withoutImportRun(c map[string][]string) map[string][]string {
	out := map[string][]string{}
	for k, v := range c {
		if k != "ImportRun" {
			out[k] = v
		}
	}
	return out
}

func TestRerunAddsNothing(t *testing.T) {
	for _, v := range []string{"7.5", "8.0", "8.2"} {
		t.Run(v, func(t *testing.T) {
			spec := fixture.Spec{Version: v, Role: "configuration", ConfigObjects: 300, Seed: 21}
			src, _, key, pw := sample(t, spec)
			dst := filepath.Join(t.TempDir(), "dst.arbundle")
			first := importOnce(t, src, dst, baseOptions(key, pw))
			if first.AddedCount == 0 {
				t.Fatal("the first run added nothing")
			}
			after1 := contents(t, dst)
			second := importOnce(t, src, dst, baseOptions(key, pw))
			if second.AddedCount != 0 {
				t.Errorf("second run AddedCount = %d, want 0", second.AddedCount)
			}
			if !second.Verification.Passed {
				t.Errorf("second run verification: %+v", second.Verification)
			}
			after2 := contents(t, dst)
			if d := cmp.Diff(withoutImportRun(after1), withoutImportRun(after2)); d != "" {
				t.Errorf("a re-run changed the destination (-first +second):\n%s", d)
			}
			if got := len(after2["ImportRun"]); got != 2 {
				t.Errorf("ImportRun rows = %d, want 2", got)
			}
			for _, e := range second.Entities {
				if e.Skipped != e.Source || e.DestinationAfter != e.DestinationBefore {
					t.Errorf("%s on re-run: %+v", e.Entity, e)
				}
			}
			var dups int
			for _, r := range second.Report {
				if r.Reason == model.ReasonDuplicate {
					dups++
				}
			}
			if int64(dups) != second.SkippedCount {
				t.Errorf("re-run: %d DUPLICATE entries for %d skipped", dups, second.SkippedCount)
			}
			runs := tableRows(t, dst, "ImportRun")
			for _, r := range runs {
				if r["Outcome"].Str != "Succeeded" || r["Kind"].Str != "Configuration" {
					t.Errorf("ImportRun row: outcome %s kind %s", r["Outcome"].Str, r["Kind"].Str)
				}
			}
		})
	}
}

func TestInitialisedSettings(t *testing.T) {
	src, fres, key, pw := sample(t, smallSpec)
	dst := filepath.Join(t.TempDir(), "dst.arbundle")
	res := importOnce(t, src, dst, baseOptions(key, pw))
	b, err := bundle.Open(dst)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := b.Info(context.Background())
	d := model.Detect(info)
	if d.State != model.StateSupported || d.Version != model.Target || d.Role != model.RoleConfiguration {
		t.Fatalf("destination detected as %v", d)
	}
	if d.InstallationID == fres.InstallationID || d.InstallationID.IsZero() {
		t.Errorf("destination InstallationId %s must be new (source %s)", d.InstallationID, fres.InstallationID)
	}
	if d.EncryptionKeyID != fres.EncryptionKeyID {
		t.Errorf("EncryptionKeyId %s, want the key backup's %s", d.EncryptionKeyID, fres.EncryptionKeyID)
	}
	keys := tableRows(t, dst, "EncryptionKey")
	if len(keys) != 1 || keys[0]["Origin"].Str != "Imported" || keys[0]["SourceInstallationId"].AsGUID() != fres.InstallationID {
		t.Errorf("EncryptionKey rows: %v", keys)
	}
	if !res.Initialized || res.EncryptionKeyID != fres.EncryptionKeyID.String() {
		t.Errorf("result: initialized %v, key %s", res.Initialized, res.EncryptionKeyID)
	}
	// Without a key backup the key is generated.
	dst2 := filepath.Join(t.TempDir(), "dst.arbundle")
	importOnce(t, src, dst2, Options{ServicesServer: testHost})
	keys = tableRows(t, dst2, "EncryptionKey")
	if len(keys) != 1 || keys[0]["Origin"].Str != "Generated" || !keys[0]["SourceInstallationId"].IsNull() {
		t.Errorf("EncryptionKey rows without a key backup: %v", keys)
	}
}

// makeBundle writes a small bundle with a Settings table and optional extra table.
func makeBundle(t *testing.T, path string, settings map[string]string, extra bool) {
	t.Helper()
	st := data.Table{Name: "Settings", Columns: []data.Column{
		{Name: "Name", Type: data.TNVarChar, MaxLen: 64}, {Name: "Value", Type: data.TNVarChar, MaxLen: 400, Nullable: true}}, PrimaryKey: []string{"Name"}}
	ts := []data.Table{}
	if settings != nil {
		ts = append(ts, st)
	}
	if extra {
		ts = append(ts, data.Table{Name: "Customers", Columns: []data.Column{{Name: "Id", Type: data.TInt}}, PrimaryKey: []string{"Id"}})
	}
	w, err := bundle.Create(path, bundle.Header{SourceVersion: settings["SchemaVersion"], Role: settings["DatabaseRole"], Tables: ts})
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(settings))
	for k := range settings {
		names = append(names, k)
	}
	sortStrings(names)
	for _, k := range names {
		if err := w.Write("Settings", data.Row{data.StringValue(k), data.StringValue(settings[k])}); err != nil {
			t.Fatal(err)
		}
	}
	if extra {
		if err := w.Write("Customers", data.Row{data.IntValue(1)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func TestRefusalsLeaveDestinationUntouched(t *testing.T) {
	good, _, key, pw := sample(t, smallSpec)
	_, _, otherKey, otherPw := sample(t, fixture.Spec{Version: "8.0", Role: "configuration", ConfigObjects: 50, Seed: 99})
	addOns, _, aKey, aPw := sample(t, fixture.Spec{Version: "8.1", Role: "configuration", ConfigObjects: 100, Seed: 5, AddOns: true})
	partners, _, rKey, rPw := sample(t, fixture.Spec{Version: "7.5", Role: "configuration", ConfigObjects: 100, Seed: 5, ReplicationPartners: true})
	old := filepath.Join(t.TempDir(), "ar69.arbundle")
	makeBundle(t, old, map[string]string{"SchemaVersion": "6.9.0", "DatabaseRole": "Configuration", "InstallationId": "0f8e7d6c-5b4a-4938-8271-605f4e3d2c1b"}, false)
	history, _, hKey, hPw := sample(t, fixture.Spec{Version: "8.1", Role: "history", HistoryRecords: 20, Seed: 3})

	type destKind int
	const (
		blankDest destKind = iota
		existingDest
		foreignDest
		newerDest
		oldDest
		historyDest
	)
	noOffset := filepath.Join(t.TempDir(), "ar76.arbundle")
	makeBundle(t, noOffset, map[string]string{"SchemaVersion": "7.6.3", "DatabaseRole": "Configuration", "InstallationId": "0f8e7d6c-5b4a-4938-8271-605f4e3d2c1b"}, false)
	old81, _, _, _ := sample(t, fixture.Spec{Version: "8.1", Role: "configuration", ConfigObjects: 50, Seed: 4})
	hist82, _, _, _ := sample(t, fixture.Spec{Version: "8.2", Role: "history", HistoryRecords: 10, Seed: 4})
	for _, tc := range []struct {
		name     string
		src      string
		key      []byte
		pw       string
		dest     destKind
		mutate   func(*Options)
		code     string
		category string
		contains []string
	}{
		{"wrong key password", good, key, "not the password", existingDest, nil, "AR-E014", arerr.CatInvalidData, []string{"wrong password"}},
		{"damaged key backup", good, key[:50], pw, blankDest, nil, "AR-E014", arerr.CatInvalidData, []string{"108"}},
		{"mismatching key", good, otherKey, otherPw, existingDest, nil, "AR-E015", arerr.CatInvalidData, []string{"encrypted with key"}},
		{"6.9 source", old, nil, "", existingDest, nil, "AR-E002", arerr.CatInvalidData, []string{"Active Roles 6.9 is not supported", "7.5 or later"}},
		{"history source", history, hKey, hPw, blankDest, nil, "AR-E003", arerr.CatInvalidOperation, []string{"ManagementHistory"}},
		{"not Active Roles destination", good, key, pw, foreignDest, nil, "AR-E004", arerr.CatInvalidData, []string{"neither blank nor an Active Roles database"}},
		{"add-ons", addOns, aKey, aPw, blankDest, nil, "AR-E011", arerr.CatInvalidOperation, []string{"Add-on Manager"}},
		{"replication partners", partners, rKey, rPw, blankDest, nil, "AR-E010", arerr.CatInvalidOperation, []string{"replication partner"}},
		{"no services server", good, key, pw, existingDest, func(o *Options) { o.ServicesServer = "" }, "AR-E017", arerr.CatInvalidArgument, []string{"fully qualified domain name"}},
		{"short services server", good, key, pw, blankDest, func(o *Options) { o.ServicesServer = "ars01" }, "AR-E017", arerr.CatInvalidArgument, []string{"not a fully qualified"}},
		{"database exists", good, key, pw, blankDest, func(o *Options) { o.CreateDestination, o.DestinationExists = true, true }, "AR-E008", arerr.CatResourceExists, []string{"Verification failed", "drop the existing database"}},
		{"same database", good, key, pw, blankDest, func(o *Options) { o.SameDatabase = true }, "AR-E009", arerr.CatInvalidOperation, []string{"same database"}},
		{"7.x source without UTC offset", noOffset, nil, "", blankDest, nil, "AR-E016", arerr.CatInvalidData, []string{"ServerUtcOffsetMinutes"}},
		{"destination newer", good, key, pw, newerDest, nil, "AR-E005", arerr.CatInvalidData, []string{"newer than 8.2"}},
		{"destination older", good, key, pw, oldDest, nil, "AR-E006", arerr.CatInvalidData, []string{"Verification failed", "Knowledge Base Article 4340880"}},
		{"destination is a history database", good, key, pw, historyDest, nil, "AR-E007", arerr.CatInvalidOperation, []string{"ManagementHistory"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dst := filepath.Join(t.TempDir(), "dst.arbundle")
			switch tc.dest {
			case existingDest:
				importOnce(t, good, dst, baseOptions(key, pw))
			case foreignDest:
				makeBundle(t, dst, nil, true)
			case newerDest:
				makeBundle(t, dst, map[string]string{"SchemaVersion": "8.3.0", "DatabaseRole": "Configuration"}, true)
			case oldDest:
				copyFile(t, old81, dst)
			case historyDest:
				copyFile(t, hist82, dst)
			}
			before := fileHash(t, dst)
			opts := baseOptions(tc.key, tc.pw)
			if tc.mutate != nil {
				tc.mutate(&opts)
			}
			rep := newReporter()
			res, err := Run(context.Background(), openSource(t, tc.src), openDest(t, dst), opts, rep)
			if err == nil {
				t.Fatalf("import succeeded (%d added), want %s", res.AddedCount, tc.code)
			}
			var ee *arerr.Error
			if !errors.As(err, &ee) {
				t.Fatalf("error %v is not an *arerr.Error", err)
			}
			if ee.Code != tc.code || ee.Category != tc.category || ee.Exit != arerr.ExitPreflight {
				t.Errorf("error code %s category %s exit %d, want %s %s %d", ee.Code, ee.Category, ee.Exit, tc.code, tc.category, arerr.ExitPreflight)
			}
			text := ee.Message + " " + ee.Remedy
			for _, s := range tc.contains {
				if !strings.Contains(text, s) {
					t.Errorf("error %q does not say %q", text, s)
				}
			}
			if !strings.Contains(ee.Message, "Nothing was written") {
				t.Errorf("error %q does not say nothing was written", ee.Message)
			}
			if after := fileHash(t, dst); after != before {
				t.Errorf("the destination changed (%s → %s)", before, after)
			}
			if strings.Contains(text, tc.pw) && tc.pw != "" {
				t.Errorf("the error shows the key password")
			}
		})
	}
}

func TestAddOnsAreListedByName(t *testing.T) {
	for _, v := range []string{"7.6", "8.0"} {
		src, _, key, pw := sample(t, fixture.Spec{Version: v, Role: "configuration", ConfigObjects: 100, Seed: 5, AddOns: true})
		checks, err := Preflight(context.Background(), openSource(t, src), openDest(t, filepath.Join(t.TempDir(), "d.arbundle")), baseOptions(key, pw))
		if err != nil {
			t.Fatal(err)
		}
		var got *Check
		for i := range checks {
			if checks[i].Code == "AR-E011" {
				got = &checks[i]
			}
		}
		if got == nil || got.Status != StatusFail || !strings.Contains(got.Remedy, "Add-on Manager") || !strings.Contains(got.Message, "2 add-on(s)") {
			t.Fatalf("%s: AR-E011 check = %+v", v, got)
		}
		t.Logf("%s: %s / %s", v, got.Message, got.Remedy)
	}
}

func TestPreflightReportsEveryCheck(t *testing.T) {
	src, _, key, pw := sample(t, smallSpec)
	checks, err := Preflight(context.Background(), openSource(t, src), openDest(t, filepath.Join(t.TempDir(), "d.arbundle")),
		Options{ServicesServer: testHost, EndpointWarnings: []Check{{Code: "AR-W-TLS", Name: "Encryption", Status: StatusWarning, Message: "TrustServerCertificate is on"}}})
	if err != nil {
		t.Fatal(err)
	}
	_ = key
	_ = pw
	want := []string{"AR-E001", "AR-E002", "AR-E003", "AR-E004", "AR-E005", "AR-E006", "AR-E007", "AR-E008", "AR-E009", "AR-E010",
		"AR-E011", "AR-E014", "AR-E016", "AR-E017", "AR-W001", "AR-W002", "AR-W003", CodeSourcePermissions, CodeDestinationPermissions, CodeFreeSpace, "AR-W-TLS"}
	got := map[string]Check{}
	for _, c := range checks {
		got[c.Code] = c
		if c.Status != StatusPass && c.Status != StatusWarning && c.Status != StatusFail {
			t.Errorf("%s: status %q", c.Code, c.Status)
		}
		if c.Message == "" {
			t.Errorf("%s has no message", c.Code)
		}
	}
	for _, w := range want {
		if _, ok := got[w]; !ok {
			t.Errorf("no %s check", w)
		}
	}
	if got["AR-W002"].Status != StatusWarning || got["AR-W003"].Status != StatusWarning || got["AR-W001"].Status != StatusWarning {
		t.Errorf("W001/W002/W003: %+v %+v %+v", got["AR-W001"], got["AR-W002"], got["AR-W003"])
	}
	for _, c := range checks {
		if c.Status == StatusFail {
			t.Errorf("unexpected failure %+v", c)
		}
	}
}

func TestCancelHalfWayRollsBack(t *testing.T) {
	eachDestination(t, testCancelHalfWayRollsBack)
}

func testCancelHalfWayRollsBack(t *testing.T, newDest func() string) {
	src, _, key, pw := sample(t, fixture.Spec{Version: "8.1", Role: "configuration", ConfigObjects: 3000, Seed: 8})
	dst := newDest()
	small, _, sKey, sPw := sample(t, fixture.Spec{Version: "8.1", Role: "configuration", ConfigObjects: 60, Seed: 9})
	importOnce(t, small, dst, baseOptions(sKey, sPw))
	before := contents(t, dst)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rep := newReporter()
	rep.onProgress = func(n int) {
		if n == 10 {
			cancel()
		}
	}
	opts := baseOptions(key, pw)
	opts.KeyBackup = nil // the destination's key differs from this source's anyway
	_, err := Run(ctx, openSource(t, src), openDest(t, dst), opts, rep)
	var ee *arerr.Error
	if !errors.As(err, &ee) || ee.Category != arerr.CatOperationStopped || ee.Exit != arerr.ExitCancelled {
		t.Fatalf("error %v, want a cancelled *arerr.Error", err)
	}
	if !strings.Contains(ee.Message, "rolled back") {
		t.Errorf("message %q does not say it was rolled back", ee.Message)
	}
	after := contents(t, dst)
	if d := cmp.Diff(withoutImportRun(before), withoutImportRun(after)); d != "" {
		t.Errorf("a cancelled run changed the configuration:\n%s", d)
	}
	runs := tableRows(t, dst, "ImportRun")
	if len(runs) != 2 || runs[1]["Outcome"].Str != "Failed" || runs[1]["AddedCount"].Int != 0 {
		t.Errorf("ImportRun after cancel: %v", runs)
	}
}

func TestCancelIntoBlankLeavesNoConfiguration(t *testing.T) {
	eachDestination(t, testCancelIntoBlankLeavesNoConfiguration)
}

func testCancelIntoBlankLeavesNoConfiguration(t *testing.T, newDest func() string) {
	src, _, key, pw := sample(t, fixture.Spec{Version: "7.6", Role: "configuration", ConfigObjects: 3000, Seed: 8})
	dst := newDest()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rep := newReporter()
	rep.onProgress = func(n int) {
		if n == 5 {
			cancel()
		}
	}
	if _, err := Run(ctx, openSource(t, src), openDest(t, dst), baseOptions(key, pw), rep); err == nil {
		t.Fatal("cancelled run succeeded")
	}
	for table, rows := range withoutImportRun(contents(t, dst)) {
		if table != "Settings" && len(rows) > 0 {
			t.Errorf("table %s holds %d rows after a cancelled run", table, len(rows))
		}
	}
	// Running again completes it.
	res := importOnce(t, src, dst, baseOptions(key, pw))
	if !res.Verification.Passed || res.SkippedCount != 0 {
		t.Errorf("re-run after cancel: skipped %d, verification %+v", res.SkippedCount, res.Verification)
	}
	if keys := tableRows(t, dst, "EncryptionKey"); len(keys) != 1 {
		t.Errorf("EncryptionKey rows after the re-run: %d", len(keys))
	}
}

func TestReplace(t *testing.T) {
	a, _, aKey, aPw := sample(t, fixture.Spec{Version: "8.0", Role: "configuration", ConfigObjects: 200, Seed: 31})
	b, bres, bKey, bPw := sample(t, fixture.Spec{Version: "7.6", Role: "configuration", ConfigObjects: 150, Seed: 32})
	dst := filepath.Join(t.TempDir(), "dst.arbundle")
	first := importOnce(t, a, dst, baseOptions(aKey, aPw))
	opts := baseOptions(bKey, bPw)
	opts.Replace = true
	res := importOnce(t, b, dst, opts)
	if !res.Replaced || len(res.Removed) == 0 {
		t.Fatalf("result does not say what was replaced: replaced %v removed %v", res.Replaced, res.Removed)
	}
	if res.Removed["ManagedDomain"] != first.Entities[2].DestinationAfter {
		t.Errorf("removed %d managed domains, the destination had %d", res.Removed["ManagedDomain"], first.Entities[2].DestinationAfter)
	}
	for _, e := range res.Entities {
		n := int64(len(tableRows(t, dst, e.Entity)))
		if n != bres.Entities[e.Entity] || e.DestinationAfter != n || e.Added != n {
			t.Errorf("%s after -Replace: %d rows, source %d, result %+v", e.Entity, n, bres.Entities[e.Entity], e)
		}
	}
	if keys := tableRows(t, dst, "EncryptionKey"); len(keys) != 2 {
		t.Errorf("EncryptionKey rows after -Replace: %d, want both keys kept", len(keys))
	}
}

func TestWhatIfWritesNothingAndPlansTheSame(t *testing.T) {
	for _, existing := range []bool{false, true} {
		src, _, key, pw := sample(t, smallSpec)
		dst := filepath.Join(t.TempDir(), "dst.arbundle")
		if existing {
			other, _, oKey, oPw := sample(t, fixture.Spec{Version: "8.2", Role: "configuration", ConfigObjects: 100, Seed: 40})
			importOnce(t, other, dst, baseOptions(oKey, oPw))
		}
		before := fileHash(t, dst)
		opts := baseOptions(key, pw)
		opts.WhatIf = true
		plan := importOnce(t, src, dst, opts)
		if after := fileHash(t, dst); after != before {
			t.Fatalf("WhatIf changed the destination")
		}
		if !plan.WhatIf || plan.ImportRunID != 0 {
			t.Errorf("plan: whatIf %v, importRunId %d", plan.WhatIf, plan.ImportRunID)
		}
		opts.WhatIf = false
		real := importOnce(t, src, dst, opts)
		if d := cmp.Diff(plan.Entities, real.Entities); d != "" {
			t.Errorf("WhatIf plan differs from the run (-plan +run):\n%s", d)
		}
		if plan.AddedCount != real.AddedCount || plan.SkippedCount != real.SkippedCount || len(plan.Report) != len(real.Report) {
			t.Errorf("plan added %d skipped %d report %d; run %d %d %d", plan.AddedCount, plan.SkippedCount, len(plan.Report), real.AddedCount, real.SkippedCount, len(real.Report))
		}
	}
}

func TestSkipEncryptedDataListsEverySecret(t *testing.T) {
	for _, v := range []string{"7.6", "8.1", "8.2"} {
		t.Run(v, func(t *testing.T) {
			src, fres, key, pw := sample(t, fixture.Spec{Version: v, Role: "configuration", ConfigObjects: 200, Seed: 12})
			dst := filepath.Join(t.TempDir(), "dst.arbundle")
			opts := baseOptions(key, pw)
			opts.SkipEncryptedData = true
			rep := newReporter()
			res, err := Run(context.Background(), openSource(t, src), openDest(t, dst), opts, rep)
			if err != nil {
				t.Fatal(err)
			}
			if int64(len(res.SecretsToReenter)) != fres.EncryptedValues {
				t.Errorf("%d secrets to re-enter, the source has %d encrypted values", len(res.SecretsToReenter), fres.EncryptedValues)
			}
			for _, s := range res.SecretsToReenter {
				if s.Name == "" || s.Column == "" || !strings.Contains(s.Action, "re-enter") || !strings.Contains(s.Reason, "{param:skipEncryptedData}") {
					t.Errorf("secret item %+v", s)
				}
			}
			if !rep.warned("AR-W002") {
				t.Errorf("no AR-W002 warning: %v", rep.warnings)
			}
			var reentry int64
			for _, r := range tableRows(t, dst, "ManagedDomain") {
				if !r["OverridePassword"].IsNull() {
					t.Errorf("domain %s has a password", r["DnsName"].Str)
				}
				if r["PasswordState"].Str == "ReentryRequired" {
					reentry++
				}
			}
			for _, r := range tableRows(t, dst, "AzureTenant") {
				if !r["ClientSecret"].IsNull() {
					t.Errorf("tenant %s has a secret", r["DisplayName"].Str)
				}
			}
			if reentry == 0 {
				t.Error("no domain is marked ReentryRequired")
			}
			keys := tableRows(t, dst, "EncryptionKey")
			if len(keys) != 1 || keys[0]["Origin"].Str != "Generated" {
				t.Errorf("EncryptionKey: %v", keys)
			}
		})
	}
}

func TestSecretsAreReencrypted(t *testing.T) {
	src, fres, key, pw := sample(t, fixture.Spec{Version: "8.0", Role: "configuration", ConfigObjects: 100, Seed: 13})
	dst := filepath.Join(t.TempDir(), "dst.arbundle")
	res := importOnce(t, src, dst, baseOptions(key, pw))
	if len(res.SecretsToReenter) != 0 {
		t.Errorf("secrets to re-enter with the right key: %+v", res.SecretsToReenter)
	}
	k, err := secrets.ReadKeyBackup(key, pw)
	if err != nil {
		t.Fatal(err)
	}
	set := 0
	for _, r := range tableRows(t, dst, "ManagedDomain") {
		if r["PasswordState"].Str != "Set" {
			continue
		}
		set++
		g := r["DomainGuid"].AsGUID()
		pt, err := secrets.DecryptV2(k, r["OverridePassword"].Bytes, "ManagedDomain.OverridePassword/"+g.String())
		if err != nil || pt == "" {
			t.Errorf("domain %s: %v", r["DnsName"].Str, err)
		}
		if r["DnsName"].Str == fres.InstallationText { // never true; keeps the fixture result used
			t.Log(pt)
		}
	}
	if set == 0 {
		t.Error("no domain password was imported")
	}
}

func TestVectorsThroughReencrypt(t *testing.T) {
	material := make([]byte, 32)
	for i := range material {
		material[i] = byte(i)
	}
	k, err := secrets.NewKey(data.MustUUID("3b0f6c2e-9a41-4d5e-8c7b-1e2f3a4b5c6d"), material)
	if err != nil {
		t.Fatal(err)
	}
	ctxText := "ManagedDomain.OverridePassword/9d2e5c1a-4b7f-4e21-a3c8-0f1e2d3c4b5a"
	v1 := unhex(t, "01d0d1d2d3d4d5d6d7d8d9dadb7ca7a66e1ba782a12f5f18bf84d6e3e1ee0a1f4b768bc53483806e9e7a5303e4846e")
	v2 := unhex(t, "023b0f6c2e9a414d5e8c7b1e2f3a4b5c6dc0c1c2c3c4c5c6c7c8c9cacb500854140048e43ab9226728d026efab841fbf052e620b6892")
	file := unhex(t, "41524b455942414b000101000927c010a0a1a2a3a4a5a6a7a8a9aaabacadaeaf3b0f6c2e9a414d5e8c7b1e2f3a4b5c6d"+
		"b0b1b2b3b4b5b6b7b8b9babb71560ef636ffb80599f3c3ba7d314990d942d656aab92cda673294cca46cb97d64d413af52680e08f54d200aa151e8f0")
	fk, err := secrets.ReadKeyBackup(file, "Ar-Backup#2024")
	if err != nil || !fk.Equal(k) {
		t.Fatalf("the §9.4 key backup file does not open to the §9.4 key: %v", err)
	}
	for _, tc := range []struct {
		name  string
		gen   int
		value data.Value
		key   *secrets.Key
		state string
		plain string
	}{
		{"v1 → v2", 2, data.BytesValue(v1), k, "Set", "P@ssw0rd!"},
		{"G3 v2 copied", 3, data.BytesValue(v2), k, "Set", "P@ssw0rd!"},
		{"no key", 1, data.BytesValue(v1), nil, "ReentryRequired", ""},
		{"NULL", 1, data.NullValue(), k, "NotSet", ""},
		{"damaged", 1, data.BytesValue(v1[:20]), k, "ReentryRequired", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := secrets.Reencrypt(tc.value, tc.gen, tc.key, ctxText, nil)
			if r.State != tc.state {
				t.Fatalf("state %s, want %s", r.State, tc.state)
			}
			if tc.plain == "" {
				if !r.Value.IsNull() {
					t.Errorf("value %v, want NULL", r.Value)
				}
				return
			}
			pt, err := secrets.DecryptV2(k, r.Value.Bytes, ctxText)
			if err != nil || pt != tc.plain {
				t.Errorf("decrypts to %q (%v), want %q", pt, err, tc.plain)
			}
		})
	}
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b := make([]byte, len(s)/2)
	for i := range b {
		var x byte
		for _, c := range s[2*i : 2*i+2] {
			x <<= 4
			switch {
			case c >= '0' && c <= '9':
				x |= byte(c - '0')
			case c >= 'a' && c <= 'f':
				x |= byte(c-'a') + 10
			default:
				t.Fatalf("bad hex %q", s)
			}
		}
		b[i] = x
	}
	return b
}

func TestAnomaliesAreReported(t *testing.T) {
	for _, v := range []string{"7.6", "8.1", "8.2"} {
		t.Run(v, func(t *testing.T) {
			src, fres, key, pw := sample(t, fixture.Spec{Version: v, Role: "configuration", ConfigObjects: 200, Seed: 14, Anomalies: true})
			dst := filepath.Join(t.TempDir(), "dst.arbundle")
			res := importOnce(t, src, dst, baseOptions(key, pw))
			if !res.Verification.Passed {
				t.Fatalf("verification failed: %+v", res.Verification)
			}
			got := map[string]bool{}
			for _, r := range res.Report {
				got[r.Entity+" "+r.Key+" "+r.Reason] = true
			}
			if len(fres.Anomalies) == 0 {
				t.Fatal("the fixture injected no anomalies")
			}
			for _, a := range fres.Anomalies {
				if a.Reason == "" {
					continue
				}
				if !got[a.Entity+" "+a.Key+" "+a.Reason] {
					t.Errorf("anomaly %+v not reported", a)
				}
			}
			if t.Failed() {
				for _, r := range res.Report {
					t.Logf("report: %+v", r)
				}
			}
			// Every report entry of a skipping code matches a skipped count.
			var skips int64
			for _, r := range res.Report {
				if model.ReasonSkipsObject(r.Reason) {
					skips++
				}
			}
			if skips != res.SkippedCount {
				t.Errorf("%d skipping report entries, SkippedCount %d", skips, res.SkippedCount)
			}
			runs := tableRows(t, dst, "ImportRun")
			if runs[0]["SkippedCount"].Int != res.SkippedCount || runs[0]["AddedCount"].Int != res.AddedCount || !strings.Contains(runs[0]["Report"].Str, `"reason"`) {
				t.Errorf("ImportRun row: %v", runs[0])
			}
		})
	}
}

func TestResultAttentionItems(t *testing.T) {
	src, fres, key, pw := sample(t, smallSpec)
	dst := filepath.Join(t.TempDir(), "dst.arbundle")
	rep := newReporter()
	res, err := Run(context.Background(), openSource(t, src), openDest(t, dst), baseOptions(key, pw), rep)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(res.AzureTenants)) != fres.Entities["AzureTenant"] || len(res.AzureTenants) == 0 {
		t.Errorf("%d tenants listed, source has %d", len(res.AzureTenants), fres.Entities["AzureTenant"])
	}
	for _, a := range res.AzureTenants {
		if len(a.Steps) != 3 || !strings.Contains(a.Steps[0], "Reauthenticate") || !strings.Contains(a.Steps[2], "Consent") {
			t.Errorf("tenant steps %v", a.Steps)
		}
	}
	for _, r := range tableRows(t, dst, "AzureTenant") {
		if r["AuthState"].Str != "ReauthenticationRequired" {
			t.Errorf("tenant %s AuthState %s", r["DisplayName"].Str, r["AuthState"].Str)
		}
	}
	if res.ServicesAssociation.DynamicGroups != fres.Entities["DynamicGroup"] || res.ServicesAssociation.ServicesServer != testHost {
		t.Errorf("services association %+v", res.ServicesAssociation)
	}
	if len(res.ScheduledTasksNotAssociated) == 0 {
		t.Error("no scheduled task was left alone (the sample has a Managed Object Counter and an All servers task)")
	}
	for _, n := range res.ScheduledTasksNotAssociated {
		if !strings.Contains(n.Reason, "All servers") && !strings.Contains(n.Reason, "keeps its server") {
			t.Errorf("task %+v", n)
		}
	}
	if res.Principals.Copied || !strings.Contains(res.Principals.Reason, "not available yet") || !rep.warned(CodePrincipals) {
		t.Errorf("principals %+v, warnings %v", res.Principals, rep.warnings)
	}
	for _, r := range tableRows(t, dst, "DynamicGroup") {
		if r["ServiceHost"].Str != testHost {
			t.Errorf("dynamic group on %s", r["ServiceHost"].Str)
		}
	}
	// SkipPrincipals says so and does not warn.
	dst2 := filepath.Join(t.TempDir(), "dst.arbundle")
	opts := baseOptions(key, pw)
	opts.SkipPrincipals = true
	rep2 := newReporter()
	res2, err := Run(context.Background(), openSource(t, src), openDest(t, dst2), opts, rep2)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res2.Principals.Reason, "{param:skipPrincipals}") || rep2.warned(CodePrincipals) {
		t.Errorf("principals with -SkipPrincipals: %+v, warnings %v", res2.Principals, rep2.warnings)
	}
}

func TestAssociateServices(t *testing.T) {
	src, _, key, pw := sample(t, smallSpec)
	dst := filepath.Join(t.TempDir(), "dst.arbundle")
	importOnce(t, src, dst, baseOptions(key, pw))
	const other = "ars02.corp.example.com"
	before := fileHash(t, dst)
	plan, err := AssociateServices(context.Background(), openDest(t, dst), other, true, newReporter())
	if err != nil {
		t.Fatal(err)
	}
	if fileHash(t, dst) != before || len(plan.Changed) == 0 {
		t.Fatalf("WhatIf: changed file or empty plan (%d changes)", len(plan.Changed))
	}
	res, err := AssociateServices(context.Background(), openDest(t, dst), other, false, newReporter())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changed) != len(plan.Changed) {
		t.Errorf("changed %d, planned %d", len(res.Changed), len(plan.Changed))
	}
	for _, table := range []string{"DynamicGroup", "GroupFamily"} {
		for _, r := range tableRows(t, dst, table) {
			if r["ServiceHost"].Str != other {
				t.Errorf("%s on %s", table, r["ServiceHost"].Str)
			}
		}
	}
	kept := 0
	for _, r := range tableRows(t, dst, "ScheduledTask") {
		switch {
		case r["RunOn"].Str == "AllServers":
			if !r["ServiceHost"].IsNull() {
				t.Errorf("All servers task with host %v", r["ServiceHost"])
			}
		case r["IsEditable"].Int == 0:
			kept++
		case r["ServiceHost"].Str != other:
			t.Errorf("task %s on %s", r["Name"].Str, r["ServiceHost"].Str)
		}
	}
	if len(res.Unchanged) == 0 {
		t.Error("no task reported as left alone")
	}
	// Again: nothing to change.
	again, err := AssociateServices(context.Background(), openDest(t, dst), other, false, newReporter())
	if err != nil || len(again.Changed) != 0 {
		t.Errorf("second association: %v, %d changes", err, len(again.Changed))
	}
	// Not an 8.2 configuration database.
	_, err = AssociateServices(context.Background(), openDest(t, src), other, false, newReporter())
	var ee *arerr.Error
	if !errors.As(err, &ee) || !strings.Contains(ee.Message, "8.2 configuration database") {
		t.Errorf("on a 7.6 database: %v", err)
	}
	_, err = AssociateServices(context.Background(), openDest(t, dst), "ars02", false, newReporter())
	if !errors.As(err, &ee) || ee.Code != "AR-E017" {
		t.Errorf("with a short name: %v", err)
	}
}

func TestSourceNeverWritten(t *testing.T) {
	src, _, key, pw := sample(t, smallSpec)
	before := fileHash(t, src)
	importOnce(t, src, filepath.Join(t.TempDir(), "dst.arbundle"), baseOptions(key, pw))
	if fileHash(t, src) != before {
		t.Error("the source bundle changed")
	}
	if _, err := os.Stat(src); err != nil {
		t.Fatal(err)
	}
}

func TestFailedInvariantRollsBack(t *testing.T) {
	eachDestination(t, testFailedInvariantRollsBack)
}

func testFailedInvariantRollsBack(t *testing.T, newDest func() string) {
	src, _, key, pw := sample(t, smallSpec)
	dst := newDest()
	small, _, sKey, sPw := sample(t, fixture.Spec{Version: "8.2", Role: "configuration", ConfigObjects: 60, Seed: 9})
	importOnce(t, small, dst, baseOptions(sKey, sPw))
	before := contents(t, dst)
	testHookInsert = func(table string, rows []data.Row) {
		if table != "AzureTenant" {
			return
		}
		tb, _ := model.TableOf(model.Target, model.RoleConfiguration, "AzureTenant")
		for _, r := range rows {
			r[tb.MustIndex("AuthState")] = data.StringValue("Authenticated")
		}
	}
	defer func() { testHookInsert = nil }()
	_, err := Run(context.Background(), openSource(t, src), openDest(t, dst), baseOptions(key, pw), newReporter())
	var ee *arerr.Error
	if !errors.As(err, &ee) || ee.Code != CodeVerify || ee.Category != arerr.CatInvalidData || !strings.Contains(ee.Message, "9 Azure") {
		t.Fatalf("error %v, want %s naming invariant 9", err, CodeVerify)
	}
	after := contents(t, dst)
	if d := cmp.Diff(withoutImportRun(before), withoutImportRun(after)); d != "" {
		t.Errorf("a failed verification changed the configuration:\n%s", d)
	}
	runs := tableRows(t, dst, "ImportRun")
	if last := runs[len(runs)-1]; last["Outcome"].Str != "Failed" {
		t.Errorf("last ImportRun outcome %s", last["Outcome"].Str)
	}
}
