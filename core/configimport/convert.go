package configimport

import (
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/secrets"
)

// childRow is a row of a child table written with its parent.
type childRow struct {
	table string
	row   data.Row
}

// secretNote is what verification needs about one encrypted value.
type secretNote struct {
	entity, column string
	key            data.UUID
	name           string
	sourceNonNull  bool
	// validNonEmpty: with the key, the source value decrypts to a non-empty string.
	validNonEmpty bool
	plainHash     [32]byte
	reason        string // "", NO_KEY, DECRYPT_FAILED
}

// taskNote records the source side of §7.3 for one scheduled task.
type taskNote struct {
	exec       data.Value // G1/G2 ExecutionServer; G3 ServiceHost
	allServers bool       // G3 RunOn = 'AllServers'
	editable   bool
	g3         bool
}

// converted is one source object turned into G3 rows, or a skip.
type converted struct {
	row        data.Row
	children   []childRow
	notes      []ReportEntry // annotations, reported only when the object is written
	skipReason string
	skipDetail string
	secrets    []secretNote
	task       *taskNote
	siteName   string // sites: the name before §10.3 renaming
}

func (c *converted) skip(reason, format string, args ...any) *converted {
	c.skipReason, c.skipDetail = reason, fmt.Sprintf(format, args...)
	return c
}

func (c *converted) note(entity, key, reason, format string, args ...any) {
	c.notes = append(c.notes, ReportEntry{Entity: entity, Key: key, Reason: reason, Detail: fmt.Sprintf(format, args...)})
}

// rowBuilder fills a G3 row by column name.
type rowBuilder struct {
	t *data.Table
	r data.Row
}

func newRow(t *data.Table) rowBuilder { return rowBuilder{t: t, r: make(data.Row, len(t.Columns))} }

func (b rowBuilder) set(col string, v data.Value) { b.r[b.t.MustIndex(col)] = v }

func (b rowBuilder) get(col string) data.Value { return b.r[b.t.MustIndex(col)] }

// copyFrom copies every column of a G3 source row that the destination
// table has (G3 → G3 is "every column is copied", §7.1 rule 8).
func (b rowBuilder) copyFrom(o *srcObj) {
	for i, c := range b.t.Columns {
		if j := o.table.Index(c.Name); j >= 0 {
			b.r[i] = o.row[j]
		}
	}
}

// common sets the rule-8 columns (key, Name, IsBuiltIn, CreatedUtc,
// ModifiedUtc) of a G1/G2 object where the table has them.
func (b rowBuilder) common(keyCol string, o *srcObj) {
	b.set(keyCol, data.GUIDValue(o.key))
	for _, c := range []string{"Name", "IsBuiltIn", "CreatedUtc", "ModifiedUtc"} {
		if b.t.Index(c) >= 0 {
			if v, ok := o.f[c]; ok {
				b.set(c, v)
			}
		}
	}
}

const managedUnitsSuffix = ",cn=managed units,cn=configuration"

