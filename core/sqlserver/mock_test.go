package sqlserver

import (
	"context"
	"database/sql/driver"
	"strings"
	"testing"
	"time"

	"github.com/DATA-DOG/go-sqlmock"
	"github.com/google/go-cmp/cmp"

	"github.com/activeroles/arupgrade/core/data"
)

// passConverter hands parameters to go-sqlmock unchanged, so tests see the
// exact Go types (mssql.VarChar, mssql.UniqueIdentifier, …) the driver would get.
type passConverter struct{}

func (passConverter) ConvertValue(v any) (driver.Value, error) { return v, nil }

func testOptions() Options {
	return Options{Server: "sql01.corp.example.com", Database: "AR", User: "u", Password: secret, CommandTimeout: time.Minute}.withDefaults()
}

// newMock returns a Database on go-sqlmock; expect runs before the Database
// is built (Open's own statements).
func newMock(t *testing.T, oo OpenOptions, expect func(m sqlmock.Sqlmock)) (*Database, sqlmock.Sqlmock) {
	t.Helper()
	db, m, err := sqlmock.New(sqlmock.QueryMatcherOption(sqlmock.QueryMatcherEqual), sqlmock.ValueConverterOption(passConverter{}))
	if err != nil {
		t.Fatal(err)
	}
	if expect != nil {
		expect(m)
	}
	d, err := newDatabase(context.Background(), db, testOptions(), oo)
	if err != nil {
		t.Fatalf("newDatabase: %v", err)
	}
	d.bulkProbed = true // the bulk probe has tests of its own (TestBulkProbe)
	t.Cleanup(func() {
		_ = db.Close()
		if err := m.ExpectationsWereMet(); err != nil {
			t.Errorf("expectations: %v", err)
		}
	})
	return d, m
}

// mcol is one sys.columns row of a fake catalog.
type mcol struct {
	name, typ   string
	maxLen      int // bytes, as sys.columns.max_length
	scale       int
	null, ident bool
	key         int // primary key ordinal, 0 = not in the key
}

type mtable struct {
	name string
	cols []mcol
}

const wantTablesSQL = `SELECT s.name AS SchemaName, t.name AS TableName, c.name AS ColumnName, ty.name AS TypeName,
  c.max_length, c.precision, c.scale, c.is_nullable, c.is_identity, COALESCE(ic.key_ordinal, 0) AS KeyOrdinal
FROM sys.tables AS t
JOIN sys.schemas AS s ON s.schema_id = t.schema_id
JOIN sys.columns AS c ON c.object_id = t.object_id
JOIN sys.types AS ty ON ty.user_type_id = c.user_type_id
LEFT JOIN sys.indexes AS i ON i.object_id = t.object_id AND i.is_primary_key = 1
LEFT JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id AND ic.column_id = c.column_id
WHERE t.is_ms_shipped = 0
ORDER BY s.name, t.name, c.column_id;`

// expectInfo pins the detection statements: the table list, then, only when
// a Settings table exists, the OBJECT_ID check and the Settings read.
func expectInfo(m sqlmock.Sqlmock, tables []mtable, settings map[string]string) {
	rows := sqlmock.NewRows([]string{"SchemaName", "TableName", "ColumnName", "TypeName", "max_length", "precision", "scale", "is_nullable", "is_identity", "KeyOrdinal"})
	hasSettings := false
	for _, t := range tables {
		if strings.EqualFold(t.name, "Settings") {
			hasSettings = true
		}
		for _, c := range t.cols {
			rows.AddRow("dbo", t.name, c.name, c.typ, int64(c.maxLen), int64(0), int64(c.scale), c.null, c.ident, int64(c.key))
		}
	}
	m.ExpectQuery(wantTablesSQL).WithoutArgs().WillReturnRows(rows)
	if !hasSettings {
		return
	}
	m.ExpectQuery(`SELECT CASE WHEN OBJECT_ID(N'dbo.Settings', N'U') IS NULL THEN 0 ELSE 1 END;`).
		WillReturnRows(sqlmock.NewRows([]string{"x"}).AddRow(int64(1)))
	sr := sqlmock.NewRows([]string{"Name", "Value"})
	for _, k := range sortedKeys(settings) {
		sr.AddRow(k, settings[k])
	}
	m.ExpectQuery(`SELECT [Name], [Value] FROM [dbo].[Settings];`).WillReturnRows(sr)
}

