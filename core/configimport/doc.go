// Package configimport is the configuration upgrade of One Identity Active
// Roles databases to 8.2 (model §7, §9.3, §10.3, §11, §12):
//
//   - Preflight runs every §12 check relevant to a configuration import and
//     returns one Check per finding (Test-ARUpgradePrerequisite).
//   - Run imports a G1, G2 or G3 configuration (or G1 Combined) database into
//     a blank or existing 8.2 configuration database, all-or-nothing: the
//     ImportRun row is committed first, every object write goes into one
//     store.ConfigTx, the §11 invariants are verified against what the
//     transaction wrote before it commits, and any error or cancel rolls the
//     transaction back (Import-ARConfiguration).
//   - AssociateServices applies the §7.3 services association to an existing
//     8.2 configuration database (Set-ARServicesAssociation).
//
// The package holds no SQL and no store of its own: it speaks the
// core/store interfaces, so the same code runs on bundles and SQL Server.
package configimport

// Readings of the model where it leaves room (see also the tests):
//
//   - Invariant 1 read literally fails on a re-run (the DUPLICATE objects are
//     in the destination yet subtracted), so verification checks: rows
//     written = source objects − skipping report entries, and rows carrying a
//     source GUID (pre-existing + written) = that + the DUPLICATE entries.
//   - A single-valued G1 attribute is the row with the lowest ValueIndex; if
//     that row holds its value in the wrong column the attribute is absent
//     (no fall-back to a higher index). DUPLICATE is decided first, and
//     annotations (EXTRA_VALUE, NO_KEY, THEME_CHANGED, …) are reported only
//     for objects that are written.
//   - Objects of an unknown G1 class are reported under entity
//     "ConfigObject" and count in SkippedCount.
//   - -Replace empties every configuration table except Settings,
//     EncryptionKey, ImportRun, AddOn and ReplicationPartner (the last two
//     are never written by an import).
//   - No key backup and SkipEncryptedData behave the same (§9.3 rule 2).
//   - A failed or cancelled run still records its ImportRun row as Failed
//     (§7.1), so only ImportRun differs from before; a run cancelled after
//     initialising a blank destination leaves the 8.2 schema and Settings,
//     and the next run completes it (adding the EncryptionKey row).
