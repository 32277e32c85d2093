package sqlserver

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/DATA-DOG/go-sqlmock"
	"github.com/google/go-cmp/cmp"
	mssql "github.com/microsoft/go-mssqldb"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/store"
)

// The statements of one history batch on the g3History catalog, as the
// server receives them.
const (
	wantHistDrop   = `DROP TABLE IF EXISTS #records, #attrs, #tasks, #members, #map;`
	wantHistCreate = `CREATE TABLE #records ([Ord] int NOT NULL, [Disposition] tinyint NOT NULL, [RecordGuid] uniqueidentifier NULL, [ChangeTimeUtc] datetime2(3) NULL, [ObjectDn] nvarchar(2048) COLLATE DATABASE_DEFAULT NULL, [OriginInstallationId] uniqueidentifier NULL, [OriginRecordId] bigint NULL);
CREATE TABLE #attrs ([ParentGuid] uniqueidentifier NULL, [RecordId] bigint NULL, [Seq] int NULL, [AttributeName] nvarchar(256) COLLATE DATABASE_DEFAULT NULL, [NewValue] nvarchar(max) COLLATE DATABASE_DEFAULT NULL);
CREATE TABLE #tasks ([Ord] int NOT NULL, [Disposition] tinyint NOT NULL, [ParentOrd] int NULL, [TaskGuid] uniqueidentifier NULL, [RecordGuid] uniqueidentifier NULL, [Status] varchar(16) COLLATE DATABASE_DEFAULT NULL, [OriginInstallationId] uniqueidentifier NULL, [OriginTaskId] bigint NULL);
CREATE TABLE #members ([Ord] int NOT NULL, [Disposition] tinyint NOT NULL, [MembershipGuid] uniqueidentifier NULL, [State] varchar(16) COLLATE DATABASE_DEFAULT NULL, [OriginInstallationId] uniqueidentifier NULL, [OriginMembershipId] bigint NULL);
CREATE TABLE #map ([RecordId] bigint NOT NULL, [RecordGuid] uniqueidentifier NOT NULL PRIMARY KEY);`
	wantClassifyRecords = `UPDATE k SET [Disposition] = 1 FROM #records AS k
WHERE k.[Disposition] = 0 AND EXISTS (SELECT 1 FROM [dbo].[ChangeRecord] AS c WHERE c.[RecordGuid] = k.[RecordGuid]);
UPDATE k SET [Disposition] = 2 FROM #records AS k
WHERE k.[Disposition] = 0 AND EXISTS (SELECT 1 FROM [dbo].[ChangeRecord] AS c
  WHERE c.[OriginInstallationId] IS NOT NULL AND c.[OriginInstallationId] = k.[OriginInstallationId] AND c.[OriginRecordId] = k.[OriginRecordId]);
UPDATE k SET [Disposition] = 2 FROM #records AS k
WHERE k.[Disposition] = 0 AND k.[OriginInstallationId] = @p1
  AND EXISTS (SELECT 1 FROM [dbo].[ChangeRecord] AS c WHERE c.[OriginInstallationId] IS NULL AND c.[RecordId] = k.[OriginRecordId]);`
	wantClassifyTasks = `UPDATE k SET [Disposition] = 2 FROM #tasks AS k
WHERE EXISTS (SELECT 1 FROM #records AS r WHERE r.[Ord] = k.[ParentOrd] AND r.[Disposition] = 2);
UPDATE k SET [Disposition] = 1 FROM #tasks AS k
WHERE k.[Disposition] = 0 AND EXISTS (SELECT 1 FROM [dbo].[ApprovalTask] AS c WHERE c.[TaskGuid] = k.[TaskGuid]);
UPDATE k SET [Disposition] = 2 FROM #tasks AS k
WHERE k.[Disposition] = 0 AND EXISTS (SELECT 1 FROM [dbo].[ApprovalTask] AS c
  WHERE c.[OriginInstallationId] IS NOT NULL AND c.[OriginInstallationId] = k.[OriginInstallationId] AND c.[OriginTaskId] = k.[OriginTaskId]);
UPDATE k SET [Disposition] = 2 FROM #tasks AS k
WHERE k.[Disposition] = 0 AND k.[OriginInstallationId] = @p1
  AND EXISTS (SELECT 1 FROM [dbo].[ApprovalTask] AS c WHERE c.[OriginInstallationId] IS NULL AND c.[TaskId] = k.[OriginTaskId]);`
	wantClassifyMembers = `UPDATE k SET [Disposition] = 1 FROM #members AS k
WHERE k.[Disposition] = 0 AND EXISTS (SELECT 1 FROM [dbo].[TemporalMembership] AS c WHERE c.[MembershipGuid] = k.[MembershipGuid]);
UPDATE k SET [Disposition] = 2 FROM #members AS k
WHERE k.[Disposition] = 0 AND EXISTS (SELECT 1 FROM [dbo].[TemporalMembership] AS c
  WHERE c.[OriginInstallationId] IS NOT NULL AND c.[OriginInstallationId] = k.[OriginInstallationId] AND c.[OriginMembershipId] = k.[OriginMembershipId]);
UPDATE k SET [Disposition] = 2 FROM #members AS k
WHERE k.[Disposition] = 0 AND k.[OriginInstallationId] = @p1
  AND EXISTS (SELECT 1 FROM [dbo].[TemporalMembership] AS c WHERE c.[OriginInstallationId] IS NULL AND c.[MembershipId] = k.[OriginMembershipId]);`
	wantDispositions = `SELECT 1 AS [Entity], [Ord], [Disposition] FROM #records WHERE [Disposition] <> 0
UNION ALL SELECT 2, [Ord], [Disposition] FROM #tasks WHERE [Disposition] <> 0
UNION ALL SELECT 3, [Ord], [Disposition] FROM #members WHERE [Disposition] <> 0
ORDER BY [Entity], [Ord];`
	wantInsertRecords = `INSERT INTO [dbo].[ChangeRecord] ([RecordGuid], [ChangeTimeUtc], [ObjectDn], [OriginInstallationId], [OriginRecordId]) OUTPUT inserted.[RecordId], inserted.[RecordGuid] INTO #map ([RecordId], [RecordGuid]) SELECT k.[RecordGuid], k.[ChangeTimeUtc], k.[ObjectDn], k.[OriginInstallationId], k.[OriginRecordId] FROM #records AS k WHERE k.[Disposition] = 0 ORDER BY k.[Ord];`
	wantInsertAttrs   = `INSERT INTO [dbo].[ChangeRecordAttribute] ([RecordId], [Seq], [AttributeName], [NewValue]) SELECT m.[RecordId], a.[Seq], a.[AttributeName], a.[NewValue] FROM #attrs AS a JOIN #map AS m ON m.[RecordGuid] = a.[ParentGuid];`
	wantInsertTasks   = `INSERT INTO [dbo].[ApprovalTask] ([TaskGuid], [RecordGuid], [Status], [OriginInstallationId], [OriginTaskId]) SELECT k.[TaskGuid], k.[RecordGuid], k.[Status], k.[OriginInstallationId], k.[OriginTaskId] FROM #tasks AS k WHERE k.[Disposition] = 0 ORDER BY k.[Ord];`
	wantInsertMembers = `INSERT INTO [dbo].[TemporalMembership] ([MembershipGuid], [State], [OriginInstallationId], [OriginMembershipId]) SELECT k.[MembershipGuid], k.[State], k.[OriginInstallationId], k.[OriginMembershipId] FROM #members AS k WHERE k.[Disposition] = 0 ORDER BY k.[Ord];`
	wantHistDropEnd   = `DROP TABLE #records; DROP TABLE #attrs; DROP TABLE #tasks; DROP TABLE #members; DROP TABLE #map;`
)

