// Package export copies every table of an Active Roles database into a
// bundle (Export-ARDatabase, arupgrade export).
package export

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/bundle"
	"github.com/activeroles/arupgrade/core/dbopen"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/inspect"
)

// Params say what to export and where.
type Params struct {
	Source    dbopen.Endpoint `json:"source"`
	Out       string          `json:"out"`
	Overwrite bool            `json:"overwrite"`
}

// Result is the result of export (ActiveRolesUpgrade.ExportResult).
type Result struct {
	Source         string           `json:"source"`
	Out            string           `json:"out"`
	Version        string           `json:"version"`
	Role           string           `json:"role"`
	Tables         map[string]int64 `json:"tables"`
	Rows           int64            `json:"rows"`
	Bytes          int64            `json:"bytes"`
	ElapsedSeconds float64          `json:"elapsedSeconds"`
	// Principals: what the bundle records of the source's principals (nil: none).
	Principals *PrincipalsSummary `json:"principals,omitempty"`
}

// Run copies every table of an Active Roles database into a bundle.
// The source is read as one snapshot where the server allows it; encrypted
// values are copied as stored (still encrypted), and no key is ever read.
func Run(ctx context.Context, p Params, em *engine.Emitter) (*Result, error) {
	if p.Source.IsZero() || p.Out == "" {
		return nil, arerr.Errorf("AR-PARAMS", arerr.CatInvalidArgument, "Give a source database and an output bundle path.", "Export needs a source and an output file.")
	}
	// One writer per file: an import or another export writing the same
	// bundle refuses this run (AR-E019) before it looks at the file.
	release, err := dbopen.LockBundle(ctx, p.Out, "export")
	if err != nil {
		return nil, err
	}
	defer func() { _ = release() }()
	if _, err := os.Stat(p.Out); err == nil && !p.Overwrite {
		return nil, arerr.Errorf("AR-EXISTS", arerr.CatResourceExists, "Choose another file name, or allow overwriting ("+arerr.Param("overwrite")+").", "The bundle %s already exists.", p.Out)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, arerr.Wrap(err, "AR-WRITE", arerr.CatWriteError, "Check the path.", "Cannot use %s", p.Out)
	}
	if err := os.MkdirAll(filepath.Dir(p.Out), 0o755); err != nil {
		return nil, arerr.WriteErr(err, p.Out, "Choose a folder you can write to.", "Cannot create the folder of %s", p.Out)
	}
	out, err := bundle.RealPath(p.Out)
	if err != nil {
		return nil, arerr.Wrap(err, "AR-WRITE", arerr.CatWriteError, "Check the path.", "Cannot use %s", p.Out)
	}
	start := time.Now()
	src, info, det, err := inspect.OpenDetected(ctx, &p.Source, em, dbopen.OpenSnapshotSource)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	h := bundle.Header{SourceVersion: det.Version.String(), Generation: int(det.Generation), Role: string(det.Role),
		InstallationID: det.InstallationID, Producer: "arupgrade " + engine.Version, Tables: info.Tables}
	if det.HasUTCOffset {
		o := det.UTCOffsetMinutes
		h.UTCOffsetMinutes = &o
	}
	// The principals go in the header, read in the same snapshot as the tables.
	snap, psum, err := readPrincipals(ctx, src, p.Source.Describe(), em)
	if err != nil {
		return nil, err
	}
	h.Principals = snap
	var opts []bundle.Option
	if p.Overwrite {
		opts = append(opts, bundle.WithOverwrite())
	}
	w, err := bundle.Create(out, h, opts...)
	if err != nil {
		return nil, arerr.WriteErr(err, p.Out, "Check the path and free disk space.", "Cannot create %s", p.Out)
	}
	committed := false
	defer func() {
		if !committed {
			w.Abort()
		}
	}()
	res := Result{Source: p.Source.Describe(), Out: p.Out, Version: h.SourceVersion, Role: h.Role, Tables: map[string]int64{}, Principals: psum}
	var total int64
	for _, t := range info.Tables {
		if n, err := src.Count(ctx, t.Name); err == nil {
			total += n
		}
	}
	prog := engine.NewRate("Exporting "+p.Source.Describe(), total, em)
	for _, t := range info.Tables {
		rows, err := src.Scan(ctx, t.Name)
		if err != nil {
			return nil, inspect.ReadErr(err, p.Source.Describe())
		}
		var n int64
		for rows.Next() {
			if err := w.Write(t.Name, rows.Row()); err != nil {
				rows.Close()
				return nil, arerr.WriteErr(err, p.Out, "Check free disk space.", "Cannot write %s", p.Out)
			}
			n++
			if n%4096 == 0 {
				prog.Add(t.Name, 4096)
				if ctx.Err() != nil {
					rows.Close()
					return nil, ctx.Err()
				}
			}
		}
		prog.Add(t.Name, n%4096)
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, inspect.ReadErr(err, p.Source.Describe())
		}
		res.Tables[t.Name] = n
		res.Rows += n
		em.Log().Info().Str("table", t.Name).Int64("rows", n).Msg("table exported")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, arerr.WriteErr(err, p.Out, "Check free disk space.", "Cannot finish %s", p.Out)
	}
	committed = true
	prog.Done()
	if fi, err := os.Stat(p.Out); err == nil {
		res.Bytes = fi.Size()
	}
	res.ElapsedSeconds = time.Since(start).Seconds()
	em.Log().Info().Str("out", p.Out).Int64("rows", res.Rows).Int64("bytes", res.Bytes).Msg("export finished")
	return &res, nil
}
