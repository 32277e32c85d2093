package historyimport

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/store"
)

// sourceSchema locates the columns of a source's history tables. Columns are
// found by name in the source's own Info, so a source whose column order
// differs from the model's DDL is still read correctly.
type sourceSchema struct {
	gen     model.Generation
	version model.Version
	iid     data.UUID
	offset  int  // G1 ServerUtcOffsetMinutes
	hasCorr bool // 8.1 and G3: ChangeRecord.CorrelationId

	recTable, attrTable, taskTable, memTable string

	rec  recCols
	attr attrCols
	task taskCols
	mem  memCols
}

type recCols struct {
	id, guid, time, isid, iname, dn, oguid, oclass, op, status, host, corr, oiid, oid, details int
}

type attrCols struct{ rid, seq, name, ctype, old, new int }

type taskCols struct {
	id, guid, rid, rguid, status, created, completed, asid, aname, comment, oiid, oid int
}

type memCols struct {
	id, guid, gguid, gdn, mguid, mdn, created, start, end, state, oiid, oid int
}

type colFinder struct {
	t       *data.Table
	missing []string
}

func (f *colFinder) need(name string) int {
	if f.t == nil {
		return -1
	}
	i := f.t.Index(name)
	if i < 0 {
		f.missing = append(f.missing, name)
	}
	return i
}

func (f *colFinder) opt(name string) int {
	if f.t == nil {
		return -1
	}
	return f.t.Index(name)
}

func newSourceSchema(in *store.Info, d model.Detection) (*sourceSchema, error) {
	s := &sourceSchema{gen: d.Generation, version: d.Version, iid: d.InstallationID,
		offset: d.UTCOffsetMinutes}
	s.recTable, s.attrTable, s.taskTable, s.memTable = "ChangeRecord", "ChangeRecordAttribute", "ApprovalTask", "TemporalMembership"
	if s.gen == model.G1 {
		s.recTable, s.attrTable = "ChangeHistory", ""
	}
	var missing []string
	table := func(name string) *colFinder {
		t := in.Table(name)
		if t == nil {
			missing = append(missing, "table "+name)
		}
		return &colFinder{t: t}
	}
	done := func(f *colFinder, name string) {
		for _, c := range f.missing {
			missing = append(missing, name+"."+c)
		}
	}
	// Change records.
	f := table(s.recTable)
	r := &s.rec
	r.id = f.need("RecordId")
	r.isid, r.iname, r.dn = f.need("InitiatorSid"), f.need("InitiatorName"), f.need("ObjectDn")
	r.oguid, r.oclass, r.op, r.status = f.need("ObjectGuid"), f.need("ObjectClass"), f.need("Operation"), f.need("Status")
	r.guid, r.corr, r.oiid, r.oid, r.details = -1, -1, -1, -1, -1
	if s.gen == model.G1 {
		r.time, r.host, r.details = f.need("ChangeTime"), f.need("ServerName"), f.need("Details")
	} else {
		r.guid, r.time, r.host = f.need("RecordGuid"), f.need("ChangeTimeUtc"), f.need("ServiceHost")
		r.oiid, r.oid = f.need("OriginInstallationId"), f.need("OriginRecordId")
		if s.gen == model.G3 || s.version.Minor >= 1 {
			r.corr = f.need("CorrelationId")
		} else {
			r.corr = f.opt("CorrelationId")
		}
		s.hasCorr = r.corr >= 0
	}
	done(f, s.recTable)
	// Attribute rows (G2/G3).
	a := &s.attr
	*a = attrCols{-1, -1, -1, -1, -1, -1}
	if s.attrTable != "" {
		f = table(s.attrTable)
		a.rid, a.seq, a.name = f.need("RecordId"), f.need("Seq"), f.need("AttributeName")
		a.ctype, a.old, a.new = f.need("ChangeType"), f.need("OldValue"), f.need("NewValue")
		done(f, s.attrTable)
	}
	// Approval tasks.
	f = table(s.taskTable)
	t := &s.task
	t.id, t.status = f.need("TaskId"), f.need("Status")
	t.asid, t.aname, t.comment = f.need("ApproverSid"), f.need("ApproverName"), f.need("Comment")
	t.guid, t.rid, t.rguid, t.oiid, t.oid = -1, -1, -1, -1, -1
	switch s.gen {
	case model.G1:
		t.rid, t.created, t.completed = f.need("RecordId"), f.need("Created"), f.need("Completed")
	case model.G2:
		t.guid, t.rid = f.need("TaskGuid"), f.need("RecordId")
	default:
		t.guid, t.rguid = f.need("TaskGuid"), f.need("RecordGuid")
	}
	if s.gen != model.G1 {
		t.created, t.completed = f.need("CreatedUtc"), f.need("CompletedUtc")
		t.oiid, t.oid = f.need("OriginInstallationId"), f.need("OriginTaskId")
	}
	done(f, s.taskTable)
	// Temporal memberships.
	f = table(s.memTable)
	m := &s.mem
	m.id, m.gguid, m.gdn, m.mguid, m.mdn, m.state = f.need("MembershipId"), f.need("GroupGuid"), f.need("GroupDn"),
		f.need("MemberGuid"), f.need("MemberDn"), f.need("State")
	m.guid, m.oiid, m.oid = -1, -1, -1
	if s.gen == model.G1 {
		m.created, m.start, m.end = f.need("Created"), f.need("StartTime"), f.need("EndTime")
	} else {
		m.guid, m.created, m.start, m.end = f.need("MembershipGuid"), f.need("CreatedUtc"), f.need("StartUtc"), f.need("EndUtc")
		m.oiid, m.oid = f.need("OriginInstallationId"), f.need("OriginMembershipId")
	}
	done(f, s.memTable)
	if len(missing) > 0 {
		return nil, arerr.Errorf("AR-SOURCE-SCHEMA", arerr.CatInvalidData,
			"Check that the source is an unmodified Active Roles database of the version its Settings name.",
			"The Active Roles %s source lacks %s.", s.version.Short(), strings.Join(missing, ", "))
	}
	return s, nil
}