func guid(n byte) data.UUID {
	return data.MustUUID("00000000-0000-4000-8000-0000000000" + string("0123456789abcdef"[n/16]) + string("0123456789abcdef"[n%16]))
}

var srcIID = data.MustUUID("6ba7c1d2-7a3e-4f0b-9b8e-2c5d4e3f1a00")

// testBatch: record 1 new (2 attributes, task 11), record 2 a duplicate
// (task 12, new), record 3 a conflict (task 13); membership 21 new, 22 a duplicate.
func testBatch() *store.HistoryBatch {
	when := time.Date(2021, 3, 14, 9, 15, 30, 7e6, time.UTC)
	rec := func(g byte, id int64) data.Row {
		return data.Row{data.NullValue(), data.GUIDValue(guid(g)), data.TimeValue(when), data.StringValue("CN=x"), data.GUIDValue(srcIID), data.IntValue(id)}
	}
	attr := func(seq int64, v data.Value) data.Row {
		return data.Row{data.NullValue(), data.IntValue(seq), data.StringValue("description"), v}
	}
	task := func(g, r byte, id int64) data.Row {
		return data.Row{data.NullValue(), data.GUIDValue(guid(g)), data.GUIDValue(guid(r)), data.StringValue("Approved"), data.GUIDValue(srcIID), data.IntValue(id)}
	}
	mem := func(g byte, id int64) data.Row {
		return data.Row{data.NullValue(), data.GUIDValue(guid(g)), data.StringValue("Finished"), data.GUIDValue(srcIID), data.IntValue(id)}
	}
	return &store.HistoryBatch{Seq: 3,
		Records: []store.HistoryRecord{
			{Record: rec(1, 101), Attributes: []data.Row{attr(1, data.StringValue("Sales")), attr(2, data.NullValue())}, Tasks: []data.Row{task(11, 1, 1)}},
			{Record: rec(2, 102), Tasks: []data.Row{task(12, 2, 2)}},
			{Record: rec(3, 103), Tasks: []data.Row{task(13, 3, 3)}},
		},
		Memberships: []data.Row{mem(21, 1), mem(22, 2)},
	}
}