// convert turns one source object into G3 rows (§7.2, §7.3, §9.3, §10.3).
// It does not decide DUPLICATE, CONFLICT or site renaming: the caller does,
// against the destination and the run.
func (im *importer) convert(o *srcObj) *converted {
	c := &converted{}
	e := o.entity
	t := im.g3[e]
	b := newRow(t)
	key := o.key.String()
	g3 := im.gen == model.G3
	if !g3 && len(o.missing) > 0 {
		return c.skip(model.ReasonMissingRequired, "%s %q (%s) has no value for the required attribute(s) %s",
			e, o.name, o.detail, strings.Join(o.missing, ", "))
	}
	for _, x := range o.extra {
		c.note(e, key, model.ReasonExtraValue, "%s %q: attribute %s has more than one value; the lowest ValueIndex was used", e, o.name, x)
	}
	if g3 {
		b.copyFrom(o)
	} else {
		b.common(g3Key[e], o)
	}
	switch e {
	case "ManagedDomain":
		if !g3 {
			b.set("DnsName", o.val("Name"))
			b.set("NetBiosName", o.val("NetBiosName"))
			d, n := model.SplitAccount(o.val("OverrideAccount"))
			b.set("OverrideAccountDomain", d)
			b.set("OverrideAccountName", n)
		}
		src := o.val("OverridePassword")
		if g3 {
			src = o.g3val("OverridePassword")
		}
		res := im.reenc(c, o, "ManagedDomain", "OverridePassword", src)
		b.set("OverridePassword", res.Value)
		b.set("PasswordState", data.StringValue(res.State))
	case "ManagedUnit":
		if !g3 {
			b.set("Description", o.val("Description"))
			b.set("MembershipRules", o.val("MembershipRules"))
		}
	case "AccessTemplate":
		if !g3 {
			b.set("Description", o.val("Description"))
			b.set("Definition", o.val("Permissions"))
		}
	case "PermissionAssignment":
		if !g3 {
			tv := o.val("Template")
			b.set("TemplateGuid", tv)
			tr := o.val("Trustee")
			sid, ok := model.SID(tr.Bytes)
			if tr.Kind != data.Bytes || !ok {
				return c.skip(model.ReasonInvalidSID, "permission assignment on %q: the trustee is not a valid binary SID", o.name)
			}
			b.set("TrusteeSid", data.StringValue(sid))
			dn := o.val("TargetDn")
			b.set("TargetDn", dn)
			kind := "Directory"
			if strings.HasSuffix(strings.ToLower(dn.Str), managedUnitsSuffix) {
				kind = "ManagedUnit"
			}
			b.set("TargetKind", data.StringValue(kind))
			scope := o.val("Scope")
			name, ok := model.ScopeName(scope.Int)
			if scope.Kind != data.Int || !ok {
				return c.skip(model.ReasonUnknownEnum, "permission assignment on %q: Scope %s is not 0, 1 or 2", o.name, scope)
			}
			b.set("AppliesTo", data.StringValue(name))
			b.set("IsEnabled", data.BoolValue(o.val("Disabled").Int == 0))
		}
		tg := b.get("TemplateGuid").AsGUID()
		if !im.templateAvailable(tg) {
			return c.skip(model.ReasonDanglingReference, "permission assignment on %q refers to access template %s, which is neither in the destination nor imported", o.name, tg)
		}
	case "Policy":
		if !g3 {
			b.set("PolicyType", o.val("PolicyType"))
			b.set("Definition", o.val("PolicyXml"))
			order := int64(0)
			seen := map[string]bool{}
			for _, dn := range o.multi["LinkedTo"] {
				k := strings.ToLower(dn)
				if dn == "" || seen[k] {
					continue
				}
				seen[k] = true
				order++
				lt := im.g3["PolicyLink"]
				lb := newRow(lt)
				lb.set("PolicyGuid", data.GUIDValue(o.key))
				lb.set("LinkOrder", data.IntValue(order))
				lb.set("TargetDn", data.StringValue(dn))
				c.children = append(c.children, childRow{"PolicyLink", lb.r})
			}
		} else {
			c.children = append(c.children, im.g3Children(o, "PolicyLink")...)
		}
	case "Workflow":
		if !g3 {
			wt := o.val("WorkflowType")
			name, ok := model.WorkflowTypeName(wt.Int)
			if wt.Kind != data.Int || !ok {
				return c.skip(model.ReasonUnknownEnum, "workflow %q: WorkflowType %s is not 0 (Change) or 1 (Automation)", o.name, wt)
			}
			b.set("WorkflowType", data.StringValue(name))
			b.set("Definition", o.val("WorkflowXml"))
			b.set("IsEnabled", o.val("Enabled"))
		}
	case "VirtualAttribute":
		if !g3 {
			b.set("AttributeName", o.val("Name"))
			b.set("SyntaxOid", o.val("Syntax"))
			b.set("IsMultiValued", o.val("MultiValued"))
			b.set("StoreInDatabase", o.val("StoreInDatabase"))
			seen := map[string]bool{}
			for _, cl := range o.multi["AppliesTo"] {
				cl = strings.TrimSpace(cl)
				k := strings.ToLower(cl)
				if cl == "" || seen[k] {
					continue
				}
				seen[k] = true
				ct := im.g3["VirtualAttributeClass"]
				cb := newRow(ct)
				cb.set("AttributeGuid", data.GUIDValue(o.key))
				cb.set("ClassName", data.StringValue(cl))
				c.children = append(c.children, childRow{"VirtualAttributeClass", cb.r})
			}
		} else {
			c.children = append(c.children, im.g3Children(o, "VirtualAttributeClass")...)
		}
	case "ScheduledTask":
		tn := &taskNote{g3: g3}
		if !g3 {
			b.set("Schedule", o.val("ScheduleXml"))
			b.set("IsEditable", o.val("Editable"))
			b.set("IsEnabled", o.val("Enabled"))
			tn.exec = o.val("ExecutionServer")
		} else {
			tn.exec = o.g3val("ServiceHost")
			tn.allServers = strings.EqualFold(o.g3val("RunOn").Str, "AllServers")
		}
		tn.editable = b.get("IsEditable").Int != 0
		c.task = tn
		runOn, host := associate(tn, im.host)
		b.set("RunOn", data.StringValue(runOn))
		b.set("ServiceHost", host)
	case "DynamicGroup":
		if !g3 {
			b.set("GroupDn", o.val("GroupDn"))
			b.set("MembershipRules", o.val("RulesXml"))
		}
		b.set("ServiceHost", data.StringValue(im.host))
	case "GroupFamily":
		if !g3 {
			b.set("Definition", o.val("ConfigXml"))
		}
		b.set("ServiceHost", data.StringValue(im.host))
	case "WebInterfaceSite":
		if r := im.convertSite(c, o, b); r != nil {
			return r
		}
	case "AzureTenant":
		if !g3 {
			b.set("DisplayName", o.val("Name"))
			b.set("ApplicationId", o.val("ApplicationId"))
		}
		src := o.val("ClientSecret")
		if g3 {
			src = o.g3val("ClientSecret")
		}
		res := im.reenc(c, o, "AzureTenant", "ClientSecret", src)
		b.set("ClientSecret", res.Value)
		b.set("AuthState", data.StringValue("ReauthenticationRequired"))
	}
	c.row = b.r
	return c
}

