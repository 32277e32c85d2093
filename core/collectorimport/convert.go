// Package collectorimport imports the events of a 7.5–8.2 Collector database
// into an 8.2 Collector database exactly once (model §13.5). The destination
// is a store.HistoryDestination of role Collector: its events travel in
// HistoryBatch.Memberships (store.KeyedTable) and reuse the history import's
// batch writers, resume (each batch a transaction; a re-run skips what is
// there) and duplicate/conflict rules.
package collectorimport

import (
	"fmt"
	"strconv"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/model"
)

// Note is one report entry (entity CollectedEvent, key the lower-case EventGuid).
type Note struct {
	Entity string `json:"entity"`
	Key    string `json:"key"`
	Reason string `json:"reason"`
	Detail string `json:"detail,omitempty"`
}

// source is what the converter knows of the source database.
type source struct {
	gen      model.Generation
	iid      data.UUID
	offset   int
	t        *data.Table               // Events (G1) or CollectedEvent
	sources  map[int64]collectorSource // G1 EventSource by SourceId
	out      *data.Table               // G3 CollectedEvent
	runID    data.Value                // this run's ImportRunId
	inIx     [nCols]int                // each col's index in t (-1: absent)
	outIx    [nCols]int                // and in out
	prepared bool
	guids    *model.GUIDDeriver // G1 EventGuid
	sids     model.SIDCache
}

type collectorSource struct {
	kind         int64
	name, domain string
	hasDomain    bool
}

// event is one converted event: its G3 row (EventId NULL), its time for
// selection, and its notes. skip says the event is not written (TOO_LONG).
type event struct {
	row   data.Row
	time  data.Value
	notes []Note
	skip  bool
	id    int64
}

// col names a column convert reads or writes; its index in the source and
// the destination table is looked up once per run (a case-insensitive
// linear lookup per value and row cost a tenth of the run).
type col int

const (
	cCategory col = iota
	cData
	cEventCode
	cEventGuid
	cEventId
	cEventTime
	cEventTimeUtc
	cImportRunId
	cInitiatorName
	cInitiatorSid
	cObjectDn
	cObjectGuid
	cOriginEventId
	cOriginInstallationId
	cProperties
	cSourceId
	cSourceKind
	cSourceName
	nCols
)

var colNames = [nCols]string{cCategory: "Category", cData: "Data", cEventCode: "EventCode", cEventGuid: "EventGuid", cEventId: "EventId", cEventTime: "EventTime", cEventTimeUtc: "EventTimeUtc", cImportRunId: "ImportRunId", cInitiatorName: "InitiatorName", cInitiatorSid: "InitiatorSid", cObjectDn: "ObjectDn", cObjectGuid: "ObjectGuid", cOriginEventId: "OriginEventId", cOriginInstallationId: "OriginInstallationId", cProperties: "Properties", cSourceId: "SourceId", cSourceKind: "SourceKind", cSourceName: "SourceName"}

// prepare resolves every col in t (-1 when absent) and out.
func (s *source) prepare() {
	for c := col(0); c < nCols; c++ {
		s.inIx[c], s.outIx[c] = s.t.Index(colNames[c]), s.out.Index(colNames[c])
	}
	s.guids = model.NewGUIDDeriver(model.EntityCollectedEvent, s.iid)
	s.prepared = true
}