// utc converts a source time to the destination's datetime2(3) UTC.
func (s *sourceSchema) utc(v data.Value) data.Value {
	if s.gen == model.G1 {
		return model.UTC(v, s.offset)
	}
	return v
}

// unfinished reports whether a source membership state is Scheduled or
// Active (an unknown code counts as Finished, §6.6).
func (s *sourceSchema) unfinished(v data.Value) bool {
	if s.gen == model.G3 {
		return v.Kind == data.String && (strings.EqualFold(v.Str, "Scheduled") || strings.EqualFold(v.Str, "Active"))
	}
	return v.Kind == data.Int && (v.Int == 0 || v.Int == 1)
}

func (s *sourceSchema) pendingTask(v data.Value) bool {
	if s.gen == model.G3 {
		return v.Kind == data.String && strings.EqualFold(v.Str, "Pending")
	}
	return v.Kind == data.Int && v.Int == 0
}

func (s *sourceSchema) countPendingTasks(ctx context.Context, src store.Source) (int64, error) {
	return s.countWhere(ctx, src, s.taskTable, s.task.status, s.pendingTask)
}

func (s *sourceSchema) countUnfinishedMemberships(ctx context.Context, src store.Source) (int64, error) {
	return s.countWhere(ctx, src, s.memTable, s.mem.state, s.unfinished)
}

func (s *sourceSchema) countWhere(ctx context.Context, src store.Source, table string, col int, pred func(data.Value) bool) (int64, error) {
	rows, err := src.Scan(ctx, table)
	if err != nil {
		return 0, readErr(err, table)
	}
	defer rows.Close()
	var n int64
	for rows.Next() {
		if pred(rows.Row()[col]) {
			n++
		}
	}
	if err := rows.Err(); err != nil {
		return 0, readErr(err, table)
	}
	return n, nil
}

