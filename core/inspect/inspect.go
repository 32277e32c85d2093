// Package inspect describes an Active Roles database (Get-ARDatabaseInfo,
// arupgrade inspect): version, role, counts per entity and table, and the
// import runs that never finished. It also opens a source any operation can
// read (OpenDetected).
package inspect

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/dbopen"
	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/store"
)

// DatabaseInfo is the result of inspect (ActiveRolesUpgrade.DatabaseInfo).
type DatabaseInfo struct {
	Location         string           `json:"location"`
	Kind             string           `json:"kind"`
	Server           string           `json:"server,omitempty"`   // a SQL Server's instance and database apart, so the object
	Database         string           `json:"database,omitempty"` // binds as another cmdlet's -Source/-Destination (sqlNames)
	State            string           `json:"state"`
	Version          string           `json:"version"`
	Generation       string           `json:"generation"`
	Role             string           `json:"role"`
	InstallationID   string           `json:"installationId"`
	EncryptionKeyID  string           `json:"encryptionKeyId,omitempty"`
	UTCOffsetMinutes *int             `json:"utcOffsetMinutes,omitempty"`
	Counts           map[string]int64 `json:"counts"`
	Tables           map[string]int64 `json:"tables"`
	// InterruptedRuns are the ImportRun rows still 'Running' whose run is
	// gone (killed, or the machine stopped): no live run holds the
	// database's writer lock for them. Listed where the database can tell
	// (bundles); empty otherwise.
	InterruptedRuns []InterruptedRun `json:"interruptedRuns"`
}

// InterruptedRun is an ImportRun row whose run never finished.
type InterruptedRun struct {
	ImportRunID    int64     `json:"importRunId"`
	Kind           string    `json:"kind"`
	StartedUTC     time.Time `json:"startedUtc"`
	SourceServer   string    `json:"sourceServer"`
	SourceDatabase string    `json:"sourceDatabase"`
}

// writerProbe is a database that can tell, without taking it, whether a
// live run holds its writer lock, and that run's ImportRun row (0 when not
// known yet) and start.
type writerProbe interface {
	WriterRun(ctx context.Context) (held bool, importRunID int64, started time.Time, err error)
}

// Run describes the database at ep.
func Run(ctx context.Context, ep *dbopen.Endpoint, em *engine.Emitter) (*DatabaseInfo, error) {
	if ep.IsZero() {
		return nil, arerr.Errorf("AR-PARAMS", arerr.CatInvalidArgument, "Name the database to inspect: a bundle path or a SQL Server database.", "No source was given.")
	}
	src, info, det, err := OpenDetected(ctx, ep, em, dbopen.OpenForInspection)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	res, err := describe(ctx, src, info, det, em)
	if err != nil {
		return nil, err
	}
	res.Location = ep.Describe()
	res.Server, res.Database = sqlNames(ep)
	return res, nil
}

// OpenDetected opens a source that any operation can read: an Active Roles
// database of a supported version.
func OpenDetected(ctx context.Context, ep *dbopen.Endpoint, em *engine.Emitter,
	open func(context.Context, *dbopen.Endpoint, dbopen.Warner) (store.Source, error)) (store.Source, *store.Info, model.Detection, error) {
	src, err := open(ctx, ep, em)
	if err != nil {
		return nil, nil, model.Detection{}, err
	}
	info, err := src.Info(ctx)
	if err == nil {
		det := model.Detect(info)
		if err = RequireSupported(det, ep.Describe()); err == nil {
			return src, info, det, nil
		}
	} else {
		err = ReadErr(err, ep.Describe())
	}
	_ = src.Close()
	return nil, nil, model.Detection{}, err
}

// RequireSupported turns a detection that no operation can read into the
// error the user sees (model §12 AR-E001/AR-E002).
func RequireSupported(det model.Detection, where string) error {
	switch det.State {
	case model.StateSupported:
		return nil
	case model.StateBlank:
		return arerr.Errorf(model.E001SourceNotActiveRoles.ID, arerr.CatInvalidData,
			"Check the server and database name: the database holds no tables.", "%s is a blank database, not an Active Roles database.", where)
	case model.StateNotActiveRoles:
		return arerr.Errorf(model.E001SourceNotActiveRoles.ID, arerr.CatInvalidData,
			"Check the server and database name, and that this is the database of an Active Roles Administration Service.",
			"%s is not an Active Roles database: %s", where, det.Reason)
	case model.StateNewer:
		return arerr.Errorf(model.E005DestinationNewer.ID, arerr.CatInvalidData,
			"Use a newer version of ActiveRolesUpgrade.", "%s is Active Roles %s, newer than 8.2, the version this tool upgrades to.", where, det.Version)
	default:
		return arerr.Errorf(model.E002SourceVersionUnsupported.ID, arerr.CatInvalidData,
			"Upgrade it to Active Roles 7.5 or later with the vendor's tools first; this tool reads 7.5, 7.6, 8.0, 8.1 and 8.2.",
			"%s: %s", where, det.Reason)
	}
}

