// Package model is the Active Roles database model (../shared/spec/ar-database-model.md)
// as code: versions, generations and roles, detection (§2), the DDL of every
// generation and role embedded verbatim (ddl/*.sql) and the table schemas parsed
// from it, the entity list, the §6 conversion functions, the G1 Details parser
// (§8.4), the Web Interface site documents (§10) and the report and error codes
// (§7.1, §12). It is pure: no I/O.
package model
