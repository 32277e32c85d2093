package model

// Entity is one kind of object the upgrade counts and moves: its G3 table and
// where it lives in G1 and G2.
type Entity struct {
	Name    string // G3 table
	G1Class string // G1 ConfigObject.ObjectClass; "" for history entities
	G1Table string // G1 table holding it; "" when G1 has none (ChangeRecordAttribute comes from Details)
	G2Table string
	// Main: one row per source object, counted in ImportRun AddedCount and
	// SkippedCount (§7.1). AddOn and ReplicationPartner are listed for
	// inspection and preflight but never written.
	Main bool
}

// configEntities are the §7.1 main tables in the model's order, then the two
// kinds that are never written.
var configEntities = []Entity{
	{Name: "ManagedDomain", Main: true},
	{Name: "ManagedUnit", Main: true},
	{Name: "AccessTemplate", Main: true},
	{Name: "PermissionAssignment", Main: true},
	{Name: "Policy", Main: true},
	{Name: "Workflow", Main: true},
	{Name: "VirtualAttribute", Main: true},
	{Name: "ScheduledTask", Main: true},
	{Name: "DynamicGroup", Main: true},
	{Name: "GroupFamily", Main: true},
	{Name: "WebInterfaceSite", Main: true},
	{Name: "AzureTenant", Main: true},
	{Name: "AddOn"},
	{Name: "ReplicationPartner"},
}

var historyEntities = []Entity{
	{Name: "ChangeRecord", G1Table: "ChangeHistory", G2Table: "ChangeRecord", Main: true},
	{Name: "ChangeRecordAttribute", G2Table: "ChangeRecordAttribute"},
	{Name: "ApprovalTask", G1Table: "ApprovalTask", G2Table: "ApprovalTask", Main: true},
	{Name: "TemporalMembership", G1Table: "TemporalMembership", G2Table: "TemporalMembership", Main: true},
}

// collectorEntities: a Collector database holds events only (§13).
var collectorEntities = []Entity{
	{Name: EntityCollectedEvent, G1Table: "Events", G2Table: "CollectedEvent", Main: true},
}

func init() {
	// G1 classes are named like the G3 tables; G2 tables likewise.
	for i := range configEntities {
		e := &configEntities[i]
		e.G1Class, e.G1Table, e.G2Table = e.Name, "ConfigObject", e.Name
	}
}

// Entities lists the entities a database of role r holds (Combined: the
// configuration ones, then the history ones). The slice is the caller's.
func Entities(r Role) []Entity {
	var out []Entity
	if r.HasConfiguration() {
		out = append(out, configEntities...)
	}
	if r.HasHistory() {
		out = append(out, historyEntities...)
	}
	if r == RoleCollector {
		out = append(out, collectorEntities...)
	}
	return out
}

// EntityByG1Class finds a configuration entity by its G1 ObjectClass
// (case-insensitive, the model's collation).
func EntityByG1Class(class string) (Entity, bool) {
	for _, e := range configEntities {
		if equalFoldASCII(e.G1Class, class) {
			return e, true
		}
	}
	return Entity{}, false
}

// HistoryTables names the source tables of a history import per generation,
// parents before children.
func HistoryTables(g Generation) []string {
	if g == G1 {
		return []string{"ChangeHistory", "ApprovalTask", "TemporalMembership"}
	}
	return []string{"ChangeRecord", "ChangeRecordAttribute", "ApprovalTask", "TemporalMembership"}
}
