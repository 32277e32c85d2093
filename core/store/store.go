// Package store defines what the engine needs of an Active Roles database,
// whatever holds it: a bundle file (core/bundle) or SQL Server (core/sqlserver).
// Implementations live in those packages; core/dbopen picks one for a location.
package store

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/activeroles/arupgrade/core/data"
)

// Info is what a database says about itself before any interpretation:
// model.Detect turns it into version, generation and role.
type Info struct {
	// Kind is "bundle" or "sqlserver".
	Kind string `json:"kind"`
	// Location names the database for people: a bundle path, or server/database.
	// It never holds a password.
	Location string `json:"location"`
	// Tables are the user tables with their columns; empty for a blank database.
	Tables []data.Table `json:"tables"`
	// Settings is the Settings table; nil when the database has no Settings table.
	Settings map[string]string `json:"settings,omitempty"`
}

// Table returns the named table (case-insensitive) or nil.
func (in *Info) Table(name string) *data.Table {
	for i := range in.Tables {
		if equalFold(in.Tables[i].Name, name) {
			return &in.Tables[i]
		}
	}
	return nil
}

// TableNames lists the user tables.
func (in *Info) TableNames() []string {
	n := make([]string, len(in.Tables))
	for i, t := range in.Tables {
		n[i] = t.Name
	}
	return n
}

// Rows iterates over a table's rows. Row's slice and the bytes it holds are
// valid only until the next call to Next; Clone what you keep.
type Rows interface {
	Next() bool
	Row() data.Row
	Err() error
	Close() error
}

// Source reads one Active Roles database (any generation, any role).
//
// Scan returns a table's rows, values in the order of Info's columns for that
// table, in the table's canonical order:
//   - history records (G1 ChangeHistory, G2/G3 ChangeRecord) by (change time, RecordId);
//   - their child rows (ChangeRecordAttribute by Seq, ApprovalTask by TaskId) grouped in
//     the order of their parent record, so an import can merge-join them in one pass;
//   - every other table by its primary key (ConfigAttribute by ObjectId, AttrName, ValueIndex).
type Source interface {
	Info(ctx context.Context) (*Info, error)
	Count(ctx context.Context, table string) (int64, error)
	Scan(ctx context.Context, table string) (Rows, error)
	Close() error
}

// Initializer creates the blank schema of a G3 database: the model's DDL for
// the role and exactly the given Settings rows (model §2 "Initialising a G3
// database"). It is only called on a Blank database.
type Initializer interface {
	Initialize(ctx context.Context, tables []data.Table, ddl []string, settings map[string]string) error
}

// RunRecorder keeps the ImportRun row of model §5.1/§7.1.
type RunRecorder interface {
	// StartRun inserts the ImportRun row (Outcome 'Running') in a transaction of
	// its own and returns its ImportRunId and the destination's clock
	// (SYSUTCDATETIME() as datetime2(3)), which a history import uses as T0.
	StartRun(ctx context.Context, run ImportRun) (runID int64, nowUTC time.Time, err error)
	// FinishRun sets Outcome, FinishedUtc, AddedCount, SkippedCount and Report.
	FinishRun(ctx context.Context, runID int64, fin RunFinish) error
}

// ImportRun holds the columns of a new ImportRun row.
type ImportRun struct {
	Kind                 string // "Configuration" or "History"
	SourceInstallationID data.UUID
	SourceVersion        string
	SourceServer         string
	SourceDatabase       string
	Mode                 string     // "", "All" or "DateRange" ("" = NULL)
	RangeFromUTC         *time.Time // DateRange only
	RangeToUTC           *time.Time
	CutoffUTC            *time.Time // history: T0 (set by FinishRun's caller through StartRun's clock)
	StartedUTC           time.Time
}

// RunFinish closes an ImportRun row.
type RunFinish struct {
	Outcome      string // "Succeeded" or "Failed"
	FinishedUTC  time.Time
	CutoffUTC    *time.Time
	AddedCount   int64
	SkippedCount int64
	ReportJSON   string // JSON array, "[]" when empty
}

