package historyimport

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/store"
)

type batchKind uint8

const (
	recordsBatch batchKind = iota
	membershipsBatch
)

// batchBuf is one batch under construction or in flight. Its rows live in
// slabs that are reused from batch to batch, so the steady state allocates
// nothing per row except what the conversions themselves create (SID text,
// parsed Details). A destination must not keep a batch's rows after
// WriteHistoryBatch returns.
type batchBuf struct {
	kind  batchKind
	b     store.HistoryBatch
	vals  []data.Value // every row's values
	guids []byte       // every GUID value's 16 bytes
	rows  []data.Row   // attribute and task rows, grouped per record

	nAttrs, nTasks  int
	firstID, lastID int64
	firstT, lastT   data.Value
	scanned         int64         // source rows of this pass read up to the end of this batch
	notes           []ReportEntry // annotations of this batch's rows (INVALID_SID, BAD_DETAILS, …)
	pendingTasks    int64
	tooLongRecords  int64
	tooLongTasks    int64
}

func (bb *batchBuf) reset(kind batchKind) {
	bb.kind = kind
	bb.b.Seq = 0
	clear(bb.b.Records) // drop references into the previous slabs
	bb.b.Records = bb.b.Records[:0]
	// Values and rows left behind would pin the source frames their
	// strings point into (a frame is about 1 MiB), up to the slab's
	// high-water mark: clear everything the batch used, so newRow hands
	// out zeroed rows without clearing them itself.
	clear(bb.b.Memberships)
	bb.b.Memberships = bb.b.Memberships[:0]
	clear(bb.vals)
	clear(bb.rows)
	bb.vals, bb.guids, bb.rows, bb.notes = bb.vals[:0], bb.guids[:0], bb.rows[:0], bb.notes[:0]
	bb.nAttrs, bb.nTasks = 0, 0
	bb.firstID, bb.lastID = 0, 0
	bb.firstT, bb.lastT = data.Value{}, data.Value{}
	bb.scanned, bb.pendingTasks, bb.tooLongRecords, bb.tooLongTasks = 0, 0, 0, 0
}

// size is the number of source rows (records or memberships) in the batch.
func (bb *batchBuf) size() int {
	if bb.kind == membershipsBatch {
		return len(bb.b.Memberships)
	}
	return len(bb.b.Records)
}

func (bb *batchBuf) newRow(n int) data.Row {
	if len(bb.vals)+n > cap(bb.vals) {
		// Rows already handed out keep the old slab alive; the next batch
		// reuses the larger one.
		bb.vals = make([]data.Value, 0, max(2*cap(bb.vals), 256*n))
	}
	s := len(bb.vals)
	bb.vals = bb.vals[:s+n]
	return data.Row(bb.vals[s : s+n : s+n]) // zero: reset clears what a batch used
}

func (bb *batchBuf) guid(u []byte) data.Value {
	if len(bb.guids)+16 > cap(bb.guids) {
		bb.guids = make([]byte, 0, max(2*cap(bb.guids), 16*1024))
	}
	n := len(bb.guids)
	bb.guids = append(bb.guids, u[:16]...)
	return data.Value{Kind: data.GUID, Bytes: bb.guids[n : n+16 : n+16]}
}

// copyGUID copies a source GUID value (whose bytes the source reuses).
func (bb *batchBuf) copyGUID(v data.Value) data.Value {
	if v.Kind != data.GUID || len(v.Bytes) != 16 {
		return data.Value{}
	}
	return bb.guid(v.Bytes)
}

func (bb *batchBuf) note(entity string, key data.Value, reason, detail string) {
	bb.notes = append(bb.notes, ReportEntry{Entity: entity, Key: key.AsGUID().String(), Reason: reason, Detail: detail})
}

