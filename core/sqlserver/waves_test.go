package sqlserver

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/store"
)

// Rows that repeat an earlier row of their batch (GUID or natural key) go one
// wave later, so each wave is judged against what the earlier ones wrote; a
// task is never judged before its record.
func TestSplitWaves(t *testing.T) {
	h := &histTables{}
	for _, tb := range g3History {
		var cols []data.Column
		for _, c := range tb.cols {
			ct, _ := data.ParseColType(c.typ)
			cols = append(cols, data.Column{Name: c.name, Type: ct})
		}
		tab := &data.Table{Name: tb.name, Columns: cols}
		switch tb.name {
		case "ChangeRecord":
			h.rec = tab
		case "ApprovalTask":
			h.task = tab
		case "TemporalMembership":
			h.mem = tab
		}
	}
	rec := func(g byte, id int64) data.Row {
		return data.Row{data.NullValue(), data.GUIDValue(guid(g)), data.NullValue(), data.StringValue("CN=x"), data.GUIDValue(srcIID), data.IntValue(id)}
	}
	task := func(g, r byte, id int64) data.Row {
		return data.Row{data.NullValue(), data.GUIDValue(guid(g)), data.GUIDValue(guid(r)), data.StringValue("Approved"), data.GUIDValue(srcIID), data.IntValue(id)}
	}
	mem := func(g byte, id int64) data.Row {
		return data.Row{data.NullValue(), data.GUIDValue(guid(g)), data.StringValue("Finished"), data.GUIDValue(srcIID), data.IntValue(id)}
	}
	b := &store.HistoryBatch{
		Records: []store.HistoryRecord{
			{Record: rec(1, 101), Tasks: []data.Row{task(11, 1, 1)}},
			{Record: rec(1, 101)}, // same record again: wave 1
			{Record: rec(2, 101)}, // same natural key: wave 2 (after both)
			{Record: rec(3, 103), Tasks: []data.Row{task(11, 3, 1)}}, // new record, repeated task: task in wave 1
			{Record: rec(4, 104)},
		},
		Memberships: []data.Row{mem(21, 1), mem(21, 1), mem(22, 2)},
	}
	waves := splitWaves(h, b)
	type shape struct {
		Recs, Tasks, Mems []string
		TaskParent        []int
	}
	var got []shape
	for _, w := range waves {
		var s shape
		for _, r := range w.recs {
			s.Recs = append(s.Recs, r[1].String())
		}
		for _, r := range w.tasks {
			s.Tasks = append(s.Tasks, r[1].String())
		}
		for _, r := range w.mems {
			s.Mems = append(s.Mems, r[1].String())
		}
		s.TaskParent = w.taskParent
		got = append(got, s)
	}
	g := func(n byte) string { return data.GUIDValue(guid(n)).String() }
	want := []shape{
		{Recs: []string{g(1), g(3), g(4)}, Tasks: []string{g(11)}, Mems: []string{g(21), g(22)}, TaskParent: []int{0}},
		{Recs: []string{g(1)}, Tasks: []string{g(11)}, Mems: []string{g(21)}, TaskParent: []int{-1}},
		{Recs: []string{g(2)}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("waves (-want +got):\n%s", diff)
	}
}
