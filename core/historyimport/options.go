// Package historyimport is the Management History import (model §8): it
// copies change records with their attribute rows and approval tasks, then
// temporal memberships, from a 7.5–8.2 source into an 8.2 Management History
// database, exactly once, in resumable batches.
//
// Run validates everything before it writes anything (Preflight holds the
// §12 checks), reads the source's three history tables in one merge-joined
// pass (store.Source guarantees the canonical order), transforms each row in
// place into reused batch buffers and hands whole batches to
// store.HistoryDestination.WriteHistoryBatch, which decides per row whether
// it is new, a duplicate (same GUID) or a conflict (same natural key). A run
// that stops — an error, a cancellation, a killed process — leaves whole
// batches; running it again continues where it stopped and adds nothing twice.
package historyimport

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/engine"
)

// Activity is the engine.Progress activity of a history import.
const Activity = "Importing Management History"

// DefaultBatchSize is the number of source records per batch (model §8.3).
const DefaultBatchSize = 1000

// MaxBatchSize bounds the batch size a caller may choose: a batch is one
// destination transaction, held in memory (several batches at a time).
const MaxBatchSize = 100_000

// LargeBatchSize is the largest batch size a run accepts without warning
// (WarnLargeBatch). Memory grows with the batch: each batch in flight holds
// its rows, and the source frames their text points into. Measured on 1M
// records into a bundle: 105–120 MB and 3.5–6.7 s at the default, about
// 200 MB at 10,000, 1.5 GB and 16–18 s at 100,000 (the soft memory limit
// then has the GC run without pause).
const LargeBatchSize = 10_000

// WarnLargeBatch says a run's batch size is above LargeBatchSize.
const WarnLargeBatch = "AR-W008"

// WarnIfLargeBatch warns once when n is above LargeBatchSize; unit names
// what a batch counts ("records", "events").
func WarnIfLargeBatch(rep Reporter, n int, unit string) {
	if n <= LargeBatchSize || rep == nil {
		return
	}
	rep.Warn(WarnLargeBatch, fmt.Sprintf(
		"A batch size of %d %s: the import holds several batches in memory at a time, so memory grows with the batch size (about 1.5 GB at 100000 on a 1M-record import, 110 MB at the default %d), and large batches were slower, not faster. Use %d or less unless each transaction must be this large.",
		n, unit, DefaultBatchSize, LargeBatchSize))
}

// Reporter is how Run talks to its caller; *engine.Emitter satisfies it.
type Reporter interface {
	Progress(engine.Progress)
	Warn(code, message string)
	Log() *zerolog.Logger
}

var _ Reporter = (*engine.Emitter)(nil)

// Date is a calendar date, read as UTC (the -FromDate/-ToDate of a DateRange import).
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads yyyy-mm-dd.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q is not yyyy-mm-dd", s)
	}
	return DateOf(t), nil
}

// DateOf is the UTC calendar date of t.
func DateOf(t time.Time) Date {
	y, m, d := t.UTC().Date()
	return Date{y, m, d}
}

// Time is 00:00 UTC of the date.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// String is yyyy-mm-dd.
func (d Date) String() string { return d.Time().Format(time.DateOnly) }

// Before reports whether d is an earlier day than o.
func (d Date) Before(o Date) bool { return d.Time().Before(o.Time()) }

// After reports whether d is a later day than o.
func (d Date) After(o Date) bool { return d.Time().After(o.Time()) }