func sortedKeys(m map[string]string) []string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	for i := range k {
		for j := i + 1; j < len(k); j++ {
			if k[j] < k[i] {
				k[i], k[j] = k[j], k[i]
			}
		}
	}
	return k
}

var settingsTable = mtable{"Settings", []mcol{{name: "Name", typ: "nvarchar", maxLen: 128, key: 1}, {name: "Value", typ: "nvarchar", maxLen: 800, null: true}}}

// g3History is a cut-down 8.2 history catalog: every column the batch
// statements single out, and one of each interesting type.
var g3History = []mtable{
	{"ApprovalTask", []mcol{
		{name: "TaskId", typ: "bigint", maxLen: 8, ident: true, key: 1},
		{name: "TaskGuid", typ: "uniqueidentifier", maxLen: 16},
		{name: "RecordGuid", typ: "uniqueidentifier", maxLen: 16},
		{name: "Status", typ: "varchar", maxLen: 16},
		{name: "OriginInstallationId", typ: "uniqueidentifier", maxLen: 16, null: true},
		{name: "OriginTaskId", typ: "bigint", maxLen: 8, null: true},
	}},
	{"ChangeRecord", []mcol{
		{name: "RecordId", typ: "bigint", maxLen: 8, ident: true, key: 1},
		{name: "RecordGuid", typ: "uniqueidentifier", maxLen: 16},
		{name: "ChangeTimeUtc", typ: "datetime2", maxLen: 7, scale: 3},
		{name: "ObjectDn", typ: "nvarchar", maxLen: 4096},
		{name: "OriginInstallationId", typ: "uniqueidentifier", maxLen: 16, null: true},
		{name: "OriginRecordId", typ: "bigint", maxLen: 8, null: true},
	}},
	{"ChangeRecordAttribute", []mcol{
		{name: "RecordId", typ: "bigint", maxLen: 8, key: 1},
		{name: "Seq", typ: "int", maxLen: 4, key: 2},
		{name: "AttributeName", typ: "nvarchar", maxLen: 512},
		{name: "NewValue", typ: "nvarchar", maxLen: -1, null: true},
	}},
	settingsTable,
	{"TemporalMembership", []mcol{
		{name: "MembershipId", typ: "bigint", maxLen: 8, ident: true, key: 1},
		{name: "MembershipGuid", typ: "uniqueidentifier", maxLen: 16},
		{name: "State", typ: "varchar", maxLen: 16},
		{name: "OriginInstallationId", typ: "uniqueidentifier", maxLen: 16, null: true},
		{name: "OriginMembershipId", typ: "bigint", maxLen: 8, null: true},
	}},
}

const testIID = "0f8e7d6c-5b4a-4938-8271-605f4e3d2c1b"

var g3Settings = map[string]string{"SchemaVersion": "8.2.0", "DatabaseRole": "ManagementHistory", "InstallationId": testIID}

func TestInfo(t *testing.T) {
	d, m := newMock(t, OpenOptions{}, nil)
	expectInfo(m, g3History, g3Settings)
	in, err := d.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if in.Kind != "sqlserver" || in.Location != "sql01.corp.example.com/AR" {
		t.Errorf("kind %q location %q", in.Kind, in.Location)
	}
	if in.Settings["SchemaVersion"] != "8.2.0" || len(in.Settings) != 3 {
		t.Errorf("settings %v", in.Settings)
	}
	cr := in.Table("ChangeRecord")
	if cr == nil || len(cr.PrimaryKey) != 1 || cr.PrimaryKey[0] != "RecordId" || !cr.Columns[0].Identity {
		t.Fatalf("ChangeRecord %+v", cr)
	}
	checks := []struct {
		table, col, typeName string
		typ                  data.ColType
		maxLen               int
		nullable             bool
	}{
		{"ChangeRecord", "ObjectDn", "nvarchar(2048)", data.TNVarChar, 2048, false},
		{"ChangeRecord", "ChangeTimeUtc", "datetime2(3)", data.TDateTime2, 0, false},
		{"ChangeRecordAttribute", "NewValue", "nvarchar(max)", data.TNVarChar, data.MaxLenMax, true},
		{"ApprovalTask", "Status", "varchar(16)", data.TVarChar, 16, false},
		{"ApprovalTask", "OriginInstallationId", "uniqueidentifier", data.TUniqueID, 0, true},
	}
	for _, c := range checks {
		col := in.Table(c.table).Columns[in.Table(c.table).Index(c.col)]
		if col.TypeName != c.typeName || col.Type != c.typ || col.MaxLen != c.maxLen || col.Nullable != c.nullable {
			t.Errorf("%s.%s = %+v", c.table, c.col, col)
		}
	}
	if k := in.Table("ChangeRecordAttribute").PrimaryKey; len(k) != 2 || k[0] != "RecordId" || k[1] != "Seq" {
		t.Errorf("attribute key %v", k)
	}
}

