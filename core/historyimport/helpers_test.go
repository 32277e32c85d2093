package historyimport

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"github.com/activeroles/arupgrade/core/benchproc"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/fixture"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/retry"
	"github.com/activeroles/arupgrade/core/store"
)

const childEnv = "AR_HISTORYIMPORT_TEST_CHILD"

var sampleDir string

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(testChildMain())
	}
	if benchproc.IsChild() {
		os.Exit(benchproc.ChildMain())
	}
	// Retries never sleep in tests.
	retryPolicy = retry.Guide.WithSleep(func(ctx context.Context, d time.Duration) error { return ctx.Err() })
	dir, err := os.MkdirTemp("", "historyimport-samples-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	sampleDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

type sampleKey struct {
	version, role string
	records       int
	seed          int64
	anomalies     bool
}

type sample struct {
	path string
	res  *fixture.Result
}

var (
	samplesMu sync.Mutex
	samples   = map[sampleKey]*sample{}
)

// source returns a sample bundle (generated once per key and test binary).
func source(t testing.TB, version, role string, records int, anomalies bool) *sample {
	t.Helper()
	k := sampleKey{version, role, records, 7, anomalies}
	samplesMu.Lock()
	defer samplesMu.Unlock()
	if s, ok := samples[k]; ok {
		return s
	}
	p := filepath.Join(sampleDir, fmt.Sprintf("src-%s-%s-%d-%v.arbundle", version, role, records, anomalies))
	res, err := fixture.WriteBundle(context.Background(), p, fixture.Spec{Version: version, Role: role, HistoryRecords: records,
		ConfigObjects: 10, Seed: k.seed, Anomalies: anomalies})
	if err != nil {
		t.Fatalf("fixture %v: %v", k, err)
	}
	s := &sample{path: p, res: res}
	samples[k] = s
	return s
}

func openSource(t testing.TB, path string) store.Source {
	t.Helper()
	b, err := bundle.Open(path)
	if err != nil {
		t.Fatalf("open source %s: %v", path, err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

// importInto runs one import from src into the bundle at dst and closes both.
func importInto(t testing.TB, src, dst string, opts Options, wrap func(store.HistoryDestination) store.HistoryDestination) (*Result, error) {
	t.Helper()
	return importCtx(context.Background(), t, src, dst, opts, wrap, nil)
}

func importCtx(ctx context.Context, t testing.TB, src, dst string, opts Options, wrap func(store.HistoryDestination) store.HistoryDestination, rep Reporter) (*Result, error) {
	t.Helper()
	s := openSource(t, src)
	d, err := openDestination(dst)
	if err != nil {
		t.Fatalf("open destination %s: %v", dst, err)
	}
	var hd store.HistoryDestination = d
	if wrap != nil {
		hd = wrap(hd)
	}
	if rep == nil {
		rep = &recorder{}
	}
	res, runErr := Run(ctx, s, hd, opts, rep)
	if err := d.Close(); err != nil {
		t.Fatalf("close destination: %v", err)
	}
	return res, runErr
}

// recorder is a Reporter that keeps what it is told.
type recorder struct {
	mu       sync.Mutex
	progress []engine.Progress
	warnings []string // "code: message"
	logBuf   bytes.Buffer
	log      *zerolog.Logger
}

func (r *recorder) Progress(p engine.Progress) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.progress = append(r.progress, p)
}

func (r *recorder) Warn(code, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.warnings = append(r.warnings, code+": "+msg)
}

func (r *recorder) Log() *zerolog.Logger {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.log == nil {
		l := zerolog.New(&lockedWriter{w: &r.logBuf, mu: &r.mu}).Level(zerolog.InfoLevel)
		r.log = &l
	}
	return r.log
}

func (r *recorder) warned(code string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, w := range r.warnings {
		if strings.HasPrefix(w, code+": ") {
			return w
		}
	}
	return ""
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) { return l.w.Write(p) }

// readTable returns a destination table's rows (cloned) and its schema; path
// is a bundle or a sql: location (sqlserver_test.go).
func readTable(t testing.TB, path, table string) ([]data.Row, *data.Table) {
	t.Helper()
	b := openStore(t, path)
	in, err := b.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tb := in.Table(table)
	if tb == nil {
		return nil, nil
	}
	rows, err := b.Scan(context.Background(), table)
	if err != nil {
		t.Fatalf("scan %s: %v", table, err)
	}
	defer rows.Close()
	var out []data.Row
	for rows.Next() {
		out = append(out, rows.Row().Clone())
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("scan %s: %v", table, err)
	}
	return out, tb
}

func fileHash(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return "absent"
	}
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", sha256.Sum256(b))
}

// content renders the three history tables of a destination as sorted lines,
// ignoring identity ids and ImportRunId (attribute rows name their record by
// RecordGuid), so two imports compare equal whatever their batch history.
func content(t testing.TB, path string) []string {
	t.Helper()
	var lines []string
	recs, rt := readTable(t, path, "ChangeRecord")
	if rt == nil {
		return nil
	}
	guidOf := map[int64]string{}
	ri, gi := rt.MustIndex("RecordId"), rt.MustIndex("RecordGuid")
	for _, r := range recs {
		guidOf[r[ri].Int] = r[gi].AsGUID().String()
		lines = append(lines, "R "+render(rt, r, "RecordId", "ImportRunId"))
	}
	attrs, at := readTable(t, path, "ChangeRecordAttribute")
	ai := at.MustIndex("RecordId")
	for _, a := range attrs {
		g, ok := guidOf[a[ai].Int]
		if !ok {
			t.Fatalf("attribute row of missing record %d", a[ai].Int)
		}
		lines = append(lines, "A "+g+" "+render(at, a, "RecordId"))
	}
	tasks, tt := readTable(t, path, "ApprovalTask")
	for _, x := range tasks {
		lines = append(lines, "T "+render(tt, x, "TaskId", "ImportRunId"))
	}
	mems, mt := readTable(t, path, "TemporalMembership")
	for _, m := range mems {
		lines = append(lines, "M "+render(mt, m, "MembershipId", "ImportRunId"))
	}
	sort.Strings(lines)
	return lines
}

func render(t *data.Table, r data.Row, skip ...string) string {
	var b strings.Builder
	for i, c := range t.Columns {
		skipIt := false
		for _, s := range skip {
			if strings.EqualFold(s, c.Name) {
				skipIt = true
			}
		}
		if skipIt {
			continue
		}
		b.WriteString(c.Name)
		b.WriteByte('=')
		b.WriteString(r[i].String())
		b.WriteByte(' ')
	}
	return b.String()
}

func sameContent(t testing.TB, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("destination has %d rows, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("row %d differs:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
}

// importRuns returns the destination's ImportRun rows as maps.
func importRuns(t testing.TB, path string) []map[string]data.Value {
	t.Helper()
	rows, tb := readTable(t, path, "ImportRun")
	var out []map[string]data.Value
	for _, r := range rows {
		m := map[string]data.Value{}
		for i, c := range tb.Columns {
			m[c.Name] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// checkInvariants verifies model §11.4–7 for an All import of a clean
// sample into a destination that held nothing else: exactly-once records,
// tasks and memberships with their NKs, converted times, attribute rows and
// approvals.
func checkInvariants(t testing.TB, s *sample, dstPath string) {
	t.Helper()
	v, _ := model.ParseVersion(s.res.Version)
	g, _ := v.Generation()
	iid := s.res.InstallationID
	off := 0
	if s.res.UTCOffsetMinutes != nil {
		off = *s.res.UTCOffsetMinutes
	}
	conv := func(x data.Value) data.Value {
		if g == model.G1 {
			return model.UTC(x, off)
		}
		return x
	}
	col := func(tb *data.Table, names ...string) int {
		for _, n := range names {
			if i := tb.Index(n); i >= 0 {
				return i
			}
		}
		t.Fatalf("table %s has none of %v", tb.Name, names)
		return -1
	}
	nk := func(tb *data.Table, r data.Row, id int64, origin string) string {
		if g != model.G1 {
			oi, oid := tb.MustIndex("OriginInstallationId"), tb.MustIndex(origin)
			if !r[oi].IsNull() {
				return r[oi].AsGUID().String() + "/" + strconv.FormatInt(r[oid].Int, 10)
			}
		}
		return iid.String() + "/" + strconv.FormatInt(id, 10)
	}

	// Destination, by GUID.
	drecs, drt := readTable(t, dstPath, "ChangeRecord")
	dattrs, dat := readTable(t, dstPath, "ChangeRecordAttribute")
	dtasks, dtt := readTable(t, dstPath, "ApprovalTask")
	dmems, dmt := readTable(t, dstPath, "TemporalMembership")
	byGUID := map[data.UUID]data.Row{}
	idToGUID := map[int64]data.UUID{}
	for _, r := range drecs {
		gg := r[drt.MustIndex("RecordGuid")].AsGUID()
		if _, dup := byGUID[gg]; dup {
			t.Fatalf("record %s twice in the destination", gg)
		}
		byGUID[gg] = r
		idToGUID[r[drt.MustIndex("RecordId")].Int] = gg
	}
	attrsOf := map[data.UUID][]data.Row{}
	for _, a := range dattrs {
		gg, ok := idToGUID[a[dat.MustIndex("RecordId")].Int]
		if !ok {
			t.Fatalf("attribute row of a missing record")
		}
		attrsOf[gg] = append(attrsOf[gg], a)
	}
	tasksOf := map[data.UUID]int{}
	taskByGUID := map[data.UUID]data.Row{}
	for _, x := range dtasks {
		rg := x[dtt.MustIndex("RecordGuid")].AsGUID()
		if _, ok := byGUID[rg]; !ok {
			t.Fatalf("approval task references a missing record %s", rg)
		}
		tasksOf[rg]++
		taskByGUID[x[dtt.MustIndex("TaskGuid")].AsGUID()] = x
	}

	// Source.
	recTable := "ChangeRecord"
	if g == model.G1 {
		recTable = "ChangeHistory"
	}
	srecs, srt := readTable(t, s.path, recTable)
	if len(srecs) != len(drecs) {
		t.Fatalf("destination has %d records, source %d", len(drecs), len(srecs))
	}
	sid := col(srt, "RecordId")
	stime := col(srt, "ChangeTime", "ChangeTimeUtc")
	srcAttrs := map[int64][]data.Row{}
	var sat *data.Table
	if g != model.G1 {
		var rows []data.Row
		rows, sat = readTable(t, s.path, "ChangeRecordAttribute")
		for _, a := range rows {
			id := a[sat.MustIndex("RecordId")].Int
			srcAttrs[id] = append(srcAttrs[id], a)
		}
	}
	stasks, stt := readTable(t, s.path, "ApprovalTask")
	srcTasks := map[string]int{}
	for _, x := range stasks {
		var key string
		if g == model.G3 {
			key = x[stt.MustIndex("RecordGuid")].AsGUID().String()
		} else {
			key = strconv.FormatInt(x[stt.MustIndex("RecordId")].Int, 10)
		}
		srcTasks[key]++
		tid := x[stt.MustIndex("TaskId")].Int
		var tg data.UUID
		if g == model.G1 {
			tg = model.DerivedGUID("ApprovalTask", iid, tid)
		} else {
			tg = x[stt.MustIndex("TaskGuid")].AsGUID()
		}
		dt, ok := taskByGUID[tg]
		if !ok {
			t.Fatalf("source task %d (%s) not in the destination", tid, tg)
		}
		if got, want := dt[dtt.MustIndex("OriginInstallationId")].AsGUID().String()+"/"+strconv.FormatInt(dt[dtt.MustIndex("OriginTaskId")].Int, 10), nk(stt, x, tid, "OriginTaskId"); got != want {
			t.Fatalf("task %s NK %s, want %s", tg, got, want)
		}
		if got, want := dt[dtt.MustIndex("CreatedUtc")], conv(x[col(stt, "Created", "CreatedUtc")]); !got.Equal(want) {
			t.Fatalf("task %s CreatedUtc %s, want %s", tg, got, want)
		}
	}
	if len(stasks) != len(dtasks) {
		t.Fatalf("destination has %d tasks, source %d", len(dtasks), len(stasks))
	}
	for _, r := range srecs {
		id := r[sid].Int
		var gg data.UUID
		if g == model.G1 {
			gg = model.DerivedGUID("ChangeRecord", iid, id)
		} else {
			gg = r[srt.MustIndex("RecordGuid")].AsGUID()
		}
		d, ok := byGUID[gg]
		if !ok {
			t.Fatalf("source record %d (%s) not in the destination", id, gg)
		}
		if got, want := d[drt.MustIndex("OriginInstallationId")].AsGUID().String()+"/"+strconv.FormatInt(d[drt.MustIndex("OriginRecordId")].Int, 10), nk(srt, r, id, "OriginRecordId"); got != want {
			t.Fatalf("record %d NK %s, want %s", id, got, want)
		}
		if got, want := d[drt.MustIndex("ChangeTimeUtc")], conv(r[stime]); !got.Equal(want) {
			t.Fatalf("record %d ChangeTimeUtc %s, want %s", id, got, want)
		}
		// Details / attribute rows (§11.6).
		da := attrsOf[gg]
		sort.Slice(da, func(i, j int) bool { return da[i][dat.MustIndex("Seq")].Int < da[j][dat.MustIndex("Seq")].Int })
		type attr struct {
			seq      int64
			name, ct string
			old, new data.Value
		}
		var want []attr
		if g == model.G1 {
			if dv := r[srt.MustIndex("Details")]; dv.Kind == data.String {
				ch, _ := model.ParseDetails(dv.Str)
				for i, c := range ch {
					want = append(want, attr{int64(i + 1), c.Name, c.ChangeType, c.Old, c.New})
				}
			}
		} else {
			for _, a := range srcAttrs[id] {
				ct := a[sat.MustIndex("ChangeType")]
				name := ct.Str
				if g == model.G2 {
					name, _ = model.ChangeTypeName(ct.Int)
				}
				want = append(want, attr{a[sat.MustIndex("Seq")].Int, a[sat.MustIndex("AttributeName")].Str, name,
					a[sat.MustIndex("OldValue")], a[sat.MustIndex("NewValue")]})
			}
		}
		if len(da) != len(want) {
			t.Fatalf("record %d has %d attribute rows, want %d", id, len(da), len(want))
		}
		for i, w := range want {
			a := da[i]
			if a[dat.MustIndex("Seq")].Int != w.seq || a[dat.MustIndex("AttributeName")].Str != w.name ||
				a[dat.MustIndex("ChangeType")].Str != w.ct || !a[dat.MustIndex("OldValue")].Equal(w.old) || !a[dat.MustIndex("NewValue")].Equal(w.new) {
				t.Fatalf("record %d attribute %d = %v, want %+v", id, i, a, w)
			}
		}
		// Approvals per record (§11.7).
		key := strconv.FormatInt(id, 10)
		if g == model.G3 {
			key = gg.String()
		}
		if tasksOf[gg] != srcTasks[key] {
			t.Fatalf("record %d has %d tasks, source %d", id, tasksOf[gg], srcTasks[key])
		}
	}
	// Temporal memberships: an All run imports the finished (and unknown) ones only.
	smems, smt := readTable(t, s.path, "TemporalMembership")
	want := 0
	for _, m := range smems {
		st := m[smt.MustIndex("State")]
		if (g == model.G3 && st.Str == "Finished") || (g != model.G3 && st.Int != 0 && st.Int != 1) {
			want++
		}
	}
	if len(dmems) != want {
		t.Fatalf("destination has %d memberships, want the %d finished ones", len(dmems), want)
	}
	for _, m := range dmems {
		if st := m[dmt.MustIndex("State")].Str; st != "Finished" {
			t.Fatalf("All import wrote a membership in state %s", st)
		}
	}
}
