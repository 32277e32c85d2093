package bundle

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/store"
)

func col(name, typ string, nullable bool) data.Column {
	c := data.Column{Name: name, TypeName: typ, Nullable: nullable}
	return c
}

// Small hand-made G3-like history tables (the model package supplies the real ones).
var (
	tSettings = data.Table{Name: "Settings", PrimaryKey: []string{"Name"}, Columns: []data.Column{
		col("Name", "nvarchar(64)", false), col("Value", "nvarchar(400)", true)}}
	tImportRun = data.Table{Name: "ImportRun", PrimaryKey: []string{"ImportRunId"}, Columns: []data.Column{
		{Name: "ImportRunId", TypeName: "int", Identity: true},
		col("Kind", "varchar(16)", false), col("SourceInstallationId", "uniqueidentifier", false),
		col("SourceVersion", "varchar(32)", false), col("SourceServer", "nvarchar(255)", false),
		col("SourceDatabase", "nvarchar(128)", false), col("Mode", "varchar(16)", true),
		col("RangeFromUtc", "datetime2(3)", true), col("RangeToUtc", "datetime2(3)", true),
		col("CutoffUtc", "datetime2(3)", true), col("StartedUtc", "datetime2(3)", false),
		col("FinishedUtc", "datetime2(3)", true), col("Outcome", "varchar(16)", false),
		col("AddedCount", "int", false), col("SkippedCount", "int", false), col("Report", "nvarchar(max)", true)}}
	tRecord = data.Table{Name: "ChangeRecord", PrimaryKey: []string{"RecordId"}, Columns: []data.Column{
		{Name: "RecordId", TypeName: "bigint", Identity: true},
		col("RecordGuid", "uniqueidentifier", false), col("ChangeTimeUtc", "datetime2(3)", false),
		col("InitiatorSid", "varchar(184)", true), col("InitiatorName", "nvarchar(512)", true),
		col("ObjectDn", "nvarchar(2048)", false), col("ObjectGuid", "uniqueidentifier", true),
		col("ObjectClass", "nvarchar(128)", true), col("Operation", "varchar(16)", false),
		col("Status", "varchar(16)", false), col("ServiceHost", "nvarchar(255)", false),
		col("CorrelationId", "uniqueidentifier", true), col("OriginInstallationId", "uniqueidentifier", true),
		col("OriginRecordId", "bigint", true), col("ImportRunId", "int", true)}}
	tAttr = data.Table{Name: "ChangeRecordAttribute", PrimaryKey: []string{"RecordId", "Seq"}, Columns: []data.Column{
		col("RecordId", "bigint", false), col("Seq", "int", false), col("AttributeName", "nvarchar(256)", false),
		col("ChangeType", "varchar(8)", false), col("OldValue", "nvarchar(max)", true), col("NewValue", "nvarchar(max)", true)}}
	tTask = data.Table{Name: "ApprovalTask", PrimaryKey: []string{"TaskId"}, Columns: []data.Column{
		{Name: "TaskId", TypeName: "bigint", Identity: true},
		col("TaskGuid", "uniqueidentifier", false), col("RecordGuid", "uniqueidentifier", false),
		col("Status", "varchar(16)", false), col("CreatedUtc", "datetime2(3)", false), col("CompletedUtc", "datetime2(3)", true),
		col("ApproverSid", "varchar(184)", true), col("ApproverName", "nvarchar(512)", true), col("Comment", "nvarchar(2048)", true),
		col("OriginInstallationId", "uniqueidentifier", true), col("OriginTaskId", "bigint", true), col("ImportRunId", "int", true)}}
	tMember = data.Table{Name: "TemporalMembership", PrimaryKey: []string{"MembershipId"}, Columns: []data.Column{
		{Name: "MembershipId", TypeName: "bigint", Identity: true},
		col("MembershipGuid", "uniqueidentifier", false), col("GroupGuid", "uniqueidentifier", false),
		col("GroupDn", "nvarchar(2048)", false), col("MemberGuid", "uniqueidentifier", false),
		col("MemberDn", "nvarchar(2048)", false), col("CreatedUtc", "datetime2(3)", false),
		col("StartUtc", "datetime2(3)", true), col("EndUtc", "datetime2(3)", true), col("State", "varchar(16)", false),
		col("OriginInstallationId", "uniqueidentifier", true), col("OriginMembershipId", "bigint", true), col("ImportRunId", "int", true)}}
	historyTables = []data.Table{tSettings, tImportRun, tRecord, tAttr, tTask, tMember}
)

