package sqlserver

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/DATA-DOG/go-sqlmock"
	mssql "github.com/microsoft/go-mssqldb"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/store"
)

func TestStartAndFinishRun(t *testing.T) {
	d, m := newMock(t, OpenOptions{}, nil)
	src := data.MustUUID("3b0f6c2e-9a41-4d5e-8c7b-1e2f3a4b5c6d")
	from := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 0, 31)
	started := time.Date(2024, 6, 1, 12, 0, 0, 123e6, time.UTC)
	now := time.Date(2024, 6, 1, 12, 0, 1, 456e6, time.UTC)
	m.ExpectQuery(`INSERT INTO [dbo].[ImportRun] ([Kind], [SourceInstallationId], [SourceVersion], [SourceServer], [SourceDatabase],
  [Mode], [RangeFromUtc], [RangeToUtc], [CutoffUtc], [StartedUtc], [Outcome], [AddedCount], [SkippedCount], [Report])
OUTPUT inserted.[ImportRunId], CAST(SYSUTCDATETIME() AS datetime2(3))
VALUES (@p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, COALESCE(@p10, CAST(SYSUTCDATETIME() AS datetime2(3))), 'Running', 0, 0, NULL);`).
		WithArgs(mssql.VarChar("History"), mssql.UniqueIdentifier(src), mssql.VarChar("7.6.3"), "SQL01", "ARHistory",
			mssql.VarChar("DateRange"), datetime2Param(from), datetime2Param(to), mssql.NullDateTime{}, datetime2Param(started)).
		WillReturnRows(sqlmock.NewRows([]string{"id", "now"}).AddRow(int64(7), now))
	id, got, err := d.StartRun(context.Background(), store.ImportRun{Kind: "History", SourceInstallationID: src, SourceVersion: "7.6.3",
		SourceServer: "SQL01", SourceDatabase: "ARHistory", Mode: "DateRange", RangeFromUTC: &from, RangeToUTC: &to, StartedUTC: started})
	if err != nil || id != 7 || !got.Equal(now) {
		t.Fatalf("id=%d now=%v err=%v", id, got, err)
	}

	fin := now.Add(time.Minute)
	m.ExpectExec(`UPDATE [dbo].[ImportRun]
SET [Outcome] = @p1, [FinishedUtc] = COALESCE(@p2, CAST(SYSUTCDATETIME() AS datetime2(3))), [CutoffUtc] = COALESCE(@p3, [CutoffUtc]),
  [AddedCount] = @p4, [SkippedCount] = @p5, [Report] = @p6
WHERE [ImportRunId] = @p7;`).
		WithArgs(mssql.VarChar("Succeeded"), datetime2Param(fin), datetime2Param(now), int64(10), int64(2), "[]", int64(7)).
		WillReturnResult(sqlmock.NewResult(0, 1))
	if err := d.FinishRun(context.Background(), 7, store.RunFinish{Outcome: "Succeeded", FinishedUTC: fin, CutoffUTC: &now, AddedCount: 10, SkippedCount: 2}); err != nil {
		t.Fatal(err)
	}
	m.ExpectExec(`UPDATE [dbo].[ImportRun] SET [Outcome] = @p1, [FinishedUtc] = COALESCE(@p2, CAST(SYSUTCDATETIME() AS datetime2(3))), [CutoffUtc] = COALESCE(@p3, [CutoffUtc]), [AddedCount] = @p4, [SkippedCount] = @p5, [Report] = @p6 WHERE [ImportRunId] = @p7;`).
		WillReturnResult(sqlmock.NewResult(0, 0))
	if err := d.FinishRun(context.Background(), 8, store.RunFinish{Outcome: "Failed"}); err == nil {
		t.Fatal("missing run not reported")
	}
}

var configCatalog = []mtable{
	{"PolicyLink", []mcol{
		{name: "PolicyGuid", typ: "uniqueidentifier", key: 1},
		{name: "LinkOrder", typ: "int", key: 2},
		{name: "TargetDn", typ: "nvarchar", maxLen: 4096},
	}},
	settingsTable,
	{"WebInterfaceBinding", []mcol{
		{name: "BindingId", typ: "int", ident: true, key: 1},
		{name: "SiteGuid", typ: "uniqueidentifier"},
		{name: "IisSiteName", typ: "nvarchar", maxLen: 512},
		{name: "BindingState", typ: "varchar", maxLen: 8},
	}},
	{"WebInterfaceSite", []mcol{
		{name: "SiteGuid", typ: "uniqueidentifier", key: 1},
		{name: "Name", typ: "nvarchar", maxLen: 1024},
		{name: "IsBuiltIn", typ: "bit"},
		{name: "ModifiedUtc", typ: "datetime2", scale: 3},
	}},
}

