package historyimport

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/store"
)

// A high-water mark lets a re-run skip what an earlier run of the same
// source already read through: "incremental runs cost what they add"
// (issue 14). It is an optimisation only: the destination's exactly-once
// check still sees every row the run reads, and a mark that does not fit
// the source (rows deleted or inserted before it, another database with the
// same InstallationId) is not used.
//
// A mark is recorded only by an All-mode run that succeeded, whose every
// change record before its cutoff T0 was therefore read and committed (or
// found present, a conflict, or reported skipped). It holds, per source
// table read in canonical order, how many leading rows the run consumed and
// a fingerprint of the last of them: records up to the last one before T0
// with their attribute rows and approval tasks, and the temporal
// memberships up to the first that was not imported (created after T0, or
// unfinished: it may finish later and be imported then).

// rowSeeker is a source that can start reading a table at a row (bundles).
type rowSeeker interface {
	ScanFrom(ctx context.Context, table string, row int64) (store.Rows, error)
}

// highWaterKeeper is a destination that keeps marks with its exactly-once
// index (bundles: core/bundle HistoryDest).
type highWaterKeeper interface {
	HighWater(ctx context.Context, source string) ([]byte, error)
	SetHighWater(ctx context.Context, source string, mark []byte) error
}

// highWater is a mark; the fields are rows consumed and the fingerprint of
// the last one (0 when no row).
type highWater struct {
	RunID       int64  `json:"runId"`
	Records     int64  `json:"records"`
	RecordKey   uint64 `json:"recordKey"`
	AttrRows    int64  `json:"attributeRows"` // rows of the attribute table (8.x)
	Attributes  int64  `json:"attributes"`    // attribute rows of those records (7.x: from Details)
	Tasks       int64  `json:"tasks"`
	Memberships int64  `json:"memberships"`
	MemberKey   uint64 `json:"membershipKey"`
}

// rowKey fingerprints the identity of a source row: the values at cols
// (id, time, GUID), stable across processes.
func rowKey(r data.Row, cols ...int) uint64 {
	h := uint64(14695981039346656037)
	mix := func(b []byte) {
		for _, c := range b {
			h ^= uint64(c)
			h *= 1099511628211
		}
	}
	var buf [13]byte
	for _, c := range cols {
		if c < 0 || c >= len(r) {
			continue
		}
		v := r[c]
		buf[0] = byte(v.Kind)
		binary.LittleEndian.PutUint64(buf[1:], uint64(v.Int))
		binary.LittleEndian.PutUint32(buf[9:], uint32(v.Nsec))
		mix(buf[:])
		mix([]byte(v.Str))
		mix(v.Bytes)
	}
	return h | 1 // never 0, which means "no row"
}

// highWaterSource names the source a mark belongs to.
func (r *runner) highWaterSource() string {
	return "history/" + r.sc.iid.String() + "/" + r.sc.version.String()
}

// recKey and memKey are the fingerprints of a source record and membership.
func (sc *sourceSchema) recKey(r data.Row) uint64 {
	return rowKey(r, sc.rec.id, sc.rec.time, sc.rec.guid)
}
func (sc *sourceSchema) memKey(r data.Row) uint64 {
	return rowKey(r, sc.mem.id, sc.mem.guid, sc.mem.created)
}

// loadHighWater returns the mark to continue after, if the destination has
// one for this source and the source still fits it; otherwise the zero mark.
func (r *runner) loadHighWater(ctx context.Context) highWater {
	if r.opts.WhatIf || r.opts.Mode() != ModeAll {
		return highWater{}
	}
	keeper, ok1 := r.dst.(highWaterKeeper)
	seeker, ok2 := r.src.(rowSeeker)
	if !ok1 || !ok2 {
		return highWater{}
	}
	raw, err := keeper.HighWater(ctx, r.highWaterSource())
	if err != nil || raw == nil {
		return highWater{}
	}
	var hw highWater
	if json.Unmarshal(raw, &hw) != nil {
		return highWater{}
	}
	fits := func(table string, rows, count int64, key uint64, keyOf func(data.Row) uint64) bool {
		if rows == 0 {
			return true
		}
		if table == "" || rows > count {
			return false
		}
		if key == 0 {
			return true // children: their records' mark vouches for them
		}
		rs, err := seeker.ScanFrom(ctx, table, rows-1)
		if err != nil {
			return false
		}
		defer rs.Close()
		return rs.Next() && keyOf(rs.Row()) == key
	}
	sc := r.sc
	if !fits(sc.recTable, hw.Records, r.recCount, hw.RecordKey, sc.recKey) ||
		!fits(sc.attrTable, hw.AttrRows, r.attrCount, 0, nil) ||
		!fits(sc.taskTable, hw.Tasks, r.taskCount, 0, nil) ||
		!fits(sc.memTable, hw.Memberships, r.memCount, hw.MemberKey, sc.memKey) {
		r.log.Info().Str("source", r.highWaterSource()).Int64("importRunId", hw.RunID).
			Msg("the source no longer fits the high-water mark of an earlier run; every row is read again")
		return highWater{}
	}
	r.log.Info().Int64("importRunId", hw.RunID).Int64("records", hw.Records).Int64("memberships", hw.Memberships).
		Msg("continuing after the rows an earlier run of this source read through (high-water mark); they are counted as already present")
	return hw
}

// applyHighWater counts the rows a mark skips as already present.
func (r *runner) applyHighWater(hw highWater) {
	res := r.res
	res.Entity(EntityChangeRecord).AlreadyPresent += hw.Records
	res.Entity(EntityChangeRecordAttribute).AlreadyPresent += hw.Attributes
	res.Entity(EntityApprovalTask).AlreadyPresent += hw.Tasks
	res.Entity(EntityTemporalMembership).AlreadyPresent += hw.Memberships
	r.selRecs += hw.Records
	r.selAttrs += hw.Attributes
	r.selTasks += hw.Tasks
}

// saveHighWater records how far this succeeded All-mode run read.
func (r *runner) saveHighWater(ctx context.Context, p *producer) {
	keeper, ok := r.dst.(highWaterKeeper)
	if !ok || r.opts.WhatIf || r.opts.Mode() != ModeAll {
		return
	}
	m := p.mark(r.runID)
	m.Attributes = r.selAttrs // every selected record is read through
	b, err := json.Marshal(m)
	if err == nil {
		err = keeper.SetHighWater(ctx, r.highWaterSource(), b)
	}
	if err != nil {
		r.log.Warn().Err(err).Msg("cannot record the high-water mark; the next run reads every row again")
	}
}

// scan opens a table at a row (0: a plain scan).
func (p *producer) scan(ctx context.Context, table string, from int64) (store.Rows, error) {
	if from == 0 {
		return p.src.Scan(ctx, table)
	}
	s, ok := p.src.(rowSeeker)
	if !ok {
		return nil, fmt.Errorf("the source cannot start reading %s at row %d", table, from)
	}
	return s.ScanFrom(ctx, table, from)
}

// mark is how far the producer read through (see highWater).
func (p *producer) mark(runID int64) highWater {
	return highWater{RunID: runID, Records: p.recDone, RecordKey: p.recKey, AttrRows: p.attrDone, Tasks: p.taskDone,
		Memberships: p.memDone, MemberKey: p.memKey}
}
