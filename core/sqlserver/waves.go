package sqlserver

import (
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/store"
)

// A history batch must have the outcome of writing its rows one at a time
// (model §8.3): a row repeating an earlier row of the same batch (same GUID,
// or same natural key) is judged against what that earlier row left behind,
// which depends on whether the earlier row was inserted. The set-based
// statements classify rows against the destination only, so a batch is cut
// into waves: a row goes one wave after every earlier row it repeats, and
// each wave is classified and inserted in turn, in the batch's transaction.
// A source with unique GUIDs and natural keys (every real one) is one wave.

// wave is the part of a batch written in one pass.
type wave struct {
	recs, attrs, tasks, mems []data.Row
	parents                  []data.Value // the record GUID of each attribute row
	// taskParent is, per task, the index in recs of its record when that
	// record is in this wave, else -1 (its record was judged in an earlier wave).
	taskParent []int
	// taskRecord is, per task, the GUID of its record.
	taskRecord []data.UUID
	// recPos, taskPos, memPos: each row's position in the batch (per entity).
	recPos, taskPos, memPos []int
}

// natKey is (OriginInstallationId, Origin…Id); NULL origins never repeat.
type natKey struct {
	iid data.UUID
	id  int64
}

// waveKeys assigns waves to rows of one entity in batch order.
type waveKeys struct {
	guid, origin, originID int
	byGUID                 map[data.UUID]int
	byNK                   map[natKey]int
}

func newWaveKeys(t *data.Table, e historyEntity) *waveKeys {
	return &waveKeys{guid: t.Index(e.guid), origin: t.Index("OriginInstallationId"), originID: t.Index(e.originID),
		byGUID: map[data.UUID]int{}, byNK: map[natKey]int{}}
}

// place returns the wave of row r, at least min, and records it.
func (k *waveKeys) place(r data.Row, min int) int {
	w := min
	g := r[k.guid].AsGUID()
	if x, ok := k.byGUID[g]; ok && x+1 > w {
		w = x + 1
	}
	var nk natKey
	hasNK := r[k.origin].Kind != data.Null && r[k.originID].Kind != data.Null
	if hasNK {
		nk = natKey{r[k.origin].AsGUID(), r[k.originID].Int}
		if x, ok := k.byNK[nk]; ok && x+1 > w {
			w = x + 1
		}
	}
	if x, ok := k.byGUID[g]; !ok || w > x {
		k.byGUID[g] = w
	}
	if hasNK {
		if x, ok := k.byNK[nk]; !ok || w > x {
			k.byNK[nk] = w
		}
	}
	return w
}

// splitWaves cuts a batch into waves. A task is never in an earlier wave than
// its record.
func splitWaves(h *histTables, b *store.HistoryBatch) []wave {
	memKeys := newWaveKeys(h.mem, h.keyed())
	var recKeys, taskKeys *waveKeys
	recGuid := -1
	if h.rec != nil { // a Collector database has events only
		recKeys, taskKeys = newWaveKeys(h.rec, histRecords), newWaveKeys(h.task, histTasks)
		recGuid = h.rec.Index(histRecords.guid)
	}
	var waves []wave
	at := func(w int) *wave {
		for len(waves) <= w {
			waves = append(waves, wave{})
		}
		return &waves[w]
	}
	nTasks := 0
	for ri, r := range b.Records {
		w := recKeys.place(r.Record, 0)
		rw := at(w)
		parent := len(rw.recs)
		g := r.Record[recGuid]
		rw.recs = append(rw.recs, r.Record)
		rw.recPos = append(rw.recPos, ri)
		for _, a := range r.Attributes {
			rw.attrs = append(rw.attrs, a)
			rw.parents = append(rw.parents, g)
		}
		for _, t := range r.Tasks {
			tw := taskKeys.place(t, w)
			x := at(tw)
			p := -1
			if tw == w {
				p = parent
			}
			x.tasks = append(x.tasks, t)
			x.taskParent = append(x.taskParent, p)
			x.taskRecord = append(x.taskRecord, g.AsGUID())
			x.taskPos = append(x.taskPos, nTasks)
			nTasks++
		}
	}
	for mi, m := range b.Memberships {
		x := at(memKeys.place(m, 0))
		x.mems = append(x.mems, m)
		x.memPos = append(x.memPos, mi)
	}
	return waves
}
