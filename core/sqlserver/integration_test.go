package sqlserver

// Integration tests against a real SQL Server. They run only when
// AR_TEST_SQLSERVER holds a connection string (sqlserver://… or
// Server=…;Database=master;…) whose account may create databases; each test
// works in a scratch database of its own and drops it afterwards.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/retry"
	"github.com/activeroles/arupgrade/core/store"
	"github.com/activeroles/arupgrade/core/storetest"
)

func integrationServer(t testing.TB) Options {
	t.Helper()
	s := os.Getenv("AR_TEST_SQLSERVER")
	if s == "" {
		t.Skip("AR_TEST_SQLSERVER is not set; set it to a connection string (e.g. Server=sql01.corp.example.com;Database=master;User Id=…;Password=…) of a SQL Server where the account may create databases to run the integration tests")
	}
	o, err := ParseLocation(s)
	if err != nil {
		t.Fatalf("AR_TEST_SQLSERVER: %v", err)
	}
	return o
}

var scratchSeq atomic.Int64

// scratch creates an empty database and drops it when the test ends.
func scratch(t testing.TB, server Options) Options {
	t.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("arupg_it_%d_%d", time.Now().UnixNano()%1e9, scratchSeq.Add(1))
	if err := storetest.CatalogAgain(func() error { return CreateDatabase(ctx, server, name) }); err != nil {
		t.Fatalf("create scratch database: %v", err)
	}
	t.Cleanup(func() {
		if err := storetest.CatalogAgain(func() error { return DropDatabase(context.WithoutCancel(ctx), server, name) }); err != nil {
			t.Errorf("drop scratch database %s: %v", name, err)
		}
	})
	o := server
	o.Database = name
	return o
}