// convert maps one source row to a G3 CollectedEvent row (§13.5), written
// into row (len(s.out.Columns) zero values).
func (s *source) convert(r, row data.Row) (event, error) {
	if !s.prepared {
		s.prepare()
	}
	o := s.out
	set := func(c col, v data.Value) { row[s.outIx[c]] = v }
	get := func(c col) data.Value {
		if i := s.inIx[c]; i >= 0 {
			return r[i]
		}
		return data.NullValue()
	}
	id := get(cEventId).Int
	var ev event
	ev.id = id
	var guid data.UUID
	note := func(reason, detail string) {
		ev.notes = append(ev.notes, Note{Entity: model.EntityCollectedEvent, Key: guid.String(), Reason: reason, Detail: detail})
	}
	switch s.gen {
	case model.G1:
		guid = s.guids.Derive(id)
		set(cEventGuid, data.GUIDValue(guid))
		ev.time = model.UTC(get(cEventTime), s.offset)
		src, ok := s.sources[get(cSourceId).Int]
		if !ok {
			return ev, fmt.Errorf("event %d: EventSource %d does not exist", id, get(cSourceId).Int)
		}
		kind, ok := model.SourceKindName(src.kind)
		if !ok {
			note(model.ReasonUnknownEnum, "SourceKind "+strconv.FormatInt(src.kind, 10)+" is unknown: Unknown")
		}
		set(cSourceKind, data.StringValue(kind))
		set(cSourceName, data.StringValue(model.EventSourceName(src.name, src.domain, src.hasDomain)))
		set(cOriginInstallationId, data.GUIDValue(s.iid))
		set(cOriginEventId, data.IntValue(id))
		if d := get(cData); d.IsNull() {
			set(cProperties, data.StringValue("{}"))
		} else {
			j, ok := model.PropsJSON(d.Str)
			if !ok {
				note(model.ReasonBadData, "Data has a backslash before a character other than ; = \\ or at its end: Properties {}")
			}
			set(cProperties, data.StringValue(j))
		}
	default:
		guid = get(cEventGuid).AsGUID()
		set(cEventGuid, data.GUIDValue(guid))
		ev.time = get(cEventTimeUtc)
		set(cSourceName, get(cSourceName))
		// NK (§6.5): each Origin column coalesced on its own.
		oiid, oid := get(cOriginInstallationId), get(cOriginEventId)
		if oiid.IsNull() {
			oiid = data.GUIDValue(s.iid)
		}
		if oid.IsNull() {
			oid = data.IntValue(id)
		}
		set(cOriginInstallationId, oiid)
		set(cOriginEventId, oid)
		if s.gen == model.G3 {
			set(cSourceKind, get(cSourceKind))
			set(cProperties, get(cProperties))
		} else {
			kind, ok := model.SourceKindName(get(cSourceKind).Int)
			if !ok {
				note(model.ReasonUnknownEnum, "SourceKind "+strconv.FormatInt(get(cSourceKind).Int, 10)+" is unknown: Unknown")
			}
			set(cSourceKind, data.StringValue(kind))
			p := get(cProperties)
			j, ok := model.ReserializeProperties(p.Str, p.IsNull())
			if !ok {
				note(model.ReasonBadData, "Properties is not a JSON object of strings: {}")
			}
			set(cProperties, data.StringValue(j))
		}
	}
	set(cEventTimeUtc, ev.time)
	if s.gen == model.G3 {
		set(cCategory, get(cCategory))
		set(cInitiatorSid, get(cInitiatorSid))
	} else {
		cat, ok := model.CategoryName(get(cCategory).Int)
		if !ok {
			note(model.ReasonUnknownEnum, "Category "+strconv.FormatInt(get(cCategory).Int, 10)+" is unknown: Unknown")
		}
		set(cCategory, data.StringValue(cat))
		if b := get(cInitiatorSid); !b.IsNull() {
			if sid, ok := s.sids.Convert(b.Bytes); ok {
				set(cInitiatorSid, data.StringValue(sid))
			} else {
				note(model.ReasonInvalidSID, "InitiatorSid is not a valid SID: NULL")
			}
		}
	}
	for _, c := range []col{cEventCode, cObjectDn, cObjectGuid, cInitiatorName} {
		set(c, get(c))
	}
	set(cImportRunId, s.runID)
	// Only SourceName can exceed its column (§13.5 Precisely); check all.
	for i, c := range o.Columns {
		if err := c.CheckLength(row[i]); err != nil {
			ev.notes = append(ev.notes[:0], Note{Entity: model.EntityCollectedEvent, Key: guid.String(), Reason: model.ReasonTooLong, Detail: err.Error() + "; skipped"})
			ev.skip = true
			break
		}
	}
	ev.row = row
	return ev, nil
}