// ConfigDestination is a G3 configuration database (or a blank one) that a
// configuration import writes all-or-nothing.
type ConfigDestination interface {
	Source
	Initializer
	RunRecorder
	// BeginConfig starts the one transaction that holds every object write.
	BeginConfig(ctx context.Context) (ConfigTx, error)
}

// ConfigTx is the configuration import's transaction. Nothing it does is
// visible until Commit; Rollback (or a failed Commit) leaves the destination
// exactly as it was.
type ConfigTx interface {
	// DeleteAll removes every row of the table (used by -Replace). Callers
	// delete children before parents.
	DeleteAll(ctx context.Context, table string) error
	// Insert appends rows to a G3 table; values in the table's column order.
	// Identity columns hold NULL and are assigned by the destination.
	Insert(ctx context.Context, table string, rows []data.Row) error
	// Update replaces existing rows, matched by the table's primary key, with
	// the given rows (used by services association on an 8.2 database).
	Update(ctx context.Context, table string, rows []data.Row) error
	// Delete removes the rows whose primary key equals one of keys; each key
	// holds the key's values in the order of the table's PrimaryKey. A key
	// that matches no row fails the call. Callers delete children before
	// parents (used to remove Web Interface site configurations).
	Delete(ctx context.Context, table string, keys []data.Row) error
	Commit(ctx context.Context) error
	Rollback(ctx context.Context) error
}

// HistoryDestination is a G3 Management History database (or a blank one).
type HistoryDestination interface {
	Source
	Initializer
	RunRecorder
	// WriteHistoryBatch writes one batch in one transaction (model §8.3): each
	// record whose RecordGuid is present is a duplicate; else one whose natural
	// key (OriginInstallationId, OriginRecordId) equals a destination row's NK
	// (native rows: (destination InstallationId, RecordId)) is a conflict; else it
	// is inserted with its attribute rows. Tasks are checked the same way by
	// TaskGuid and (OriginInstallationId, OriginTaskId), also under a duplicate
	// record; tasks of a conflicting record are conflicts. Memberships likewise by
	// MembershipGuid and (OriginInstallationId, OriginMembershipId). Nothing is
	// ever updated or deleted. Either the whole batch is in, or none of it.
	WriteHistoryBatch(ctx context.Context, b *HistoryBatch) (*HistoryBatchResult, error)
}

// KeyedTable names a table of flat rows kept exactly once by GUID and
// natural key (model §6.5, §8.3): the history's TemporalMembership and the
// Collector's CollectedEvent (§13.5), which a HistoryDestination of role
// Collector writes in HistoryBatch.Memberships' place (the same batching,
// resume and dedupe; HistoryBatchResult.Memberships* count its rows).
type KeyedTable struct{ Table, ID, GUID, OriginID string }

var (
	TemporalMembershipTable = KeyedTable{"TemporalMembership", "MembershipId", "MembershipGuid", "OriginMembershipId"}
	CollectedEventTable     = KeyedTable{"CollectedEvent", "EventId", "EventGuid", "OriginEventId"}
)

// KeyedTableOf is the flat keyed table of a destination of this
// DatabaseRole (Settings value, any case).
func KeyedTableOf(role string) KeyedTable {
	if equalFold(role, "Collector") {
		return CollectedEventTable
	}
	return TemporalMembershipTable
}

// HistoryRecord is one G3 ChangeRecord row with its children. Identity
// columns (RecordId, TaskId) and ChangeRecordAttribute.RecordId are NULL:
// the destination assigns them.
type HistoryRecord struct {
	Record     data.Row
	Attributes []data.Row
	Tasks      []data.Row
}

// HistoryBatch is what one WriteHistoryBatch call commits.
type HistoryBatch struct {
	Seq         int // 1-based batch number within the run, for logs and errors
	Records     []HistoryRecord
	Memberships []data.Row // G3 TemporalMembership rows, MembershipId NULL
}