func wantBatchResult() *store.HistoryBatchResult {
	return &store.HistoryBatchResult{RecordsAdded: 1, RecordsDuplicate: 1, TasksAdded: 2, MembershipsAdded: 1, MembershipsDuplicate: 1,
		AttributesAdded: 2, Conflicts: map[string][]data.UUID{"ChangeRecord": {guid(3)}, "ApprovalTask": {guid(13)}}}
}

func ui(g byte) mssql.UniqueIdentifier { return mssql.UniqueIdentifier(guid(g)) }

// expectBatchTail pins what follows the temp-table fill.
func expectBatchTail(m sqlmock.Sqlmock) {
	iid := mssql.UniqueIdentifier(data.MustUUID(testIID))
	m.ExpectExec(wantClassifyRecords).WithArgs(iid).WillReturnResult(sqlmock.NewResult(0, 2))
	m.ExpectExec(wantClassifyTasks).WithArgs(iid).WillReturnResult(sqlmock.NewResult(0, 1))
	m.ExpectExec(wantClassifyMembers).WithArgs(iid).WillReturnResult(sqlmock.NewResult(0, 1))
	m.ExpectQuery(wantDispositions).WithoutArgs().WillReturnRows(sqlmock.NewRows([]string{"e", "o", "d"}).
		AddRow(int64(1), int64(1), int64(1)).AddRow(int64(1), int64(2), int64(2)).AddRow(int64(2), int64(2), int64(2)).AddRow(int64(3), int64(1), int64(1)))
	m.ExpectExec(wantInsertRecords).WithoutArgs().WillReturnResult(sqlmock.NewResult(0, 1))
	m.ExpectExec(wantInsertAttrs).WithoutArgs().WillReturnResult(sqlmock.NewResult(0, 2))
	m.ExpectExec(wantInsertTasks).WithoutArgs().WillReturnResult(sqlmock.NewResult(0, 2))
	m.ExpectExec(wantInsertMembers).WithoutArgs().WillReturnResult(sqlmock.NewResult(0, 1))
	m.ExpectExec(wantHistDropEnd).WithoutArgs().WillReturnResult(sqlmock.NewResult(0, 0))
	m.ExpectCommit()
}

func expectBatchHead(m sqlmock.Sqlmock) {
	expectInfo(m, g3History, g3Settings)
	m.ExpectQuery(`SELECT [Value] FROM [dbo].[Settings] WHERE [Name] = N'InstallationId';`).WillReturnRows(sqlmock.NewRows([]string{"v"}).AddRow(testIID))
	expectBatchStart(m)
}

// expectBatchStart pins a batch's transaction and its temp tables.
func expectBatchStart(m sqlmock.Sqlmock) {
	m.ExpectBegin()
	m.ExpectExec(wantHistDrop).WillReturnResult(sqlmock.NewResult(0, 0))
	m.ExpectExec(wantHistCreate).WillReturnResult(sqlmock.NewResult(0, 0))
}

