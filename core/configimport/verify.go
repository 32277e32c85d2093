package configimport

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/secrets"
	"github.com/activeroles/arupgrade/core/store"
)

// recTx wraps the import's transaction and records what it writes, so the
// §11 invariants are checked against the writes themselves before commit.
// With a nil inner transaction (WhatIf) it only records.
type recTx struct {
	inner store.ConfigTx
	g3    map[string]*data.Table

	deleted   []string
	updates   int64
	inserted  map[string]int64
	forbidden []string
	keys      map[string]map[data.UUID]int // main table → key GUID → rows
	secretVal map[string]map[data.UUID]secretRow
	tasks     map[data.UUID]taskRow
	hostBad   []string // dynamic groups / group families not on H
	tenantBad []string
	sites     map[data.UUID]siteRow
	docs      map[data.UUID]map[int64]string // site → revision → problem ("" = valid)
	bindBad   []string
	encKeys   map[data.UUID]bool
	host      string
}

type secretRow struct {
	value data.Value
	state string // ManagedDomain only
}

type taskRow struct {
	runOn string
	host  data.Value
}

type siteRow struct {
	name    string
	current int64
}

var _ store.ConfigTx = (*recTx)(nil)

func newRecTx(inner store.ConfigTx, im *importer) *recTx {
	return &recTx{inner: inner, g3: im.g3, host: im.host, inserted: map[string]int64{}, keys: map[string]map[data.UUID]int{},
		secretVal: map[string]map[data.UUID]secretRow{}, tasks: map[data.UUID]taskRow{}, sites: map[data.UUID]siteRow{},
		docs: map[data.UUID]map[int64]string{}, encKeys: map[data.UUID]bool{}}
}

func (t *recTx) DeleteAll(ctx context.Context, table string) error {
	t.deleted = append(t.deleted, table)
	if t.inner == nil {
		return nil
	}
	return t.inner.DeleteAll(ctx, table)
}

func (t *recTx) Update(ctx context.Context, table string, rows []data.Row) error {
	t.updates += int64(len(rows))
	if t.inner == nil {
		return nil
	}
	return t.inner.Update(ctx, table, rows)
}

// Delete passes through: an import never deletes by key (-Replace uses
// DeleteAll), so there is nothing to verify.
func (t *recTx) Delete(ctx context.Context, table string, keys []data.Row) error {
	if t.inner == nil {
		return nil
	}
	return t.inner.Delete(ctx, table, keys)
}

func (t *recTx) Commit(ctx context.Context) error {
	if t.inner == nil {
		return nil
	}
	return t.inner.Commit(ctx)
}

func (t *recTx) Rollback(ctx context.Context) error {
	if t.inner == nil {
		return nil
	}
	return t.inner.Rollback(ctx)
}

// testHookInsert lets tests play a faulty conversion: it sees (and may
// change) every batch before it is recorded and written.
var testHookInsert func(table string, rows []data.Row)

func (t *recTx) Insert(ctx context.Context, table string, rows []data.Row) error {
	if testHookInsert != nil {
		testHookInsert(table, rows)
	}
	t.record(table, rows)
	if t.inner == nil {
		return nil
	}
	return t.inner.Insert(ctx, table, rows)
}

