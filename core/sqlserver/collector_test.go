package sqlserver

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/DATA-DOG/go-sqlmock"
	"github.com/google/go-cmp/cmp"
	mssql "github.com/microsoft/go-mssqldb"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/store"
)

// g3Collector is a cut-down 8.2 Collector catalog (model §13.3): the
// columns the batch statements single out and one of each kind.
var g3Collector = []mtable{
	{"CollectedEvent", []mcol{
		{name: "EventId", typ: "bigint", maxLen: 8, ident: true, key: 1},
		{name: "EventGuid", typ: "uniqueidentifier", maxLen: 16},
		{name: "EventTimeUtc", typ: "datetime2", maxLen: 7, scale: 3},
		{name: "SourceKind", typ: "varchar", maxLen: 24},
		{name: "Properties", typ: "nvarchar", maxLen: -1},
		{name: "OriginInstallationId", typ: "uniqueidentifier", maxLen: 16, null: true},
		{name: "OriginEventId", typ: "bigint", maxLen: 8, null: true},
	}},
	settingsTable,
}

var g3CollectorSettings = map[string]string{"SchemaVersion": "8.2.0", "DatabaseRole": "Collector", "InstallationId": testIID}

// The statements of one Collector batch, as the server receives them: the
// history batch's, on #events and CollectedEvent.
const (
	wantCollDrop     = `DROP TABLE IF EXISTS #events;`
	wantCollCreate   = `CREATE TABLE #events ([Ord] int NOT NULL, [Disposition] tinyint NOT NULL, [EventGuid] uniqueidentifier NULL, [EventTimeUtc] datetime2(3) NULL, [SourceKind] varchar(24) COLLATE DATABASE_DEFAULT NULL, [Properties] nvarchar(max) COLLATE DATABASE_DEFAULT NULL, [OriginInstallationId] uniqueidentifier NULL, [OriginEventId] bigint NULL);`
	wantCollFill     = `INSERT INTO #events ([Ord], [Disposition], [EventGuid], [EventTimeUtc], [SourceKind], [Properties], [OriginInstallationId], [OriginEventId]) VALUES (@p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8);`
	wantCollClassify = `UPDATE k SET [Disposition] = 1 FROM #events AS k
WHERE k.[Disposition] = 0 AND EXISTS (SELECT 1 FROM [dbo].[CollectedEvent] AS c WHERE c.[EventGuid] = k.[EventGuid]);
UPDATE k SET [Disposition] = 2 FROM #events AS k
WHERE k.[Disposition] = 0 AND EXISTS (SELECT 1 FROM [dbo].[CollectedEvent] AS c
  WHERE c.[OriginInstallationId] IS NOT NULL AND c.[OriginInstallationId] = k.[OriginInstallationId] AND c.[OriginEventId] = k.[OriginEventId]);
UPDATE k SET [Disposition] = 2 FROM #events AS k
WHERE k.[Disposition] = 0 AND k.[OriginInstallationId] = @p1
  AND EXISTS (SELECT 1 FROM [dbo].[CollectedEvent] AS c WHERE c.[OriginInstallationId] IS NULL AND c.[EventId] = k.[OriginEventId]);`
	wantCollDispositions = `SELECT 3 AS [Entity], [Ord], [Disposition] FROM #events WHERE [Disposition] <> 0 ORDER BY [Ord];`
	wantCollInsert       = `INSERT INTO [dbo].[CollectedEvent] ([EventGuid], [EventTimeUtc], [SourceKind], [Properties], [OriginInstallationId], [OriginEventId]) SELECT k.[EventGuid], k.[EventTimeUtc], k.[SourceKind], k.[Properties], k.[OriginInstallationId], k.[OriginEventId] FROM #events AS k WHERE k.[Disposition] = 0 ORDER BY k.[Ord];`
	wantCollDropEnd      = `DROP TABLE #events;`
)

var eventTime = time.Date(2022, 5, 6, 7, 8, 9, 1e6, time.UTC)

func event(g byte, id int64) data.Row {
	return data.Row{data.NullValue(), data.GUIDValue(guid(g)), data.TimeValue(eventTime), data.StringValue("DomainController"),
		data.StringValue(`{"ip":"10.0.0.7"}`), data.GUIDValue(srcIID), data.IntValue(id)}
}

// eventBatch: event 31 new, 32 a duplicate, 33 a conflict.
func eventBatch() *store.HistoryBatch {
	return &store.HistoryBatch{Seq: 2, Memberships: []data.Row{event(31, 1), event(32, 2), event(33, 3)}}
}

