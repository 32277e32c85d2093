// Package bundle reads and writes the portable single-file bundle format
// (docs/bundle-format.md): the tables of one Active Roles database of any
// generation and role, streamed as zstd-compressed, CRC-protected frames.
//
// A *Bundle (Open) is a store.Source. OpenConfigDestination and
// OpenHistoryDestination make a bundle an import destination: the
// configuration destination rewrites the file copy-on-write and renames it
// atomically; the history destination appends one journal batch (data frames
// and a commit frame) per WriteHistoryBatch and rewrites the closing manifest
// when the run finishes.
package bundle