// childStream is one side of the merge join: the rows of a child table
// (ChangeRecordAttribute, ApprovalTask) grouped in the order of their parent
// records, as store.Source promises.
type childStream struct {
	table    string
	rows     store.Rows
	key      int  // column holding the parent's key
	byGUID   bool // G3 ApprovalTask: parent's RecordGuid; else RecordId
	has      bool // cur is an unconsumed row
	done     bool
	cur      data.Row
	consumed int64
}

func (c *childStream) fill() error {
	if c.has || c.done || c.rows == nil {
		return nil
	}
	if c.rows.Next() {
		c.cur, c.has = c.rows.Row(), true
		return nil
	}
	c.done = true
	if err := c.rows.Err(); err != nil {
		return readErr(err, c.table)
	}
	return nil
}

// next returns the next child row of the parent (id, guid), if any. The row
// is valid until the following call.
func (c *childStream) next(id int64, guid []byte) (data.Row, bool, error) {
	if err := c.fill(); err != nil || !c.has {
		return nil, false, err
	}
	k := c.cur[c.key]
	var match bool
	if c.byGUID {
		match = k.Kind == data.GUID && bytes.Equal(k.Bytes, guid)
	} else {
		match = k.Kind == data.Int && k.Int == id
	}
	if !match {
		return nil, false, nil
	}
	c.has = false
	c.consumed++
	return c.cur, true, nil
}

// skip consumes the children of a record that is not imported.
func (c *childStream) skip(id int64, guid []byte) (int64, error) {
	var n int64
	for {
		_, ok, err := c.next(id, guid)
		if err != nil || !ok {
			return n, err
		}
		n++
	}
}

// leftover reports a child row no record claimed.
func (c *childStream) leftover() error {
	if err := c.fill(); err != nil || !c.has {
		return err
	}
	k := c.cur[c.key]
	return arerr.Errorf("AR-SOURCE-ORDER", arerr.CatInvalidData,
		"Check the source database's integrity (DBCC CHECKDB) or re-export the bundle; the import adds nothing twice when run again.",
		"The source table %s has a row (%s %s) whose change record was not read in the canonical order, or does not exist.",
		c.table, map[bool]string{true: "RecordGuid", false: "RecordId"}[c.byGUID], k)
}

func (c *childStream) close() {
	if c.rows != nil {
		_ = c.rows.Close()
	}
}

// converter turns source rows into G3 rows.
type converter struct {
	sc    *sourceSchema
	o     *outSchema
	runID data.Value
	sids  model.SIDCache
	hosts map[string]string // source ServiceHost → host(): few distinct values
	iid   [16]byte
	// derive the GUIDs of G1 rows
	recGUIDs, taskGUIDs, memGUIDs *model.GUIDDeriver
	// details is reused for every G1 record's parsed Details (one slice per
	// record was most of the 7.x import's garbage); its few entries may keep
	// the last record's source frame alive, which the batch does anyway.
	details []model.AttrChange
}

// hostCacheMax bounds the host cache; then it starts again.
const hostCacheMax = 8192

// host is §6.3 with a cache, so the common mixed-case names are lowered once.
func (cv *converter) host(v data.Value) data.Value {
	if v.Kind != data.String {
		return data.StringValue(model.Host(v))
	}
	h, ok := cv.hosts[v.Str]
	if !ok {
		if cv.hosts == nil || len(cv.hosts) >= hostCacheMax {
			cv.hosts = make(map[string]string, 64)
		}
		// Clones: a source string may share memory with a whole frame.
		h = strings.Clone(model.Host(v))
		cv.hosts[strings.Clone(v.Str)] = h
	}
	return data.StringValue(h)
}

func timeLess(a, b data.Value) bool {
	return a.Int < b.Int || (a.Int == b.Int && a.Nsec < b.Nsec)
}

