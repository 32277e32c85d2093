// Package storetest is the conformance suite that every store.ConfigDestination
// implementation runs (the bundle in its unit tests, SQL Server in its
// integration tests): the same contract, checked the same way.
package storetest

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/store"
	"github.com/google/go-cmp/cmp"
)

// RunConformance checks a configuration destination end to end. newDest must
// return a Blank destination (no user tables) each time it is called; the
// suite initializes it with the model's DDL (the G1 Combined schema, which
// holds every legacy column type, and the G3 configuration schema), writes
// rows through BeginConfig/Insert/Update/Delete/DeleteAll/Commit/Rollback and
// StartRun/FinishRun, and reads them back with Info, Count and Scan.
func RunConformance(t *testing.T, newDest func(t *testing.T) store.ConfigDestination) {
	t.Run("BlankThenInitialize", func(t *testing.T) { testBlank(t, newDest(t)) })
	t.Run("G1ColumnTypes", func(t *testing.T) { testG1Types(t, newDest(t)) })
	t.Run("G3ColumnTypes", func(t *testing.T) { testG3Types(t, newDest(t)) })
	t.Run("RollbackLeavesNothing", func(t *testing.T) { testRollback(t, newDest(t)) })
	t.Run("UpdateAndDeleteAll", func(t *testing.T) { testUpdateDelete(t, newDest(t)) })
	t.Run("DeleteByKey", func(t *testing.T) { testDeleteByKey(t, newDest(t)) })
	t.Run("RunRecorder", func(t *testing.T) { testRunRecorder(t, newDest(t)) })
}

var (
	g1Version = model.Version{Major: 7, Minor: 6, Patch: 3}
	iid       = data.MustUUID("0f8e7d6c-5b4a-4938-8271-605f4e3d2c1b")
	keyID     = data.MustUUID("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d")
)

func g1Settings() map[string]string {
	return map[string]string{"SchemaVersion": "7.6.3", "DatabaseRole": "Combined", "InstallationId": iid.String(),
		"EncryptionKeyId": keyID.String(), "ServerUtcOffsetMinutes": "60"}
}

func g3Settings() map[string]string {
	return map[string]string{"SchemaVersion": "8.2.0", "DatabaseRole": "Configuration", "InstallationId": iid.String(),
		"EncryptionKeyId": keyID.String()}
}

// initialize creates the schema of version v and role r and checks that
// Info reports exactly the model's tables and the given Settings.
func initialize(t *testing.T, d blankDest, v model.Version, r model.Role, settings map[string]string) []data.Table {
	t.Helper()
	ctx := context.Background()
	tables, err := model.Tables(v, r)
	if err != nil {
		t.Fatal(err)
	}
	ddl, err := model.DDL(v, r)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Initialize(ctx, tables, ddl, settings); err != nil {
		t.Fatalf("Initialize %s %s: %v", v, r, err)
	}
	info, err := d.Info(ctx)
	if err != nil {
		t.Fatalf("Info: %v", err)
	}
	if diff := cmp.Diff(settings, info.Settings); diff != "" {
		t.Errorf("Settings after Initialize (-want +got):\n%s", diff)
	}
	if len(info.Tables) != len(tables) {
		t.Errorf("Info lists %d tables %v, the model has %d", len(info.Tables), info.TableNames(), len(tables))
	}
	for i := range tables {
		checkTable(t, &tables[i], info.Table(tables[i].Name))
	}
	if n := count(t, d, "Settings"); n != int64(len(settings)) {
		t.Errorf("Count(Settings) = %d, want %d", n, len(settings))
	}
	return tables
}