func describe(ctx context.Context, src store.Source, info *store.Info, det model.Detection, em *engine.Emitter) (*DatabaseInfo, error) {
	res := &DatabaseInfo{Kind: info.Kind, State: det.State.String(), Version: det.Version.String(),
		Generation: fmt.Sprintf("G%d", det.Generation), Role: string(det.Role),
		InstallationID: det.InstallationID.String(), Counts: map[string]int64{}, Tables: map[string]int64{}}
	if det.HasEncryptionKeyID {
		res.EncryptionKeyID = det.EncryptionKeyID.String()
	}
	if det.HasUTCOffset {
		o := det.UTCOffsetMinutes
		res.UTCOffsetMinutes = &o
	}
	for _, t := range info.Tables {
		n, err := src.Count(ctx, t.Name)
		if err != nil {
			return nil, ReadErr(err, info.Location)
		}
		res.Tables[t.Name] = n
	}
	var g1Classes map[string]int64
	for _, ent := range model.Entities(det.Role) {
		switch {
		case det.Generation == model.G1 && ent.G1Class != "":
			if g1Classes == nil {
				var err error
				if g1Classes, err = countG1Classes(ctx, src, info); err != nil {
					return nil, err
				}
			}
			res.Counts[ent.Name] = g1Classes[lowerASCII(ent.G1Class)]
		case det.Generation == model.G1 && ent.G1Table == "":
			// G1 keeps attribute changes inside ChangeHistory.Details.
			n, err := countG1AttributeChanges(ctx, src, info)
			if err != nil {
				return nil, err
			}
			res.Counts[ent.Name] = n
		case det.Generation == model.G1:
			res.Counts[ent.Name] = res.Tables[ent.G1Table]
		case det.Generation == model.G2:
			res.Counts[ent.Name] = res.Tables[ent.G2Table]
		default:
			res.Counts[ent.Name] = res.Tables[ent.Name]
		}
	}
	runs, err := interruptedRuns(ctx, src, info)
	if err != nil {
		return nil, ReadErr(err, info.Location)
	}
	res.InterruptedRuns = runs
	em.Log().Info().Str("version", res.Version).Str("role", res.Role).Interface("counts", res.Counts).Msg("database inspected")
	return res, nil
}

// interruptedRuns lists the 'Running' ImportRun rows that no live run
// holds: a run killed before it closed its row leaves it 'Running' for
// ever (model §7.1: no run updates another's row), so the lock tells.
func interruptedRuns(ctx context.Context, src store.Source, info *store.Info) ([]InterruptedRun, error) {
	out := []InterruptedRun{}
	t := info.Table("ImportRun")
	p, ok := src.(writerProbe)
	if t == nil || !ok {
		return out, nil
	}
	idc, kc, sc, oc := t.Index("ImportRunId"), t.Index("Kind"), t.Index("StartedUtc"), t.Index("Outcome")
	ssc, sdc := t.Index("SourceServer"), t.Index("SourceDatabase")
	if idc < 0 || kc < 0 || sc < 0 || oc < 0 {
		return out, nil
	}
	held, liveID, liveStart, err := p.WriterRun(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := src.Scan(ctx, t.Name)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		r := rows.Row()
		if r[oc].Str != "Running" {
			continue
		}
		ir := InterruptedRun{ImportRunID: r[idc].Int, Kind: strings.Clone(r[kc].Str)}
		if r[sc].Kind == data.Time {
			ir.StartedUTC = r[sc].AsTime()
		}
		if held && (ir.ImportRunID == liveID || liveID == 0 && !ir.StartedUTC.Before(liveStart.Add(-time.Second))) {
			continue // the live run's own row (or, before it noted its id, one it may have started)
		}
		if ssc >= 0 {
			ir.SourceServer = strings.Clone(r[ssc].Str)
		}
		if sdc >= 0 {
			ir.SourceDatabase = strings.Clone(r[sdc].Str)
		}
		out = append(out, ir)
	}
	return out, rows.Err()
}

// countG1Classes counts G1 configuration objects per ObjectClass (the
// model's collation is case-insensitive, so keys are lower-case).
func countG1Classes(ctx context.Context, src store.Source, info *store.Info) (map[string]int64, error) {
	t := info.Table("ConfigObject")
	if t == nil {
		return nil, arerr.Errorf(model.E001SourceNotActiveRoles.ID, arerr.CatInvalidData, "", "%s has no ConfigObject table.", info.Location)
	}
	ci := t.MustIndex("ObjectClass")
	rows, err := src.Scan(ctx, t.Name)
	if err != nil {
		return nil, ReadErr(err, info.Location)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		out[lowerASCII(rows.Row()[ci].Str)]++
	}
	if err := rows.Err(); err != nil {
		return nil, ReadErr(err, info.Location)
	}
	return out, nil
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// ReadErr classifies a failure to read a database.
func ReadErr(err error, where string) error {
	if e, ok := err.(*arerr.Error); ok {
		return e
	}
	return arerr.Wrap(err, "AR-READ", arerr.CatReadError, "Check that the database is reachable and the file is intact.", "Cannot read %s", where)
}

// countG1AttributeChanges counts the attribute changes a G1 history holds in
// its Details XML: the ChangeRecordAttribute rows an import will write.
func countG1AttributeChanges(ctx context.Context, src store.Source, info *store.Info) (int64, error) {
	t := info.Table("ChangeHistory")
	if t == nil {
		return 0, nil
	}
	di := t.MustIndex("Details")
	rows, err := src.Scan(ctx, t.Name)
	if err != nil {
		return 0, ReadErr(err, info.Location)
	}
	defer rows.Close()
	var n int64
	for rows.Next() {
		if v := rows.Row()[di]; !v.IsNull() {
			if changes, ok := model.ParseDetails(v.Str); ok {
				n += int64(len(changes))
			}
		}
	}
	return n, rows.Err()
}