func (t *recTx) record(table string, rows []data.Row) {
	t.inserted[table] += int64(len(rows))
	switch table {
	case "Settings", "AddOn", "ReplicationPartner", "ImportRun":
		t.forbidden = append(t.forbidden, table)
		return
	}
	tb := t.g3[table]
	if tb == nil {
		t.forbidden = append(t.forbidden, table)
		return
	}
	col := func(r data.Row, name string) data.Value { return r[tb.MustIndex(name)] }
	if kc, ok := g3Key[table]; ok {
		m := t.keys[table]
		if m == nil {
			m = map[data.UUID]int{}
			t.keys[table] = m
		}
		for _, r := range rows {
			m[col(r, kc).AsGUID()]++
		}
	}
	for _, r := range rows {
		switch table {
		case "EncryptionKey":
			t.encKeys[col(r, "KeyId").AsGUID()] = true
		case "ManagedDomain":
			t.secret(table, col(r, "DomainGuid").AsGUID(), secretRow{col(r, "OverridePassword"), col(r, "PasswordState").Str})
		case "AzureTenant":
			t.secret(table, col(r, "TenantId").AsGUID(), secretRow{value: col(r, "ClientSecret")})
			if col(r, "AuthState").Str != "ReauthenticationRequired" {
				t.tenantBad = append(t.tenantBad, col(r, "TenantId").AsGUID().String())
			}
		case "ScheduledTask":
			t.tasks[col(r, "TaskGuid").AsGUID()] = taskRow{col(r, "RunOn").Str, col(r, "ServiceHost")}
		case "DynamicGroup", "GroupFamily":
			if h := col(r, "ServiceHost"); h.Kind != data.String || h.Str != t.host {
				t.hostBad = append(t.hostBad, table+" "+col(r, g3Key[table]).AsGUID().String())
			}
		case "WebInterfaceSite":
			t.sites[col(r, "SiteGuid").AsGUID()] = siteRow{col(r, "Name").Str, col(r, "CurrentRevision").Int}
		case "WebInterfaceSiteDocument":
			g := col(r, "SiteGuid").AsGUID()
			if t.docs[g] == nil {
				t.docs[g] = map[int64]string{}
			}
			t.docs[g][col(r, "Revision").Int] = checkDocument(col(r, "Document").Str)
		case "WebInterfaceBinding":
			if col(r, "BindingState").Str != "Legacy" {
				t.bindBad = append(t.bindBad, col(r, "SiteGuid").AsGUID().String())
			}
		}
	}
}

func (t *recTx) secret(table string, key data.UUID, r secretRow) {
	if t.secretVal[table] == nil {
		t.secretVal[table] = map[data.UUID]secretRow{}
	}
	t.secretVal[table][key] = r
}

// checkDocument returns "" for valid JSON with schemaVersion 3.
func checkDocument(doc string) string {
	var d struct {
		SchemaVersion *int `json:"schemaVersion"`
	}
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return "not valid JSON"
	}
	if d.SchemaVersion == nil || *d.SchemaVersion != 3 {
		return "schemaVersion is not 3"
	}
	return ""
}