// associate applies §7.3 to one scheduled task: the first matching rule.
func associate(tn *taskNote, host string) (runOn string, serviceHost data.Value) {
	if tn.g3 {
		if tn.allServers {
			return "AllServers", data.NullValue()
		}
		if !tn.editable && tn.exec.Kind == data.String {
			return "SpecificServer", data.StringValue(model.NormalizeHost(tn.exec.Str))
		}
		return "SpecificServer", data.StringValue(host)
	}
	e := ""
	if tn.exec.Kind == data.String {
		e = strings.TrimSpace(tn.exec.Str)
	}
	switch {
	case e == "*":
		return "AllServers", data.NullValue()
	case !tn.editable && e != "":
		return "SpecificServer", data.StringValue(strings.ToLower(e))
	}
	return "SpecificServer", data.StringValue(host)
}

// reenc runs §9.3 for one encrypted value and records what verification and
// the result need.
func (im *importer) reenc(c *converted, o *srcObj, entity, column string, src data.Value) secrets.ReencResult {
	ctxText := entity + "." + column + "/" + o.key.String()
	res := secrets.Reencrypt(src, int(im.gen), im.key, ctxText, im.rand)
	sn := secretNote{entity: entity, column: column, key: o.key, name: o.name, sourceNonNull: !src.IsNull(), reason: res.Reason}
	if im.key != nil && src.Kind == data.Bytes {
		var pt string
		var err error
		if im.gen == model.G3 {
			pt, err = secrets.DecryptV2(im.key, src.Bytes, ctxText)
		} else {
			pt, err = secrets.DecryptV1(im.key, src.Bytes)
		}
		if err == nil && pt != "" {
			sn.validNonEmpty = true
			sn.plainHash = sha256.Sum256([]byte(pt))
		}
	}
	c.secrets = append(c.secrets, sn)
	if res.Reason != "" {
		var why string
		switch {
		case res.Reason == secrets.ReasonNoKey && im.key == nil:
			why = "no key backup was used, so the value was not imported"
		case res.Reason == secrets.ReasonNoKey:
			why = "the value is encrypted with a key other than the key backup's"
		default:
			why = "the value could not be decrypted with the key backup"
		}
		c.note(entity, o.key.String(), res.Reason, "%s %q: %s: %s; re-enter it after the upgrade", entity, o.name, column, why)
	}
	return res
}