// MarshalText writes yyyy-mm-dd.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads yyyy-mm-dd.
func (d *Date) UnmarshalText(b []byte) error {
	p, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// Options of one import. From and To both nil is an All import; both set is
// a DateRange import; one without the other is refused (AR-E013's sibling,
// an invalid argument).
type Options struct {
	From, To *Date
	// BatchSize is the number of source records (and of memberships) per
	// destination transaction; 0 means DefaultBatchSize.
	BatchSize int
	// SkipPrincipals suppresses the warning that database users, logins and
	// roles were not copied (the caller chose not to copy them).
	SkipPrincipals bool
	// WhatIf counts what an import would do and writes nothing.
	WhatIf bool
	// SourceName and DestinationName name the databases for people and for
	// ImportRun.SourceServer/SourceDatabase. They must already be redacted
	// (no passwords). "server/database" is split at the last '/' for a SQL
	// Server source; anything else (a bundle path) is used as the database
	// name with server "bundle" (or Info.Kind). Empty means Info.Location.
	SourceName, DestinationName string
	// SameDatabase is the caller's verdict that source and destination are
	// the same database (AR-E009); Run also compares Info locations.
	SameDatabase bool
	// DestinationIsAzureSQL selects the Azure SQL wording of the principals warning.
	DestinationIsAzureSQL bool
	// DestinationInstallationID is the InstallationId written into the
	// Settings of a blank destination: that of the destination configuration
	// database of the same upgrade (model §2); zero means a new random GUID.
	DestinationInstallationID data.UUID
	// Now is the clock for date checks and timing; nil means time.Now.
	Now func() time.Time
	// CancelGrace is how long the batch in flight may still run after the
	// run is cancelled before its statements are cancelled and it is rolled
	// back; 0 means DefaultCancelGrace.
	CancelGrace time.Duration
}

func (o *Options) cancelGrace() time.Duration {
	if o.CancelGrace <= 0 {
		return DefaultCancelGrace
	}
	return o.CancelGrace
}

func (o *Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o *Options) batchSize() int {
	if o.BatchSize <= 0 {
		return DefaultBatchSize
	}
	return o.BatchSize
}

// Mode is "All" or "DateRange".
func (o *Options) Mode() string {
	if o.From != nil || o.To != nil {
		return ModeDateRange
	}
	return ModeAll
}

// Modes (ImportRun.Mode).
const (
	ModeAll       = "All"
	ModeDateRange = "DateRange"
)

// Entities of the result, in import order.
const (
	EntityChangeRecord          = "ChangeRecord"
	EntityChangeRecordAttribute = "ChangeRecordAttribute"
	EntityApprovalTask          = "ApprovalTask"
	EntityTemporalMembership    = "TemporalMembership"
)

// EntityCounts says what happened to one entity's source rows.
type EntityCounts struct {
	Entity string `json:"entity"`
	// Source is the number of rows in the source table (G1
	// ChangeRecordAttribute: -1, the rows come from parsing Details).
	Source int64 `json:"source"`
	// Imported rows were written by this run.
	Imported int64 `json:"imported"`
	// AlreadyPresent rows were in the destination with the same GUID
	// (duplicates, not itemised in the report).
	AlreadyPresent int64 `json:"alreadyPresent"`
	// Conflicts were skipped because their natural key is in the destination
	// under another GUID (report CONFLICT).
	Conflicts int64 `json:"conflicts"`
	// Excluded rows lie outside the date range or at/after the cut-off.
	Excluded int64 `json:"excluded"`
	// UnfinishedSkipped: memberships not imported because they are not
	// finished (All mode), with the reason.
	UnfinishedSkipped int64  `json:"unfinishedSkipped"`
	UnfinishedReason  string `json:"unfinishedReason,omitempty"`
	// Skipped rows could not be converted (report TOO_LONG).
	Skipped int64 `json:"skipped"`
	// Failed rows were in the batch that could not be written.
	Failed int64 `json:"failed"`
}

// ReportEntry is one ImportRun.Report item (model §7.1).
type ReportEntry struct {
	Entity string `json:"entity"`
	Key    string `json:"key"`
	Reason string `json:"reason"`
	Detail string `json:"detail,omitempty"`
}

// Principals says whether database users, logins and roles were copied.
type Principals struct {
	Copied bool   `json:"copied"`
	Reason string `json:"reason"`
}

// Endpoint names a database and its version.
type Endpoint struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"` // "" for a blank destination
	Role    string `json:"role,omitempty"`
	State   string `json:"state,omitempty"`
}

