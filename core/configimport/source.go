package configimport

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/store"
)

// srcObj is one source configuration object, normalised across generations.
//
// G1 and G2 objects carry their values under the G1 attribute names of the
// §3.1 catalog (plus Name, IsBuiltIn, CreatedUtc, ModifiedUtc; times already
// in UTC), so one converter serves both. G3 objects carry the source row.
type srcObj struct {
	entity string    // G3 main table; for an unknown G1 class, "" (class in class)
	class  string    // G1 ObjectClass as read
	key    data.UUID // key GUID
	name   string    // for messages and the result
	detail string    // where it came from, for report details (e.g. "ObjectId 17")

	f     map[string]data.Value // single values (G1/G2), by G1 attribute name
	multi map[string][]string   // multi-valued attributes (LinkedTo, AppliesTo)
	// G1 only: required attributes absent, extra values seen.
	missing []string
	extra   []string

	// G3 only.
	row      data.Row
	table    *data.Table
	children map[string][]data.Row // child table → rows of this object (source order)
}

func (o *srcObj) val(name string) data.Value {
	if o.f == nil {
		return data.NullValue()
	}
	return o.f[name]
}

// g3val reads a column of a G3 source row by name (NULL when absent).
func (o *srcObj) g3val(col string) data.Value {
	i := o.table.Index(col)
	if i < 0 {
		return data.NullValue()
	}
	return o.row[i]
}

// attrSpec is one row of the §3.1 attribute catalog.
type attrSpec struct {
	attr     string
	col      byte // S, I, G, B, X
	required bool
	multi    bool
	def      *int64 // value when absent, for I attributes that have one
}

func i64(v int64) *int64 { return &v }

// g1Catalog is the §3.1 attribute catalog per ObjectClass.
var g1Catalog = map[string][]attrSpec{
	"ManagedDomain":  {{attr: "NetBiosName", col: 'S'}, {attr: "OverrideAccount", col: 'S'}, {attr: "OverridePassword", col: 'B'}},
	"ManagedUnit":    {{attr: "Description", col: 'S'}, {attr: "MembershipRules", col: 'X'}},
	"AccessTemplate": {{attr: "Description", col: 'S'}, {attr: "Permissions", col: 'X', required: true}},
	"PermissionAssignment": {{attr: "Template", col: 'G', required: true}, {attr: "Trustee", col: 'B', required: true},
		{attr: "TargetDn", col: 'S', required: true}, {attr: "Scope", col: 'I', def: i64(2)}, {attr: "Disabled", col: 'I', def: i64(0)}},
	"Policy":   {{attr: "PolicyType", col: 'S', required: true}, {attr: "PolicyXml", col: 'X', required: true}, {attr: "LinkedTo", col: 'S', multi: true}},
	"Workflow": {{attr: "WorkflowType", col: 'I', required: true}, {attr: "WorkflowXml", col: 'X', required: true}, {attr: "Enabled", col: 'I', def: i64(1)}},
	"VirtualAttribute": {{attr: "Syntax", col: 'S', required: true}, {attr: "MultiValued", col: 'I', def: i64(0)},
		{attr: "StoreInDatabase", col: 'I', def: i64(1)}, {attr: "AppliesTo", col: 'S', multi: true}},
	"ScheduledTask": {{attr: "ScheduleXml", col: 'X', required: true}, {attr: "ExecutionServer", col: 'S'},
		{attr: "Editable", col: 'I', def: i64(1)}, {attr: "Enabled", col: 'I', def: i64(1)}},
	"DynamicGroup": {{attr: "GroupDn", col: 'S', required: true}, {attr: "RulesXml", col: 'X', required: true}, {attr: "ExecutionServer", col: 'S'}},
	"GroupFamily":  {{attr: "ConfigXml", col: 'X', required: true}, {attr: "ExecutionServer", col: 'S'}},
	"WebInterfaceSite": {{attr: "ProductVersion", col: 'S', required: true}, {attr: "SiteXml", col: 'X', required: true},
		{attr: "IisSiteName", col: 'S'}, {attr: "AppAlias", col: 'S'}},
	"AzureTenant":        {{attr: "ApplicationId", col: 'G', required: true}, {attr: "ClientSecret", col: 'B'}},
	"AddOn":              {{attr: "Version", col: 'S', required: true}},
	"ReplicationPartner": {{attr: "DatabaseName", col: 'S', required: true}, {attr: "PartnerRole", col: 'S', required: true}},
}

// canonicalClass maps a G1 ObjectClass (any case) to its catalog name.
func canonicalClass(class string) (string, bool) {
	if e, ok := model.EntityByG1Class(class); ok {
		return e.Name, true
	}
	return "", false
}

// g1Attr is one ConfigAttribute row, reduced to what conversion needs.
type g1Attr struct {
	name string
	idx  int64
	col  byte
	val  data.Value
}