// checkTable compares what a destination reports about a table with the model.
func checkTable(t *testing.T, want, got *data.Table) {
	t.Helper()
	if got == nil {
		t.Errorf("Info has no table %s", want.Name)
		return
	}
	if len(got.Columns) != len(want.Columns) {
		t.Errorf("table %s: %d columns %v, want %v", want.Name, len(got.Columns), got.ColumnNames(), want.ColumnNames())
		return
	}
	for i, w := range want.Columns {
		g := got.Columns[i]
		if !strings.EqualFold(g.Name, w.Name) || g.Type != w.Type || g.MaxLen != w.MaxLen || g.Nullable != w.Nullable ||
			g.Identity != w.Identity || (w.Type == data.TDateTime2 && g.Scale != w.Scale) {
			t.Errorf("table %s column %d = %+v, want %+v", want.Name, i+1, g, w)
		}
	}
	if !slices.EqualFunc(got.PrimaryKey, want.PrimaryKey, strings.EqualFold) {
		t.Errorf("table %s: primary key %v, want %v", want.Name, got.PrimaryKey, want.PrimaryKey)
	}
}

func testBlank(t *testing.T, d store.ConfigDestination) {
	defer d.Close()
	info, err := d.Info(context.Background())
	if err != nil {
		t.Fatalf("Info of a blank destination: %v", err)
	}
	if len(info.Tables) != 0 || info.Settings != nil {
		t.Fatalf("blank destination: Info = %+v, want no tables and nil Settings", info)
	}
	initialize(t, d, model.Target, model.RoleConfiguration, g3Settings())
	if rows := scanAll(t, d, "ManagedDomain"); len(rows) != 0 {
		t.Errorf("a new database holds %d ManagedDomain rows", len(rows))
	}
}

// Value helpers.
var (
	null = data.NullValue()
	i64  = data.IntValue
	str  = data.StringValue
	bin  = data.BytesValue
	guid = data.GUIDValue
)

func g(n int) data.UUID { return data.UUID5(iid, fmt.Sprintf("storetest/%d", n)) }

// datetime returns a datetime value as SQL Server stores it: whole 1/300 s
// ticks, read back (as go-mssqldb decodes them) rounded to the millisecond.
func datetime(y int, mo time.Month, d, h, mi, s, tick int) data.Value {
	ms := int(math.Trunc(float64(tick)/0.3 + 0.5))
	return data.TimeValue(time.Date(y, mo, d, h, mi, s, 0, time.UTC).Add(time.Duration(ms) * time.Millisecond))
}

// datetime2 returns a datetime2(3) value (milliseconds).
func datetime2(y int, mo time.Month, d, h, mi, s, ms int) data.Value {
	return data.TimeValue(time.Date(y, mo, d, h, mi, s, ms*int(time.Millisecond), time.UTC))
}

// pattern returns n bytes that include zero bytes and every byte value.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}