func TestConfigTransaction(t *testing.T) {
	d, m := newMock(t, OpenOptions{}, nil)
	expectInfo(m, configCatalog, map[string]string{"SchemaVersion": "8.2.0"})
	ctx := context.Background()
	site := data.MustUUID("9d2e5c1a-4b7f-4e21-a3c8-0f1e2d3c4b5a")
	when := time.Date(2024, 6, 1, 12, 0, 0, 5e6, time.UTC)

	m.ExpectBegin()
	m.ExpectExec(`DELETE FROM [dbo].[WebInterfaceBinding];`).WillReturnResult(sqlmock.NewResult(0, 3))
	// Few rows: parameterised INSERT, identity column left out, varchar as varchar.
	prep := m.ExpectPrepare(`INSERT INTO [dbo].[WebInterfaceBinding] ([SiteGuid], [IisSiteName], [BindingState]) VALUES (@p1, @p2, @p3);`)
	prep.ExpectExec().WithArgs(mssql.UniqueIdentifier(site), "Default Web Site", mssql.VarChar("Legacy")).WillReturnResult(sqlmock.NewResult(1, 1))
	// Many rows: bulk copy into dbo.PolicyLink in the transaction.
	links := make([]data.Row, bulkThreshold)
	bulk := mssql.CopyIn("dbo.PolicyLink", mssql.BulkOptions{KeepNulls: true, CheckConstraints: true, FireTriggers: true}, "PolicyGuid", "LinkOrder", "TargetDn")
	if !strings.Contains(bulk, `"TableName":"dbo.PolicyLink"`) || !strings.Contains(bulk, `"CheckConstraints":true`) || !strings.Contains(bulk, `"KeepNulls":true`) {
		t.Fatalf("bulk statement %s", bulk)
	}
	// Bulk copy matches names against result metadata exactly: the names
	// sent are the server's spelling of the columns, whatever the catalog said.
	m.ExpectQuery(`SELECT TOP (0) * FROM [dbo].[PolicyLink];`).WillReturnRows(sqlmock.NewRows([]string{"policyguid", "LINKORDER", "TargetDn"}))
	bulk = mssql.CopyIn("dbo.PolicyLink", mssql.BulkOptions{KeepNulls: true, CheckConstraints: true, FireTriggers: true}, "policyguid", "LINKORDER", "TargetDn")
	bp := m.ExpectPrepare(bulk)
	for i := range links {
		links[i] = data.Row{data.GUIDValue(site), data.IntValue(int64(i + 1)), data.StringValue("OU=X")}
		bp.ExpectExec().WithArgs(mssql.UniqueIdentifier(site), int64(i+1), "OU=X").WillReturnResult(sqlmock.NewResult(0, 0))
	}
	bp.ExpectExec().WithoutArgs().WillReturnResult(sqlmock.NewResult(0, int64(len(links))))
	// Update by primary key; bit as bool, datetime2 as datetime2.
	m.ExpectExec(`UPDATE [dbo].[WebInterfaceSite] SET [Name] = @p1, [IsBuiltIn] = @p2, [ModifiedUtc] = @p3 WHERE [SiteGuid] = @p4;`).
		WithArgs("Site for Administrators (7.6)", true, datetime2Param(when), mssql.UniqueIdentifier(site)).WillReturnResult(sqlmock.NewResult(0, 1))
	m.ExpectCommit()

	tx, err := d.BeginConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.DeleteAll(ctx, "WebInterfaceBinding"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Insert(ctx, "WebInterfaceBinding", []data.Row{{data.NullValue(), data.GUIDValue(site), data.StringValue("Default Web Site"), data.StringValue("Legacy")}}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Insert(ctx, "PolicyLink", links); err != nil {
		t.Fatal(err)
	}
	if err := tx.Update(ctx, "WebInterfaceSite", []data.Row{{data.GUIDValue(site), data.StringValue("Site for Administrators (7.6)"), data.IntValue(1), data.TimeValue(when)}}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Insert(ctx, "WebInterfaceSite", []data.Row{{data.StringValue("wrong kind")}}); err == nil {
		t.Fatal("short row accepted")
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatalf("rollback after commit: %v", err)
	}
}

func TestConfigRollback(t *testing.T) {
	d, m := newMock(t, OpenOptions{}, nil)
	expectInfo(m, configCatalog, nil)
	m.ExpectBegin()
	m.ExpectExec(`DELETE FROM [dbo].[PolicyLink];`).WillReturnError(mssql.Error{Number: 547, Message: "conflicted with the REFERENCE constraint"})
	m.ExpectRollback()
	ctx := context.Background()
	tx, err := d.BeginConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	err = tx.DeleteAll(ctx, "PolicyLink")
	if ErrorNumber(err) != 547 || IsTransient(err) {
		t.Fatalf("err %v", err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestIdentifierQuoting(t *testing.T) {
	if got := quoteIdent("a]b"); got != "[a]]b]" {
		t.Errorf("quoteIdent = %s", got)
	}
	if got := quoteList("t.", []string{"x]", "y"}); got != "t.[x]]], t.[y]" {
		t.Errorf("quoteList = %s", got)
	}
	for _, bad := range []string{"a]b", "x; DROP TABLE y", "", "1abc", "a b"} {
		if checkIdent("table", bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	// A catalog name outside the pattern is never put into SQL.
	d, m := newMock(t, OpenOptions{}, nil)
	expectInfo(m, []mtable{{"Bad]Name", []mcol{{name: "Id", typ: "int", key: 1}}}}, nil)
	if _, err := d.Scan(context.Background(), "Bad]Name"); err == nil {
		t.Fatal("table name with ] scanned")
	}
}

func TestCreateDatabase(t *testing.T) {
	db, m, err := sqlmock.New(sqlmock.QueryMatcherOption(sqlmock.QueryMatcherEqual), sqlmock.ValueConverterOption(passConverter{}))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	name := "ActiveRoles]820"
	m.ExpectQuery(`SELECT CASE WHEN DB_ID(@p1) IS NULL THEN 0 ELSE 1 END;`).WithArgs(name).WillReturnRows(sqlmock.NewRows([]string{"x"}).AddRow(int64(0)))
	m.ExpectExec(`DECLARE @sql nvarchar(max) = N'CREATE DATABASE ' + QUOTENAME(@p1) + N';';
EXEC sys.sp_executesql @sql;`).WithArgs(name).WillReturnResult(sqlmock.NewResult(0, 0))
	if err := createDatabase(context.Background(), db, testOptions(), name); err != nil {
		t.Fatal(err)
	}
	m.ExpectQuery(`SELECT CASE WHEN DB_ID(@p1) IS NULL THEN 0 ELSE 1 END;`).WithArgs("ActiveRoles820").WillReturnRows(sqlmock.NewRows([]string{"x"}).AddRow(int64(1)))
	err = createDatabase(context.Background(), db, testOptions(), "ActiveRoles820")
	if !errors.Is(err, ErrDatabaseExists) || !strings.Contains(err.Error(), "ActiveRoles820") {
		t.Fatalf("err %v", err)
	}
	if err := createDatabase(context.Background(), db, testOptions(), strings.Repeat("x", 129)); err == nil {
		t.Fatal("long name accepted")
	}
	// Azure SQL Database: CREATE DATABASE alone in its batch, name quoted here.
	az := testOptions()
	az.DatabaseType = AzureSQL
	m.ExpectQuery(`SELECT CASE WHEN DB_ID(@p1) IS NULL THEN 0 ELSE 1 END;`).WithArgs(name).WillReturnRows(sqlmock.NewRows([]string{"x"}).AddRow(int64(0)))
	m.ExpectExec(`CREATE DATABASE [ActiveRoles]]820];`).WithoutArgs().WillReturnResult(sqlmock.NewResult(0, 0))
	if err := createDatabase(context.Background(), db, az, name); err != nil {
		t.Fatal(err)
	}
	if err := m.ExpectationsWereMet(); err != nil {
		t.Fatal(err)
	}
}

func TestInitialize(t *testing.T) {
	d, m := newMock(t, OpenOptions{}, nil)
	ddl := []string{"CREATE TABLE dbo.Settings (Name nvarchar(64) NOT NULL CONSTRAINT PK_Settings PRIMARY KEY, Value nvarchar(400) NULL);", "  ", "CREATE INDEX X ON dbo.Settings (Value);"}
	blank := `SELECT COUNT(*) FROM sys.tables WHERE is_ms_shipped = 0;`
	m.ExpectBegin()
	m.ExpectQuery(blank).WillReturnRows(sqlmock.NewRows([]string{"n"}).AddRow(int64(0)))
	m.ExpectExec(ddl[0]).WillReturnResult(sqlmock.NewResult(0, 0))
	m.ExpectExec(ddl[2]).WillReturnResult(sqlmock.NewResult(0, 0))
	for _, kv := range [][2]string{{"DatabaseRole", "Configuration"}, {"InstallationId", testIID}, {"SchemaVersion", "8.2.0"}} {
		m.ExpectExec(`INSERT INTO [dbo].[Settings] ([Name], [Value]) VALUES (@p1, @p2);`).WithArgs(kv[0], kv[1]).WillReturnResult(sqlmock.NewResult(0, 1))
	}
	m.ExpectCommit()
	err := d.Initialize(context.Background(), nil, ddl, map[string]string{"SchemaVersion": "8.2.0", "DatabaseRole": "Configuration", "InstallationId": testIID})
	if err != nil {
		t.Fatal(err)
	}
	m.ExpectBegin()
	m.ExpectQuery(blank).WillReturnRows(sqlmock.NewRows([]string{"n"}).AddRow(int64(0)))
	m.ExpectExec(ddl[0]).WillReturnError(mssql.Error{Number: 2714, Message: "There is already an object named 'Settings'"})
	m.ExpectRollback()
	if err := d.Initialize(context.Background(), nil, ddl, nil); ErrorNumber(err) != 2714 || !strings.Contains(err.Error(), "DDL batch 1 of 3") {
		t.Fatalf("err %v", err)
	}
	// Never on a database that has tables.
	m.ExpectBegin()
	m.ExpectQuery(blank).WillReturnRows(sqlmock.NewRows([]string{"n"}).AddRow(int64(4)))
	m.ExpectRollback()
	if err := d.Initialize(context.Background(), nil, ddl, nil); err == nil || !strings.Contains(err.Error(), "blank") {
		t.Fatalf("err %v", err)
	}
}

func TestPermissionsAndSpace(t *testing.T) {
	d, m := newMock(t, OpenOptions{}, nil)
	m.ExpectQuery(`SELECT COALESCE(HAS_PERMS_BY_NAME(DB_NAME(), N'DATABASE', N'SELECT'), 0),
  COALESCE(HAS_PERMS_BY_NAME(DB_NAME(), N'DATABASE', N'CONTROL'), 0),
  COALESCE(SCHEMA_NAME(), N''), COALESCE(HAS_PERMS_BY_NAME(NULL, NULL, N'CREATE ANY DATABASE'), 0);`).
		WillReturnRows(sqlmock.NewRows([]string{"a", "b", "c", "d"}).AddRow(int64(0), int64(1), "dbo", int64(1)))
	p, err := d.Permissions(context.Background())
	if err != nil || p != (store.Permissions{DataReader: true, DbOwner: true, DefaultSchema: "dbo", CanCreateDatabase: true}) {
		t.Fatalf("p=%+v err=%v", p, err)
	}
	spaceSQL := `SELECT
  CAST(SUM(CAST(FILEPROPERTY(f.name, 'SpaceUsed') AS bigint)) * 8192 AS bigint) AS UsedBytes,
  CAST(SUM(CAST(f.size AS bigint) - CAST(FILEPROPERTY(f.name, 'SpaceUsed') AS bigint)) * 8192 AS bigint) AS FreeInFiles,
  CAST(SUM(CASE WHEN f.growth = 0 OR f.max_size IN (0, -1) THEN 0 ELSE CAST(f.max_size AS bigint) - CAST(f.size AS bigint) END) * 8192 AS bigint) AS Growable,
  SUM(CASE WHEN f.growth <> 0 AND f.max_size = -1 THEN 1 ELSE 0 END) AS UnlimitedFiles,
  COUNT(FILEPROPERTY(f.name, 'SpaceUsed')) AS KnownFiles, COUNT(*) AS Files
FROM sys.database_files AS f
WHERE f.type = 0;`
	cols := []string{"u", "f", "g", "ul", "k", "n"}
	m.ExpectQuery(spaceSQL).WillReturnRows(sqlmock.NewRows(cols).AddRow(int64(8192*100), int64(8192*50), int64(8192*1000), int64(0), int64(1), int64(1)))
	used, free, known, err := d.Space(context.Background())
	if err != nil || !known || used != 8192*100 || free != 8192*1050 {
		t.Fatalf("used=%d free=%d known=%v err=%v", used, free, known, err)
	}
	m.ExpectQuery(spaceSQL).WillReturnRows(sqlmock.NewRows(cols).AddRow(int64(8192), int64(0), int64(0), int64(1), int64(1), int64(1)))
	if _, _, known, err := d.Space(context.Background()); err != nil || known {
		t.Fatalf("unlimited growth: known=%v err=%v", known, err)
	}
	m.ExpectQuery(spaceSQL).WillReturnRows(sqlmock.NewRows(cols).AddRow(nil, nil, nil, int64(0), int64(0), int64(1)))
	if _, _, known, err := d.Space(context.Background()); err != nil || known {
		t.Fatalf("no permission: known=%v err=%v", known, err)
	}
	// A server without FILEPROPERTY: the size is unknown, the import goes on.
	m.ExpectQuery(spaceSQL).WillReturnError(mssql.Error{Number: 195, Message: "'FILEPROPERTY' is not a recognized built-in function name."})
	if _, _, known, err := d.Space(context.Background()); err != nil || known {
		t.Fatalf("no FILEPROPERTY: known=%v err=%v", known, err)
	}
	d.opts.DatabaseType = AzureSQL
	if _, _, known, err := d.Space(context.Background()); err != nil || known {
		t.Fatalf("azure: known=%v err=%v", known, err)
	}
}