// g1Stream merges ConfigObject (ObjectId order) with ConfigAttribute
// (ObjectId, AttrName, ValueIndex order) in one pass, holding one object's
// attributes at a time.
type g1Stream struct {
	objs, attrs        store.Rows
	ot, at             *data.Table
	oID, oGUID, oClass int
	oName, oBuiltIn    int
	oCreated, oChanged int
	aID, aName, aIdx   int
	aCols              [5]int // S I G B X
	pending            bool   // attrs holds an unconsumed row
	attrsDone          bool
	offset             int
}

var valueCols = [5]struct {
	col  byte
	name string
}{{'S', "StrValue"}, {'I', "IntValue"}, {'G', "GuidValue"}, {'B', "BinValue"}, {'X', "XmlValue"}}

func openG1(ctx context.Context, src store.Source, info *store.Info, offset int) (*g1Stream, error) {
	ot, at := info.Table("ConfigObject"), info.Table("ConfigAttribute")
	if ot == nil || at == nil {
		return nil, fmt.Errorf("the source has no ConfigObject/ConfigAttribute table")
	}
	s := &g1Stream{ot: ot, at: at, offset: offset}
	idx := func(t *data.Table, c string, dst *int) error {
		if *dst = t.Index(c); *dst < 0 {
			return fmt.Errorf("source table %s has no column %s", t.Name, c)
		}
		return nil
	}
	for _, x := range []struct {
		t   *data.Table
		c   string
		dst *int
	}{{ot, "ObjectId", &s.oID}, {ot, "ObjectGuid", &s.oGUID}, {ot, "ObjectClass", &s.oClass}, {ot, "Name", &s.oName},
		{ot, "IsBuiltIn", &s.oBuiltIn}, {ot, "WhenCreated", &s.oCreated}, {ot, "WhenChanged", &s.oChanged},
		{at, "ObjectId", &s.aID}, {at, "AttrName", &s.aName}, {at, "ValueIndex", &s.aIdx}} {
		if err := idx(x.t, x.c, x.dst); err != nil {
			return nil, err
		}
	}
	for i, vc := range valueCols {
		if err := idx(at, vc.name, &s.aCols[i]); err != nil {
			return nil, err
		}
	}
	var err error
	if s.objs, err = src.Scan(ctx, "ConfigObject"); err != nil {
		return nil, fmt.Errorf("read ConfigObject: %w", err)
	}
	if s.attrs, err = src.Scan(ctx, "ConfigAttribute"); err != nil {
		_ = s.objs.Close()
		return nil, fmt.Errorf("read ConfigAttribute: %w", err)
	}
	return s, nil
}

func (s *g1Stream) Close() error {
	err1 := s.objs.Close()
	err2 := s.attrs.Close()
	if err1 != nil {
		return err1
	}
	return err2
}

// next returns the next object whose class passes want (attributes read only
// for those), or nil at the end.
func (s *g1Stream) next(want func(class string) bool) (*srcObj, error) {
	for s.objs.Next() {
		r := s.objs.Row()
		id := r[s.oID].Int
		class := r[s.oClass].Str
		if !want(class) {
			if err := s.skipAttrs(id); err != nil {
				return nil, err
			}
			continue
		}
		o := &srcObj{class: class, key: r[s.oGUID].AsGUID(), name: r[s.oName].Str,
			detail: fmt.Sprintf("ObjectId %d", id)}
		o.f = map[string]data.Value{
			"Name":        data.StringValue(r[s.oName].Str),
			"IsBuiltIn":   bit(r[s.oBuiltIn]),
			"CreatedUtc":  model.UTC(r[s.oCreated], s.offset),
			"ModifiedUtc": model.UTC(r[s.oChanged], s.offset),
		}
		attrs, err := s.readAttrs(id)
		if err != nil {
			return nil, err
		}
		if cn, ok := canonicalClass(class); ok {
			o.entity = cn
			applyCatalog(o, g1Catalog[cn], attrs)
		}
		return o, nil
	}
	if err := s.objs.Err(); err != nil {
		return nil, fmt.Errorf("read ConfigObject: %w", err)
	}
	return nil, nil
}

// advance positions attrs on the first row with ObjectId >= id; it returns
// false when there is none.
func (s *g1Stream) advance(id int64) (bool, error) {
	for {
		if !s.pending {
			if s.attrsDone || !s.attrs.Next() {
				s.attrsDone = true
				if err := s.attrs.Err(); err != nil {
					return false, fmt.Errorf("read ConfigAttribute: %w", err)
				}
				return false, nil
			}
			s.pending = true
		}
		if s.attrs.Row()[s.aID].Int >= id {
			return true, nil
		}
		s.pending = false // an attribute of an object we passed (cannot happen with the FK)
	}
}