func readErr(err error, table string) error {
	return arerr.Wrap(err, "AR-SOURCE-READ", arerr.CatReadError,
		"Check the connection to the source database and run the import again; it continues where it stopped.",
		"Cannot read the source table %s", table)
}

// outSchema holds the column positions of the G3 history tables, the rows
// Run writes (model.Tables(model.Target, model.RoleManagementHistory)).
type outSchema struct {
	rec, attr, task, mem *data.Table
	r                    struct{ id, guid, time, isid, iname, dn, oguid, oclass, op, status, host, corr, oiid, oid, run int }
	a                    struct{ rid, seq, name, ctype, old, new int }
	t                    struct{ id, guid, rguid, status, created, completed, asid, aname, comment, oiid, oid, run int }
	m                    struct{ id, guid, gguid, gdn, mguid, mdn, created, start, end, state, oiid, oid, run int }
}

var (
	outOnce sync.Once
	outSch  *outSchema
	outErr  error
)

func targetSchema() (*outSchema, error) {
	outOnce.Do(func() {
		o := &outSchema{}
		get := func(n string) *data.Table {
			t, err := model.TableOf(model.Target, model.RoleManagementHistory, n)
			if err != nil && outErr == nil {
				outErr = err
			}
			return t
		}
		o.rec, o.attr, o.task, o.mem = get("ChangeRecord"), get("ChangeRecordAttribute"), get("ApprovalTask"), get("TemporalMembership")
		if outErr != nil {
			return
		}
		c := o.rec.MustIndex
		o.r.id, o.r.guid, o.r.time, o.r.isid, o.r.iname = c("RecordId"), c("RecordGuid"), c("ChangeTimeUtc"), c("InitiatorSid"), c("InitiatorName")
		o.r.dn, o.r.oguid, o.r.oclass, o.r.op, o.r.status = c("ObjectDn"), c("ObjectGuid"), c("ObjectClass"), c("Operation"), c("Status")
		o.r.host, o.r.corr, o.r.oiid, o.r.oid, o.r.run = c("ServiceHost"), c("CorrelationId"), c("OriginInstallationId"), c("OriginRecordId"), c("ImportRunId")
		c = o.attr.MustIndex
		o.a.rid, o.a.seq, o.a.name, o.a.ctype, o.a.old, o.a.new = c("RecordId"), c("Seq"), c("AttributeName"), c("ChangeType"), c("OldValue"), c("NewValue")
		c = o.task.MustIndex
		o.t.id, o.t.guid, o.t.rguid, o.t.status, o.t.created, o.t.completed = c("TaskId"), c("TaskGuid"), c("RecordGuid"), c("Status"), c("CreatedUtc"), c("CompletedUtc")
		o.t.asid, o.t.aname, o.t.comment, o.t.oiid, o.t.oid, o.t.run = c("ApproverSid"), c("ApproverName"), c("Comment"), c("OriginInstallationId"), c("OriginTaskId"), c("ImportRunId")
		c = o.mem.MustIndex
		o.m.id, o.m.guid, o.m.gguid, o.m.gdn, o.m.mguid, o.m.mdn = c("MembershipId"), c("MembershipGuid"), c("GroupGuid"), c("GroupDn"), c("MemberGuid"), c("MemberDn")
		o.m.created, o.m.start, o.m.end, o.m.state = c("CreatedUtc"), c("StartUtc"), c("EndUtc"), c("State")
		o.m.oiid, o.m.oid, o.m.run = c("OriginInstallationId"), c("OriginMembershipId"), c("ImportRunId")
		outSch = o
	})
	if outErr != nil {
		return nil, fmt.Errorf("history import: target schema: %w", outErr)
	}
	return outSch, nil
}
