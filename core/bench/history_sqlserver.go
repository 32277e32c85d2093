package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/activeroles/arupgrade/core/benchproc"
	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/dbopen"
	"github.com/activeroles/arupgrade/core/fixture"
	"github.com/activeroles/arupgrade/core/historyimport"
	"github.com/activeroles/arupgrade/core/sqlserver"
)

// SQL Server scenarios: the history import from the same bundle sources into
// a new, empty 8.2 history database on a server (created before the clock
// starts, dropped afterwards), with bulk copy or row by row. Peak RSS is the
// import's own process; the server's memory is not in it.
const (
	ScenarioSQL8x     = "sql-8x"
	ScenarioSQL7x     = "sql-7x"
	ScenarioSQLRows8x = "sql-rows-8x"
	ScenarioSQLRows7x = "sql-rows-7x"
)

// DefaultRowByRowRecords is the source size of the row-by-row scenarios
// unless HistoryConfig.RowByRowRecords says otherwise: one INSERT per row
// is too slow to measure at a million records.
const DefaultRowByRowRecords = 20_000

// TestServerEnv is the integration server's connection string (password
// included), the benchmark's server when none is given explicitly.
const TestServerEnv = "AR_TEST_SQLSERVER"

// serverPasswordEnv hands the server password to a benchmark child through
// its environment: never a command line, never the scenario JSON.
const serverPasswordEnv = "ARUPGRADE_BENCH_SERVER_PASSWORD"

const sqlKind = "history-import-sqlserver"

func init() {
	benchproc.Register(sqlKind, func(ctx context.Context, raw json.RawMessage) (any, error) {
		var c sqlChild
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, err
		}
		return runSQLChild(ctx, c)
	})
}

// IsSQLScenario reports whether s needs a server.
func IsSQLScenario(s string) bool {
	switch s {
	case ScenarioSQL8x, ScenarioSQL7x, ScenarioSQLRows8x, ScenarioSQLRows7x:
		return true
	}
	return false
}

func sqlRowByRow(s string) bool { return s == ScenarioSQLRows8x || s == ScenarioSQLRows7x }

func sqlLabel(s string) (string, bool) {
	switch s {
	case ScenarioSQL8x:
		return "import 8.1 → 8.2 SQL Server, bulk copy", true
	case ScenarioSQL7x:
		return "import 7.6 → 8.2 SQL Server, bulk copy", true
	case ScenarioSQLRows8x:
		return "import 8.1 → 8.2 SQL Server, row by row", true
	case ScenarioSQLRows7x:
		return "import 7.6 → 8.2 SQL Server, row by row", true
	}
	return "", false
}

// sqlChild is one SQL Server scenario. The endpoint travels without its
// password (serverPasswordEnv); FromEnv means the child reads the whole
// connection string from TestServerEnv itself.
type sqlChild struct {
	Scenario  string           `json:"scenario"`
	Source    string           `json:"source"`
	Server    *dbopen.Endpoint `json:"server,omitempty"`
	FromEnv   bool             `json:"fromEnv,omitempty"`
	Database  string           `json:"database"`
	BatchSize int              `json:"batchSize"`
}

// sqlServerOptions resolves the server a benchmark child writes to.
func (c sqlChild) options() (sqlserver.Options, error) {
	if c.FromEnv {
		s := os.Getenv(TestServerEnv)
		if s == "" {
			return sqlserver.Options{}, fmt.Errorf("%s is not set", TestServerEnv)
		}
		return sqlserver.ParseLocation(s)
	}
	if c.Server == nil {
		return sqlserver.Options{}, fmt.Errorf("no server given")
	}
	ep := *c.Server
	ep.Password = os.Getenv(serverPasswordEnv)
	return dbopen.SQLOptions(&ep)
}

func runSQLChild(ctx context.Context, c sqlChild) (historyOut, error) {
	o, err := c.options()
	if err != nil {
		return historyOut{}, fmt.Errorf("benchmark server: %w", err)
	}
	src, err := bundle.Open(c.Source)
	if err != nil {
		return historyOut{}, err
	}
	defer src.Close()
	// A database left by an interrupted earlier run goes first; creating a
	// database is slow on some servers, so the clock starts after it.
	_ = sqlserver.DropDatabase(ctx, o, c.Database)
	if err := sqlserver.CreateDatabase(ctx, o, c.Database); err != nil {
		return historyOut{}, fmt.Errorf("create benchmark database: %w", err)
	}
	defer func() { _ = sqlserver.DropDatabase(context.WithoutCancel(ctx), o, c.Database) }()
	o.Database = c.Database
	var warned []string
	dst, err := sqlserver.Open(ctx, o, sqlserver.OpenOptions{RowByRow: sqlRowByRow(c.Scenario),
		Warn: func(code, msg string) { warned = append(warned, code+" "+msg) }})
	if err != nil {
		return historyOut{}, fmt.Errorf("open benchmark database: %w", err)
	}
	start := time.Now()
	res, err := historyimport.Run(ctx, src, dst, historyimport.Options{BatchSize: c.BatchSize}, nil)
	secs := time.Since(start).Seconds()
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return historyOut{}, err
	}
	return historyOut{Records: res.Entity(historyimport.EntityChangeRecord).Imported, Seconds: secs, Warnings: warned}, nil
}

