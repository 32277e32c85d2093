package model

import "strings"

// ValueColumn names the G1 ConfigAttribute column that holds an attribute's
// value (§3.1 catalog letters).
type ValueColumn byte

const (
	ValueStr  ValueColumn = 'S' // StrValue
	ValueInt  ValueColumn = 'I' // IntValue
	ValueGUID ValueColumn = 'G' // GuidValue
	ValueBin  ValueColumn = 'B' // BinValue
	ValueXML  ValueColumn = 'X' // XmlValue
)

// Column is the ConfigAttribute column name.
func (c ValueColumn) Column() string {
	switch c {
	case ValueStr:
		return "StrValue"
	case ValueInt:
		return "IntValue"
	case ValueGUID:
		return "GuidValue"
	case ValueBin:
		return "BinValue"
	case ValueXML:
		return "XmlValue"
	}
	return ""
}

// G1Attribute is one row of the §3.1 attribute catalog.
type G1Attribute struct {
	Name       string
	Value      ValueColumn
	Multi      bool  // multi-valued, ordered by ValueIndex
	Required   bool  // absent → skip the object (MISSING_REQUIRED)
	HasDefault bool  // absent → Default (else NULL)
	Default    int64 // the (d) of the catalog; only integer attributes have one
}

func attr(name string, v ValueColumn) G1Attribute { return G1Attribute{Name: name, Value: v} }
func req(name string, v ValueColumn) G1Attribute {
	return G1Attribute{Name: name, Value: v, Required: true}
}
func multi(name string, v ValueColumn) G1Attribute {
	return G1Attribute{Name: name, Value: v, Multi: true}
}
func def(name string, d int64) G1Attribute {
	return G1Attribute{Name: name, Value: ValueInt, HasDefault: true, Default: d}
}

// g1Catalog is the §3.1 table. ConfigObject.Name and ObjectGuid carry the
// rest (DNS name, site name, …; DynamicGroup's ObjectGuid is the group's
// objectGUID, AzureTenant's the tenant id).
var g1Catalog = map[string][]G1Attribute{
	"ManagedDomain":        {attr("NetBiosName", ValueStr), attr("OverrideAccount", ValueStr), attr("OverridePassword", ValueBin)},
	"ManagedUnit":          {attr("Description", ValueStr), attr("MembershipRules", ValueXML)},
	"AccessTemplate":       {attr("Description", ValueStr), req("Permissions", ValueXML)},
	"PermissionAssignment": {req("Template", ValueGUID), req("Trustee", ValueBin), req("TargetDn", ValueStr), def("Scope", 2), def("Disabled", 0)},
	"Policy":               {req("PolicyType", ValueStr), req("PolicyXml", ValueXML), multi("LinkedTo", ValueStr)},
	"Workflow":             {req("WorkflowType", ValueInt), req("WorkflowXml", ValueXML), def("Enabled", 1)},
	"VirtualAttribute":     {req("Syntax", ValueStr), def("MultiValued", 0), def("StoreInDatabase", 1), multi("AppliesTo", ValueStr)},
	"ScheduledTask":        {req("ScheduleXml", ValueXML), attr("ExecutionServer", ValueStr), def("Editable", 1), def("Enabled", 1)},
	"DynamicGroup":         {req("GroupDn", ValueStr), req("RulesXml", ValueXML), attr("ExecutionServer", ValueStr)},
	"GroupFamily":          {req("ConfigXml", ValueXML), attr("ExecutionServer", ValueStr)},
	"WebInterfaceSite":     {req("ProductVersion", ValueStr), req("SiteXml", ValueXML), attr("IisSiteName", ValueStr), attr("AppAlias", ValueStr)},
	"AzureTenant":          {req("ApplicationId", ValueGUID), attr("ClientSecret", ValueBin)},
	"AddOn":                {req("Version", ValueStr)},
	"ReplicationPartner":   {req("DatabaseName", ValueStr), req("PartnerRole", ValueStr)},
}

// G1Attributes returns the catalog of a G1 ObjectClass (case-insensitive);
// false for a class the model does not know (skip, UNKNOWN_CLASS). The slice
// is the caller's.
func G1Attributes(class string) ([]G1Attribute, bool) {
	e, ok := EntityByG1Class(class)
	if !ok {
		return nil, false
	}
	return append([]G1Attribute(nil), g1Catalog[e.G1Class]...), true
}

// G1AttributeOf finds one attribute of a class; AttrName compares
// case-insensitively like every name in the model.
func G1AttributeOf(class, attrName string) (G1Attribute, bool) {
	as, _ := G1Attributes(class)
	for _, a := range as {
		if strings.EqualFold(a.Name, attrName) {
			return a, true
		}
	}
	return G1Attribute{}, false
}