func expectCollectorBatch(m sqlmock.Sqlmock, fill func(m sqlmock.Sqlmock)) {
	expectInfo(m, g3Collector, g3CollectorSettings)
	m.ExpectQuery(`SELECT [Value] FROM [dbo].[Settings] WHERE [Name] = N'InstallationId';`).WillReturnRows(sqlmock.NewRows([]string{"v"}).AddRow(testIID))
	m.ExpectBegin()
	m.ExpectExec(wantCollDrop).WithoutArgs().WillReturnResult(sqlmock.NewResult(0, 0))
	m.ExpectExec(wantCollCreate).WithoutArgs().WillReturnResult(sqlmock.NewResult(0, 0))
	fill(m)
	m.ExpectExec(wantCollClassify).WithArgs(mssql.UniqueIdentifier(data.MustUUID(testIID))).WillReturnResult(sqlmock.NewResult(0, 2))
	m.ExpectQuery(wantCollDispositions).WithoutArgs().WillReturnRows(sqlmock.NewRows([]string{"e", "o", "d"}).
		AddRow(int64(3), int64(1), int64(1)).AddRow(int64(3), int64(2), int64(2)))
	m.ExpectExec(wantCollInsert).WithoutArgs().WillReturnResult(sqlmock.NewResult(0, 1))
	m.ExpectExec(wantCollDropEnd).WithoutArgs().WillReturnResult(sqlmock.NewResult(0, 0))
	m.ExpectCommit()
}

var wantEventResult = &store.HistoryBatchResult{MembershipsAdded: 1, MembershipsDuplicate: 1,
	Conflicts: map[string][]data.UUID{"CollectedEvent": {guid(33)}}}

// A Collector database's events go through #events with the history
// batch's classify and insert statements; nothing touches the history tables.
func TestCollectorBatchRowByRow(t *testing.T) {
	d, m := newMock(t, OpenOptions{RowByRow: true}, nil)
	expectCollectorBatch(m, func(m sqlmock.Sqlmock) {
		p := m.ExpectPrepare(wantCollFill)
		for i := int64(0); i < 3; i++ {
			p.ExpectExec().WithArgs(int32(i), byte(0), ui(byte(31+i)), datetime2Param(eventTime), mssql.VarChar("DomainController"),
				`{"ip":"10.0.0.7"}`, mssql.UniqueIdentifier(srcIID), i+1).WillReturnResult(sqlmock.NewResult(0, 1))
		}
	})
	res, err := d.WriteHistoryBatch(context.Background(), eventBatch())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantEventResult, res); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
}

func TestCollectorBatchBulk(t *testing.T) {
	d, m := newMock(t, OpenOptions{}, nil)
	expectCollectorBatch(m, func(m sqlmock.Sqlmock) {
		cols := []string{"Ord", "Disposition", "EventGuid", "EventTimeUtc", "SourceKind", "Properties", "OriginInstallationId", "OriginEventId"}
		m.ExpectQuery("SELECT TOP (0) * FROM #events;").WillReturnRows(sqlmock.NewRows(cols))
		p := m.ExpectPrepare(mssql.CopyIn("#events", mssql.BulkOptions{KeepNulls: true}, cols...))
		for i := int64(0); i < 3; i++ {
			p.ExpectExec().WithArgs(i, int64(0), ui(byte(31+i)), eventTime, "DomainController", `{"ip":"10.0.0.7"}`, mssql.UniqueIdentifier(srcIID), i+1).
				WillReturnResult(sqlmock.NewResult(0, 0))
		}
		p.ExpectExec().WithoutArgs().WillReturnResult(sqlmock.NewResult(0, 3))
		m.ExpectQuery(sqlCollTempCount).WillReturnRows(sqlmock.NewRows([]string{""}).AddRow(3))
	})
	res, err := d.WriteHistoryBatch(context.Background(), eventBatch())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantEventResult, res); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
}

// Change records sent to a Collector database are refused before anything
// is sent.
func TestCollectorBatchRefusesRecords(t *testing.T) {
	d, m := newMock(t, OpenOptions{RowByRow: true}, nil)
	expectInfo(m, g3Collector, g3CollectorSettings)
	_, err := d.WriteHistoryBatch(context.Background(), testBatch())
	if err == nil || !strings.Contains(err.Error(), "Collector database") {
		t.Fatalf("err = %v, want a refusal naming the Collector database", err)
	}
}