func testG1Types(t *testing.T, d store.ConfigDestination) {
	defer d.Close()
	initialize(t, d, g1Version, model.RoleCombined, g1Settings())

	// ConfigObject: int identity, uniqueidentifier, varchar(32), nvarchar(256), bit, datetime.
	objects := []data.Row{
		{null, guid(g(1)), str("ManagedUnit"), str(strings.Repeat("é", 200) + strings.Repeat("😀", 28)), i64(1),
			datetime(1753, 1, 1, 0, 0, 0, 0), datetime(9999, 12, 31, 23, 59, 59, 299)},
		{null, guid(g(2)), str("Policy"), str(""), i64(0),
			datetime(2021, 3, 14, 10, 15, 30, 2), datetime(2021, 3, 14, 10, 15, 30, 1)},
		{null, guid(g(3)), str(strings.Repeat("C", 32)), str("Zürich 東京 \t x "), i64(0),
			datetime(2000, 2, 29, 12, 0, 0, 150), datetime(1969, 12, 31, 23, 59, 59, 298)},
	}
	insertCommit(t, d, "ConfigObject", objects)
	got := scanAll(t, d, "ConfigObject")
	ids := identities(t, "ConfigObject", got, 0, len(objects))
	idOf := map[data.UUID]data.Value{}
	for _, r := range got {
		idOf[r[1].AsGUID()] = r[0]
	}
	assertRows(t, "ConfigObject", withIDs(objects, 0, ids), got)

	// ConfigAttribute: smallint, nvarchar(4000), bigint, varbinary(max), xml;
	// exactly one value column set per row (CK_ConfigAttribute_OneValue).
	o1, o2 := idOf[g(1)], idOf[g(2)]
	attr := func(obj data.Value, name string, idx int64, col int, v data.Value) data.Row {
		r := data.Row{obj, str(name), i64(idx), null, null, null, null, null}
		r[3+col] = v
		return r
	}
	attrs := []data.Row{
		attr(o1, "a", 0, 0, str(strings.Repeat("ж", 4000))),
		attr(o1, "b", -32768, 0, str("")),
		attr(o1, "b", 32767, 0, str(strings.Repeat("😀", 2000))), // 4000 UTF-16 units
		attr(o1, "c", 0, 1, i64(math.MaxInt64)),
		attr(o1, "c", 1, 1, i64(math.MinInt64)),
		attr(o1, "d", 0, 2, guid(g(4))),
		attr(o1, "e", 0, 3, bin(pattern(100_000))),
		attr(o1, "e", 1, 3, bin([]byte{})),
		attr(o1, "e", 2, 3, bin([]byte{0})),
		attr(o1, "f", 0, 4, str(`<r a="1">Grüße 😀</r>`)),
		attr(o1, strings.Repeat("z", 64), 0, 1, i64(0)),
		attr(o2, "a", 0, 0, str("  leading and trailing  \n")),
	}
	insertCommit(t, d, "ConfigAttribute", attrs)
	sortByKey(attrs)
	assertRows(t, "ConfigAttribute", attrs, scanAll(t, d, "ConfigAttribute"))

	// ChangeHistory: datetime, varbinary(68), tinyint, xml; ApprovalTask and
	// TemporalMembership.
	history := []data.Row{
		{null, datetime(2019, 7, 1, 8, 30, 0, 1), bin(pattern(68)), null, str(strings.Repeat("д", 1024)), null,
			str("user"), i64(255), i64(0), null,
			str(`<changes><attr name="description" op="replace"><old>Sales</old><new>Sales EMEA</new></attr></changes>`)},
		{null, datetime(2019, 7, 1, 8, 30, 0, 2), null, str(""), str("CN=x"), guid(g(5)), null, i64(0), i64(3), str("ARS01"), null},
	}
	insertCommit(t, d, "ChangeHistory", history)
	gotH := scanAll(t, d, "ChangeHistory")
	hids := identities(t, "ChangeHistory", gotH, 0, len(history))
	assertRows(t, "ChangeHistory", withIDs(history, 0, hids), gotH)

	tasks := []data.Row{
		{null, hids[0], i64(1), datetime(2019, 7, 1, 9, 0, 0, 0), null, null, str("Ann"), str(strings.Repeat("c", 1024))},
		{null, hids[1], i64(255), datetime(2019, 7, 2, 9, 0, 0, 100), datetime(2019, 7, 3, 0, 0, 0, 0), bin(pattern(68)), null, str("")},
	}
	insertCommit(t, d, "ApprovalTask", tasks)
	gotT := scanAll(t, d, "ApprovalTask")
	assertRows(t, "ApprovalTask", withIDs(tasks, 0, identities(t, "ApprovalTask", gotT, 0, len(tasks))), gotT)

	members := []data.Row{
		{null, guid(g(6)), str("CN=G"), guid(g(7)), str("CN=M"), datetime(2020, 1, 1, 0, 0, 0, 0), null, datetime(2020, 2, 1, 0, 0, 0, 3), i64(2)},
	}
	insertCommit(t, d, "TemporalMembership", members)
	gotM := scanAll(t, d, "TemporalMembership")
	assertRows(t, "TemporalMembership", withIDs(members, 0, identities(t, "TemporalMembership", gotM, 0, len(members))), gotM)

	for table, n := range map[string]int{"ConfigObject": 3, "ConfigAttribute": len(attrs), "ChangeHistory": 2, "ApprovalTask": 2, "TemporalMembership": 1} {
		if c := count(t, d, table); c != int64(n) {
			t.Errorf("Count(%s) = %d, want %d", table, c, n)
		}
	}
}

