package historyimport

import (
	"context"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/store"
)

// whatIfSink classifies batches the way WriteHistoryBatch would (§8.3),
// against the destination's keys read once at the start, and writes nothing.
// It holds the destination's GUIDs and natural keys in memory: a WhatIf run
// against a destination of n history rows needs about 60·n bytes.
type whatIfSink struct {
	out               *outSchema
	recG, taskG, memG map[data.UUID]struct{}
	recK, taskK, memK map[natKey]struct{}
}

type natKey struct {
	iid data.UUID
	id  int64
}

func newWhatIfSink(ctx context.Context, dst store.Source, in *store.Info, d model.Detection) (*whatIfSink, error) {
	out, err := targetSchema()
	if err != nil {
		return nil, err
	}
	w := &whatIfSink{out: out,
		recG: map[data.UUID]struct{}{}, taskG: map[data.UUID]struct{}{}, memG: map[data.UUID]struct{}{},
		recK: map[natKey]struct{}{}, taskK: map[natKey]struct{}{}, memK: map[natKey]struct{}{}}
	if d.State == model.StateBlank {
		return w, nil
	}
	load := func(table, guidCol, idCol, originID string, gs map[data.UUID]struct{}, ks map[natKey]struct{}) error {
		t := in.Table(table)
		if t == nil {
			return nil
		}
		gi, ii, oi, oid := t.Index(guidCol), t.Index(idCol), t.Index("OriginInstallationId"), t.Index(originID)
		if gi < 0 || ii < 0 || oi < 0 || oid < 0 {
			return nil
		}
		rows, err := dst.Scan(ctx, table)
		if err != nil {
			return destReadErr(err, table)
		}
		defer rows.Close()
		for rows.Next() {
			r := rows.Row()
			gs[r[gi].AsGUID()] = struct{}{}
			k := natKey{d.InstallationID, r[ii].Int}
			if r[oi].Kind == data.GUID && r[oid].Kind == data.Int {
				k = natKey{r[oi].AsGUID(), r[oid].Int}
			}
			ks[k] = struct{}{}
		}
		if err := rows.Err(); err != nil {
			return destReadErr(err, table)
		}
		return nil
	}
	if err := load("ChangeRecord", "RecordGuid", "RecordId", "OriginRecordId", w.recG, w.recK); err != nil {
		return nil, err
	}
	if err := load("ApprovalTask", "TaskGuid", "TaskId", "OriginTaskId", w.taskG, w.taskK); err != nil {
		return nil, err
	}
	if err := load("TemporalMembership", "MembershipGuid", "MembershipId", "OriginMembershipId", w.memG, w.memK); err != nil {
		return nil, err
	}
	return w, nil
}

func destReadErr(err error, table string) error {
	return arerr.Wrap(err, "AR-DESTINATION-READ", arerr.CatReadError,
		"Check that the destination database is reachable and readable.", "Cannot read the destination table %s", table)
}

// classify is one §8.3 decision; it remembers added keys, as a real write would.
func classify(g data.UUID, k natKey, gs map[data.UUID]struct{}, ks map[natKey]struct{}) (added, dup bool) {
	if _, ok := gs[g]; ok {
		return false, true
	}
	if _, ok := ks[k]; ok {
		return false, false
	}
	gs[g], ks[k] = struct{}{}, struct{}{}
	return true, false
}

func (w *whatIfSink) write(_ context.Context, b *store.HistoryBatch) (*store.HistoryBatchResult, error) {
	o := w.out
	res := &store.HistoryBatchResult{Conflicts: map[string][]data.UUID{}}
	key := func(r data.Row, oiid, oid int) natKey { return natKey{r[oiid].AsGUID(), r[oid].Int} }
	for _, hr := range b.Records {
		g := hr.Record[o.r.guid].AsGUID()
		added, dup := classify(g, key(hr.Record, o.r.oiid, o.r.oid), w.recG, w.recK)
		switch {
		case added:
			res.RecordsAdded++
			res.AttributesAdded += len(hr.Attributes)
		case dup:
			res.RecordsDuplicate++
		default:
			res.Conflicts[EntityChangeRecord] = append(res.Conflicts[EntityChangeRecord], g)
		}
		for _, t := range hr.Tasks {
			tg := t[o.t.guid].AsGUID()
			if !added && !dup { // tasks of a conflicting record are conflicts
				res.Conflicts[EntityApprovalTask] = append(res.Conflicts[EntityApprovalTask], tg)
				continue
			}
			ta, td := classify(tg, key(t, o.t.oiid, o.t.oid), w.taskG, w.taskK)
			switch {
			case ta:
				res.TasksAdded++
			case td:
				res.TasksDuplicate++
			default:
				res.Conflicts[EntityApprovalTask] = append(res.Conflicts[EntityApprovalTask], tg)
			}
		}
	}
	for _, m := range b.Memberships {
		g := m[o.m.guid].AsGUID()
		added, dup := classify(g, key(m, o.m.oiid, o.m.oid), w.memG, w.memK)
		switch {
		case added:
			res.MembershipsAdded++
		case dup:
			res.MembershipsDuplicate++
		default:
			res.Conflicts[EntityTemporalMembership] = append(res.Conflicts[EntityTemporalMembership], g)
		}
	}
	return res, nil
}
