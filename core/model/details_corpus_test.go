package model_test

import (
	"context"
	"testing"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/fixture"
	"github.com/activeroles/arupgrade/core/model"
)

// detailsCollector keeps the Details of the generated G1 history.
type detailsCollector struct {
	col  int
	docs []string
}

func (c *detailsCollector) Write(table string, r data.Row) error {
	if table == "ChangeHistory" && r[c.col].Kind == data.String {
		c.docs = append(c.docs, r[c.col].Str)
	}
	return nil
}

// BenchmarkParseDetailsCorpus parses the Details of a generated 7.6
// history (the documents the history benchmark's 7.x import reads).
func BenchmarkParseDetailsCorpus(b *testing.B) {
	spec := fixture.Spec{Version: "7.6", Role: "history", Seed: 1, HistoryRecords: 20_000}
	tables, err := fixture.Schema(spec)
	if err != nil {
		b.Fatal(err)
	}
	c := &detailsCollector{col: -1}
	for _, t := range tables {
		if t.Name == "ChangeHistory" {
			for i, col := range t.Columns {
				if col.Name == "Details" {
					c.col = i
				}
			}
		}
	}
	if _, err := fixture.Generate(context.Background(), c, spec); err != nil {
		b.Fatal(err)
	}
	var size int64
	for _, d := range c.docs {
		size += int64(len(d))
	}
	b.SetBytes(size / int64(len(c.docs)))
	b.ReportAllocs()
	var buf []model.AttrChange
	i := 0
	for b.Loop() {
		buf, _ = model.AppendDetails(buf[:0], c.docs[i])
		if i++; i == len(c.docs) {
			i = 0
		}
	}
}
