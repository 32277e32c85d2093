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
	gen     model.Generation
	iid     data.UUID
	offset  int
	t       *data.Table               // Events (G1) or CollectedEvent
	sources map[int64]collectorSource // G1 EventSource by SourceId
	out     *data.Table               // G3 CollectedEvent
	runID   data.Value                // this run's ImportRunId
	in      map[string]int            // t's columns by the names convert asks for
	outIdx  map[string]int            // out's columns likewise
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

// inIndex is the source column of name (-1 when absent), looked up once: a
// case-insensitive linear lookup per value and row cost a tenth of the run.
func (s *source) inIndex(name string) int {
	i, ok := s.in[name]
	if !ok {
		if s.in == nil {
			s.in = map[string]int{}
		}
		i = s.t.Index(name)
		s.in[name] = i
	}
	return i
}

func (s *source) outIndex(name string) int {
	i, ok := s.outIdx[name]
	if !ok {
		if s.outIdx == nil {
			s.outIdx = map[string]int{}
		}
		i = s.out.MustIndex(name)
		s.outIdx[name] = i
	}
	return i
}

// convert maps one source row to a G3 CollectedEvent row (§13.5).
func (s *source) convert(r data.Row) (event, error) {
	o := s.out
	row := make(data.Row, len(o.Columns))
	set := func(name string, v data.Value) { row[s.outIndex(name)] = v }
	get := func(name string) data.Value {
		if i := s.inIndex(name); i >= 0 {
			return r[i]
		}
		return data.NullValue()
	}
	id := get("EventId").Int
	var ev event
	ev.id = id
	var guid data.UUID
	note := func(reason, detail string) {
		ev.notes = append(ev.notes, Note{Entity: model.EntityCollectedEvent, Key: guid.String(), Reason: reason, Detail: detail})
	}
	switch s.gen {
	case model.G1:
		guid = model.DerivedGUID(model.EntityCollectedEvent, s.iid, id)
		set("EventGuid", data.GUIDValue(guid))
		ev.time = model.UTC(get("EventTime"), s.offset)
		src, ok := s.sources[get("SourceId").Int]
		if !ok {
			return ev, fmt.Errorf("event %d: EventSource %d does not exist", id, get("SourceId").Int)
		}
		kind, ok := model.SourceKindName(src.kind)
		if !ok {
			note(model.ReasonUnknownEnum, "SourceKind "+strconv.FormatInt(src.kind, 10)+" is unknown: Unknown")
		}
		set("SourceKind", data.StringValue(kind))
		set("SourceName", data.StringValue(model.EventSourceName(src.name, src.domain, src.hasDomain)))
		set("OriginInstallationId", data.GUIDValue(s.iid))
		set("OriginEventId", data.IntValue(id))
		if d := get("Data"); d.IsNull() {
			set("Properties", data.StringValue("{}"))
		} else {
			j, ok := model.PropsJSON(d.Str)
			if !ok {
				note(model.ReasonBadData, "Data has a backslash before a character other than ; = \\ or at its end: Properties {}")
			}
			set("Properties", data.StringValue(j))
		}
	default:
		guid = get("EventGuid").AsGUID()
		set("EventGuid", data.GUIDValue(guid))
		ev.time = get("EventTimeUtc")
		set("SourceName", get("SourceName"))
		// NK (§6.5): each Origin column coalesced on its own.
		oiid, oid := get("OriginInstallationId"), get("OriginEventId")
		if oiid.IsNull() {
			oiid = data.GUIDValue(s.iid)
		}
		if oid.IsNull() {
			oid = data.IntValue(id)
		}
		set("OriginInstallationId", oiid)
		set("OriginEventId", oid)
		if s.gen == model.G3 {
			set("SourceKind", get("SourceKind"))
			set("Properties", get("Properties"))
		} else {
			kind, ok := model.SourceKindName(get("SourceKind").Int)
			if !ok {
				note(model.ReasonUnknownEnum, "SourceKind "+strconv.FormatInt(get("SourceKind").Int, 10)+" is unknown: Unknown")
			}
			set("SourceKind", data.StringValue(kind))
			p := get("Properties")
			j, ok := model.ReserializeProperties(p.Str, p.IsNull())
			if !ok {
				note(model.ReasonBadData, "Properties is not a JSON object of strings: {}")
			}
			set("Properties", data.StringValue(j))
		}
	}
	set("EventTimeUtc", ev.time)
	if s.gen == model.G3 {
		set("Category", get("Category"))
		set("InitiatorSid", get("InitiatorSid"))
	} else {
		cat, ok := model.CategoryName(get("Category").Int)
		if !ok {
			note(model.ReasonUnknownEnum, "Category "+strconv.FormatInt(get("Category").Int, 10)+" is unknown: Unknown")
		}
		set("Category", data.StringValue(cat))
		if b := get("InitiatorSid"); !b.IsNull() {
			if sid, ok := model.SID(b.Bytes); ok {
				set("InitiatorSid", data.StringValue(sid))
			} else {
				note(model.ReasonInvalidSID, "InitiatorSid is not a valid SID: NULL")
			}
		}
	}
	for _, c := range []string{"EventCode", "ObjectDn", "ObjectGuid", "InitiatorName"} {
		set(c, get(c))
	}
	set("ImportRunId", s.runID)
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