// sid is §6.2 for G1/G2 binary SIDs (invalid → NULL and INVALID_SID, the
// row is kept) and a copy for G3 text SIDs.
func (cv *converter) sid(bb *batchBuf, v data.Value, entity, column string, key data.Value) data.Value {
	if cv.sc.gen == model.G3 || v.Kind != data.Bytes {
		if v.Kind == data.Bytes { // not expected: a G3 column is text
			return data.Value{}
		}
		return v
	}
	s, ok := cv.sids.Convert(v.Bytes)
	if !ok {
		bb.note(entity, key, model.ReasonInvalidSID, fmt.Sprintf("%s 0x%x is not a valid binary SID; written as NULL", column, v.Bytes))
		return data.Value{}
	}
	return data.StringValue(s)
}

func enumValue(gen model.Generation, v data.Value, name func(int64) (string, bool)) data.Value {
	if gen == model.G3 {
		return v
	}
	s, _ := name(v.Int)
	return data.StringValue(s)
}

// origin is the natural key of a source row (§6.5): G1 (iid, id); G2/G3
// COALESCE(Origin*, (iid, own id)).
// Each column is COALESCEd on its own, as §6.5 writes it.
func (cv *converter) origin(bb *batchBuf, r data.Row, oiid, oid int, id int64) (data.Value, data.Value) {
	giid, gid := bb.guid(cv.iid[:]), data.IntValue(id)
	if cv.sc.gen != model.G1 {
		if v := r[oiid]; v.Kind == data.GUID && len(v.Bytes) == 16 {
			copy(giid.Bytes, v.Bytes)
		}
		if v := r[oid]; v.Kind == data.Int {
			gid = v
		}
	}
	return giid, gid
}

// record converts one change record with its attribute rows and tasks into bb.
func (cv *converter) record(bb *batchBuf, r data.Row, t data.Value, attrs, tasks *childStream) error {
	sc, o := cv.sc, cv.o
	id := r[sc.rec.id].Int
	row := bb.newRow(len(o.rec.Columns))
	var guid data.Value
	var srcGUID []byte
	if sc.gen == model.G1 {
		u := cv.recGUIDs.Derive(id)
		guid = bb.guid(u[:])
	} else {
		srcGUID = r[sc.rec.guid].Bytes
		guid = bb.copyGUID(r[sc.rec.guid])
	}
	row[o.r.guid] = guid
	row[o.r.time] = t
	row[o.r.isid] = cv.sid(bb, r[sc.rec.isid], EntityChangeRecord, "InitiatorSid", guid)
	row[o.r.iname] = r[sc.rec.iname]
	row[o.r.dn] = r[sc.rec.dn]
	row[o.r.oguid] = bb.copyGUID(r[sc.rec.oguid])
	row[o.r.oclass] = r[sc.rec.oclass]
	row[o.r.op] = enumValue(sc.gen, r[sc.rec.op], model.OperationName)
	row[o.r.status] = enumValue(sc.gen, r[sc.rec.status], model.ChangeStatusName)
	row[o.r.host] = cv.host(r[sc.rec.host])
	if sc.hasCorr {
		row[o.r.corr] = bb.copyGUID(r[sc.rec.corr])
	}
	row[o.r.oiid], row[o.r.oid] = cv.origin(bb, r, sc.rec.oiid, sc.rec.oid, id)
	row[o.r.run] = cv.runID

	// Attribute rows: parsed Details (G1) or the merge-joined child rows.
	start := len(bb.rows)
	tooLong := ""
	if sc.gen == model.G1 {
		if d := r[sc.rec.details]; d.Kind == data.String {
			var ok bool
			cv.details, ok = model.AppendDetails(cv.details[:0], d.Str)
			changes := cv.details
			if !ok {
				bb.note(EntityChangeRecord, guid, model.ReasonBadDetails, "Details is not a <changes> document; the record is imported without attribute rows")
			}
			for i := range changes {
				c := &changes[i]
				// UTF-16 never needs more code units than UTF-8 bytes: a
				// short name needs no count.
				if len(c.Name) > 256 && data.UTF16Len(c.Name) > 256 {
					tooLong = fmt.Sprintf("attribute name of %d characters in Details is longer than ChangeRecordAttribute.AttributeName (256)", data.UTF16Len(c.Name))
					break
				}
				a := bb.newRow(len(o.attr.Columns))
				a[o.a.seq] = data.IntValue(int64(i + 1))
				a[o.a.name] = data.StringValue(c.Name)
				a[o.a.ctype] = data.StringValue(c.ChangeType)
				a[o.a.old], a[o.a.new] = c.Old, c.New
				bb.rows = append(bb.rows, a)
			}
		}
	} else {
		for {
			s, ok, err := attrs.next(id, nil)
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			a := bb.newRow(len(o.attr.Columns))
			a[o.a.seq] = s[sc.attr.seq]
			a[o.a.name] = s[sc.attr.name]
			a[o.a.ctype] = enumValue(sc.gen, s[sc.attr.ctype], model.ChangeTypeName)
			a[o.a.old], a[o.a.new] = s[sc.attr.old], s[sc.attr.new]
			bb.rows = append(bb.rows, a)
		}
	}
	if tooLong != "" {
		bb.rows = bb.rows[:start]
		n, err := tasks.skip(id, srcGUID)
		if err != nil {
			return err
		}
		bb.note(EntityChangeRecord, guid, model.ReasonTooLong, tooLong+"; the record and its approval tasks are not imported")
		bb.tooLongRecords++
		bb.tooLongTasks += n
		return nil
	}
	attrRows := bb.rows[start:len(bb.rows):len(bb.rows)]

	// Approval tasks of this record.
	start = len(bb.rows)
	for {
		s, ok, err := tasks.next(id, srcGUID)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		bb.rows = append(bb.rows, cv.task(bb, s, guid))
	}
	taskRows := bb.rows[start:len(bb.rows):len(bb.rows)]

	if len(bb.b.Records) == 0 {
		bb.firstID, bb.firstT = id, t
	}
	bb.lastID, bb.lastT = id, t
	bb.nAttrs += len(attrRows)
	bb.nTasks += len(taskRows)
	bb.b.Records = append(bb.b.Records, store.HistoryRecord{Record: row, Attributes: attrRows, Tasks: taskRows})
	return nil
}