// Result is what Run returns (emitted as HistoryImportResult).
type Result struct {
	Source      Endpoint `json:"source"`
	Destination Endpoint `json:"destination"`
	WhatIf      bool     `json:"whatIf"`
	// DestinationInitialized: the destination was blank and Run created the
	// 8.2 Management History schema in it.
	DestinationInitialized bool           `json:"destinationInitialized,omitempty"`
	Mode                   string         `json:"mode"`
	From                   *Date          `json:"from,omitempty"`
	To                     *Date          `json:"to,omitempty"`
	RangeFromUTC           *time.Time     `json:"rangeFromUtc,omitempty"`
	RangeToUTC             *time.Time     `json:"rangeToUtc,omitempty"`
	CutoffUTC              time.Time      `json:"cutoffUtc"`
	Entities               []EntityCounts `json:"entities"`
	Batches                int            `json:"batches"`
	Retries                int            `json:"retries"`
	// ReportEntries counts every report entry of the run. Report holds the
	// first MaxResultReportEntries of them; ImportRun.Report holds the first
	// MaxReportEntries.
	ReportEntries    int64         `json:"reportEntries"`
	Report           []ReportEntry `json:"report"`
	ReportTruncated  bool          `json:"reportTruncated,omitempty"`
	runReport        []ReportEntry // for ImportRun.Report
	Principals       Principals    `json:"principals"`
	ImportRunID      int64         `json:"importRunId,omitempty"`
	ElapsedSeconds   float64       `json:"elapsedSeconds"`
	RecordsPerSecond float64       `json:"recordsPerSecond"`
	// Outcome is Succeeded, Failed or Cancelled ("WhatIf" for a WhatIf run).
	Outcome string `json:"outcome"`
}

// Entity returns the counts of one entity (nil for an unknown name).
func (r *Result) Entity(name string) *EntityCounts {
	for i := range r.Entities {
		if r.Entities[i].Entity == name {
			return &r.Entities[i]
		}
	}
	return nil
}

// Added is AddedCount of the ImportRun: records, tasks and memberships written.
func (r *Result) Added() int64 {
	return r.Entity(EntityChangeRecord).Imported + r.Entity(EntityApprovalTask).Imported +
		r.Entity(EntityTemporalMembership).Imported
}

// SkippedTotal is SkippedCount of the ImportRun: duplicates, conflicts and
// skipped records, tasks and memberships.
func (r *Result) SkippedTotal() int64 {
	var n int64
	for _, e := range []string{EntityChangeRecord, EntityApprovalTask, EntityTemporalMembership} {
		c := r.Entity(e)
		n += c.AlreadyPresent + c.Conflicts + c.Skipped
	}
	return n
}

// MaxReportEntries caps the report kept in memory for ImportRun.Report;
// MaxResultReportEntries caps Result.Report (the entries are in the log too).
const (
	MaxReportEntries       = 100_000
	MaxResultReportEntries = 1000
)

func newResult() *Result {
	r := &Result{Report: []ReportEntry{}}
	for _, e := range []string{EntityChangeRecord, EntityChangeRecordAttribute, EntityApprovalTask, EntityTemporalMembership} {
		r.Entities = append(r.Entities, EntityCounts{Entity: e})
	}
	return r
}

func (r *Result) addReport(e ReportEntry) {
	r.ReportEntries++
	if len(r.Report) < MaxResultReportEntries {
		r.Report = append(r.Report, e)
	}
	if len(r.runReport) >= MaxReportEntries {
		r.ReportTruncated = true
		return
	}
	r.runReport = append(r.runReport, e)
}

func (r *Result) reportJSON() string {
	b, err := json.Marshal(r.runReport)
	if err != nil || len(r.runReport) == 0 {
		return "[]"
	}
	return string(b)
}

// Outcomes.
const (
	OutcomeSucceeded = "Succeeded"
	OutcomeFailed    = "Failed"
	OutcomeCancelled = "Cancelled"
	OutcomeWhatIf    = "WhatIf"
)
