package collectorimport

import (
	"context"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/store"
)

// writeFunc writes one batch: the destination's WriteHistoryBatch, or the
// WhatIf classifier.
type writeFunc func(ctx context.Context, b *store.HistoryBatch) (*store.HistoryBatchResult, error)

type natKey struct {
	iid data.UUID
	id  int64
}

// whatIf classifies batches as WriteHistoryBatch would (§13.5 with §8.3's
// rules), against the destination's event keys read once at the start, and
// writes nothing — the history import's WhatIf for events. It holds the
// destination's GUIDs and natural keys in memory (about 60 bytes an event).
type whatIf struct {
	guid, oiid, oid int // in the G3 CollectedEvent row
	gs              map[data.UUID]struct{}
	ks              map[natKey]struct{}
}

func newWhatIf(ctx context.Context, dst store.Source, in *store.Info, d model.Detection, out *data.Table) (*whatIf, error) {
	kt := store.CollectedEventTable
	w := &whatIf{guid: out.MustIndex(kt.GUID), oiid: out.MustIndex("OriginInstallationId"), oid: out.MustIndex(kt.OriginID),
		gs: map[data.UUID]struct{}{}, ks: map[natKey]struct{}{}}
	if d.State == model.StateBlank {
		return w, nil
	}
	t := in.Table(kt.Table)
	if t == nil {
		return w, nil
	}
	gi, ii, oi, oid := t.Index(kt.GUID), t.Index(kt.ID), t.Index("OriginInstallationId"), t.Index(kt.OriginID)
	if gi < 0 || ii < 0 || oi < 0 || oid < 0 {
		return nil, arerr.Errorf("AR-DESTINATION-READ", arerr.CatReadError, "Name an 8.2 Collector database as the destination.",
			"The destination table %s lacks the columns of an 8.2 Collector database.", kt.Table)
	}
	rows, err := dst.Scan(ctx, kt.Table)
	if err != nil {
		return nil, destReadErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		r := rows.Row()
		w.gs[r[gi].AsGUID()] = struct{}{}
		// A native row's natural key is (destination InstallationId, EventId) (§6.5).
		k := natKey{d.InstallationID, r[ii].Int}
		if r[oi].Kind == data.GUID && r[oid].Kind == data.Int {
			k = natKey{r[oi].AsGUID(), r[oid].Int}
		}
		w.ks[k] = struct{}{}
	}
	if err := rows.Err(); err != nil {
		return nil, destReadErr(err)
	}
	return w, nil
}

func destReadErr(err error) error {
	return arerr.Wrap(err, "AR-DESTINATION-READ", arerr.CatReadError,
		"Check that the destination database is reachable and readable.", "Cannot read the destination's events")
}

// write is one batch's decisions; it remembers added keys, as a real write would.
func (w *whatIf) write(_ context.Context, b *store.HistoryBatch) (*store.HistoryBatchResult, error) {
	res := &store.HistoryBatchResult{Conflicts: map[string][]data.UUID{}}
	table := store.CollectedEventTable.Table
	for _, r := range b.Memberships {
		g := r[w.guid].AsGUID()
		k := natKey{r[w.oiid].AsGUID(), r[w.oid].Int}
		if _, ok := w.gs[g]; ok {
			res.MembershipsDuplicate++
			continue
		}
		if _, ok := w.ks[k]; ok {
			res.Conflicts[table] = append(res.Conflicts[table], g)
			continue
		}
		w.gs[g], w.ks[k] = struct{}{}, struct{}{}
		res.MembershipsAdded++
	}
	return res, nil
}
