package ops

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/dbopen"
	"github.com/activeroles/arupgrade/core/engine"
)

func init() { engine.Register("export", runExport) }

type exportParams struct {
	Source    dbopen.Endpoint `json:"source"`
	Out       string          `json:"out"`
	Overwrite bool            `json:"overwrite"`
}

// ExportResult is the result of export (ActiveRolesUpgrade.ExportResult).
type ExportResult struct {
	Source         string           `json:"source"`
	Out            string           `json:"out"`
	Version        string           `json:"version"`
	Role           string           `json:"role"`
	Tables         map[string]int64 `json:"tables"`
	Rows           int64            `json:"rows"`
	Bytes          int64            `json:"bytes"`
	ElapsedSeconds float64          `json:"elapsedSeconds"`
}

// runExport copies every table of an Active Roles database into a bundle.
// The source is read as one snapshot where the server allows it; encrypted
// values are copied as stored (still encrypted), and no key is ever read.
func runExport(ctx context.Context, raw json.RawMessage, em *engine.Emitter) error {
	var p exportParams
	if err := decodeParams(raw, &p, `{"source":{"server":"sql01.corp.example.com","database":"ARConfig76"},"out":"ar76.arbundle"}`); err != nil {
		return err
	}
	if p.Source.IsZero() || p.Out == "" {
		return arerr.Errorf("AR-PARAMS", arerr.CatInvalidArgument, "Give a source database and an output bundle path.", "Export needs a source and an output file.")
	}
	// One writer per file: an import or another export writing the same
	// bundle refuses this run (AR-E019) before it looks at the file.
	release, err := dbopen.LockBundle(ctx, p.Out, "export")
	if err != nil {
		return err
	}
	defer func() { _ = release() }()
	if _, err := os.Stat(p.Out); err == nil && !p.Overwrite {
		return arerr.Errorf("AR-EXISTS", arerr.CatResourceExists, "Choose another file name, or allow overwriting (-Force / --overwrite).", "The bundle %s already exists.", p.Out)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return arerr.Wrap(err, "AR-WRITE", arerr.CatWriteError, "Check the path.", "Cannot use %s", p.Out)
	}
	if err := os.MkdirAll(filepath.Dir(p.Out), 0o755); err != nil {
		return writeErr(err, p.Out, "Choose a folder you can write to.", "Cannot create the folder of %s", p.Out)
	}
	out, err := bundle.RealPath(p.Out)
	if err != nil {
		return arerr.Wrap(err, "AR-WRITE", arerr.CatWriteError, "Check the path.", "Cannot use %s", p.Out)
	}
	start := time.Now()
	src, info, det, err := openDetected(ctx, &p.Source, em, dbopen.OpenSnapshotSource)
	if err != nil {
		return err
	}
	defer src.Close()
	h := bundle.Header{SourceVersion: det.Version.String(), Generation: int(det.Generation), Role: string(det.Role),
		InstallationID: det.InstallationID, Producer: "arupgrade " + engine.Version, Tables: info.Tables}
	if det.HasUTCOffset {
		o := det.UTCOffsetMinutes
		h.UTCOffsetMinutes = &o
	}
	var opts []bundle.Option
	if p.Overwrite {
		opts = append(opts, bundle.WithOverwrite())
	}
	w, err := bundle.Create(out, h, opts...)
	if err != nil {
		return writeErr(err, p.Out, "Check the path and free disk space.", "Cannot create %s", p.Out)
	}
	committed := false
	defer func() {
		if !committed {
			w.Abort()
		}
	}()
	res := ExportResult{Source: p.Source.Describe(), Out: p.Out, Version: h.SourceVersion, Role: h.Role, Tables: map[string]int64{}}
	var total int64
	for _, t := range info.Tables {
		if n, err := src.Count(ctx, t.Name); err == nil {
			total += n
		}
	}
	prog := newRate("Exporting "+p.Source.Describe(), total, em)
	for _, t := range info.Tables {
		rows, err := src.Scan(ctx, t.Name)
		if err != nil {
			return readErr(err, p.Source.Describe())
		}
		var n int64
		for rows.Next() {
			if err := w.Write(t.Name, rows.Row()); err != nil {
				rows.Close()
				return writeErr(err, p.Out, "Check free disk space.", "Cannot write %s", p.Out)
			}
			n++
			if n%4096 == 0 {
				prog.add(t.Name, 4096)
				if ctx.Err() != nil {
					rows.Close()
					return ctx.Err()
				}
			}
		}
		prog.add(t.Name, n%4096)
		err = rows.Err()
		rows.Close()
		if err != nil {
			return readErr(err, p.Source.Describe())
		}
		res.Tables[t.Name] = n
		res.Rows += n
		em.Log().Info().Str("table", t.Name).Int64("rows", n).Msg("table exported")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return writeErr(err, p.Out, "Check free disk space.", "Cannot finish %s", p.Out)
	}
	committed = true
	prog.done()
	if fi, err := os.Stat(p.Out); err == nil {
		res.Bytes = fi.Size()
	}
	res.ElapsedSeconds = time.Since(start).Seconds()
	em.Log().Info().Str("out", p.Out).Int64("rows", res.Rows).Int64("bytes", res.Bytes).Msg("export finished")
	return em.Result("ExportResult", res)
}

// writeErr reports a failure to write an output file: its own AR-DISK-FULL
// when the volume is full (nothing of the new file is left), AR-WRITE else.
func writeErr(err error, out, remedy, format string, args ...any) error {
	if e, ok := arerr.AsDiskFull(err, "Writing "+out,
		"Nothing was left behind. Free space on that volume, or choose a folder on another volume, and run the command again."); ok {
		return e
	}
	return arerr.Wrap(err, "AR-WRITE", arerr.CatWriteError, remedy, format, args...)
}