// g3Rows returns rows for the G3 tables that hold the remaining types:
// datetime2(3), varbinary(1024), nvarchar(max), int identity.
func g3Rows() (domains, sites, docs, bindings []data.Row) {
	domains = []data.Row{
		{guid(g(10)), str(strings.Repeat("a", 251) + ".com"), str("ÄBCDEFGHIJKLMNO"), null, str(""), bin(pattern(1024)), str("Set"),
			datetime2(1970, 1, 1, 0, 0, 0, 0), datetime2(2024, 2, 29, 23, 59, 59, 999)},
		{guid(g(11)), str("corp.example"), null, str("CORP"), str("svc-ar"), null, str("NotSet"),
			datetime2(1, 1, 1, 0, 0, 0, 0), datetime2(9999, 12, 31, 23, 59, 59, 999)},
	}
	sites = []data.Row{
		{guid(g(12)), str("Site 😀"), str("Custom"), str("8.2"), i64(math.MaxInt32), null, datetime2(2024, 1, 2, 3, 4, 5, 6), datetime2(2024, 1, 2, 3, 4, 5, 7)},
	}
	doc := `{"title":"` + strings.Repeat("Grüße 😀 ", 20000) + `","n":1}`
	docs = []data.Row{
		{guid(g(12)), i64(1), i64(3), datetime2(2024, 1, 2, 3, 4, 5, 8), str(doc)},
	}
	bindings = []data.Row{
		{null, guid(g(12)), str("Default Web Site"), str("ARWebAdmin"), str("Active")},
		{null, guid(g(12)), str("Default Web Site"), str("ARWebSelfService"), str("Legacy")},
	}
	return
}