func (cv *converter) task(bb *batchBuf, s data.Row, recGUID data.Value) data.Row {
	sc, o := cv.sc, cv.o
	id := s[sc.task.id].Int
	t := bb.newRow(len(o.task.Columns))
	if sc.gen == model.G1 {
		u := cv.taskGUIDs.Derive(id)
		t[o.t.guid] = bb.guid(u[:])
	} else {
		t[o.t.guid] = bb.copyGUID(s[sc.task.guid])
	}
	t[o.t.rguid] = recGUID
	if sc.pendingTask(s[sc.task.status]) {
		bb.pendingTasks++
	}
	t[o.t.status] = enumValue(sc.gen, s[sc.task.status], model.ApprovalStatusName)
	t[o.t.created] = sc.utc(s[sc.task.created])
	t[o.t.completed] = sc.utc(s[sc.task.completed])
	t[o.t.asid] = cv.sid(bb, s[sc.task.asid], EntityApprovalTask, "ApproverSid", t[o.t.guid])
	t[o.t.aname] = s[sc.task.aname]
	t[o.t.comment] = s[sc.task.comment]
	t[o.t.oiid], t[o.t.oid] = cv.origin(bb, s, sc.task.oiid, sc.task.oid, id)
	t[o.t.run] = cv.runID
	return t
}

