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