func testG3Types(t *testing.T, d store.ConfigDestination) {
	defer d.Close()
	initialize(t, d, model.Target, model.RoleConfiguration, g3Settings())
	domains, sites, docs, bindings := g3Rows()
	ctx := context.Background()
	tx := begin(t, d)
	for _, w := range []struct {
		table string
		rows  []data.Row
	}{{"EncryptionKey", []data.Row{{guid(keyID), str("Imported"), guid(g(9)), datetime2(2024, 5, 6, 7, 8, 9, 10)}}},
		{"ManagedDomain", domains}, {"WebInterfaceSite", sites}, {"WebInterfaceSiteDocument", docs}, {"WebInterfaceBinding", bindings}} {
		if err := tx.Insert(ctx, w.table, w.rows); err != nil {
			_ = tx.Rollback(ctx)
			t.Fatalf("Insert %s: %v", w.table, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	assertRows(t, "EncryptionKey", []data.Row{{guid(keyID), str("Imported"), guid(g(9)), datetime2(2024, 5, 6, 7, 8, 9, 10)}}, scanAll(t, d, "EncryptionKey"))
	sortByGUID(domains)
	assertRows(t, "ManagedDomain", domains, scanAll(t, d, "ManagedDomain"))
	assertRows(t, "WebInterfaceSite", sites, scanAll(t, d, "WebInterfaceSite"))
	assertRows(t, "WebInterfaceSiteDocument", docs, scanAll(t, d, "WebInterfaceSiteDocument"))
	gotB := scanAll(t, d, "WebInterfaceBinding")
	assertRows(t, "WebInterfaceBinding", withIDs(bindings, 0, identities(t, "WebInterfaceBinding", gotB, 0, 2)), gotB)
}

func testRollback(t *testing.T, d store.ConfigDestination) {
	defer d.Close()
	ctx := context.Background()
	initialize(t, d, model.Target, model.RoleConfiguration, g3Settings())
	domains, _, _, _ := g3Rows()
	insertCommit(t, d, "ManagedDomain", domains[:1])

	tx := begin(t, d)
	policy := data.Row{guid(g(20)), str("P"), str("Provisioning"), str("<policy/>"), i64(0), datetime2(2024, 1, 1, 0, 0, 0, 0), datetime2(2024, 1, 1, 0, 0, 0, 0)}
	link := data.Row{guid(g(20)), i64(1), str("OU=Sales,DC=corp,DC=example")}
	changed := domains[0].Clone()
	changed[2] = str("CHANGED")
	for _, err := range []error{
		tx.Insert(ctx, "Policy", []data.Row{policy}),
		tx.Insert(ctx, "PolicyLink", []data.Row{link}),
		tx.Insert(ctx, "ManagedDomain", domains[1:]),
		tx.Update(ctx, "ManagedDomain", []data.Row{changed}),
		tx.DeleteAll(ctx, "EncryptionKey"),
	} {
		if err != nil {
			_ = tx.Rollback(ctx)
			t.Fatalf("write in transaction: %v", err)
		}
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatalf("Rollback: %v", err)
	}
	for table, n := range map[string]int64{"Policy": 0, "PolicyLink": 0, "ManagedDomain": 1} {
		if c := count(t, d, table); c != n {
			t.Errorf("after Rollback Count(%s) = %d, want %d", table, c, n)
		}
	}
	assertRows(t, "ManagedDomain", domains[:1], scanAll(t, d, "ManagedDomain"))

	// The destination takes a new transaction after a rollback.
	insertCommit(t, d, "Policy", []data.Row{policy})
	if c := count(t, d, "Policy"); c != 1 {
		t.Errorf("Count(Policy) = %d after a commit following a rollback", c)
	}
}

func testUpdateDelete(t *testing.T, d store.ConfigDestination) {
	defer d.Close()
	ctx := context.Background()
	initialize(t, d, model.Target, model.RoleConfiguration, g3Settings())
	domains, sites, docs, bindings := g3Rows()
	insertCommit(t, d, "ManagedDomain", domains)
	insertCommit(t, d, "WebInterfaceSite", sites)
	insertCommit(t, d, "WebInterfaceSiteDocument", docs)
	insertCommit(t, d, "WebInterfaceBinding", bindings)

	// Update replaces the row with the same primary key and nothing else.
	changed := domains[1].Clone()
	changed[2], changed[8] = str("NEWNAME"), datetime2(2025, 6, 7, 8, 9, 10, 11)
	tx := begin(t, d)
	if err := tx.Update(ctx, "ManagedDomain", []data.Row{changed}); err != nil {
		_ = tx.Rollback(ctx)
		t.Fatalf("Update: %v", err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	want := []data.Row{domains[0], changed}
	sortByGUID(want)
	assertRows(t, "ManagedDomain after Update", want, scanAll(t, d, "ManagedDomain"))

	// DeleteAll, children before parents, leaves other tables alone.
	tx = begin(t, d)
	for _, table := range []string{"WebInterfaceBinding", "WebInterfaceSiteDocument", "WebInterfaceSite"} {
		if err := tx.DeleteAll(ctx, table); err != nil {
			_ = tx.Rollback(ctx)
			t.Fatalf("DeleteAll %s: %v", table, err)
		}
	}
	// Rows inserted after DeleteAll in the same transaction stay.
	if err := tx.Insert(ctx, "WebInterfaceSite", sites); err != nil {
		_ = tx.Rollback(ctx)
		t.Fatalf("Insert after DeleteAll: %v", err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	for table, n := range map[string]int64{"WebInterfaceBinding": 0, "WebInterfaceSiteDocument": 0, "WebInterfaceSite": 1, "ManagedDomain": 2} {
		if c := count(t, d, table); c != n {
			t.Errorf("after DeleteAll Count(%s) = %d, want %d", table, c, n)
		}
	}
	if rows := scanAll(t, d, "WebInterfaceBinding"); len(rows) != 0 {
		t.Errorf("WebInterfaceBinding still has %d rows", len(rows))
	}
}

// testDeleteByKey removes one site configuration (bindings, revisions,
// site row) by primary key next to another that stays; a key that matches
// nothing fails and, rolled back, changes nothing.
func testDeleteByKey(t *testing.T, d store.ConfigDestination) {
	defer d.Close()
	ctx := context.Background()
	initialize(t, d, model.Target, model.RoleConfiguration, g3Settings())
	_, sites, docs, bindings := g3Rows()
	other := data.Row{guid(g(13)), str("Site for HelpDesk (8.2)"), str("HelpDesk"), str("8.2"), i64(1), null, datetime2(2024, 1, 2, 3, 4, 5, 6), datetime2(2024, 1, 2, 3, 4, 5, 7)}
	sites = append(sites, other)
	docs = append(docs,
		data.Row{guid(g(12)), i64(2), i64(3), datetime2(2024, 1, 3, 0, 0, 0, 0), str(`{"n":2}`)},
		data.Row{guid(g(13)), i64(1), i64(3), datetime2(2024, 1, 3, 0, 0, 0, 0), str(`{"n":3}`)})
	bindings = append(bindings, data.Row{null, guid(g(13)), str("Default Web Site"), str("ARWebHelpDesk"), str("Active")})
	insertCommit(t, d, "WebInterfaceSite", sites)
	insertCommit(t, d, "WebInterfaceSiteDocument", docs)
	insertCommit(t, d, "WebInterfaceBinding", bindings)
	ids := identities(t, "WebInterfaceBinding", scanAll(t, d, "WebInterfaceBinding"), 0, 3)
	before := map[string][]data.Row{}
	for _, table := range []string{"WebInterfaceSite", "WebInterfaceSiteDocument", "WebInterfaceBinding"} {
		before[table] = scanAll(t, d, table)
	}

	// A key that matches no row fails the call; rolled back, nothing changed.
	tx := begin(t, d)
	if err := tx.Delete(ctx, "WebInterfaceBinding", []data.Row{{ids[0]}}); err != nil {
		_ = tx.Rollback(ctx)
		t.Fatalf("Delete an existing binding: %v", err)
	}
	if err := tx.Delete(ctx, "WebInterfaceSiteDocument", []data.Row{{guid(g(12)), i64(99)}}); err == nil {
		_ = tx.Rollback(ctx)
		t.Fatal("Delete of a key that matches no row succeeded")
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatalf("Rollback: %v", err)
	}
	for table, rows := range before {
		assertRows(t, table+" after a rolled-back Delete", rows, scanAll(t, d, table))
	}

	// Site g(12), children first; site g(13) and its rows stay.
	tx = begin(t, d)
	for _, w := range []struct {
		table string
		keys  []data.Row
	}{
		{"WebInterfaceBinding", []data.Row{{ids[0]}, {ids[1]}}},
		{"WebInterfaceSiteDocument", []data.Row{{guid(g(12)), i64(1)}, {guid(g(12)), i64(2)}}},
		{"WebInterfaceSite", []data.Row{{guid(g(12))}}},
	} {
		if err := tx.Delete(ctx, w.table, w.keys); err != nil {
			_ = tx.Rollback(ctx)
			t.Fatalf("Delete from %s: %v", w.table, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	assertRows(t, "WebInterfaceSite", []data.Row{other}, scanAll(t, d, "WebInterfaceSite"))
	assertRows(t, "WebInterfaceSiteDocument", docs[2:], scanAll(t, d, "WebInterfaceSiteDocument"))
	assertRows(t, "WebInterfaceBinding", withIDs(bindings[2:], 0, ids[2:]), scanAll(t, d, "WebInterfaceBinding"))

	// A binding inserted afterwards gets a new identity value.
	insertCommit(t, d, "WebInterfaceBinding", []data.Row{{null, guid(g(13)), str("Default Web Site"), str("ARWebAdmin"), str("Active")}})
	got := scanAll(t, d, "WebInterfaceBinding")
	if len(got) != 2 || got[1][0].Int <= ids[2].Int {
		t.Errorf("bindings after a new insert = %v, want a second one with BindingId above %d", got, ids[2].Int)
	}
}

func testRunRecorder(t *testing.T, d store.ConfigDestination) {
	defer d.Close()
	ctx := context.Background()
	initialize(t, d, model.Target, model.RoleConfiguration, g3Settings())
	run := store.ImportRun{Kind: "Configuration", SourceInstallationID: iid, SourceVersion: "7.6.3",
		SourceServer: "sql01.corp.example", SourceDatabase: "ActiveRoles76", StartedUTC: time.Now().UTC().Truncate(time.Millisecond)}
	id, clock, err := d.StartRun(ctx, run)
	if err != nil {
		t.Fatalf("StartRun: %v", err)
	}
	if clock.Location() != time.UTC || clock.Nanosecond()%int(time.Millisecond) != 0 || time.Until(clock).Abs() > 10*time.Minute {
		t.Errorf("StartRun clock = %v, want the current UTC time in whole milliseconds", clock)
	}
	tbl, _ := model.TableOf(model.Target, model.RoleConfiguration, "ImportRun")
	col := func(r data.Row, name string) data.Value { return r[tbl.MustIndex(name)] }
	rows := scanAll(t, d, "ImportRun")
	if len(rows) != 1 || col(rows[0], "ImportRunId").Int != id || col(rows[0], "Outcome").Str != "Running" ||
		!col(rows[0], "Mode").IsNull() || !col(rows[0], "FinishedUtc").IsNull() || col(rows[0], "StartedUtc").IsNull() ||
		col(rows[0], "AddedCount").Int != 0 || col(rows[0], "SourceInstallationId").AsGUID() != iid {
		t.Fatalf("ImportRun after StartRun = %v", rows)
	}
	report := `[{"entity":"Policy","key":"k","reason":"DUPLICATE","detail":"Grüße 😀"}]`
	fin := store.RunFinish{Outcome: "Succeeded", FinishedUTC: clock.Add(1500 * time.Millisecond), AddedCount: 12, SkippedCount: 3, ReportJSON: report}
	if err := d.FinishRun(ctx, id, fin); err != nil {
		t.Fatalf("FinishRun: %v", err)
	}
	rows = scanAll(t, d, "ImportRun")
	if len(rows) != 1 || col(rows[0], "Outcome").Str != "Succeeded" || !col(rows[0], "FinishedUtc").Equal(data.TimeValue(fin.FinishedUTC)) ||
		col(rows[0], "AddedCount").Int != 12 || col(rows[0], "SkippedCount").Int != 3 || col(rows[0], "Report").Str != report {
		t.Errorf("ImportRun after FinishRun = %v", rows)
	}
	id2, _, err := d.StartRun(ctx, run)
	if err != nil {
		t.Fatalf("second StartRun: %v", err)
	}
	if id2 <= id {
		t.Errorf("second ImportRunId = %d, want more than %d", id2, id)
	}
	if c := count(t, d, "ImportRun"); c != 2 {
		t.Errorf("Count(ImportRun) = %d, want 2", c)
	}
}

// --- helpers ---

func begin(t *testing.T, d store.ConfigDestination) store.ConfigTx {
	t.Helper()
	tx, err := d.BeginConfig(context.Background())
	if err != nil {
		t.Fatalf("BeginConfig: %v", err)
	}
	return tx
}

func insertCommit(t *testing.T, d store.ConfigDestination, table string, rows []data.Row) {
	t.Helper()
	ctx := context.Background()
	tx := begin(t, d)
	if err := tx.Insert(ctx, table, rows); err != nil {
		_ = tx.Rollback(ctx)
		t.Fatalf("Insert %s: %v", table, err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatalf("Commit %s: %v", table, err)
	}
}

func count(t *testing.T, s store.Source, table string) int64 {
	t.Helper()
	n, err := s.Count(context.Background(), table)
	if err != nil {
		t.Fatalf("Count %s: %v", table, err)
	}
	return n
}

// scanAll reads a table, copying each row (strings included): a row is only
// valid until the next call to Next.
func scanAll(t *testing.T, s store.Source, table string) []data.Row {
	t.Helper()
	rs, err := s.Scan(context.Background(), table)
	if err != nil {
		t.Fatalf("Scan %s: %v", table, err)
	}
	defer rs.Close()
	var out []data.Row
	for rs.Next() {
		r := rs.Row().Clone()
		for i := range r {
			r[i].Str = strings.Clone(r[i].Str)
		}
		out = append(out, r)
	}
	if err := rs.Err(); err != nil {
		t.Fatalf("Scan %s: %v", table, err)
	}
	return out
}

// identities checks that the destination assigned distinct positive,
// increasing (primary key order) identity values and returns them.
func identities(t *testing.T, table string, rows []data.Row, col, n int) []data.Value {
	t.Helper()
	if len(rows) != n {
		t.Fatalf("%s: %d rows, want %d", table, len(rows), n)
	}
	ids := make([]data.Value, n)
	for i, r := range rows {
		if r[col].Kind != data.Int || r[col].Int <= 0 || (i > 0 && r[col].Int <= ids[i-1].Int) {
			t.Fatalf("%s: row %d has identity %v; want positive values in increasing order", table, i+1, r[col])
		}
		ids[i] = r[col]
	}
	return ids
}

func withIDs(rows []data.Row, col int, ids []data.Value) []data.Row {
	out := make([]data.Row, len(rows))
	for i, r := range rows {
		out[i] = r.Clone()
		out[i][col] = ids[i]
	}
	return out
}

// sortByKey orders ConfigAttribute rows by (ObjectId, AttrName, ValueIndex).
func sortByKey(rows []data.Row) {
	slices.SortStableFunc(rows, func(a, b data.Row) int {
		if c := cmpInt(a[0].Int, b[0].Int); c != 0 {
			return c
		}
		if c := strings.Compare(a[1].Str, b[1].Str); c != 0 {
			return c
		}
		return cmpInt(a[2].Int, b[2].Int)
	})
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// sortByGUID orders rows by a uniqueidentifier key in column 0 the way SQL
// Server compares uniqueidentifier values (SqlGuid: the node bytes first,
// the first group last); indexes are into the RFC 4122 byte order.
func sortByGUID(rows []data.Row) {
	order := []int{10, 11, 12, 13, 14, 15, 8, 9, 7, 6, 5, 4, 3, 2, 1, 0}
	slices.SortStableFunc(rows, func(a, b data.Row) int {
		x, y := a[0].AsGUID(), b[0].AsGUID()
		for _, i := range order {
			if x[i] != y[i] {
				return cmpInt(int64(x[i]), int64(y[i]))
			}
		}
		return 0
	})
}

func assertRows(t *testing.T, what string, want, got []data.Row) {
	t.Helper()
	if len(want) != len(got) {
		t.Errorf("%s: %d rows, want %d", what, len(got), len(want))
	}
	for i := 0; i < min(len(want), len(got)); i++ {
		for c := range want[i] {
			if c >= len(got[i]) {
				t.Errorf("%s row %d: %d values, want %d", what, i+1, len(got[i]), len(want[i]))
				break
			}
			if !want[i][c].Equal(got[i][c]) {
				t.Errorf("%s row %d column %d = %s, want %s", what, i+1, c+1, brief(got[i][c]), brief(want[i][c]))
			}
		}
	}
}

// brief renders a value for a failure message, shortening long ones.
func brief(v data.Value) string {
	s := v.Kind.String() + " " + v.String()
	if len(s) > 120 {
		s = fmt.Sprintf("%s… (%d bytes)", s[:100], len(v.Str)+len(v.Bytes))
	}
	return s
}

// CatalogAgain runs a CREATE or DROP DATABASE of a test up to four times:
// packages' tests run in parallel, and a server may refuse one that races
// another database's catalog change (the TDS test server answered "tuple
// concurrently updated").
func CatalogAgain(f func() error) error {
	var err error
	for i := range 4 {
		if err = f(); err == nil {
			return nil
		}
		time.Sleep(time.Duration(i+1) * 500 * time.Millisecond)
	}
	return err
}
