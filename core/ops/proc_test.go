package ops

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/fixture"
)

// makeSample writes a fixture bundle.
func makeSample(t *testing.T, path string, spec fixture.Spec) *fixture.Result {
	t.Helper()
	res, err := fixture.WriteBundle(context.Background(), path, spec)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func bundleParam(path string, create bool) map[string]any {
	m := map[string]any{"path": path}
	if create {
		m["create"] = true
	}
	return m
}

// dump reads every table of a bundle as sorted row texts, leaving out what
// differs between two identical runs: ImportRun (returned apart), the
// identity columns a resumed history import may number differently
// (attribute rows name their record by GUID instead), the run ids, the new
// database's random InstallationId and EncryptionKeyId, and the generated
// key's id and time.
func dump(t *testing.T, path string) (tables map[string][]string, runs []map[string]data.Value) {
	t.Helper()
	b, err := bundle.OpenCommitted(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	ctx := context.Background()
	info, err := b.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	recGUID := map[int64]string{}
	if tb := info.Table("ChangeRecord"); tb != nil {
		ri, gi := tb.MustIndex("RecordId"), tb.MustIndex("RecordGuid")
		scanRows(t, b, "ChangeRecord", func(r data.Row) { recGUID[r[ri].Int] = r[gi].String() })
	}
	tables = map[string][]string{}
	for _, tb := range info.Tables {
		tb := tb
		if tb.Name == "ImportRun" {
			scanRows(t, b, tb.Name, func(r data.Row) {
				m := map[string]data.Value{}
				for i, c := range tb.Columns {
					m[c.Name] = r[i]
				}
				runs = append(runs, m)
			})
			continue
		}
		var rows []string
		scanRows(t, b, tb.Name, func(r data.Row) {
			var parts []string
			for i, c := range tb.Columns {
				v := r[i].String()
				switch {
				case c.Name == "ImportRunId", c.Identity:
					continue
				case tb.Name == "ChangeRecordAttribute" && c.Name == "RecordId":
					v = recGUID[r[i].Int]
				case tb.Name == "EncryptionKey" && (c.Name == "KeyId" || c.Name == "AddedUtc"):
					continue
				}
				parts = append(parts, c.Name+"="+v)
			}
			s := strings.Join(parts, " | ")
			if tb.Name == "Settings" && (strings.Contains(s, `Name="InstallationId"`) || strings.Contains(s, `Name="EncryptionKeyId"`)) {
				s = strings.SplitN(s, " | ", 2)[0]
			}
			rows = append(rows, s)
		})
		sort.Strings(rows)
		tables[tb.Name] = rows
	}
	return tables, runs
}

func scanRows(t *testing.T, b *bundle.Bundle, table string, f func(data.Row)) {
	t.Helper()
	rs, err := b.Scan(context.Background(), table)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	for rs.Next() {
		f(cloneRow(rs.Row()))
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
}

func cloneRow(r data.Row) data.Row {
	c := r.Clone()
	for i := range c {
		c[i].Str = strings.Clone(c[i].Str)
	}
	return c
}

func sameTables(t *testing.T, what string, got, want map[string][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d tables, want %d", what, len(got), len(want))
	}
	for name, w := range want {
		g := got[name]
		if len(g) != len(w) {
			t.Fatalf("%s: table %s has %d rows, want %d", what, name, len(g), len(w))
		}
		for i := range w {
			if g[i] != w[i] {
				t.Fatalf("%s: table %s differs:\n got %s\nwant %s", what, name, g[i], w[i])
			}
		}
	}
}

func outcomes(runs []map[string]data.Value) map[string]int {
	n := map[string]int{}
	for _, r := range runs {
		n[r["Outcome"].Str]++
	}
	return n
}

func describeOutcome(e engine.Event) string {
	if e.Error == nil {
		return fmt.Sprintf("%s (exit %d)", e.Outcome, e.ExitCode)
	}
	return fmt.Sprintf("%s (exit %d) %s %s: %s %s", e.Outcome, e.ExitCode, e.Error.Code, e.Error.Category, e.Error.Message, e.Error.Remedy)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var n []string
	for _, e := range ents {
		n = append(n, e.Name())
	}
	return n
}
