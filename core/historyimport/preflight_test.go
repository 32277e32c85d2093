package historyimport

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/store"
)

// infoOnly is a database that only describes itself: enough for the checks
// that run before any row is read. Every other method fails the test.
type infoOnly struct {
	store.HistoryDestination // nil: calling anything else panics
	info                     *store.Info
	t                        *testing.T
}

func (d *infoOnly) Info(context.Context) (*store.Info, error) { return d.info, nil }

func (d *infoOnly) Initialize(context.Context, []data.Table, []string, map[string]string) error {
	d.t.Fatal("Initialize called")
	return nil
}

func (d *infoOnly) StartRun(context.Context, store.ImportRun) (int64, time.Time, error) {
	d.t.Fatal("StartRun called")
	return 0, time.Time{}, nil
}

func dbInfo(t *testing.T, location, version string, role model.Role, settings map[string]string) *store.Info {
	t.Helper()
	in := &store.Info{Kind: "bundle", Location: location}
	if version == "" {
		return in // blank
	}
	in.Tables = []data.Table{{Name: "Settings"}}
	if v, err := model.ParseVersion(version); err == nil {
		if ts, err := model.Tables(v, role); err == nil {
			in.Tables = ts
		}
	}
	in.Settings = map[string]string{"SchemaVersion": version, "DatabaseRole": string(role),
		"InstallationId": "0f8e7d6c-5b4a-4938-8271-605f4e3d2c1b"}
	for k, v := range settings {
		if v == "" {
			delete(in.Settings, k)
		} else {
			in.Settings[k] = v
		}
	}
	return in
}

func TestPreflightCodes(t *testing.T) {
	offset := map[string]string{"ServerUtcOffsetMinutes": "60"}
	mh := model.RoleManagementHistory
	goodSrc := func(t *testing.T) *store.Info { return dbInfo(t, "src", "8.1.5", mh, nil) }
	blank := func(t *testing.T) *store.Info { return dbInfo(t, "dst", "", "", nil) }
	cases := []struct {
		name     string
		src, dst func(t *testing.T) *store.Info
		code     string
	}{
		{"blank source", func(t *testing.T) *store.Info { return dbInfo(t, "src", "", "", nil) }, blank, "AR-E001"},
		{"not Active Roles source", func(t *testing.T) *store.Info {
			return &store.Info{Kind: "bundle", Location: "src", Tables: []data.Table{{Name: "Foo"}}}
		}, blank, "AR-E001"},
		{"source without InstallationId", func(t *testing.T) *store.Info {
			return dbInfo(t, "src", "8.1.5", mh, map[string]string{"InstallationId": ""})
		}, blank, "AR-E001"},
		{"6.9 source", func(t *testing.T) *store.Info { return dbInfo(t, "src", "6.9.0", mh, nil) }, blank, "AR-E002"},
		{"newer source", func(t *testing.T) *store.Info { return dbInfo(t, "src", "8.3.0", mh, nil) }, blank, "AR-E002"},
		{"configuration source", func(t *testing.T) *store.Info { return dbInfo(t, "src", "8.1.5", model.RoleConfiguration, nil) }, blank, "AR-E003"},
		{"G1 without offset", func(t *testing.T) *store.Info { return dbInfo(t, "src", "7.6.3", mh, nil) }, blank, "AR-E016"},
		{"G1 with a bad offset", func(t *testing.T) *store.Info {
			return dbInfo(t, "src", "7.6.3", mh, map[string]string{"ServerUtcOffsetMinutes": "900"})
		}, blank, "AR-E016"},
		{"not Active Roles destination", goodSrc, func(t *testing.T) *store.Info {
			return &store.Info{Kind: "bundle", Location: "dst", Tables: []data.Table{{Name: "Foo"}}}
		}, "AR-E004"},
		{"newer destination", goodSrc, func(t *testing.T) *store.Info { return dbInfo(t, "dst", "9.0.0", mh, nil) }, "AR-E005"},
		{"8.1 destination", goodSrc, func(t *testing.T) *store.Info { return dbInfo(t, "dst", "8.1.5", mh, nil) }, "AR-E006"},
		{"7.6 destination", goodSrc, func(t *testing.T) *store.Info { return dbInfo(t, "dst", "7.6.3", mh, offset) }, "AR-E006"},
		{"configuration destination", goodSrc, func(t *testing.T) *store.Info { return dbInfo(t, "dst", "8.2.0", model.RoleConfiguration, nil) }, "AR-E007"},
		{"same location", goodSrc, func(t *testing.T) *store.Info { return dbInfo(t, "src", "8.2.0", mh, nil) }, "AR-E009"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := &infoOnly{info: c.src(t), t: t}
			dst := &infoOnly{info: c.dst(t), t: t}
			_, err := Run(context.Background(), src, dst, Options{}, nil)
			var ee *arerr.Error
			if !errors.As(err, &ee) || ee.Code != c.code || ee.Exit != arerr.ExitPreflight || ee.Remedy == "" || ee.Message == "" {
				t.Fatalf("err = %#v, want %s", err, c.code)
			}
			checks, err := Preflight(context.Background(), src, dst, Options{})
			if err != nil {
				t.Fatal(err)
			}
			failed := 0
			for _, ch := range checks {
				if ch.Status == StatusFail {
					failed++
					if ch.Code != c.code && failed == 1 {
						t.Fatalf("first failure %+v, want %s", ch, c.code)
					}
				}
			}
			if failed == 0 {
				t.Fatalf("no failed check in %+v", checks)
			}
		})
	}
}

