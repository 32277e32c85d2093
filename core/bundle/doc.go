// Package bundle reads and writes the portable single-file bundle format
// (docs/bundle-format.md): the tables of one Active Roles database of any
// generation and role, streamed as zstd-compressed, CRC-protected frames.
//
//   - Create/Write/Close write a bundle through a temporary file that is
//     renamed into place only when complete (Abort discards it).
//   - Open verifies a bundle's structure, CRCs, counts and checksums without
//     decompressing; the *Bundle is a store.Source whose scans stream rows with
//     their own file handles and verify the table checksum when they end.
//   - OpenConfigDestination makes a bundle a configuration import's
//     destination: every change rewrites the file copy-on-write and renames it
//     atomically.
//   - OpenHistoryDestination makes a bundle a history import's destination: an
//     append-only journal with one commit frame per batch, recovered after an
//     interruption by discarding what follows the last commit frame.
//
// Problems with a file are *FormatError values naming the file, the byte
// offset, what is wrong and what to do; they unwrap to ErrNotBundle,
// ErrUnsupportedVersion, ErrTruncated, ErrCorrupt or ErrInterrupted.
package bundle
