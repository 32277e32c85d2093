package sqlserver

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/DATA-DOG/go-sqlmock"
	mssql "github.com/microsoft/go-mssqldb"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/model"
)

func TestParamTypes(t *testing.T) {
	when := time.Date(2021, 3, 14, 10, 15, 30, 7e6, time.UTC)
	g := data.MustUUID("3b0f6c2e-9a41-4d5e-8c7b-1e2f3a4b5c6d")
	col := func(ct data.ColType) *data.Column { return &data.Column{Name: "c", Type: ct, TypeName: ct.String()} }
	tests := []struct {
		name    string
		c       *data.Column
		v       data.Value
		param   any
		bulk    any
		wantErr bool
	}{
		{"int", col(data.TInt), data.IntValue(7), int32(7), int64(7), false},
		{"bigint", col(data.TBigInt), data.IntValue(1 << 40), int64(1 << 40), int64(1 << 40), false},
		{"smallint", col(data.TSmallInt), data.IntValue(-7), int16(-7), int64(-7), false},
		{"tinyint", col(data.TTinyInt), data.IntValue(255), byte(255), int64(255), false},
		{"int out of range", col(data.TInt), data.IntValue(1 << 31), nil, int64(1 << 31), true},
		{"tinyint out of range", col(data.TTinyInt), data.IntValue(-1), nil, int64(-1), true},
		{"bit true", col(data.TBit), data.IntValue(1), true, true, false},
		{"bit false", col(data.TBit), data.IntValue(0), false, false, false},
		{"nvarchar", col(data.TNVarChar), data.StringValue("é"), "é", "é", false},
		{"varchar", col(data.TVarChar), data.StringValue("Legacy"), mssql.VarChar("Legacy"), "Legacy", false},
		{"xml", col(data.TXml), data.StringValue("<a/>"), "<a/>", "<a/>", false},
		{"guid", col(data.TUniqueID), data.GUIDValue(g), mssql.UniqueIdentifier(g), mssql.UniqueIdentifier(g), false},
		{"varbinary", col(data.TVarBinary), data.BytesValue([]byte{1}), []byte{1}, []byte{1}, false},
		{"varbinary NULL is typed", col(data.TVarBinary), data.NullValue(), []byte(nil), nil, false},
		{"nvarchar NULL", col(data.TNVarChar), data.NullValue(), sql.NullString{}, nil, false},
		{"int NULL", col(data.TInt), data.NullValue(), sql.NullInt32{}, nil, false},
		{"bigint NULL", col(data.TBigInt), data.NullValue(), sql.NullInt64{}, nil, false},
		{"bit NULL", col(data.TBit), data.NullValue(), sql.NullBool{}, nil, false},
		{"guid NULL", col(data.TUniqueID), data.NullValue(), sql.NullString{}, nil, false},
		{"datetime2 NULL", col(data.TDateTime2), data.NullValue(), mssql.NullDateTime{}, nil, false},
		{"datetime", col(data.TDateTime), data.TimeValue(when), mssql.DateTime1(when), when, false},
		{"datetime2", col(data.TDateTime2), data.TimeValue(when), datetime2Param(when), when, false},
		{"kind mismatch", col(data.TInt), data.StringValue("1"), nil, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := param(tc.c, tc.v)
			if (err != nil) != tc.wantErr {
				t.Fatalf("param err %v", err)
			}
			b, berr := bulkValue(tc.c, tc.v)
			if tc.wantErr {
				return // bulk copy range-checks by the column's own metadata
			}
			if berr != nil {
				t.Fatalf("bulk err %v", berr)
			}
			// reflect: the driver types wrap time.Time, which cmp refuses.
			if !reflect.DeepEqual(tc.param, p) {
				t.Errorf("param = %#v, want %#v", p, tc.param)
			}
			if !reflect.DeepEqual(tc.bulk, b) {
				t.Errorf("bulk = %#v, want %#v", b, tc.bulk)
			}
		})
	}
	// UniqueIdentifier holds RFC order and sends SQL Server's order.
	v, _ := mssql.UniqueIdentifier(g).Value()
	if got := swapGUID(v.([]byte)); got != g {
		t.Errorf("GUID order: %v", got)
	}
	dt := datetime2Param(when)
	if dt.DateTime.Date.Year != 2021 || dt.DateTime.Time.Nanosecond != 7e6 || !dt.Valid {
		t.Errorf("datetime2 param %+v", dt)
	}
}