func (s *g1Stream) skipAttrs(id int64) error {
	for {
		ok, err := s.advance(id)
		if err != nil || !ok {
			return err
		}
		if s.attrs.Row()[s.aID].Int != id {
			return nil
		}
		s.pending = false
	}
}

func (s *g1Stream) readAttrs(id int64) ([]g1Attr, error) {
	var out []g1Attr
	for {
		ok, err := s.advance(id)
		if err != nil || !ok {
			return out, err
		}
		r := s.attrs.Row()
		if r[s.aID].Int != id {
			return out, nil
		}
		a := g1Attr{name: r[s.aName].Str, idx: r[s.aIdx].Int}
		for i, c := range s.aCols {
			if !r[c].IsNull() {
				a.col = valueCols[i].col
				a.val = cloneValue(r[c])
				break
			}
		}
		out = append(out, a)
		s.pending = false
	}
}

// applyCatalog fills o from its attribute rows (§7.1 rule 4): single-valued
// attributes use the lowest ValueIndex (further values: EXTRA_VALUE,
// ignored); a value in the wrong value column counts as absent; multi-valued
// ones keep every value of the right column in ValueIndex order; unknown
// attribute names are ignored.
func applyCatalog(o *srcObj, specs []attrSpec, attrs []g1Attr) {
	for _, sp := range specs {
		var rows []g1Attr
		for _, a := range attrs {
			if strings.EqualFold(a.name, sp.attr) {
				rows = append(rows, a)
			}
		}
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].idx < rows[j].idx })
		if sp.multi {
			var vals []string
			for _, a := range rows {
				if a.col == sp.col {
					vals = append(vals, a.val.Str)
				}
			}
			if o.multi == nil {
				o.multi = map[string][]string{}
			}
			o.multi[sp.attr] = vals
			continue
		}
		if len(rows) > 1 {
			o.extra = append(o.extra, sp.attr)
		}
		if len(rows) > 0 && rows[0].col == sp.col {
			v := rows[0].val
			if sp.col == 'I' && isBitAttr(sp.attr) {
				v = bit(v)
			}
			o.f[sp.attr] = v
			continue
		}
		if sp.required {
			o.missing = append(o.missing, sp.attr)
		} else if sp.def != nil {
			o.f[sp.attr] = data.IntValue(*sp.def)
		}
	}
}

// isBitAttr: I attributes that become bit columns (0 → 0, other → 1).
func isBitAttr(attr string) bool {
	switch attr {
	case "Disabled", "Enabled", "MultiValued", "StoreInDatabase", "Editable":
		return true
	}
	return false
}

func bit(v data.Value) data.Value {
	if v.Kind != data.Int {
		return v
	}
	if v.Int != 0 {
		return data.IntValue(1)
	}
	return data.IntValue(0)
}

func cloneValue(v data.Value) data.Value {
	if v.Bytes != nil {
		v.Bytes = append([]byte(nil), v.Bytes...)
	}
	return v
}

// g2Map maps, per entity, the G2 key column and G2 columns onto the G1
// attribute names the converter reads.
var g2Map = map[string]struct {
	key  string
	cols map[string]string // G2 column → normalised name
}{
	"ManagedDomain": {"DomainGuid", map[string]string{"DnsName": "Name", "NetBiosName": "NetBiosName", "OverrideAccount": "OverrideAccount", "OverridePassword": "OverridePassword"}},
	"ManagedUnit":   {"UnitGuid", map[string]string{"Name": "Name", "Description": "Description", "MembershipRules": "MembershipRules"}},
	"AccessTemplate": {"TemplateGuid", map[string]string{"Name": "Name", "Description": "Description", "Permissions": "Permissions",
		"IsBuiltIn": "IsBuiltIn"}},
	"PermissionAssignment": {"AssignmentGuid", map[string]string{"TemplateGuid": "Template", "TrusteeSid": "Trustee",
		"TargetDn": "TargetDn", "Scope": "Scope", "IsDisabled": "Disabled"}},
	"Policy": {"PolicyGuid", map[string]string{"Name": "Name", "PolicyType": "PolicyType", "PolicyXml": "PolicyXml", "IsBuiltIn": "IsBuiltIn"}},
	"Workflow": {"WorkflowGuid", map[string]string{"Name": "Name", "WorkflowType": "WorkflowType", "WorkflowXml": "WorkflowXml",
		"IsEnabled": "Enabled", "IsBuiltIn": "IsBuiltIn"}},
	"VirtualAttribute": {"AttributeGuid", map[string]string{"LdapDisplayName": "Name", "Syntax": "Syntax",
		"IsMultiValued": "MultiValued", "StoreInDatabase": "StoreInDatabase"}},
	"ScheduledTask": {"TaskGuid", map[string]string{"Name": "Name", "ScheduleXml": "ScheduleXml", "ExecutionServer": "ExecutionServer",
		"IsEditable": "Editable", "IsEnabled": "Enabled", "IsBuiltIn": "IsBuiltIn"}},
	"DynamicGroup": {"GroupGuid", map[string]string{"GroupDn": "GroupDn", "RulesXml": "RulesXml", "ExecutionServer": "ExecutionServer"}},
	"GroupFamily":  {"FamilyGuid", map[string]string{"Name": "Name", "ConfigXml": "ConfigXml", "ExecutionServer": "ExecutionServer"}},
	"WebInterfaceSite": {"SiteGuid", map[string]string{"Name": "Name", "ProductVersion": "ProductVersion", "SiteXml": "SiteXml",
		"IisSiteName": "IisSiteName", "AppAlias": "AppAlias"}},
	"AzureTenant": {"TenantId", map[string]string{"DisplayName": "Name", "ApplicationId": "ApplicationId", "ClientSecret": "ClientSecret"}},
	"AddOn":       {"AddOnGuid", map[string]string{"Name": "Name", "Version": "Version"}},
}

