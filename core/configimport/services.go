package configimport

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/store"
)

// AssociateServices applies the §7.3 services association to the rows of an
// existing 8.2 configuration database, in one transaction: scheduled tasks
// set to All servers stay as they are, tasks that cannot be edited keep
// their server, every other task and every dynamic group and group family
// runs on servicesServer. With whatIf it only reports what would change.
func AssociateServices(ctx context.Context, dst store.ConfigDestination, servicesServer string, whatIf bool, rep Reporter) (*ServicesResult, error) {
	start := time.Now()
	if rep == nil {
		rep = nopReporter{}
	}
	host := model.NormalizeHost(servicesServer)
	if host == "" {
		msg, remedy := noServicesServer()
		return nil, arerr.Errorf(model.E017ServiceHostInvalid.ID, arerr.CatInvalidArgument, remedy, "%s", msg)
	}
	if !model.IsFQDN(host) {
		c := model.E017ServiceHostInvalid
		return nil, arerr.Errorf(c.ID, arerr.CatInvalidArgument,
			"Give the fully qualified domain name of the 8.2 Administration Service ("+arerr.Param("servicesServer")+" ars01.corp.example.com).",
			"The services server %q is not a fully qualified domain name.", servicesServer)
	}
	info, err := RequireConfiguration82(ctx, dst, "Services association")
	if err != nil {
		return nil, err
	}
	res := &ServicesResult{Destination: info.Location, ServicesServer: host, WhatIf: whatIf,
		Changed: []ServicesChange{}, Unchanged: []TaskNotAssociated{}}
	updates := map[string][]data.Row{}
	for _, table := range []string{"ScheduledTask", "DynamicGroup", "GroupFamily"} {
		t := info.Table(table)
		if t == nil {
			return nil, arerr.Errorf("AR-READ", arerr.CatInvalidData, "The database is damaged; restore it or import the configuration again.",
				"The 8.2 configuration database %s has no %s table.", info.Location, table)
		}
		ki := t.Index(g3Key[table])
		hi := t.Index("ServiceHost")
		ni := t.Index(g3NameCol[table])
		ri, ei := t.Index("RunOn"), t.Index("IsEditable")
		if ki < 0 || hi < 0 {
			return nil, arerr.Errorf("AR-READ", arerr.CatInvalidData, "The database is damaged; restore it or import the configuration again.",
				"Table %s of %s lacks its key or ServiceHost column.", table, info.Location)
		}
		err := scanTable(ctx, dst, table, func(r data.Row) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			name := ""
			if ni >= 0 {
				name = r[ni].Str
			}
			key := r[ki].AsGUID().String()
			from := r[hi]
			switch table {
			case "ScheduledTask":
				tn := &taskNote{g3: true, exec: from, allServers: strings.EqualFold(r[ri].Str, "AllServers"), editable: r[ei].Int != 0}
				runOn, to := associate(tn, host)
				switch {
				case runOn == "AllServers":
					res.Unchanged = append(res.Unchanged, TaskNotAssociated{TaskGUID: key, Name: name, Reason: "set to All servers: runs on every Administration Service"})
					return nil
				case to.Str != host:
					res.Unchanged = append(res.Unchanged, TaskNotAssociated{TaskGUID: key, Name: name,
						Reason: fmt.Sprintf("not editable (e.g. Managed Object Counter): keeps its server %s", from.Str)})
					if from.Str == to.Str {
						return nil
					}
				}
				if from.Kind == data.String && from.Str == to.Str && r[ri].Str == runOn {
					res.ScheduledTasks++
					return nil
				}
				nr := r.Clone()
				nr[ri] = data.StringValue(runOn)
				nr[hi] = to
				updates[table] = append(updates[table], nr)
				res.Changed = append(res.Changed, ServicesChange{Entity: table, Key: key, Name: name, From: hostText(from), To: to.Str})
				if to.Str == host {
					res.ScheduledTasks++
				}
			default:
				if table == "DynamicGroup" {
					res.DynamicGroups++
				} else {
					res.GroupFamilies++
				}
				if from.Kind == data.String && from.Str == host {
					return nil
				}
				nr := r.Clone()
				nr[hi] = data.StringValue(host)
				updates[table] = append(updates[table], nr)
				res.Changed = append(res.Changed, ServicesChange{Entity: table, Key: key, Name: name, From: hostText(from), To: host})
			}
			return nil
		})
		if err != nil {
			if ctx.Err() != nil {
				return nil, arerr.Wrap(err, CodeCancelled, arerr.CatOperationStopped, "Run it again; nothing was changed.", "Services association was cancelled")
			}
			return nil, arerr.Wrap(err, "AR-READ", arerr.CatReadError, "Check the database is reachable.", "Cannot read %s", table)
		}
	}
	if !whatIf && len(res.Changed) > 0 {
		tx, err := dst.BeginConfig(ctx)
		if err != nil {
			return nil, arerr.Wrap(err, CodeImport, arerr.CatWriteError, "Check the database is writable, then run again.", "Cannot start the services association")
		}
		for _, table := range []string{"ScheduledTask", "DynamicGroup", "GroupFamily"} {
			if len(updates[table]) == 0 {
				continue
			}
			if err := tx.Update(ctx, table, updates[table]); err != nil {
				rerr := tx.Rollback(context.WithoutCancel(ctx))
				code, cat := CodeImport, arerr.CatWriteError
				if ctx.Err() != nil {
					code, cat = CodeCancelled, arerr.CatOperationStopped
				}
				e := arerr.Wrap(err, code, cat, "Nothing was changed; run it again.", "Services association failed on %s", table)
				if rerr != nil {
					e.Err = fmt.Errorf("%w (rollback: %v)", err, rerr)
				}
				return nil, e
			}
		}
		if err := tx.Commit(ctx); err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
			return nil, arerr.Wrap(err, CodeImport, arerr.CatWriteError, "Nothing was changed; run it again.", "Cannot commit the services association")
		}
	}
	rep.Log().Info().Int("changed", len(res.Changed)).Int("unchanged", len(res.Unchanged)).Bool("whatIf", whatIf).Msg("services association")
	res.ElapsedSeconds = time.Since(start).Seconds()
	return res, nil
}

func hostText(v data.Value) string {
	if v.Kind != data.String {
		return "(all servers)"
	}
	return v.Str
}

// RequireConfiguration82 checks that db is an Active Roles 8.2 configuration
// database, the only kind the operations that change one in place accept.
func RequireConfiguration82(ctx context.Context, db store.Source, what string) (*store.Info, error) {
	info, err := db.Info(ctx)
	if err != nil {
		return nil, arerr.Wrap(err, "AR-CONNECT", arerr.CatConnectionError, "Check the database's location and that you can write to it.", "Cannot read the database")
	}
	d := model.Detect(info)
	if d.State != model.StateSupported || d.Generation != model.G3 || d.Role != model.RoleConfiguration {
		return nil, arerr.Errorf(model.E006DestinationVersionMismatch.ID, arerr.CatInvalidOperation,
			"Name the Active Roles 8.2 configuration database (after importing the configuration into it).",
			"%s works on an Active Roles 8.2 configuration database; %s is %s.", what, info.Location, d.String())
	}
	return info, nil
}
