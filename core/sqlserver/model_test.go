package sqlserver

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/store"
)

// catalogOf renders model tables as the sys.columns rows SQL Server would
// return for them (sorted by table name, as sqlTables orders them).
func catalogOf(tables []data.Table) []mtable {
	var out []mtable
	for _, t := range tables {
		mt := mtable{name: t.Name}
		for _, c := range t.Columns {
			mc := mcol{name: c.Name, typ: c.Type.String(), scale: c.Scale, null: c.Nullable, ident: c.Identity}
			switch c.Type {
			case data.TNVarChar:
				mc.maxLen = c.MaxLen * 2
			case data.TVarChar, data.TVarBinary:
				mc.maxLen = c.MaxLen
			case data.TXml:
				mc.maxLen = -1
			}
			if c.MaxLen == data.MaxLenMax {
				mc.maxLen = -1
			}
			for i, k := range t.PrimaryKey {
				if k == c.Name {
					mc.key = i + 1
				}
			}
			mt.cols = append(mt.cols, mc)
		}
		out = append(out, mt)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

var modelSchemas = []struct {
	v model.Version
	r model.Role
}{
	{model.Version{Major: 7, Minor: 6}, model.RoleConfiguration},
	{model.Version{Major: 7, Minor: 6}, model.RoleManagementHistory},
	{model.Version{Major: 7, Minor: 5}, model.RoleCombined},
	{model.Version{Major: 8, Minor: 0}, model.RoleConfiguration},
	{model.Version{Major: 8, Minor: 0}, model.RoleManagementHistory},
	{model.Version{Major: 8, Minor: 1}, model.RoleManagementHistory},
	{model.Target, model.RoleConfiguration},
	{model.Target, model.RoleManagementHistory},
}

// TestInfoMatchesModel: what Info reads from a catalog of every model schema
// is the model's own table description, so model.Detect and the imports see
// a SQL Server database exactly as they see a bundle.
func TestInfoMatchesModel(t *testing.T) {
	for _, s := range modelSchemas {
		t.Run(s.v.String()+"/"+string(s.r), func(t *testing.T) {
			want, err := model.Tables(s.v, s.r)
			if err != nil {
				t.Fatal(err)
			}
			d, m := newMock(t, OpenOptions{}, nil)
			expectInfo(m, catalogOf(want), map[string]string{"SchemaVersion": s.v.String(), "DatabaseRole": string(s.r)})
			in, err := d.Info(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			sort.Slice(want, func(i, j int) bool { return want[i].Name < want[j].Name })
			if diff := cmp.Diff(want, in.Tables); diff != "" {
				t.Errorf("tables (-model +info):\n%s", diff)
			}
			if det := model.Detect(in); det.State != model.StateSupported {
				t.Errorf("detected %v (%s)", det.State, det.Reason)
			}
		})
	}
}

// TestHistoryStatementsOnModelSchema builds the batch statements on the real
// 8.2 history schema and checks they name every written column.
func TestHistoryStatementsOnModelSchema(t *testing.T) {
	tables, err := model.Tables(model.Target, model.RoleManagementHistory)
	if err != nil {
		t.Fatal(err)
	}
	in := &store.Info{Tables: tables}
	d := &Database{info: in, opts: testOptions()}
	h, err := d.historyTables(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rec := names(h.rec, writeCols(h.rec))
	if len(rec) != len(h.rec.Columns)-1 || strings.Contains(strings.Join(rec, ","), "RecordId,") && rec[0] == "RecordId" {
		t.Fatalf("record columns %v", rec)
	}
	create, err := sqlHistCreateTemp(h)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"[CorrelationId] uniqueidentifier NULL", "[ImportRunId] int NULL", "[RecordId] bigint NULL", "[OldValue] nvarchar(max) COLLATE DATABASE_DEFAULT NULL", "[ApproverSid] varchar(184) COLLATE DATABASE_DEFAULT NULL", "[EndUtc] datetime2(3) NULL"} {
		if !strings.Contains(create, want) {
			t.Errorf("temp tables lack %s:\n%s", want, create)
		}
	}
	ins := sqlHistInsert(histRecords, rec)
	if !strings.HasPrefix(ins, "INSERT INTO [dbo].[ChangeRecord] ([RecordGuid], [ChangeTimeUtc], ") {
		t.Errorf("insert %s", ins)
	}
}

// A catalog type that is not a plain SQL Server type never reaches the
// temp-table DDL.
func TestTempColumnRefusesOddTypes(t *testing.T) {
	for _, tn := range []string{"nvarchar(10)); DROP TABLE x; --", "my type", "varchar(1,2,3)", ""} {
		if _, err := tempColumn(data.Column{Name: "A", TypeName: tn}); err == nil {
			t.Errorf("type %q accepted", tn)
		}
	}
	if def, err := tempColumn(data.Column{Name: "A", Type: data.TVarChar, TypeName: "varchar(16)"}); err != nil || def != "[A] varchar(16) COLLATE DATABASE_DEFAULT NULL" {
		t.Errorf("varchar column: %q %v", def, err)
	}
}