// verify checks §11 invariants 1, 2, 3, 8, 9 and 10 against what the
// transaction wrote and the destination's state read before it. It fills
// res.Verification and reports whether all passed.
func (im *importer) verify() bool {
	tx := im.tx
	var checks []InvariantCheck
	add := func(name string, problems []string, ok string) {
		c := InvariantCheck{Invariant: name, Passed: len(problems) == 0, Detail: ok}
		if !c.Passed {
			if len(problems) > 5 {
				problems = append(problems[:5], fmt.Sprintf("and %d more", len(problems)-5))
			}
			c.Detail = strings.Join(problems, "; ")
		}
		checks = append(checks, c)
	}

	// 1. Counts and GUIDs.
	var p1 []string
	for _, e := range mainEntities {
		s := int64(len(im.srcKeys[e]))
		skips := im.skipped[e]
		dups := im.skipsByCode[e][model.ReasonDuplicate]
		var ins, notSource, twice int64
		for g, n := range tx.keys[e] {
			ins += int64(n)
			if n > 1 {
				twice++
			}
			if _, ok := im.srcKeys[e][g]; !ok {
				notSource++
			}
		}
		var pre int64
		for g := range im.srcKeys[e] {
			if _, ok := im.before[e][g]; ok {
				pre++
			}
		}
		if ins != s-skips {
			p1 = append(p1, fmt.Sprintf("%s: %d rows written for %d source objects with %d skipped", e, ins, s, skips))
		}
		if pre+ins != s-skips+dups {
			p1 = append(p1, fmt.Sprintf("%s: %d rows carry a source GUID, expected %d", e, pre+ins, s-skips+dups))
		}
		if notSource > 0 {
			p1 = append(p1, fmt.Sprintf("%s: %d rows written with a GUID that is not a source object's", e, notSource))
		}
		if twice > 0 {
			p1 = append(p1, fmt.Sprintf("%s: %d GUIDs written more than once", e, twice))
		}
	}
	add("1 Counts and GUIDs", p1, "every source object is in the destination once with its GUID, or reported as skipped")

	// 2. Idempotency and AddedCount.
	var p2 []string
	var ins int64
	for _, e := range mainEntities {
		for _, n := range tx.keys[e] {
			ins += int64(n)
		}
	}
	if ins != im.res.AddedCount {
		p2 = append(p2, fmt.Sprintf("AddedCount %d but %d objects written", im.res.AddedCount, ins))
	}
	if tx.updates > 0 {
		p2 = append(p2, fmt.Sprintf("%d destination rows would be updated", tx.updates))
	}
	if len(tx.deleted) > 0 && !im.opts.Replace {
		p2 = append(p2, "rows would be deleted without "+arerr.Param("replace")+"")
	}
	for _, d := range tx.deleted {
		if !contains(replaceOrder, d) {
			p2 = append(p2, "table "+d+" would be emptied")
		}
	}
	for _, f := range tx.forbidden {
		p2 = append(p2, "rows would be written to "+f)
	}
	okText2 := fmt.Sprintf("AddedCount %d matches the rows written; no pre-existing row is updated or deleted; Settings, AddOn and ReplicationPartner are untouched", ins)
	if im.opts.Replace {
		okText2 = fmt.Sprintf("AddedCount %d matches the rows written; no row is updated and only "+arerr.Param("replace")+" deletes; Settings, AddOn and ReplicationPartner are untouched", ins)
	}
	add("2 Idempotency", p2, okText2)

	// 3. Secrets.
	var p3 []string
	anySet := false
	for _, table := range []string{"ManagedDomain", "AzureTenant"} {
		col := "OverridePassword"
		if table == "AzureTenant" {
			col = "ClientSecret"
		}
		for g, w := range tx.secretVal[table] {
			sn, ok := im.secretNotes[table][g]
			if !ok {
				p3 = append(p3, fmt.Sprintf("%s %s: written without a source secret record", table, g))
				continue
			}
			ctxText := table + "." + col + "/" + g.String()
			switch {
			case im.key != nil && sn.validNonEmpty:
				anySet = true
				if w.value.Kind != data.Bytes {
					p3 = append(p3, fmt.Sprintf("%s %s: the secret was not imported", table, g))
					break
				}
				id, err := secrets.KeyIDOfV2(w.value.Bytes)
				if err != nil || id != im.key.ID() {
					p3 = append(p3, fmt.Sprintf("%s %s: the value is not under the backup's key", table, g))
					break
				}
				pt, err := secrets.DecryptV2(im.key, w.value.Bytes, ctxText)
				if err != nil || sha256.Sum256([]byte(pt)) != sn.plainHash {
					p3 = append(p3, fmt.Sprintf("%s %s: the value does not decrypt to the source's secret", table, g))
				}
				if table == "ManagedDomain" && w.state != secrets.StateSet {
					p3 = append(p3, fmt.Sprintf("%s %s: PasswordState is %s, expected Set", table, g, w.state))
				}
			default:
				if !w.value.IsNull() {
					p3 = append(p3, fmt.Sprintf("%s %s: a value was written that could not be verified", table, g))
				}
				if table == "ManagedDomain" {
					want := secrets.StateNotSet
					if sn.sourceNonNull && (im.key == nil || sn.reason != "") {
						want = secrets.StateReentryRequired
					}
					if w.state != want {
						p3 = append(p3, fmt.Sprintf("%s %s: PasswordState is %s, expected %s", table, g, w.state, want))
					}
				}
			}
		}
	}
	if anySet && !im.encKeys[im.key.ID()] && !tx.encKeys[im.key.ID()] {
		p3 = append(p3, fmt.Sprintf("key %s is not listed in EncryptionKey", im.key.ID()))
	}
	okText := "no key backup: every imported secret is empty and marked for re-entry where the source had one"
	if im.key != nil {
		okText = fmt.Sprintf("every secret decrypts under key %s to the source's value", im.key.ID())
	}
	add("3 Secrets", p3, okText)

	// 8. Services.
	var p8 []string
	for g, w := range tx.tasks {
		tn := im.taskNotes[g]
		if tn == nil {
			p8 = append(p8, "scheduled task "+g.String()+": no source record")
			continue
		}
		wantRun, wantHost := expectedTask(tn, im.host)
		if w.runOn != wantRun || w.host.Str != wantHost || w.host.IsNull() != (wantRun == "AllServers") {
			p8 = append(p8, fmt.Sprintf("scheduled task %s: RunOn %s on %q, expected %s on %q", g, w.runOn, w.host.Str, wantRun, wantHost))
		}
	}
	for _, b := range tx.hostBad {
		p8 = append(p8, b+": ServiceHost is not "+im.host)
	}
	add("8 Services", p8, "every dynamic group and group family runs on "+im.host+"; scheduled tasks follow the association rules")

	// 9. Azure.
	var p9 []string
	for _, g := range tx.tenantBad {
		p9 = append(p9, "Azure tenant "+g+" is not marked ReauthenticationRequired")
	}
	add("9 Azure", p9, "every imported tenant must be reauthenticated")

	// 10. Sites.
	var p10 []string
	names := map[string]int{}
	for n := range im.siteNamesBefore() {
		names[n]++
	}
	for g, s := range tx.sites {
		names[strings.ToLower(s.name)]++
		revs := tx.docs[g]
		if prob, ok := revs[s.current]; !ok {
			p10 = append(p10, fmt.Sprintf("site %q: no document for its current revision %d", s.name, s.current))
		} else if prob != "" {
			p10 = append(p10, fmt.Sprintf("site %q: the current document is %s", s.name, prob))
		}
	}
	for n, c := range names {
		if c > 1 {
			p10 = append(p10, fmt.Sprintf("site name %q is used %d times", n, c))
		}
	}
	for _, g := range im.siteSrc {
		_, pre := im.before["WebInterfaceSite"][g]
		if _, ok := tx.sites[g]; !ok && !pre {
			p10 = append(p10, "site "+g.String()+" is missing")
		}
	}
	for _, b := range tx.bindBad {
		p10 = append(p10, "site "+b+" has a binding that is not Legacy")
	}
	add("10 Sites", p10, "every site exists once with a unique name, a valid current document and only Legacy bindings")

	passed := true
	for _, c := range checks {
		passed = passed && c.Passed
	}
	im.res.Verification = Verification{Passed: passed, Checks: checks}
	return passed
}

// expectedTask restates §7.3 independently of associate, for verification.
func expectedTask(tn *taskNote, host string) (string, string) {
	e := ""
	if tn.exec.Kind == data.String {
		e = strings.ToLower(strings.TrimSpace(tn.exec.Str))
	}
	if (tn.g3 && tn.allServers) || (!tn.g3 && e == "*") {
		return "AllServers", ""
	}
	if !tn.editable && (e != "" || (tn.g3 && tn.exec.Kind == data.String)) {
		return "SpecificServer", e
	}
	return "SpecificServer", host
}

// siteNamesBefore are the destination's site names before the run
// (lower-case), excluding the ones written by it.
func (im *importer) siteNamesBefore() map[string]bool {
	out := map[string]bool{}
	for n := range im.siteNames {
		out[n] = true
	}
	for _, s := range im.tx.sites {
		delete(out, strings.ToLower(s.name))
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