// writeBatchesBulkOn writes n test batches, each with the usual result, and
// checks that bulk copy stayed on without a warning.
func writeBatchesBulkOn(t *testing.T, d *Database, n int, warned *[]string) {
	t.Helper()
	for i := range n {
		res, err := d.WriteHistoryBatch(context.Background(), testBatch())
		if err != nil {
			t.Fatalf("batch %d: %v", i+1, err)
		}
		if diff := cmp.Diff(wantBatchResult(), res); diff != "" {
			t.Errorf("batch %d result (-want +got):\n%s", i+1, diff)
		}
	}
	if len(*warned) != 0 || d.bulkOff.Load() {
		t.Errorf("bulk copy off: %v, warnings %q", d.bulkOff.Load(), *warned)
	}
}

func TestHistoryBatchRowByRow(t *testing.T) {
	d, m := newMock(t, OpenOptions{RowByRow: true}, nil)
	expectBatchHead(m)
	expectRowByRowFill(m)
	expectBatchTail(m)
	res, err := d.WriteHistoryBatch(context.Background(), testBatch())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantBatchResult(), res); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
}

// A server that refuses bulk copy into the session's temp tables: the batch
// is rolled back, tried again with bulk copy, then written row by row;
// the caller is warned once, and the result is the same.
func TestHistoryBatchBulkUnavailable(t *testing.T) {
	var warned []string
	d, m := newMock(t, OpenOptions{Warn: func(code, msg string) { warned = append(warned, code+" "+msg) }}, nil)
	expectBatchHead(m)
	m.ExpectQuery("SELECT TOP (0) * FROM #records;").WillReturnRows(sqlmock.NewRows([]string{"Ord", "Disposition", "RecordGuid", "ChangeTimeUtc", "ObjectDn", "OriginInstallationId", "OriginRecordId"}))
	m.ExpectPrepare(mssql.CopyIn("#records", mssql.BulkOptions{KeepNulls: true}, "Ord", "Disposition", "RecordGuid", "ChangeTimeUtc", "ObjectDn", "OriginInstallationId", "OriginRecordId")).
		WillReturnError(mssql.Error{Number: 4834, Message: "You do not have permission to use the bulk load statement."})
	m.ExpectRollback()
	// Again with bulk copy cut at other rows (a request can fail for its
	// bytes alone: TestHistoryBatchBulkRetried), refused each time: row by
	// row from now on.
	for range bulkRetryChunkRows {
		expectBatchStart(m)
		m.ExpectPrepare(mssql.CopyIn("#records", mssql.BulkOptions{KeepNulls: true}, "Ord", "Disposition", "RecordGuid", "ChangeTimeUtc", "ObjectDn", "OriginInstallationId", "OriginRecordId")).
			WillReturnError(mssql.Error{Number: 4834, Message: "You do not have permission to use the bulk load statement."})
		m.ExpectRollback()
	}
	expectBatchStart(m)
	expectRowByRowFill(m)
	expectBatchTail(m)
	res, err := d.WriteHistoryBatch(context.Background(), testBatch())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantBatchResult(), res); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
	if len(warned) != 1 || !strings.HasPrefix(warned[0], WarnBulkCopyUnavailable) || !strings.Contains(warned[0], "permission") {
		t.Errorf("warnings %q", warned)
	}
}

// expectRowByRowFill pins the parameterised INSERTs that fill the temp tables.
func expectRowByRowFill(m sqlmock.Sqlmock) {
	when := datetime2Param(time.Date(2021, 3, 14, 9, 15, 30, 7e6, time.UTC))
	src := mssql.UniqueIdentifier(srcIID)
	p := m.ExpectPrepare(`INSERT INTO #records ([Ord], [Disposition], [RecordGuid], [ChangeTimeUtc], [ObjectDn], [OriginInstallationId], [OriginRecordId]) VALUES (@p1, @p2, @p3, @p4, @p5, @p6, @p7);`)
	for i := int64(0); i < 3; i++ {
		p.ExpectExec().WithArgs(int32(i), byte(0), ui(byte(i+1)), when, "CN=x", src, 101+i).WillReturnResult(sqlmock.NewResult(0, 1))
	}
	p = m.ExpectPrepare(`INSERT INTO #attrs ([ParentGuid], [RecordId], [Seq], [AttributeName], [NewValue]) VALUES (@p1, @p2, @p3, @p4, @p5);`)
	// NULLs go out typed as their columns: bigint, nvarchar.
	p.ExpectExec().WithArgs(ui(1), sql.NullInt64{}, int32(1), "description", "Sales").WillReturnResult(sqlmock.NewResult(0, 1))
	p.ExpectExec().WithArgs(ui(1), sql.NullInt64{}, int32(2), "description", sql.NullString{}).WillReturnResult(sqlmock.NewResult(0, 1))
	p = m.ExpectPrepare(`INSERT INTO #tasks ([Ord], [Disposition], [ParentOrd], [TaskGuid], [RecordGuid], [Status], [OriginInstallationId], [OriginTaskId]) VALUES (@p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8);`)
	for i := int64(0); i < 3; i++ {
		p.ExpectExec().WithArgs(int32(i), byte(0), int32(i), ui(byte(11+i)), ui(byte(1+i)), mssql.VarChar("Approved"), src, i+1).WillReturnResult(sqlmock.NewResult(0, 1))
	}
	p = m.ExpectPrepare(`INSERT INTO #members ([Ord], [Disposition], [MembershipGuid], [State], [OriginInstallationId], [OriginMembershipId]) VALUES (@p1, @p2, @p3, @p4, @p5, @p6);`)
	for i := int64(0); i < 2; i++ {
		p.ExpectExec().WithArgs(int32(i), byte(0), ui(byte(21+i)), mssql.VarChar("Finished"), src, i+1).WillReturnResult(sqlmock.NewResult(0, 1))
	}
}

