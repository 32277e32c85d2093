package bundle

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/store"
)

func col(name, typ string, nullable bool) data.Column {
	c := data.Column{Name: name, TypeName: typ, Nullable: nullable}
	return c
}

// The G3 Management History tables of the model (Settings, ImportRun,
// ChangeRecord, ChangeRecordAttribute, ApprovalTask, TemporalMembership).
var historyTables = func() []data.Table {
	ts, err := model.Tables(model.Target, model.RoleManagementHistory)
	if err != nil {
		panic(err)
	}
	return ts
}()

var tSettings = historyTables[0]

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