// membership converts one temporal membership into bb.
func (cv *converter) membership(bb *batchBuf, s data.Row, created data.Value) {
	sc, o := cv.sc, cv.o
	id := s[sc.mem.id].Int
	m := bb.newRow(len(o.mem.Columns))
	if sc.gen == model.G1 {
		u := cv.memGUIDs.Derive(id)
		m[o.m.guid] = bb.guid(u[:])
	} else {
		m[o.m.guid] = bb.copyGUID(s[sc.mem.guid])
	}
	m[o.m.gguid] = bb.copyGUID(s[sc.mem.gguid])
	m[o.m.gdn] = s[sc.mem.gdn]
	m[o.m.mguid] = bb.copyGUID(s[sc.mem.mguid])
	m[o.m.mdn] = s[sc.mem.mdn]
	m[o.m.created] = created
	start, end := sc.utc(s[sc.mem.start]), sc.utc(s[sc.mem.end])
	state := s[sc.mem.state]
	if sc.gen == model.G3 {
		m[o.m.state] = state
	} else {
		name, ok := model.MembershipStateName(state.Int)
		if !ok {
			bb.note(EntityTemporalMembership, m[o.m.guid], model.ReasonUnknownEnum, fmt.Sprintf("State %s is not a known membership state; written as Finished", state))
		}
		m[o.m.state] = data.StringValue(name)
	}
	if start.Kind == data.Time && end.Kind == data.Time && timeLess(end, start) {
		bb.note(EntityTemporalMembership, m[o.m.guid], model.ReasonStateCorrected,
			fmt.Sprintf("EndUtc %s is before StartUtc %s; EndUtc set to StartUtc and State to Finished", fmtTime(end), fmtTime(start)))
		end = start
		m[o.m.state] = data.StringValue("Finished")
	}
	m[o.m.start], m[o.m.end] = start, end
	m[o.m.oiid], m[o.m.oid] = cv.origin(bb, s, sc.mem.oiid, sc.mem.oid, id)
	m[o.m.run] = cv.runID
	if len(bb.b.Memberships) == 0 {
		bb.firstID, bb.firstT = id, created
	}
	bb.lastID, bb.lastT = id, created
	bb.b.Memberships = append(bb.b.Memberships, m)
}

// selection is the §8.1 window: [lower, upper) with upper = min(T0, To+1 day).
type selection struct {
	hasLower bool
	lower    data.Value
	upper    data.Value
	all      bool // All mode: unfinished memberships are not imported
}

func (s *selection) in(t data.Value) (before, after bool) {
	if s.hasLower && timeLess(t, s.lower) {
		return true, false
	}
	return false, !timeLess(t, s.upper)
}

// producer reads the source and fills batches; it runs in its own goroutine
// while the consumer writes the previous batch.
type producer struct {
	cv  *converter
	src store.Source
	sel selection
	bs  int

	// Filled by the producer, read after it finished.
	recScanned                                          int64
	memScanned, memExcluded, memUnfinished, memSelected int64
	stoppedEarly                                        bool

	// High-water mark (highwater.go): where the scans start, and how far
	// they read through.
	from                                 highWater
	recDone, attrDone, taskDone, memDone int64
	recKey, memKey                       uint64
	memGap                               bool // a membership before this one was not imported
}