// A batch whose bulk copy fails at every chunking, after bulk copy has
// worked for an earlier batch, goes row by row alone: no warning, and the
// next batch bulk-copies again.
func TestHistoryBatchBulkUnluckyBatch(t *testing.T) {
	var warned []string
	d, m := newMock(t, OpenOptions{Warn: func(code, msg string) { warned = append(warned, code+" "+msg) }}, nil)
	expectBatchHead(m)
	expectBulkFill(m, true, nil)
	expectBatchTail(m)
	bad := func(q *sqlmock.ExpectedQuery) {
		q.WillReturnError(mssql.Error{Number: 4815, Message: "The incoming tabular data stream (TDS) Bulk Load Request (BulkLoadBCP) protocol stream is incorrect."})
	}
	for range 1 + len(bulkRetryChunkRows) {
		expectBatchStart(m)
		expectBulkFill(m, false, bad)
		m.ExpectRollback()
	}
	expectBatchStart(m)
	expectRowByRowFill(m)
	expectBatchTail(m)
	expectBatchStart(m)
	expectBulkFill(m, false, nil)
	expectBatchTail(m)
	writeBatchesBulkOn(t, d, 3, &warned)
}

// expectBulkFill pins the bulk copies that fill the temp tables and the
// count that checks them (checkFill); meta: the Database has not read the
// temp tables' column names yet (bulkNames keeps them); count answers the
// count, nil for every row arrived.
func expectBulkFill(m sqlmock.Sqlmock, meta bool, count func(q *sqlmock.ExpectedQuery)) {
	when := time.Date(2021, 3, 14, 9, 15, 30, 7e6, time.UTC)
	src := mssql.UniqueIdentifier(srcIID)
	temp := mssql.BulkOptions{KeepNulls: true}
	columns := func(table string, cols ...string) {
		if meta {
			m.ExpectQuery("SELECT TOP (0) * FROM " + table + ";").WillReturnRows(sqlmock.NewRows(cols))
		}
	}
	recCols := []string{"Ord", "Disposition", "RecordGuid", "ChangeTimeUtc", "ObjectDn", "OriginInstallationId", "OriginRecordId"}
	columns("#records", recCols...)
	p := m.ExpectPrepare(mssql.CopyIn("#records", temp, recCols...))
	for i := int64(0); i < 3; i++ {
		// bulk copy takes plain Go values: time.Time, not a datetime2 wrapper
		p.ExpectExec().WithArgs(i, int64(0), ui(byte(i+1)), when, "CN=x", src, 101+i).WillReturnResult(sqlmock.NewResult(0, 0))
	}
	p.ExpectExec().WithoutArgs().WillReturnResult(sqlmock.NewResult(0, 3))
	attrCols := []string{"ParentGuid", "RecordId", "Seq", "AttributeName", "NewValue"}
	columns("#attrs", attrCols...)
	p = m.ExpectPrepare(mssql.CopyIn("#attrs", temp, attrCols...))
	p.ExpectExec().WithArgs(ui(1), nil, int64(1), "description", "Sales").WillReturnResult(sqlmock.NewResult(0, 0))
	p.ExpectExec().WithArgs(ui(1), nil, int64(2), "description", nil).WillReturnResult(sqlmock.NewResult(0, 0))
	p.ExpectExec().WithoutArgs().WillReturnResult(sqlmock.NewResult(0, 2))
	taskCols := []string{"Ord", "Disposition", "ParentOrd", "TaskGuid", "RecordGuid", "Status", "OriginInstallationId", "OriginTaskId"}
	columns("#tasks", taskCols...)
	p = m.ExpectPrepare(mssql.CopyIn("#tasks", temp, taskCols...))
	for i := int64(0); i < 3; i++ {
		p.ExpectExec().WithArgs(i, int64(0), i, ui(byte(11+i)), ui(byte(1+i)), "Approved", src, i+1).WillReturnResult(sqlmock.NewResult(0, 0))
	}
	p.ExpectExec().WithoutArgs().WillReturnResult(sqlmock.NewResult(0, 3))
	memCols := []string{"Ord", "Disposition", "MembershipGuid", "State", "OriginInstallationId", "OriginMembershipId"}
	columns("#members", memCols...)
	p = m.ExpectPrepare(mssql.CopyIn("#members", temp, memCols...))
	for i := int64(0); i < 2; i++ {
		p.ExpectExec().WithArgs(i, int64(0), ui(byte(21+i)), "Finished", src, i+1).WillReturnResult(sqlmock.NewResult(0, 0))
	}
	p.ExpectExec().WithoutArgs().WillReturnResult(sqlmock.NewResult(0, 2))
	q := m.ExpectQuery(sqlHistTempCounts).WithoutArgs()
	if count == nil {
		q.WillReturnRows(tempCounts(3, 2, 3, 2))
	} else {
		count(q)
	}
}