func TestOptionsValidation(t *testing.T) {
	d := Date{2024, 5, 1}
	src := &infoOnly{info: dbInfo(t, "src", "8.1.5", model.RoleManagementHistory, nil), t: t}
	dst := &infoOnly{info: dbInfo(t, "dst", "", "", nil), t: t}
	for _, o := range []Options{{From: &d}, {To: &d}, {BatchSize: -1}, {BatchSize: MaxBatchSize + 1}} {
		_, err := Run(context.Background(), src, dst, o, nil)
		var ee *arerr.Error
		if !errors.As(err, &ee) || ee.Exit != arerr.ExitInvalidInput {
			t.Fatalf("options %+v: err = %v", o, err)
		}
	}
	if _, err := Run(context.Background(), nil, dst, Options{}, nil); err == nil {
		t.Fatal("nil source accepted")
	} else if ee := (*arerr.Error)(nil); !errors.As(err, &ee) || ee.Exit != arerr.ExitNotFound {
		t.Fatalf("nil source: %v", err)
	}
	// The same day as start and end is allowed; a date uses UTC.
	today := DateOf(time.Date(2024, 5, 1, 23, 30, 0, 0, time.FixedZone("x", -5*3600)))
	if today != (Date{2024, 5, 2}) {
		t.Fatalf("DateOf = %v", today)
	}
	if p, err := ParseDate("2024-02-29"); err != nil || p.String() != "2024-02-29" {
		t.Fatalf("ParseDate: %v %v", p, err)
	}
	if _, err := ParseDate("2024-02-30"); err == nil {
		t.Fatal("2024-02-30 accepted")
	}
}

func TestRunNames(t *testing.T) {
	s, d := runNames(Options{}, &store.Info{Kind: "sqlserver", Location: "sql01.corp.example.com/ARHistory76"})
	if s != "sql01.corp.example.com" || d != "ARHistory76" {
		t.Fatalf("%q %q", s, d)
	}
	s, d = runNames(Options{}, &store.Info{Kind: "bundle", Location: "/data/ar76.arbundle"})
	if s != "bundle" || d != "ar76.arbundle" {
		t.Fatalf("%q %q", s, d)
	}
	long := make([]byte, 300)
	for i := range long {
		long[i] = 'x'
	}
	if s, _ := runNames(Options{SourceName: string(long) + "/db"}, &store.Info{Kind: "sqlserver"}); data.UTF16Len(s) != 255 {
		t.Fatalf("server name of %d characters", data.UTF16Len(s))
	}
}