// g3Children returns a G3 object's child rows of one table, as copies in the
// destination's column order.
func (im *importer) g3Children(o *srcObj, table string) []childRow {
	var out []childRow
	st := im.srcTables[table]
	dt := im.g3[table]
	for _, r := range o.children[table] {
		b := newRow(dt)
		for i, col := range dt.Columns {
			if j := st.Index(col.Name); j >= 0 {
				b.r[i] = r[j]
			}
		}
		out = append(out, childRow{table, b.r})
	}
	return out
}

// convertSite fills a WebInterfaceSite row and its document and binding rows
// (§10.3). The name is made unique later, by the caller.
func (im *importer) convertSite(c *converted, o *srcObj, b rowBuilder) *converted {
	key := o.key.String()
	if im.gen == model.G3 {
		c.siteName = o.g3val("Name").Str
		c.children = append(c.children, im.g3Children(o, "WebInterfaceSiteDocument")...)
		for _, ch := range im.g3Children(o, "WebInterfaceBinding") {
			bt := im.g3["WebInterfaceBinding"]
			ch.row[bt.MustIndex("BindingId")] = data.NullValue()
			ch.row[bt.MustIndex("BindingState")] = data.StringValue("Legacy")
			c.children = append(c.children, ch)
		}
		return nil
	}
	name := o.val("Name").Str
	c.siteName = name
	pv := o.val("ProductVersion")
	doc, themeChanged, err := model.ConvertSiteDocument(o.val("SiteXml").Str, name, pv.Str)
	if err != nil {
		return c.skip(model.ReasonBadDocument, "site %q: the site document cannot be converted: %v", name, err)
	}
	if themeChanged {
		c.note("WebInterfaceSite", key, model.ReasonThemeChanged, "site %q: its theme does not exist in 8.2; the site uses the default theme", name)
	}
	b.set("Template", data.StringValue(model.SiteTemplate(name)))
	b.set("ProductVersion", pv)
	b.set("CurrentRevision", data.IntValue(1))
	b.set("SourceSiteGuid", data.NullValue())
	dt := im.g3["WebInterfaceSiteDocument"]
	db := newRow(dt)
	db.set("SiteGuid", data.GUIDValue(o.key))
	db.set("Revision", data.IntValue(1))
	db.set("SchemaVersion", data.IntValue(3))
	db.set("SavedUtc", b.get("ModifiedUtc"))
	db.set("Document", data.StringValue(doc))
	c.children = append(c.children, childRow{"WebInterfaceSiteDocument", db.r})
	iis, alias := o.val("IisSiteName"), o.val("AppAlias")
	hasIIS, hasAlias := nonBlank(iis), nonBlank(alias)
	switch {
	case hasIIS && hasAlias:
		bt := im.g3["WebInterfaceBinding"]
		bb := newRow(bt)
		bb.set("SiteGuid", data.GUIDValue(o.key))
		bb.set("IisSiteName", iis)
		bb.set("ApplicationAlias", alias)
		bb.set("BindingState", data.StringValue("Legacy"))
		c.children = append(c.children, childRow{"WebInterfaceBinding", bb.r})
	case hasIIS || hasAlias:
		c.note("WebInterfaceSite", key, model.ReasonBindingIncomplete,
			"site %q: only one of the IIS website name and the application alias is set, so no binding was recorded", name)
	}
	return nil
}

func nonBlank(v data.Value) bool { return v.Kind == data.String && strings.TrimSpace(v.Str) != "" }

// checkLengths applies §6.7 to every value of the object's rows.
func (im *importer) checkLengths(c *converted, main string) (string, bool) {
	check := func(table string, r data.Row) (string, bool) {
		t := im.g3[table]
		for i := range t.Columns {
			if err := t.Columns[i].CheckLength(r[i]); err != nil {
				return fmt.Sprintf("%s: %v", table, err), false
			}
		}
		return "", true
	}
	if d, ok := check(main, c.row); !ok {
		return d, false
	}
	for _, ch := range c.children {
		if d, ok := check(ch.table, ch.row); !ok {
			return d, false
		}
	}
	return "", true
}