// g3Key is the key GUID column of each G3 main table.
var g3Key = map[string]string{
	"ManagedDomain": "DomainGuid", "ManagedUnit": "UnitGuid", "AccessTemplate": "TemplateGuid",
	"PermissionAssignment": "AssignmentGuid", "Policy": "PolicyGuid", "Workflow": "WorkflowGuid",
	"VirtualAttribute": "AttributeGuid", "ScheduledTask": "TaskGuid", "DynamicGroup": "GroupGuid",
	"GroupFamily": "FamilyGuid", "WebInterfaceSite": "SiteGuid", "AzureTenant": "TenantId", "AddOn": "AddOnGuid",
}

// g3NameCol is the column naming an object for people.
var g3NameCol = map[string]string{
	"ManagedDomain": "DnsName", "ManagedUnit": "Name", "AccessTemplate": "Name", "PermissionAssignment": "TargetDn",
	"Policy": "Name", "Workflow": "Name", "VirtualAttribute": "AttributeName", "ScheduledTask": "Name",
	"DynamicGroup": "GroupDn", "GroupFamily": "Name", "WebInterfaceSite": "Name", "AzureTenant": "DisplayName", "AddOn": "Name",
}

// mainEntities are the §7.1 main tables in write order (rule 6).
var mainEntities = []string{
	"AccessTemplate", "PermissionAssignment", "ManagedDomain", "ManagedUnit", "Policy", "Workflow",
	"VirtualAttribute", "ScheduledTask", "DynamicGroup", "GroupFamily", "WebInterfaceSite", "AzureTenant",
}

// childTables are the G3 child tables of a main table.
var childTables = map[string][]string{
	"Policy":           {"PolicyLink"},
	"VirtualAttribute": {"VirtualAttributeClass"},
	"WebInterfaceSite": {"WebInterfaceSiteDocument", "WebInterfaceBinding"},
}

// scanTable streams a table, calling fn with each row (valid only during fn).
func scanTable(ctx context.Context, src store.Source, table string, fn func(data.Row) error) error {
	rows, err := src.Scan(ctx, table)
	if err != nil {
		return fmt.Errorf("read %s: %w", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Row()); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %s: %w", table, err)
	}
	return rows.Close()
}

// g2Object normalises one G2 row.
func g2Object(entity string, t *data.Table, r data.Row) *srcObj {
	m := g2Map[entity]
	o := &srcObj{entity: entity, class: entity, f: map[string]data.Value{}}
	if i := t.Index(m.key); i >= 0 {
		o.key = r[i].AsGUID()
	}
	for col, name := range m.cols {
		if i := t.Index(col); i >= 0 {
			o.f[name] = cloneValue(r[i])
		}
	}
	for _, c := range []string{"CreatedUtc", "ModifiedUtc"} {
		if i := t.Index(c); i >= 0 {
			o.f[c] = r[i]
		}
	}
	if entity == "VirtualAttribute" {
		if i := t.Index("AppliesToClasses"); i >= 0 && r[i].Kind == data.String {
			o.multi = map[string][]string{"AppliesTo": strings.Split(r[i].Str, ";")}
		}
	}
	o.name = displayName(entity, o.f)
	o.detail = ""
	return o
}

func displayName(entity string, f map[string]data.Value) string {
	switch entity {
	case "PermissionAssignment":
		return f["TargetDn"].Str
	case "DynamicGroup":
		return f["GroupDn"].Str
	}
	return f["Name"].Str
}

// g3Object wraps one G3 row.
func g3Object(entity string, t *data.Table, r data.Row) *srcObj {
	o := &srcObj{entity: entity, class: entity, row: r.Clone(), table: t}
	o.key = o.g3val(g3Key[entity]).AsGUID()
	o.name = o.g3val(g3NameCol[entity]).Str
	return o
}