var (
	srcIID  = data.MustUUID("0f8e7d6c-5b4a-4938-8271-605f4e3d2c1b")
	destIID = data.MustUUID("11111111-2222-4333-8444-555555555555")
	t0      = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
)

func guidOf(kind string, i int) data.UUID {
	return data.UUID5(data.MustUUID("6ba7c1d2-7a3e-4f0b-9b8e-2c5d4e3f1a00"), fmt.Sprintf("%s/%d", kind, i))
}

// recordRow builds a ChangeRecord row as an import hands it to a destination
// (RecordId NULL) or as an export writes it (RecordId set).
func recordRow(i int, id data.Value) data.Row {
	return data.Row{
		id, data.GUIDValue(guidOf("rec", i)), data.TimeValue(t0.Add(time.Duration(i) * time.Second)),
		data.StringValue("S-1-5-21-1004336348-1177238915-682003330-512"), data.StringValue(fmt.Sprintf("CONTOSO\\user%d", i%50)),
		data.StringValue(fmt.Sprintf("CN=User %d,OU=Sales,DC=contoso,DC=com", i)), data.GUIDValue(guidOf("obj", i%1000)),
		data.StringValue("user"), data.StringValue("Modify"), data.StringValue("Completed"),
		data.StringValue("ars01.contoso.com"), data.NullValue(), data.GUIDValue(srcIID), data.IntValue(int64(i)), data.IntValue(1),
	}
}

func attrRow(recID data.Value, seq int) data.Row {
	return data.Row{recID, data.IntValue(int64(seq)), data.StringValue("description"), data.StringValue("Replace"),
		data.StringValue(fmt.Sprintf("old value %d", seq)), data.StringValue(fmt.Sprintf("new value %d", seq))}
}

func historyHeader() Header {
	return Header{SourceVersion: "8.2.0", Generation: 3, Role: "ManagementHistory", InstallationID: destIID,
		Producer: "bundle tests", Tables: historyTables}
}

func settingsRows(iid data.UUID) []data.Row {
	return []data.Row{
		{data.StringValue("DatabaseRole"), data.StringValue("ManagementHistory")},
		{data.StringValue("InstallationId"), data.StringValue(iid.String())},
		{data.StringValue("SchemaVersion"), data.StringValue("8.2.0")},
	}
}

// writeHistoryBundle writes n records with 3 attributes each.
func writeHistoryBundle(t testing.TB, path string, n int) {
	t.Helper()
	w, err := Create(path, historyHeader())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range settingsRows(destIID) {
		must(t, w.Write("Settings", r))
	}
	for i := 1; i <= n; i++ {
		id := data.IntValue(int64(i))
		must(t, w.Write("ChangeRecord", recordRow(i, id)))
		for s := 1; s <= 3; s++ {
			must(t, w.Write("ChangeRecordAttribute", attrRow(id, s)))
		}
	}
	must(t, w.Close())
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// readAll scans a table into memory (cloned rows).
func readAll(t testing.TB, src store.Source, table string) []data.Row {
	t.Helper()
	rs, err := src.Scan(context.Background(), table)
	if err != nil {
		t.Fatalf("scan %s: %v", table, err)
	}
	defer rs.Close()
	var out []data.Row
	for rs.Next() {
		out = append(out, cloneRow(rs.Row()))
	}
	if err := rs.Err(); err != nil {
		t.Fatalf("scan %s: %v", table, err)
	}
	return out
}

// cloneRow also copies strings, which a bundle scan decodes in place.
func cloneRow(r data.Row) data.Row {
	c := r.Clone()
	for i := range c {
		c[i].Str = strings.Clone(c[i].Str)
	}
	return c
}

func tempPath(t testing.TB, name string) string { return filepath.Join(t.TempDir(), name) }