// runSQLScenario runs one SQL Server scenario in a child process and writes
// the import's warnings to w: a bulk-copy scenario that fell back to row by
// row (AR-W105) measures row by row, and must say so.
func runSQLScenario(ctx context.Context, exe, scenario, source string, cfg HistoryConfig, w io.Writer) (HistoryResult, error) {
	c := sqlChild{Scenario: scenario, Source: source, BatchSize: cfg.BatchSize,
		Database: fmt.Sprintf("arupg_bench_%d_%s", os.Getpid(), map[bool]string{true: "rows", false: "bulk"}[sqlRowByRow(scenario)])}
	extra := cfg.ExtraEnv
	if cfg.Server != nil {
		ep := *cfg.Server
		if ep.Password != "" {
			extra = append(append([]string{}, extra...), serverPasswordEnv+"="+ep.Password)
		}
		ep.Password = ""
		c.Server = &ep
	} else {
		c.FromEnv = true
	}
	var out historyOut
	u, err := benchproc.Run(ctx, exe, sqlKind, c, extra, &out)
	if err != nil {
		return HistoryResult{}, fmt.Errorf("benchmark %s: %w", scenario, err)
	}
	for _, m := range out.Warnings {
		fmt.Fprintf(w, "warning: %s: %s\n", scenario, m)
	}
	r := HistoryResult{Scenario: scenario, Records: out.Records, Seconds: out.Seconds, PeakRSSBytes: u.PeakRSSBytes, CPUSeconds: u.CPUSeconds}
	if out.Seconds > 0 {
		r.RecordsPerSecond = float64(out.Records) / out.Seconds
	}
	return r, nil
}

// checkSQLScenarios refuses, before anything is generated, SQL Server
// scenarios with no server to run them on.
func checkSQLScenarios(scen []string, cfg HistoryConfig) error {
	for _, s := range scen {
		if IsSQLScenario(s) && cfg.Server == nil && os.Getenv(TestServerEnv) == "" {
			return fmt.Errorf("benchmark: scenario %s needs a SQL Server: give one (arupgrade bench history --server) or set %s", s, TestServerEnv)
		}
	}
	return nil
}

// runSQL runs a SQL Server scenario of size n: bulk copy from the sources of
// that size, row by row from a source of at most RowByRowRecords records.
func runSQL(ctx context.Context, exe, s string, n int, srcs map[string]string, dir string, seed int64, cfg HistoryConfig, w io.Writer) (HistoryResult, error) {
	v := "8.1"
	if s == ScenarioSQL7x || s == ScenarioSQLRows7x {
		v = "7.6"
	}
	src := srcs[v]
	if sqlRowByRow(s) {
		rn := cfg.RowByRowRecords
		if rn <= 0 {
			rn = DefaultRowByRowRecords
		}
		if rn < n {
			var err error
			if src, err = historySource(ctx, dir, v, rn, seed, w); err != nil {
				return HistoryResult{}, err
			}
		}
	}
	return runSQLScenario(ctx, exe, s, src, cfg, w)
}

// historySource returns the generated history source of version v and size
// n in dir, generating it when missing (the file names the table uses).
func historySource(ctx context.Context, dir, v string, n int, seed int64, w io.Writer) (string, error) {
	p := filepath.Join(dir, fmt.Sprintf("bench-%s-%d-%d.arbundle", v, n, seed))
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	fmt.Fprintf(w, "generating a %s history source of %d records…\n", v, n)
	began := time.Now()
	if _, err := fixture.WriteBundle(ctx, p, fixture.Spec{Version: v, Role: "history", HistoryRecords: n, Seed: seed, Overwrite: true}); err != nil {
		return "", fmt.Errorf("benchmark: generate %s source: %w", v, err)
	}
	fmt.Fprintf(w, "  done in %.1f s\n", time.Since(began).Seconds())
	return p, nil
}
