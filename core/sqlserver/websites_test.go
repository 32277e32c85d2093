package sqlserver

import (
	"context"
	"testing"

	"github.com/DATA-DOG/go-sqlmock"
	mssql "github.com/microsoft/go-mssqldb"

	"github.com/activeroles/arupgrade/core/data"
)

// TestConfigDelete pins the keyed DELETE: one parameterised statement per
// key inside the transaction, composite keys in key order, typed
// parameters; a key that matches no row fails the call.
func TestConfigDelete(t *testing.T) {
	d, m := newMock(t, OpenOptions{}, nil)
	expectInfo(m, configCatalog, map[string]string{"SchemaVersion": "8.2.0"})
	ctx := context.Background()
	site := data.MustUUID("9d2e5c1a-4b7f-4e21-a3c8-0f1e2d3c4b5a")

	m.ExpectBegin()
	m.ExpectExec(`DELETE FROM [dbo].[WebInterfaceBinding] WHERE [BindingId] = @p1;`).WithArgs(int32(7)).WillReturnResult(sqlmock.NewResult(0, 1))
	m.ExpectExec(`DELETE FROM [dbo].[WebInterfaceBinding] WHERE [BindingId] = @p1;`).WithArgs(int32(9)).WillReturnResult(sqlmock.NewResult(0, 1))
	m.ExpectExec(`DELETE FROM [dbo].[PolicyLink] WHERE [PolicyGuid] = @p1 AND [LinkOrder] = @p2;`).
		WithArgs(mssql.UniqueIdentifier(site), int32(2)).WillReturnResult(sqlmock.NewResult(0, 1))
	m.ExpectExec(`DELETE FROM [dbo].[WebInterfaceSite] WHERE [SiteGuid] = @p1;`).
		WithArgs(mssql.UniqueIdentifier(site)).WillReturnResult(sqlmock.NewResult(0, 0))
	m.ExpectRollback()

	tx, err := d.BeginConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Delete(ctx, "WebInterfaceBinding", []data.Row{{data.IntValue(7)}, {data.IntValue(9)}}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Delete(ctx, "PolicyLink", []data.Row{{data.GUIDValue(site), data.IntValue(2)}}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Delete(ctx, "PolicyLink", []data.Row{{data.GUIDValue(site)}}); err == nil {
		t.Fatal("a key with too few values was accepted")
	}
	if err := tx.Delete(ctx, "WebInterfaceSite", []data.Row{{data.GUIDValue(site)}}); err == nil {
		t.Fatal("a key that matched no row was not reported")
	}
	if err := tx.Delete(ctx, "WebInterfaceSite", nil); err != nil {
		t.Fatalf("no keys: %v", err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
}