func (p *producer) get(ctx context.Context, free <-chan *batchBuf, kind batchKind) (*batchBuf, error) {
	select {
	case bb := <-free:
		bb.reset(kind)
		return bb, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (p *producer) put(ctx context.Context, full chan<- *batchBuf, bb *batchBuf) error {
	select {
	case full <- bb:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *producer) run(ctx context.Context, free <-chan *batchBuf, full chan<- *batchBuf) error {
	if err := p.records(ctx, free, full); err != nil {
		return err
	}
	return p.memberships(ctx, free, full)
}

// records merge-joins the change records with their attribute rows and
// approval tasks: three scans open at once, each read exactly once.
func (p *producer) records(ctx context.Context, free <-chan *batchBuf, full chan<- *batchBuf) error {
	sc := p.cv.sc
	open := func(table string, from int64) (store.Rows, error) {
		rows, err := p.scan(ctx, table, from)
		if err != nil {
			return nil, readErr(err, table)
		}
		return rows, nil
	}
	recs, err := open(sc.recTable, p.from.Records)
	if err != nil {
		return err
	}
	defer recs.Close()
	attrs := &childStream{table: sc.attrTable, key: sc.attr.rid}
	if sc.attrTable != "" {
		if attrs.rows, err = open(sc.attrTable, p.from.AttrRows); err != nil {
			return err
		}
	}
	defer attrs.close()
	tasks := &childStream{table: sc.taskTable, key: sc.task.rid}
	if sc.gen == model.G3 {
		tasks.key, tasks.byGUID = sc.task.rguid, true
	}
	if tasks.rows, err = open(sc.taskTable, p.from.Tasks); err != nil {
		return err
	}
	defer tasks.close()
	p.recScanned, p.recDone, p.recKey = p.from.Records, p.from.Records, p.from.RecordKey
	defer func() {
		p.attrDone, p.taskDone = p.from.AttrRows+attrs.consumed, p.from.Tasks+tasks.consumed
	}()

	bb, err := p.get(ctx, free, recordsBatch)
	if err != nil {
		return err
	}
	for recs.Next() {
		r := recs.Row()
		p.recScanned++
		t := sc.utc(r[sc.rec.time])
		before, after := p.sel.in(t)
		if after { // records come in time order: nothing later is selected
			p.stoppedEarly = true
			break
		}
		if before {
			id := r[sc.rec.id].Int
			var g []byte
			if sc.gen != model.G1 {
				g = r[sc.rec.guid].Bytes
			}
			if _, err := attrs.skip(id, g); err != nil {
				return err
			}
			if _, err := tasks.skip(id, g); err != nil {
				return err
			}
			continue
		}
		if err := p.cv.record(bb, r, t, attrs, tasks); err != nil {
			return err
		}
		p.recDone, p.recKey = p.recScanned, sc.recKey(r)
		if len(bb.b.Records) >= p.bs {
			bb.scanned = p.recScanned
			if err := p.put(ctx, full, bb); err != nil {
				return err
			}
			if bb, err = p.get(ctx, free, recordsBatch); err != nil {
				return err
			}
		}
	}
	if err := recs.Err(); err != nil {
		return readErr(err, sc.recTable)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if !p.stoppedEarly {
		if err := attrs.leftover(); err != nil {
			return err
		}
		if err := tasks.leftover(); err != nil {
			return err
		}
	}
	bb.scanned = p.recScanned
	return p.put(ctx, full, bb) // possibly empty: it carries the final scan position
}

func (p *producer) memberships(ctx context.Context, free <-chan *batchBuf, full chan<- *batchBuf) error {
	sc := p.cv.sc
	rows, err := p.scan(ctx, sc.memTable, p.from.Memberships)
	if err != nil {
		return readErr(err, sc.memTable)
	}
	p.memScanned, p.memDone, p.memKey = p.from.Memberships, p.from.Memberships, p.from.MemberKey
	defer rows.Close()
	bb, err := p.get(ctx, free, membershipsBatch)
	if err != nil {
		return err
	}
	for rows.Next() {
		s := rows.Row()
		p.memScanned++
		created := sc.utc(s[sc.mem.created])
		if before, after := p.sel.in(created); before || after {
			p.memExcluded++
			p.memGap = true
			continue
		}
		if p.sel.all && sc.unfinished(s[sc.mem.state]) {
			p.memUnfinished++
			p.memGap = true
			continue
		}
		if !p.memGap {
			p.memDone, p.memKey = p.memScanned, sc.memKey(s)
		}
		p.cv.membership(bb, s, created)
		p.memSelected++
		if len(bb.b.Memberships) >= p.bs {
			bb.scanned = p.memScanned
			if err := p.put(ctx, full, bb); err != nil {
				return err
			}
			if bb, err = p.get(ctx, free, membershipsBatch); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return readErr(err, sc.memTable)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	bb.scanned = p.memScanned
	return p.put(ctx, full, bb)
}
