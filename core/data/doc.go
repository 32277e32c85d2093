// Package data holds the value, row and table-schema types that every store
// (bundle, SQL Server) and every import speaks.
package data