func TestInfoBlankDatabaseDoesNotQuerySettings(t *testing.T) {
	d, m := newMock(t, OpenOptions{}, nil)
	expectInfo(m, nil, nil) // no OBJECT_ID / Settings expectations: querying them fails the test
	in, err := d.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Tables) != 0 || in.Settings != nil {
		t.Errorf("blank database info %+v", in)
	}
}

func TestScanOrder(t *testing.T) {
	g1 := []mtable{
		{"ApprovalTask", []mcol{{name: "TaskId", typ: "int", ident: true, key: 1}, {name: "RecordId", typ: "int"}, {name: "Created", typ: "datetime"}}},
		{"ChangeHistory", []mcol{{name: "RecordId", typ: "int", ident: true, key: 1}, {name: "ChangeTime", typ: "datetime"}}},
		{"ConfigAttribute", []mcol{{name: "ObjectId", typ: "int", key: 1}, {name: "AttrName", typ: "varchar", maxLen: 64, key: 2}, {name: "ValueIndex", typ: "smallint", key: 3}, {name: "XmlValue", typ: "xml", null: true}}},
	}
	g2 := []mtable{
		{"ApprovalTask", []mcol{{name: "TaskId", typ: "bigint", ident: true, key: 1}, {name: "TaskGuid", typ: "uniqueidentifier"}, {name: "RecordId", typ: "bigint"}}},
		{"ChangeRecord", []mcol{{name: "RecordId", typ: "bigint", ident: true, key: 1}, {name: "RecordGuid", typ: "uniqueidentifier"}, {name: "ChangeTimeUtc", typ: "datetime2", scale: 3}}},
		{"ChangeRecordAttribute", []mcol{{name: "RecordId", typ: "bigint", key: 1}, {name: "Seq", typ: "int", key: 2}}},
		{"ReplicationPartner", []mcol{{name: "PartnerServer", typ: "nvarchar", maxLen: 510, key: 1}, {name: "DatabaseName", typ: "nvarchar", maxLen: 256, key: 2}}},
	}
	tests := []struct {
		name    string
		catalog []mtable
		table   string
		want    string
	}{
		{"G1 records", g1, "ChangeHistory",
			`SELECT t.[RecordId], t.[ChangeTime] FROM [dbo].[ChangeHistory] AS t ORDER BY t.[ChangeTime], t.[RecordId];`},
		{"G1 tasks by record time", g1, "ApprovalTask",
			`SELECT t.[TaskId], t.[RecordId], t.[Created] FROM [dbo].[ApprovalTask] AS t JOIN [dbo].[ChangeHistory] AS r ON r.[RecordId] = t.[RecordId] ORDER BY r.[ChangeTime], r.[RecordId], t.[TaskId];`},
		{"G1 attributes by key", g1, "ConfigAttribute",
			`SELECT t.[ObjectId], t.[AttrName], t.[ValueIndex], t.[XmlValue] FROM [dbo].[ConfigAttribute] AS t ORDER BY t.[ObjectId], t.[AttrName], t.[ValueIndex];`},
		{"G2 records", g2, "ChangeRecord",
			`SELECT t.[RecordId], t.[RecordGuid], t.[ChangeTimeUtc] FROM [dbo].[ChangeRecord] AS t ORDER BY t.[ChangeTimeUtc], t.[RecordId];`},
		{"G2 attributes by record", g2, "ChangeRecordAttribute",
			`SELECT t.[RecordId], t.[Seq] FROM [dbo].[ChangeRecordAttribute] AS t JOIN [dbo].[ChangeRecord] AS r ON r.[RecordId] = t.[RecordId] ORDER BY r.[ChangeTimeUtc], r.[RecordId], t.[Seq];`},
		{"G2 tasks by record id", g2, "ApprovalTask",
			`SELECT t.[TaskId], t.[TaskGuid], t.[RecordId] FROM [dbo].[ApprovalTask] AS t JOIN [dbo].[ChangeRecord] AS r ON r.[RecordId] = t.[RecordId] ORDER BY r.[ChangeTimeUtc], r.[RecordId], t.[TaskId];`},
		{"composite key", g2, "ReplicationPartner",
			`SELECT t.[PartnerServer], t.[DatabaseName] FROM [dbo].[ReplicationPartner] AS t ORDER BY t.[PartnerServer], t.[DatabaseName];`},
		{"G3 tasks by record guid", g3History, "ApprovalTask",
			`SELECT t.[TaskId], t.[TaskGuid], t.[RecordGuid], t.[Status], t.[OriginInstallationId], t.[OriginTaskId] FROM [dbo].[ApprovalTask] AS t JOIN [dbo].[ChangeRecord] AS r ON r.[RecordGuid] = t.[RecordGuid] ORDER BY r.[ChangeTimeUtc], r.[RecordId], t.[TaskId];`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, m := newMock(t, OpenOptions{}, nil)
			expectInfo(m, tc.catalog, nil)
			m.ExpectQuery(tc.want).WithoutArgs().WillReturnRows(sqlmock.NewRows([]string{"x"}))
			rows, err := d.Scan(context.Background(), tc.table)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
			}
			if err := rows.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestScanValues(t *testing.T) {
	catalog := []mtable{{"Policy", []mcol{
		{name: "PolicyGuid", typ: "uniqueidentifier", key: 1},
		{name: "Name", typ: "nvarchar", maxLen: 1024},
		{name: "IsBuiltIn", typ: "bit"},
		{name: "Definition", typ: "xml"},
		{name: "Secret", typ: "varbinary", maxLen: 1024, null: true},
		{name: "CreatedUtc", typ: "datetime2", scale: 3},
		{name: "WhenCreated", typ: "datetime"},
	}}}
	d, m := newMock(t, OpenOptions{}, nil)
	expectInfo(m, catalog, nil)
	g := data.MustUUID("3b0f6c2e-9a41-4d5e-8c7b-1e2f3a4b5c6d")
	sqlOrder := []byte{0x2e, 0x6c, 0x0f, 0x3b, 0x41, 0x9a, 0x5e, 0x4d, 0x8c, 0x7b, 0x1e, 0x2f, 0x3a, 0x4b, 0x5c, 0x6d}
	when := time.Date(2021, 3, 14, 10, 15, 30, 7e6, time.UTC)
	m.ExpectQuery(`SELECT t.[PolicyGuid], t.[Name], t.[IsBuiltIn], t.[Definition], t.[Secret], t.[CreatedUtc], t.[WhenCreated] FROM [dbo].[Policy] AS t ORDER BY t.[PolicyGuid];`).
		WillReturnRows(sqlmock.NewRows([]string{"a", "b", "c", "d", "e", "f", "g"}).
			AddRow(sqlOrder, "Pólicy ]x", true, "<p/>", nil, when, when).
			AddRow(sqlOrder, "", false, "<p/>", []byte{}, when, when))
	rows, err := d.Scan(context.Background(), "Policy")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	want := []data.Row{
		{data.GUIDValue(g), data.StringValue("Pólicy ]x"), data.IntValue(1), data.StringValue("<p/>"), data.NullValue(), data.TimeValue(when), data.TimeValue(when)},
		{data.GUIDValue(g), data.StringValue(""), data.IntValue(0), data.StringValue("<p/>"), data.BytesValue(nil), data.TimeValue(when), data.TimeValue(when)},
	}
	for i := 0; rows.Next(); i++ {
		if !rows.Row().Equal(want[i]) {
			t.Errorf("row %d = %v, want %v", i, rows.Row(), want[i])
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

func TestCount(t *testing.T) {
	d, m := newMock(t, OpenOptions{}, nil)
	expectInfo(m, g3History, g3Settings)
	m.ExpectQuery(`SELECT COUNT_BIG(*) FROM [dbo].[ChangeRecord];`).WillReturnRows(sqlmock.NewRows([]string{"n"}).AddRow(int64(42)))
	n, err := d.Count(context.Background(), "changerecord")
	if err != nil || n != 42 {
		t.Fatalf("n=%d err=%v", n, err)
	}
	if _, err := d.Count(context.Background(), "Nope"); err == nil {
		t.Fatal("unknown table accepted")
	}
}

const wantSnapshotSQL = `SELECT snapshot_isolation_state, DB_NAME() FROM sys.databases WHERE database_id = DB_ID();`

func TestSnapshotOn(t *testing.T) {
	d, m := newMock(t, OpenOptions{Snapshot: true}, func(m sqlmock.Sqlmock) {
		m.ExpectQuery(wantSnapshotSQL).WillReturnRows(sqlmock.NewRows([]string{"s", "n"}).AddRow(int64(1), "AR"))
		m.ExpectBegin()
	})
	expectInfo(m, g3History, g3Settings)
	if _, err := d.Info(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(d.Notes()) != 0 {
		t.Errorf("notes %v", d.Notes())
	}
	// A second scan while the first is open gets its own snapshot transaction.
	m.ExpectQuery(`SELECT t.[RecordId], t.[RecordGuid], t.[ChangeTimeUtc], t.[ObjectDn], t.[OriginInstallationId], t.[OriginRecordId] FROM [dbo].[ChangeRecord] AS t ORDER BY t.[ChangeTimeUtc], t.[RecordId];`).
		WillReturnRows(sqlmock.NewRows([]string{"x"}))
	m.ExpectBegin()
	m.ExpectQuery(`SELECT COUNT_BIG(*) FROM [dbo].[ApprovalTask];`).WillReturnRows(sqlmock.NewRows([]string{"n"}).AddRow(int64(3)))
	m.ExpectRollback()
	m.ExpectRollback() // Close ends the shared snapshot
	r1, err := d.Scan(context.Background(), "ChangeRecord")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Count(context.Background(), "ApprovalTask"); err != nil {
		t.Fatal(err)
	}
	if len(d.Notes()) != 1 {
		t.Errorf("want a note about the overlapping read, got %v", d.Notes())
	}
	_ = r1.Close()
	m.ExpectClose()
	m.ExpectClose() // the overlapping read used a second pooled connection
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestSnapshotOff(t *testing.T) {
	d, _ := newMock(t, OpenOptions{Snapshot: true}, func(m sqlmock.Sqlmock) {
		m.ExpectQuery(wantSnapshotSQL).WillReturnRows(sqlmock.NewRows([]string{"s", "n"}).AddRow(int64(0), "ARConfig"))
	})
	notes := d.Notes()
	if len(notes) != 1 || notes[0].Code != WarnSnapshotOff ||
		notes[0].Message != "snapshot isolation is off for database ARConfig; rows changed during the export may be inconsistent; enable ALLOW_SNAPSHOT_ISOLATION or stop the Administration Service first" {
		t.Fatalf("notes %v", notes)
	}
}

// A server that lists its catalog in lower case (or a database created with
// other capitalisation) still matches the model: names compare as SQL Server
// compares them. Two tables that differ only in case keep their own names.
func TestInfoModelSpelling(t *testing.T) {
	d, m := newMock(t, OpenOptions{}, nil)
	lower := []mtable{
		{"changerecord", []mcol{{name: "recordid", typ: "bigint", maxLen: 8, ident: true, key: 1}, {name: "RECORDGUID", typ: "uniqueidentifier", maxLen: 16}, {name: "Extra", typ: "int", maxLen: 4}}},
		{"Foo", []mcol{{name: "a", typ: "int", maxLen: 4}}},
		{"foo", []mcol{{name: "a", typ: "int", maxLen: 4}}},
		{"settings", []mcol{{name: "name", typ: "nvarchar", maxLen: 256, key: 1}, {name: "value", typ: "nvarchar", maxLen: -1, null: true}}},
		{"Webinterfacesite", []mcol{{name: "siteguid", typ: "uniqueidentifier", maxLen: 16, key: 1}}},
	}
	expectInfo(m, lower, map[string]string{"SchemaVersion": "8.2.0"})
	in, err := d.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tb := range in.Tables {
		names = append(names, tb.Name+"("+strings.Join(tb.ColumnNames(), ",")+";"+strings.Join(tb.PrimaryKey, ",")+")")
	}
	want := []string{"ChangeRecord(RecordId,RecordGuid,Extra;RecordId)", "Foo(a;)", "foo(a;)", "Settings(Name,Value;Name)", "WebInterfaceSite(SiteGuid;SiteGuid)"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("catalog names (-want +got):\n%s", diff)
	}
}