// HistoryBatchResult says what happened to each row of a batch.
type HistoryBatchResult struct {
	RecordsAdded, RecordsDuplicate         int
	TasksAdded, TasksDuplicate             int
	MembershipsAdded, MembershipsDuplicate int
	AttributesAdded                        int
	// Conflicts lists the GUIDs of the rows skipped as conflicts, per G3 table
	// ("ChangeRecord", "ApprovalTask", "TemporalMembership").
	Conflicts map[string][]data.UUID
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// The interfaces below are optional capabilities: only a SQL Server database
// has them. Preflight asserts them and reports "not applicable" otherwise.

// Permissions is what the connected account may do in a database (guide:
// db_datareader on the source; db_owner with default schema dbo on the destination).
type Permissions struct {
	// DataReader: the account can read every table (SELECT on the database,
	// as db_datareader, db_owner and sysadmin have).
	DataReader bool `json:"dataReader"`
	// DbOwner: the account controls the database (CONTROL, as db_owner, dbo
	// and sysadmin have).
	DbOwner           bool   `json:"dbOwner"`
	DefaultSchema     string `json:"defaultSchema"`
	CanCreateDatabase bool   `json:"canCreateDatabase"`
}

// PermissionChecker reports the account's rights in the database.
type PermissionChecker interface {
	Permissions(ctx context.Context) (Permissions, error)
}

// SpaceReporter reports a database's used size and the free space available
// to it, where the server exposes them (known=false otherwise).
type SpaceReporter interface {
	Space(ctx context.Context) (usedBytes, freeBytes int64, known bool, err error)
}

// Locker is a destination that one writing run at a time may hold. Every
// operation that writes takes the lock before its first write and holds it
// to the end; read-only operations never take it. The lock dies with the
// process (bundle: an OS file lock) or the session (SQL Server: an
// application lock), so a crash leaves none behind.
type Locker interface {
	// LockForWrite takes the writer lock without waiting for another holder:
	// when one holds it, it returns a *LockedError at once. ctx bounds the
	// attempt. release gives the lock back; it is safe to call once.
	LockForWrite(ctx context.Context, holder LockHolder) (release func() error, err error)
}

// LockHolder describes a run holding (or asking for) a destination's lock,
// for the message the other run shows.
type LockHolder struct {
	Operation string    `json:"operation"`
	Host      string    `json:"host"`
	PID       int       `json:"pid"`
	Started   time.Time `json:"started"`
}

// LockedError says a destination is held by another run. Holder is nil when
// the other run could not be identified.
type LockedError struct {
	Location string
	Holder   *LockHolder
}

func (e *LockedError) Error() string {
	s := e.Location + " is in use by another ActiveRolesUpgrade run"
	if h := e.Holder; h != nil {
		s += " (" + h.Operation + " on " + h.Host
		if h.PID > 0 {
			s += ", process " + strconv.Itoa(h.PID)
		}
		if !h.Started.IsZero() {
			s += ", started " + h.Started.UTC().Format(time.RFC3339)
		}
		s += ")"
	}
	return s
}

// HistoryBatchBeginner is a HistoryDestination that takes the next batch
// while the previous one is still being committed. BeginHistoryBatch
// classifies and stages b (the rules of WriteHistoryBatch, counting the
// batches begun before it) and returns the function that commits it;
// batches commit in the order they were begun, and the next may be begun
// before the previous one's commit is called. Any failure discards every
// batch not yet committed: their commit functions then return an error,
// (ErrBatchDiscarded for all but the one that failed), and the caller
// writes them again with WriteHistoryBatch.
type HistoryBatchBeginner interface {
	BeginHistoryBatch(ctx context.Context, b *HistoryBatch) (commit func() (*HistoryBatchResult, error), err error)
}

// ErrBatchDiscarded is what a begun batch's commit returns when a batch
// begun with it failed (HistoryBatchBeginner): it was not written.
var ErrBatchDiscarded = errors.New("not written: a history batch begun with it failed, so it was discarded with every batch not yet committed")