func openScratch(t testing.TB, o Options, oo OpenOptions) *Database {
	t.Helper()
	d, err := Open(context.Background(), o, oo)
	if err != nil {
		t.Fatalf("open %s: %v", o.Redacted(), err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

func settingsFor(v model.Version, r model.Role, iid data.UUID) map[string]string {
	s := map[string]string{"SchemaVersion": v.String(), "DatabaseRole": string(r), "InstallationId": iid.String()}
	if r.HasConfiguration() {
		s["EncryptionKeyId"] = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
	}
	if v.Major == 7 {
		s["ServerUtcOffsetMinutes"] = "60"
	}
	return s
}

func initialize(t testing.TB, d *Database, v model.Version, r model.Role, iid data.UUID) []data.Table {
	t.Helper()
	tables, err := model.Tables(v, r)
	if err != nil {
		t.Fatal(err)
	}
	ddl, err := model.DDL(v, r)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Initialize(context.Background(), tables, ddl, settingsFor(v, r, iid)); err != nil {
		t.Fatalf("Initialize %s %s: %v", v, r, err)
	}
	return tables
}

// TestIntegrationModelDDL runs every model DDL and checks that Info reads
// back exactly the model's schema and Detect recognises it.
func TestIntegrationModelDDL(t *testing.T) {
	server := integrationServer(t)
	for _, s := range modelSchemas {
		t.Run(s.v.String()+"/"+string(s.r), func(t *testing.T) {
			d := openScratch(t, scratch(t, server), OpenOptions{})
			ctx := context.Background()
			in, err := d.Info(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if det := model.Detect(in); det.State != model.StateBlank {
				t.Fatalf("new database detected as %v", det.State)
			}
			want := initialize(t, d, s.v, s.r, data.MustUUID(testIID))
			in, err = d.Info(ctx)
			if err != nil {
				t.Fatal(err)
			}
			sort.Slice(want, func(i, j int) bool { return want[i].Name < want[j].Name })
			if diff := cmp.Diff(want, in.Tables); diff != "" {
				t.Errorf("schema (-model +server):\n%s", diff)
			}
			if det := model.Detect(in); det.State != model.StateSupported || det.Role != s.r {
				t.Errorf("detected %v %v (%s)", det.State, det.Role, det.Reason)
			}
			perm, err := d.Permissions(ctx)
			if err != nil || !perm.DbOwner {
				t.Errorf("permissions %+v err %v", perm, err)
			}
			if _, _, _, err := d.Space(ctx); err != nil {
				t.Errorf("Space: %v", err)
			}
		})
	}
}

// TestIntegrationConformance runs the store contract suite on SQL Server.
func TestIntegrationConformance(t *testing.T) {
	server := integrationServer(t)
	storetest.RunConformance(t, func(t *testing.T) store.ConfigDestination {
		o := scratch(t, server)
		d, err := Open(context.Background(), o, OpenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return d
	})
}

func TestIntegrationCreateDatabaseExists(t *testing.T) {
	server := integrationServer(t)
	o := scratch(t, server)
	err := CreateDatabase(context.Background(), server, o.Database)
	if err == nil || !strings.Contains(err.Error(), o.Database) {
		t.Fatalf("err = %v", err)
	}
	var exists *DatabaseExistsError
	if !errors.As(err, &exists) || !errors.Is(err, ErrDatabaseExists) {
		t.Fatalf("err %T is not *DatabaseExistsError", err)
	}
}

// rowOf lays out a row of t from column values by name; others are NULL.
func rowOf(t *data.Table, vals map[string]data.Value) data.Row {
	r := make(data.Row, len(t.Columns))
	for n, v := range vals {
		r[t.MustIndex(n)] = v
	}
	return r
}

// TestIntegrationValues writes values that are easy to alter (1/300 s
// datetime ticks, ms datetime2, NULL vs ”, non-ASCII, long strings, bit,
// GUID byte order, empty varbinary) through both write paths and reads them
// back unchanged.
func TestIntegrationValues(t *testing.T) {
	server := integrationServer(t)
	ctx := context.Background()
	for _, n := range []int{1, bulkThreshold + 4} {
		t.Run(fmt.Sprintf("%d rows", n), func(t *testing.T) {
			d := openScratch(t, scratch(t, server), OpenOptions{})
			tables := initialize(t, d, model.Version{Major: 7, Minor: 6, Patch: 3}, model.RoleCombined, data.MustUUID(testIID))
			var obj, hist *data.Table
			for i := range tables {
				switch tables[i].Name {
				case "ConfigObject":
					obj = &tables[i]
				case "ChangeHistory":
					hist = &tables[i]
				}
			}
			ticks := []time.Time{
				time.Date(2021, 3, 14, 10, 15, 30, 7e6, time.UTC),    // .007: tick 2
				time.Date(2021, 3, 14, 10, 15, 30, 3e6, time.UTC),    // .003: tick 1
				time.Date(1999, 12, 31, 23, 59, 59, 997e6, time.UTC), // .997: tick 299
			}
			var objs, hists []data.Row
			for i := 0; i < n; i++ {
				g := data.UUID5(data.MustUUID(testIID), "obj"+strconv.Itoa(i))
				name := "Ünïcødé 😀 ]x[ '" + strings.Repeat("n", i)
				objs = append(objs, rowOf(obj, map[string]data.Value{
					"ObjectGuid": data.GUIDValue(g), "ObjectClass": data.StringValue("ManagedUnit"), "Name": data.StringValue(name),
					"IsBuiltIn": data.IntValue(int64(i % 2)), "WhenCreated": data.TimeValue(ticks[i%3]), "WhenChanged": data.TimeValue(ticks[(i+1)%3]),
				}))
				details := data.NullValue()
				if i%2 == 0 {
					details = data.StringValue(`<changes><attr name="description" op="replace"><old>` + strings.Repeat("é", 5000) + `</old><new>é</new></attr></changes>`)
				}
				initiator := data.BytesValue(nil)
				if i%3 == 1 {
					initiator = data.NullValue()
				}
				hists = append(hists, rowOf(hist, map[string]data.Value{
					"ChangeTime": data.TimeValue(ticks[i%3]), "InitiatorSid": initiator, "InitiatorName": data.StringValue(""),
					"ObjectDn": data.StringValue("CN=x"), "ObjectGuid": data.GUIDValue(g), "Operation": data.IntValue(255), "Status": data.IntValue(0),
					"Details": details,
				}))
			}
			tx, err := d.BeginConfig(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := tx.Insert(ctx, "ConfigObject", objs); err != nil {
				t.Fatal(err)
			}
			if err := tx.Insert(ctx, "ChangeHistory", hists); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				table *data.Table
				want  []data.Row
			}{{obj, objs}, {hist, hists}} {
				got := scanAll(t, d, c.table.Name)
				if len(got) != len(c.want) {
					t.Fatalf("%s: %d rows, want %d", c.table.Name, len(got), len(c.want))
				}
				key := c.table.MustIndex("ObjectGuid")
				byGUID := map[data.UUID]data.Row{}
				for _, r := range got {
					r[0] = data.NullValue() // identity, assigned by the server
					byGUID[r[key].AsGUID()] = r
				}
				for i, w := range c.want {
					if g := byGUID[w[key].AsGUID()]; !g.Equal(w) {
						t.Errorf("%s row %d:\n got %v\nwant %v", c.table.Name, i, g, w)
					}
				}
			}
		})
	}
}

func scanAll(t *testing.T, s store.Source, table string) []data.Row {
	t.Helper()
	rows, err := s.Scan(context.Background(), table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []data.Row
	for rows.Next() {
		out = append(out, rows.Row().Clone())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// historyRows builds an 8.2 history batch of n records (each with two
// attributes and one task) and m memberships, origin srcIID, ids from first.
func historyRows(t testing.TB, d *Database, first, n, m int, runID int64) *store.HistoryBatch {
	t.Helper()
	ctx := context.Background()
	get := func(name string) *data.Table {
		tb, err := d.table(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		return tb
	}
	rec, attr, task, mem := get("ChangeRecord"), get("ChangeRecordAttribute"), get("ApprovalTask"), get("TemporalMembership")
	when := time.Date(2022, 5, 1, 8, 0, 0, 0, time.UTC)
	run := data.IntValue(runID)
	b := &store.HistoryBatch{Seq: 1}
	for i := first; i < first+n; i++ {
		rg := model.DerivedGUID("ChangeRecord", srcIID, int64(i))
		r := store.HistoryRecord{Record: rowOf(rec, map[string]data.Value{
			"RecordGuid": data.GUIDValue(rg), "ChangeTimeUtc": data.TimeValue(when.Add(time.Duration(i) * time.Millisecond)),
			"ObjectDn": data.StringValue("CN=obj" + strconv.Itoa(i)), "Operation": data.StringValue("Modify"), "Status": data.StringValue("Completed"),
			"ServiceHost": data.StringValue("ars01.corp.example.com"), "OriginInstallationId": data.GUIDValue(srcIID),
			"OriginRecordId": data.IntValue(int64(i)), "ImportRunId": run,
		})}
		for s := 1; s <= 2; s++ {
			r.Attributes = append(r.Attributes, rowOf(attr, map[string]data.Value{
				"Seq": data.IntValue(int64(s)), "AttributeName": data.StringValue("description"), "ChangeType": data.StringValue("Replace"),
				"OldValue": data.StringValue(""), "NewValue": data.StringValue(strings.Repeat("v", s*3000)),
			}))
		}
		r.Tasks = append(r.Tasks, rowOf(task, map[string]data.Value{
			"TaskGuid": data.GUIDValue(model.DerivedGUID("ApprovalTask", srcIID, int64(i))), "RecordGuid": data.GUIDValue(rg),
			"Status": data.StringValue("Approved"), "CreatedUtc": data.TimeValue(when), "OriginInstallationId": data.GUIDValue(srcIID),
			"OriginTaskId": data.IntValue(int64(i)), "ImportRunId": run,
		}))
		b.Records = append(b.Records, r)
	}
	for i := first; i < first+m; i++ {
		b.Memberships = append(b.Memberships, rowOf(mem, map[string]data.Value{
			"MembershipGuid": data.GUIDValue(model.DerivedGUID("TemporalMembership", srcIID, int64(i))), "GroupGuid": data.GUIDValue(srcIID),
			"GroupDn": data.StringValue("CN=g"), "MemberGuid": data.GUIDValue(srcIID), "MemberDn": data.StringValue("CN=m"),
			"CreatedUtc": data.TimeValue(when), "State": data.StringValue("Finished"), "OriginInstallationId": data.GUIDValue(srcIID),
			"OriginMembershipId": data.IntValue(int64(i)), "ImportRunId": run,
		}))
	}
	return b
}

func startRun(t testing.TB, d *Database) int64 {
	t.Helper()
	id, now, err := d.StartRun(context.Background(), store.ImportRun{Kind: "History", SourceInstallationID: srcIID, SourceVersion: "8.1.0",
		SourceServer: "old.corp.example.com", SourceDatabase: "ARHistory", Mode: "All", StartedUTC: time.Now().UTC().Truncate(time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(now) > time.Hour || time.Until(now) > time.Hour {
		t.Errorf("server clock %v is far from ours", now)
	}
	return id
}

func counts(t *testing.T, d *Database) [4]int64 {
	t.Helper()
	var c [4]int64
	for i, tb := range []string{"ChangeRecord", "ChangeRecordAttribute", "ApprovalTask", "TemporalMembership"} {
		n, err := d.Count(context.Background(), tb)
		if err != nil {
			t.Fatal(err)
		}
		c[i] = n
	}
	return c
}

// TestIntegrationHistoryExactlyOnce: a batch goes in once; re-running it (bulk
// or row by row) adds nothing; a record whose NK matches a native row is a
// conflict, and so is its task.
func TestIntegrationHistoryExactlyOnce(t *testing.T) {
	server := integrationServer(t)
	ctx := context.Background()
	o := scratch(t, server)
	destIID := data.MustUUID(testIID)
	d := openScratch(t, o, OpenOptions{})
	initialize(t, d, model.Target, model.RoleManagementHistory, destIID)
	run := startRun(t, d)

	b := historyRows(t, d, 1, 50, 20, run)
	res, err := d.WriteHistoryBatch(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	want := &store.HistoryBatchResult{RecordsAdded: 50, TasksAdded: 50, MembershipsAdded: 20, AttributesAdded: 100, Conflicts: map[string][]data.UUID{}}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Fatalf("first write (-want +got):\n%s", diff)
	}
	if c := counts(t, d); c != [4]int64{50, 100, 50, 20} {
		t.Fatalf("counts %v", c)
	}
	dup := &store.HistoryBatchResult{RecordsDuplicate: 50, TasksDuplicate: 50, MembershipsDuplicate: 20, Conflicts: map[string][]data.UUID{}}
	for _, rowByRow := range []bool{false, true} {
		d2 := openScratch(t, o, OpenOptions{RowByRow: rowByRow})
		res, err := d2.WriteHistoryBatch(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(dup, res); diff != "" {
			t.Fatalf("re-run rowByRow=%v (-want +got):\n%s", rowByRow, diff)
		}
	}
	if c := counts(t, d); c != [4]int64{50, 100, 50, 20} {
		t.Fatalf("counts after re-runs %v", c)
	}

	// A native 8.2 row (no origin) and a source record claiming to be it.
	native := historyRows(t, d, 1000, 1, 0, run)
	rec := native.Records[0].Record
	rt, _ := d.table(ctx, "ChangeRecord")
	rec[rt.MustIndex("RecordGuid")] = data.GUIDValue(data.UUID5(destIID, "native"))
	rec[rt.MustIndex("OriginInstallationId")] = data.NullValue()
	rec[rt.MustIndex("OriginRecordId")] = data.NullValue()
	rec[rt.MustIndex("ImportRunId")] = data.NullValue()
	native.Records[0].Tasks = nil
	if _, err := d.WriteHistoryBatch(ctx, native); err != nil {
		t.Fatal(err)
	}
	var nativeID int64
	for _, r := range scanAll(t, d, "ChangeRecord") {
		if r[rt.MustIndex("OriginInstallationId")].IsNull() {
			nativeID = r[rt.MustIndex("RecordId")].Int
		}
	}
	claim := historyRows(t, d, 2000, 1, 0, run)
	cr := claim.Records[0].Record
	cr[rt.MustIndex("OriginInstallationId")] = data.GUIDValue(destIID)
	cr[rt.MustIndex("OriginRecordId")] = data.IntValue(nativeID)
	res, err = d.WriteHistoryBatch(ctx, claim)
	if err != nil {
		t.Fatal(err)
	}
	wantConflict := &store.HistoryBatchResult{Conflicts: map[string][]data.UUID{
		"ChangeRecord": {cr[rt.MustIndex("RecordGuid")].AsGUID()},
		"ApprovalTask": {claim.Records[0].Tasks[0][1].AsGUID()},
	}}
	if diff := cmp.Diff(wantConflict, res); diff != "" {
		t.Fatalf("conflict (-want +got):\n%s", diff)
	}
	if err := d.FinishRun(ctx, run, store.RunFinish{Outcome: "Succeeded", FinishedUTC: time.Now().UTC(), AddedCount: 120, SkippedCount: 2, ReportJSON: `[{"entity":"ChangeRecord","key":"x","reason":"CONFLICT"}]`}); err != nil {
		t.Fatal(err)
	}
}

// proxied routes o through a fault proxy (TLS stays end to end: the
// certificate is checked against the real server name).
func proxied(t *testing.T, o Options) (Options, *faultProxy) {
	t.Helper()
	if o.Instance != "" && o.Port == 0 {
		t.Skip("the fault proxy needs a fixed port; give AR_TEST_SQLSERVER as host,port")
	}
	port := o.Port
	if port == 0 {
		port = 1433
	}
	p := newFaultProxy(t, net.JoinHostPort(o.Server, strconv.Itoa(port)))
	po := o
	if po.HostNameInCertificate == "" {
		po.HostNameInCertificate = o.Server
	}
	po.Server, po.Instance, po.Port = "127.0.0.1", "", p.Addr().Port
	return po, p
}

// TestIntegrationRetryAfterDrop cuts the connection in the middle of a batch
// and checks that retry.Guide redoes it and the rows are in exactly once.
func TestIntegrationRetryAfterDrop(t *testing.T) {
	server := integrationServer(t)
	ctx := context.Background()
	o := scratch(t, server)
	po, p := proxied(t, o)
	d := openScratch(t, po, OpenOptions{})
	initialize(t, d, model.Target, model.RoleManagementHistory, data.MustUUID(testIID))
	run := startRun(t, d)
	b := historyRows(t, d, 1, 400, 0, run) // ~2.5 MB of attribute text: the drop lands mid-batch
	d.bulkUsable(ctx)                      // the bulk probe's traffic comes before the drop is armed
	p.DropAfter(256 << 10)
	var last *store.HistoryBatchResult
	pol := retry.Guide
	pol.NewBackOff = func() retry.BackOff { return constBackOff(50 * time.Millisecond) }
	attempts, err := retry.Do(ctx, pol, func(ctx context.Context, attempt int) error {
		res, err := d.WriteHistoryBatch(ctx, b)
		last = res
		return err
	})
	if err != nil {
		t.Fatalf("after %d attempts: %v", attempts, err)
	}
	if attempts != 2 || p.dropped.Load() != 1 {
		t.Errorf("attempts %d, drops %d; want 2 and 1", attempts, p.dropped.Load())
	}
	if last.RecordsAdded != 400 || last.RecordsDuplicate != 0 {
		t.Errorf("retried batch %+v: the failed attempt must have left nothing", last)
	}
	if c := counts(t, d); c != [4]int64{400, 800, 400, 0} {
		t.Fatalf("counts %v", c)
	}
}

// TestIntegrationRetryAfterStall black-holes the connection mid-batch: the
// command timeout ends the attempt and the retry succeeds.
func TestIntegrationRetryAfterStall(t *testing.T) {
	server := integrationServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	o := scratch(t, server)
	po, p := proxied(t, o)
	d := openScratch(t, po, OpenOptions{})
	initialize(t, d, model.Target, model.RoleManagementHistory, data.MustUUID(testIID))
	run := startRun(t, d)
	d.opts.CommandTimeout = 3 * time.Second
	b := historyRows(t, d, 1, 200, 0, run)
	pol := retry.Guide
	pol.NewBackOff = func() retry.BackOff { return constBackOff(50 * time.Millisecond) }
	attempts, err := retry.Do(ctx, pol, func(ctx context.Context, attempt int) error {
		if attempt == 1 {
			// Stall once the batch is under way; cut the stalled connection
			// later in case the driver waits on it past the timeout.
			go func() {
				time.Sleep(300 * time.Millisecond)
				p.StallExisting()
				time.Sleep(10 * time.Second)
				p.DropStalled()
			}()
		}
		_, err := d.WriteHistoryBatch(ctx, b)
		return err
	})
	if err != nil {
		t.Fatalf("after %d attempts: %v", attempts, err)
	}
	if attempts < 2 {
		t.Logf("the batch finished before the stall (attempts %d)", attempts)
	}
	if c := counts(t, d); c != [4]int64{200, 400, 200, 0} {
		t.Fatalf("counts %v", c)
	}
}

type constBackOff time.Duration

func (c constBackOff) NextBackOff() time.Duration { return time.Duration(c) }

// BenchmarkIntegrationHistoryBatch compares the two ways of filling a history
// batch's temp tables: bulk copy and parameterised INSERTs row by row.
// Run with AR_TEST_SQLSERVER set: go test -run XXX -bench HistoryBatch ./core/sqlserver
func BenchmarkIntegrationHistoryBatch(b *testing.B) {
	server := integrationServer(b)
	for _, mode := range []struct {
		name     string
		rowByRow bool
	}{{"BulkCopy", false}, {"RowByRow", true}} {
		b.Run(mode.name, func(b *testing.B) {
			o := scratch(b, server)
			d := openScratch(b, o, OpenOptions{RowByRow: mode.rowByRow})
			initialize(b, d, model.Target, model.RoleManagementHistory, data.MustUUID(testIID))
			run := startRun(b, d)
			const size = 1000 // the guide's default batch size
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				batch := historyRows(b, d, 1+i*size, size, 0, run)
				b.StartTimer()
				res, err := d.WriteHistoryBatch(ctx, batch)
				if err != nil {
					b.Fatal(err)
				}
				if res.RecordsAdded != size {
					b.Fatalf("added %d", res.RecordsAdded)
				}
			}
			b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
