package bundle

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/store"
)

// Code shared by the two destinations.

func blankInfo(path string) *store.Info { return &store.Info{Kind: "bundle", Location: path} }

// headerFromSettings derives the header of a new G3 bundle from the Settings
// rows Initialize is given (model §2).
func headerFromSettings(tables []data.Table, settings map[string]string, producer string) (Header, error) {
	h := Header{SourceVersion: settings["SchemaVersion"], Role: settings["DatabaseRole"], Producer: producer, Tables: tables}
	if h.SourceVersion == "" || h.Role == "" {
		return h, errors.New("the Settings rows need SchemaVersion and DatabaseRole")
	}
	h.Generation = generationOf(h.SourceVersion)
	if s := settings["InstallationId"]; s != "" {
		u, err := data.ParseUUID(s)
		if err != nil {
			return h, fmt.Errorf("settings InstallationId: %w", err)
		}
		h.InstallationID = u
	}
	if s, ok := settings["ServerUtcOffsetMinutes"]; ok {
		if n, err := strconv.Atoi(s); err == nil {
			h.UTCOffsetMinutes = &n
		}
	}
	if !slices.ContainsFunc(tables, func(t data.Table) bool { return strings.EqualFold(t.Name, "Settings") }) {
		return h, errors.New("the tables do not include Settings")
	}
	return h, nil
}

// generationOf maps M.m to the model's generations; 0 when unknown.
func generationOf(v string) int {
	p := strings.SplitN(v, ".", 3)
	if len(p) < 2 {
		return 0
	}
	switch p[0] + "." + p[1] {
	case "7.5", "7.6":
		return 1
	case "8.0", "8.1":
		return 2
	case "8.2":
		return 3
	}
	return 0
}

// createInitialized writes a new bundle holding the tables, empty but for
// the Settings rows (sorted by Name, the table's key).
func createInitialized(ctx context.Context, path string, tables []data.Table, settings map[string]string, o options) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	h, err := headerFromSettings(tables, settings, o.producer)
	if err != nil {
		return fmt.Errorf("initialize bundle %s: %w", path, err)
	}
	// A new database may be asked for in a new folder; the folder is made only
	// now, after every preflight check passed.
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("initialize bundle: %w", diskFull(path, err))
	}
	w, err := Create(path, h, withOptions(o))
	if err != nil {
		return fmt.Errorf("initialize bundle: %w", err)
	}
	names := make([]string, 0, len(settings))
	for n := range settings {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b string) int { return strings.Compare(foldString(a), foldString(b)) })
	for _, n := range names {
		if err := w.Write("Settings", data.Row{data.StringValue(n), data.StringValue(settings[n])}); err != nil {
			w.Abort()
			return fmt.Errorf("initialize bundle: %w", err)
		}
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("initialize bundle: %w", err)
	}
	return nil
}

func withOptions(o options) Option { return func(p *options) { *p = o } }

// msUTC is the destination clock: datetime2(3) UTC.
func msUTC(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

func timeOrNull(t *time.Time) data.Value {
	if t == nil {
		return data.NullValue()
	}
	return data.TimeValue(msUTC(*t))
}

func stringOrNull(s string) data.Value {
	if s == "" {
		return data.NullValue()
	}
	return data.StringValue(s)
}

// rowSetter fills a row by column name.
type rowSetter struct {
	t   *data.Table
	row data.Row
	err error
}

func (s *rowSetter) set(name string, v data.Value) {
	i := s.t.Index(name)
	if i < 0 {
		if s.err == nil {
			s.err = fmt.Errorf("table %s has no column %s", s.t.Name, name)
		}
		return
	}
	s.row[i] = v
}

// importRunRow builds a new ImportRun row (model §5.1, Outcome 'Running').
func importRunRow(t *data.Table, id int64, run store.ImportRun, now time.Time) (data.Row, error) {
	s := rowSetter{t: t, row: make(data.Row, len(t.Columns))}
	started := now
	if !run.StartedUTC.IsZero() {
		started = msUTC(run.StartedUTC)
	}
	s.set("ImportRunId", data.IntValue(id))
	s.set("Kind", data.StringValue(run.Kind))
	s.set("SourceInstallationId", data.GUIDValue(run.SourceInstallationID))
	s.set("SourceVersion", data.StringValue(run.SourceVersion))
	s.set("SourceServer", data.StringValue(run.SourceServer))
	s.set("SourceDatabase", data.StringValue(run.SourceDatabase))
	s.set("Mode", stringOrNull(run.Mode))
	s.set("RangeFromUtc", timeOrNull(run.RangeFromUTC))
	s.set("RangeToUtc", timeOrNull(run.RangeToUTC))
	s.set("CutoffUtc", timeOrNull(run.CutoffUTC))
	s.set("StartedUtc", data.TimeValue(started))
	s.set("FinishedUtc", data.NullValue())
	s.set("Outcome", data.StringValue("Running"))
	s.set("AddedCount", data.IntValue(0))
	s.set("SkippedCount", data.IntValue(0))
	s.set("Report", data.NullValue())
	if s.err == nil {
		s.err = t.CheckRow(s.row)
	}
	return s.row, s.err
}

// finishRunRow applies a RunFinish to a copy of an ImportRun row.
func finishRunRow(t *data.Table, row data.Row, fin store.RunFinish) (data.Row, error) {
	s := rowSetter{t: t, row: row.Clone()}
	s.set("Outcome", data.StringValue(fin.Outcome))
	fu := fin.FinishedUTC
	if fu.IsZero() {
		fu = time.Now()
	}
	s.set("FinishedUtc", data.TimeValue(msUTC(fu)))
	if fin.CutoffUTC != nil {
		s.set("CutoffUtc", timeOrNull(fin.CutoffUTC))
	}
	s.set("AddedCount", data.IntValue(fin.AddedCount))
	s.set("SkippedCount", data.IntValue(fin.SkippedCount))
	report := fin.ReportJSON
	if report == "" {
		report = "[]"
	}
	s.set("Report", data.StringValue(report))
	if s.err == nil {
		s.err = t.CheckRow(s.row)
	}
	return s.row, s.err
}

// identityIndex returns the table's identity column, or -1.
func identityIndex(t *data.Table) int {
	for i, c := range t.Columns {
		if c.Identity {
			return i
		}
	}
	return -1
}
