package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/activeroles/arupgrade/core/benchproc"
	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/historyimport"
	"github.com/activeroles/arupgrade/core/store"
)

// ScenarioIncremental measures runs into a destination that already holds
// the source's records (issue 14): an All import of a copy of the 8.1 source
// holding its first 99 % of change records (the source as it was at the
// last run), then a re-run with the whole source, which adds the last 1 %,
// then a re-run that adds nothing into the destination now holding every
// record. Each is a child process of its own, so each row's peak RSS is that
// run's alone; the re-runs' seconds compare with the full import's.
const ScenarioIncremental = "incremental"

// The rows ScenarioIncremental adds.
const (
	scenarioFirst99    = "incremental-first99"
	scenarioAdd1       = "incremental-add1"
	scenarioAddNothing = "incremental-addnothing"
	scenarioSlice      = "incremental-slice" // makes the 99 % source, not measured
)

const incrementalKind = "history-incremental"

func init() {
	benchproc.Register(incrementalKind, func(ctx context.Context, raw json.RawMessage) (any, error) {
		var c historyChild
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, err
		}
		return runIncrementalChild(ctx, c)
	})
}

func incrementalLabel(s string) string {
	switch s {
	case scenarioFirst99:
		return "import 8.1 → 8.2, source's first 99 %"
	case scenarioAdd1:
		return "re-run, source grew 1 %"
	case scenarioAddNothing:
		return "re-run adding nothing (dest. holds all)"
	}
	return s
}

// runIncremental runs the three steps of ScenarioIncremental on source.
func runIncremental(ctx context.Context, exe, source, dir string, cfg HistoryConfig) ([]HistoryResult, error) {
	dest := filepath.Join(dir, "bench-dest-incremental.arbundle")
	removeDest(dest)
	defer removeDest(dest)
	first := strings.TrimSuffix(source, ".arbundle") + "-first99.arbundle"
	if _, err := os.Stat(first); err != nil {
		// In a child too: a child's peak RSS starts at its parent's (fork).
		c := historyChild{Scenario: scenarioSlice, Source: source, Dest: first}
		if _, err := benchproc.Run(ctx, exe, incrementalKind, c, cfg.ExtraEnv, &historyOut{}); err != nil {
			return nil, fmt.Errorf("benchmark: copy the first 99 %% of %s: %w", source, err)
		}
	}
	var out []HistoryResult
	for _, s := range []string{scenarioFirst99, scenarioAdd1, scenarioAddNothing} {
		c := historyChild{Scenario: s, Source: source, Dest: dest, BatchSize: cfg.BatchSize}
		if s == scenarioFirst99 {
			c.Source = first
		}
		var o historyOut
		u, err := benchproc.Run(ctx, exe, incrementalKind, c, cfg.ExtraEnv, &o)
		if err != nil {
			return nil, fmt.Errorf("benchmark %s: %w", s, err)
		}
		r := HistoryResult{Scenario: s, Records: o.Records, Seconds: o.Seconds, PeakRSSBytes: u.PeakRSSBytes, CPUSeconds: u.CPUSeconds}
		if o.Seconds > 0 {
			r.RecordsPerSecond = float64(o.Records) / o.Seconds
		}
		out = append(out, r)
	}
	return out, nil
}

// runIncrementalChild runs one step; Records is the change records it added.
func runIncrementalChild(ctx context.Context, c historyChild) (historyOut, error) {
	if c.Scenario == scenarioSlice {
		return historyOut{}, sliceFirst99(ctx, c.Source, c.Dest)
	}
	src, err := bundle.Open(c.Source)
	if err != nil {
		return historyOut{}, err
	}
	defer src.Close()
	opts := historyimport.Options{BatchSize: c.BatchSize}
	if c.Scenario == scenarioFirst99 {
		_ = os.Remove(c.Dest)
	}
	dst, err := bundle.OpenHistoryDestination(c.Dest)
	if err != nil {
		return historyOut{}, err
	}
	start := time.Now()
	res, err := historyimport.Run(ctx, src, dst, opts, nil)
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return historyOut{}, err
	}
	return historyOut{Records: res.Entity(historyimport.EntityChangeRecord).Imported, Seconds: time.Since(start).Seconds()}, nil
}

// sliceFirst99 writes a copy of the bundle src holding the first 99 % of
// its change records (canonical order) with their attribute rows and tasks,
// and the first 99 % of its temporal memberships. Child rows come grouped in
// their records' order, so each child table is merge-joined with a second
// scan of the records: memory stays flat at any size.
func sliceFirst99(ctx context.Context, src, dst string) (err error) {
	b, err := bundle.Open(src)
	if err != nil {
		return err
	}
	defer b.Close()
	h := b.Header()
	w, err := bundle.Create(dst+".tmp", h, bundle.WithOverwrite())
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			w.Abort()
		}
	}()
	var recIdx int
	for _, t := range h.Tables {
		if t.Name == "ChangeRecord" {
			recIdx = t.Index("RecordId")
		}
	}
	nrec, err := b.Count(ctx, "ChangeRecord")
	if err != nil {
		return err
	}
	for _, t := range h.Tables {
		n, err := b.Count(ctx, t.Name)
		if err != nil {
			return err
		}
		rs, err := b.Scan(ctx, t.Name)
		if err != nil {
			return err
		}
		// parents walks the kept records in order, for the child tables.
		var parents store.Rows
		parentsLeft := nrec * 99 / 100
		if t.Name == "ChangeRecordAttribute" || t.Name == "ApprovalTask" {
			if parents, err = b.Scan(ctx, "ChangeRecord"); err != nil {
				rs.Close()
				return err
			}
		}
		rid := t.Index("RecordId")
		cur, have := int64(0), false
		for i := int64(0); rs.Next(); i++ {
			r := rs.Row()
			keep := true
			switch t.Name {
			case "ChangeRecord", "TemporalMembership":
				keep = i < n*99/100
			case "ChangeRecordAttribute", "ApprovalTask":
				for (!have || cur != r[rid].Int) && parentsLeft > 0 && parents.Next() {
					cur, have = parents.Row()[recIdx].Int, true
					parentsLeft--
				}
				keep = have && cur == r[rid].Int
			}
			if !keep {
				if t.Name == "ChangeRecord" || t.Name == "ChangeRecordAttribute" || t.Name == "ApprovalTask" {
					break // the rest belongs to the last 1 %
				}
				continue
			}
			if err := w.Write(t.Name, r); err != nil {
				rs.Close()
				return err
			}
		}
		err = rs.Err()
		rs.Close()
		if parents != nil {
			if perr := parents.Err(); err == nil {
				err = perr
			}
			parents.Close()
		}
		if err != nil {
			return err
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	return os.Rename(dst+".tmp", dst)
}