func tempCounts(records, attrs, tasks, members int64) *sqlmock.Rows {
	return sqlmock.NewRows([]string{"r", "a", "t", "m"}).AddRow(records, attrs, tasks, members)
}

func TestHistoryBatchBulk(t *testing.T) {
	d, m := newMock(t, OpenOptions{}, nil)
	expectBatchHead(m)
	expectBulkFill(m, true, nil)
	expectBatchTail(m)
	res, err := d.WriteHistoryBatch(context.Background(), testBatch())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantBatchResult(), res); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
}

// A bulk load request that the server cannot read (some servers fail one
// whose end straddles two network packets) is reported on the statement
// after it, the check of the temp tables; a check that finds rows missing is
// the same failure. The batch is rolled back and written again with bulk
// copy, with no warning, and the next batch still uses bulk copy: one unlucky
// request must not send the rest of an import down the row-by-row path,
// whose cost per record is many times bulk copy's.
func TestHistoryBatchBulkRetried(t *testing.T) {
	for _, c := range []struct {
		name string
		fail func(q *sqlmock.ExpectedQuery)
	}{
		{"the server reports the bad request", func(q *sqlmock.ExpectedQuery) {
			q.WillReturnError(mssql.Error{Number: 4815, Message: "The incoming tabular data stream (TDS) Bulk Load Request (BulkLoadBCP) protocol stream is incorrect."})
		}},
		{"rows are missing", func(q *sqlmock.ExpectedQuery) { q.WillReturnRows(tempCounts(3, 1, 3, 2)) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			var warned []string
			d, m := newMock(t, OpenOptions{Warn: func(code, msg string) { warned = append(warned, code+" "+msg) }}, nil)
			expectBatchHead(m)
			expectBulkFill(m, true, c.fail)
			m.ExpectRollback()
			expectBatchStart(m)
			expectBulkFill(m, false, nil)
			expectBatchTail(m)
			// The next batch: bulk copy again.
			expectBatchStart(m)
			expectBulkFill(m, false, nil)
			expectBatchTail(m)
			writeBatchesBulkOn(t, d, 2, &warned)
		})
	}
}

func TestHistoryBatchRollsBackOnError(t *testing.T) {
	d, m := newMock(t, OpenOptions{RowByRow: true}, nil)
	expectBatchHead(m)
	m.ExpectPrepare(`INSERT INTO #records ([Ord], [Disposition], [RecordGuid], [ChangeTimeUtc], [ObjectDn], [OriginInstallationId], [OriginRecordId]) VALUES (@p1, @p2, @p3, @p4, @p5, @p6, @p7);`).
		ExpectExec().WillReturnError(mssql.Error{Number: 1205, Message: "deadlock victim"})
	m.ExpectRollback()
	_, err := d.WriteHistoryBatch(context.Background(), testBatch())
	if err == nil || !IsTransient(err) {
		t.Fatalf("err = %v, want a transient error", err)
	}
}