// Every column of every model table sends a typed NULL: a bare nil goes out
// as TDS NULLTYPE, which servers other than SQL Server refuse (8009) and
// SQL Server will not convert to varbinary (257).
func TestEveryModelColumnSendsATypedNull(t *testing.T) {
	for _, v := range []model.Version{{Major: 7, Minor: 6}, {Major: 8, Minor: 0}, {Major: 8, Minor: 1}, model.Target} {
		for _, r := range []model.Role{model.RoleConfiguration, model.RoleManagementHistory, model.RoleCombined} {
			tables, err := model.Tables(v, r)
			if err != nil {
				continue
			}
			for _, tb := range tables {
				for _, c := range tb.Columns {
					p, err := param(&c, data.NullValue())
					if err != nil || p == nil {
						t.Errorf("%s %s %s.%s (%s): NULL param %#v, err %v", v.Short(), r, tb.Name, c.Name, c.TypeName, p, err)
					}
				}
			}
		}
	}
}

func TestTypeName(t *testing.T) {
	tests := []struct {
		sys                string
		maxLen, prec, scal int
		want               string
		wantLen            int
	}{
		{"nvarchar", 512, 0, 0, "nvarchar(256)", 256},
		{"nvarchar", -1, 0, 0, "nvarchar(max)", data.MaxLenMax},
		{"varchar", 184, 0, 0, "varchar(184)", 184},
		{"varbinary", -1, 0, 0, "varbinary(max)", data.MaxLenMax},
		{"datetime2", 7, 23, 3, "datetime2(3)", 0},
		{"datetime", 8, 23, 3, "datetime", 0},
		{"uniqueidentifier", 16, 0, 0, "uniqueidentifier", 0},
		{"decimal", 9, 18, 2, "decimal(18,2)", 0},
	}
	for _, tc := range tests {
		got, l, _ := typeName(tc.sys, tc.maxLen, tc.prec, tc.scal)
		if got != tc.want || l != tc.wantLen {
			t.Errorf("typeName(%s, %d) = %s, %d", tc.sys, tc.maxLen, got, l)
		}
	}
}

// TestReadsInsideConfigTransaction: while the configuration transaction is
// open, reads go through it (another connection would wait on its locks),
// and a write while a read is open is refused instead of confusing the
// connection (no MARS).
func TestReadsInsideConfigTransaction(t *testing.T) {
	d, m := newMock(t, OpenOptions{}, nil)
	expectInfo(m, configCatalog, nil)
	ctx := context.Background()
	m.ExpectBegin()
	m.ExpectQuery(`SELECT t.[SiteGuid], t.[Name], t.[IsBuiltIn], t.[ModifiedUtc] FROM [dbo].[WebInterfaceSite] AS t ORDER BY t.[SiteGuid];`).
		WillReturnRows(sqlmock.NewRows([]string{"a", "b", "c", "d"}))
	m.ExpectExec(`DELETE FROM [dbo].[WebInterfaceSite];`).WillReturnResult(sqlmock.NewResult(0, 0))
	m.ExpectRollback()
	tx, err := d.BeginConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := d.Scan(ctx, "WebInterfaceSite")
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.DeleteAll(ctx, "WebInterfaceSite"); !errors.Is(err, errBusy) {
		t.Fatalf("write during an open read: %v", err)
	}
	if _, err := d.Count(ctx, "WebInterfaceSite"); !errors.Is(err, errBusy) {
		t.Fatalf("second read during an open read: %v", err)
	}
	_ = rows.Close()
	if err := tx.DeleteAll(ctx, "WebInterfaceSite"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.BeginConfig(ctx); err == nil {
		t.Fatal("second configuration transaction opened")
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
}
