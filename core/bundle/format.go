package bundle

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"hash/crc32"
	"strconv"
	"strings"
	"time"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/principals"
)

// Layout constants; docs/bundle-format.md is the normative description.
const (
	FormatMajor = 1 // readers refuse any other major version
	FormatMinor = 1 // readers accept any minor version of their major; 1.1 added the header's principals

	prologueLen  = 16
	frameHdrLen  = 20
	frameCRCLen  = 4
	trailerLen   = 16
	targetFrame  = 1 << 20 // uncompressed bytes of row data per data frame
	maxFrameLen  = 1 << 30 // no payload (stored or raw) may exceed this
	maxJSONFrame = 64 << 20
	// maxRawFrame bounds a data frame's decompressed size, checked against
	// the declared size before anything is allocated, so a damaged or
	// hostile frame (a "zstd bomb": kilobytes that decompress to a
	// gigabyte) costs at most this much memory.
	maxRawFrame = 64 << 20
	// maxRowLen is the largest encoded row a writer accepts: a frame is
	// rows up to targetFrame plus the one that crosses it.
	maxRowLen = maxRawFrame - targetFrame

	frameHeader   byte = 'H'
	frameData     byte = 'D'
	frameCommit   byte = 'C'
	frameManifest byte = 'M'

	flagZstd      byte = 0x01
	flagSkippable byte = 0x80 // unknown frame types with this flag are ignored
)

var (
	magic      = [8]byte{0x89, 'A', 'R', 'B', '\r', '\n', 0x1a, '\n'}
	endMagic   = [8]byte{0x89, 'A', 'R', 'E', '\r', '\n', 0x1a, '\n'}
	castagnoli = crc32.MakeTable(crc32.Castagnoli)
)

func appendPrologue(b []byte) []byte {
	b = append(b, magic[:]...)
	b = binary.LittleEndian.AppendUint16(b, FormatMajor)
	b = binary.LittleEndian.AppendUint16(b, FormatMinor)
	return appendPrologueCRC(b)
}

func appendPrologueCRC(b []byte) []byte {
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b[len(b)-12:], castagnoli))
}

// frameHdr is the fixed 20-byte frame header.
type frameHdr struct {
	Type   byte
	Flags  byte
	Table  uint32 // data frames: index into Header.Tables
	Stored uint32 // payload bytes in the file
	Raw    uint32 // payload bytes after decompression
	Rows   uint32 // data frames: rows in the payload
}

func (h frameHdr) put(b []byte) {
	b[0], b[1], b[2], b[3] = h.Type, h.Flags, 0, 0
	binary.LittleEndian.PutUint32(b[4:], h.Table)
	binary.LittleEndian.PutUint32(b[8:], h.Stored)
	binary.LittleEndian.PutUint32(b[12:], h.Raw)
	binary.LittleEndian.PutUint32(b[16:], h.Rows)
}

func parseFrameHdr(b []byte) (frameHdr, bool) {
	h := frameHdr{
		Type: b[0], Flags: b[1],
		Table:  binary.LittleEndian.Uint32(b[4:]),
		Stored: binary.LittleEndian.Uint32(b[8:]),
		Raw:    binary.LittleEndian.Uint32(b[12:]),
		Rows:   binary.LittleEndian.Uint32(b[16:]),
	}
	return h, b[2] == 0 && b[3] == 0
}

func frameKindName(t byte) string {
	switch t {
	case frameHeader:
		return "header frame"
	case frameData:
		return "data frame"
	case frameCommit:
		return "commit frame"
	case frameManifest:
		return "manifest frame"
	}
	return fmt.Sprintf("frame of type 0x%02x", t)
}

// Header describes the database a bundle holds. It is written first, so a
// reader needs no schema of its own.
type Header struct {
	SourceVersion    string       // SchemaVersion of the source, e.g. "7.6.3"
	Generation       int          // 1 (7.5/7.6), 2 (8.0/8.1) or 3 (8.2)
	Role             string       // Configuration, ManagementHistory or Combined
	InstallationID   data.UUID    // Settings InstallationId
	UTCOffsetMinutes *int         // G1: Settings ServerUtcOffsetMinutes; nil otherwise
	CreatedUTC       time.Time    // when the bundle was created; Create sets it when zero
	Producer         string       // e.g. "arupgrade 1.0.0"
	Tables           []data.Table // every table, columns in declaration order
	// Principals are the source database's logins, users, roles,
	// memberships and permissions as Export-ARDatabase read them (the
	// snapshot Copy-ARDatabasePrincipals reads); nil: not recorded (an
	// older export, or a bundle an import created). See principals.go.
	Principals *principals.Snapshot
}

type headerJSON struct {
	Format           string       `json:"format"`
	SourceVersion    string       `json:"sourceVersion"`
	Generation       int          `json:"generation"`
	Role             string       `json:"role"`
	InstallationID   string       `json:"installationId"`
	UTCOffsetMinutes *int         `json:"utcOffsetMinutes,omitempty"`
	CreatedUTC       string       `json:"createdUtc"`
	Producer         string       `json:"producer"`
	Tables           []data.Table `json:"tables"`
	// Principals: §2.1 (format 1.1).
	Principals *principals.Snapshot `json:"principals,omitempty"`
}

const timeLayout = "2006-01-02T15:04:05.000Z"

func (h *Header) marshal() ([]byte, error) {
	return json.Marshal(headerJSON{
		Format:        fmt.Sprintf("%d.%d", FormatMajor, FormatMinor),
		SourceVersion: h.SourceVersion, Generation: h.Generation, Role: h.Role,
		InstallationID: h.InstallationID.String(), UTCOffsetMinutes: h.UTCOffsetMinutes,
		CreatedUTC: h.CreatedUTC.UTC().Format(timeLayout), Producer: h.Producer, Tables: h.Tables,
		Principals: h.Principals,
	})
}

func unmarshalHeader(b []byte) (Header, error) {
	var j headerJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return Header{}, fmt.Errorf("header JSON: %w", err)
	}
	h := Header{SourceVersion: j.SourceVersion, Generation: j.Generation, Role: j.Role,
		UTCOffsetMinutes: j.UTCOffsetMinutes, Producer: j.Producer, Tables: j.Tables, Principals: j.Principals}
	if j.InstallationID != "" {
		u, err := data.ParseUUID(j.InstallationID)
		if err != nil {
			return Header{}, fmt.Errorf("header installationId: %w", err)
		}
		h.InstallationID = u
	}
	if j.CreatedUTC != "" {
		t, err := time.Parse(time.RFC3339Nano, j.CreatedUTC)
		if err != nil {
			return Header{}, fmt.Errorf("header createdUtc: %w", err)
		}
		h.CreatedUTC = t
	}
	if err := fixTables(h.Tables); err != nil {
		return Header{}, err
	}
	return h, nil
}

// fixTables restores Column.Type (not serialised) from TypeName and checks
// the table list is usable.
func fixTables(ts []data.Table) error {
	seen := map[string]bool{}
	for ti := range ts {
		t := &ts[ti]
		if t.Name == "" || len(t.Columns) == 0 {
			return fmt.Errorf("table %d has no name or no columns", ti)
		}
		k := strings.ToLower(t.Name)
		if seen[k] {
			return fmt.Errorf("table %s appears twice", t.Name)
		}
		seen[k] = true
		for ci := range t.Columns {
			c := &t.Columns[ci]
			base, arg := c.TypeName, ""
			if i := strings.IndexByte(base, '('); i >= 0 {
				base, arg = base[:i], strings.TrimSuffix(strings.TrimSpace(base[i+1:]), ")")
			}
			ct, ok := data.ParseColType(strings.TrimSpace(base))
			if !ok {
				return fmt.Errorf("table %s column %s: unknown type %q", t.Name, c.Name, c.TypeName)
			}
			c.Type = ct
			// Lengths and scales follow from the declared type when not given.
			if arg != "" && c.MaxLen == 0 && c.Scale == 0 {
				switch n, err := strconv.Atoi(strings.TrimSpace(arg)); {
				case strings.EqualFold(strings.TrimSpace(arg), "max"):
					c.MaxLen = data.MaxLenMax
				case err != nil || n < 0:
					return fmt.Errorf("table %s column %s: invalid type %q", t.Name, c.Name, c.TypeName)
				case ct == data.TDateTime2:
					c.Scale = n
				default:
					c.MaxLen = n
				}
			}
		}
		for _, pk := range t.PrimaryKey {
			if t.Index(pk) < 0 {
				return fmt.Errorf("table %s: primary key column %s does not exist", t.Name, pk)
			}
		}
	}
	return nil
}

// prepareTables copies the caller's tables and fills TypeName from Type (or
// Type from TypeName) so the header is self-describing.
func prepareTables(in []data.Table) ([]data.Table, error) {
	out := make([]data.Table, len(in))
	for i, t := range in {
		t.Columns = append([]data.Column(nil), t.Columns...)
		t.PrimaryKey = append([]string(nil), t.PrimaryKey...)
		for ci := range t.Columns {
			c := &t.Columns[ci]
			if c.TypeName == "" {
				c.TypeName = typeName(c)
			}
		}
		out[i] = t
	}
	if err := fixTables(out); err != nil {
		return nil, err
	}
	return out, nil
}

func typeName(c *data.Column) string {
	s := c.Type.String()
	switch c.Type {
	case data.TNVarChar, data.TVarChar, data.TVarBinary:
		if c.MaxLen == data.MaxLenMax {
			return s + "(max)"
		}
		if c.MaxLen > 0 {
			return s + "(" + strconv.Itoa(c.MaxLen) + ")"
		}
	case data.TDateTime2:
		return s + "(" + strconv.Itoa(c.Scale) + ")"
	}
	return s
}

// TableSummary is the per-table part of a commit frame and of the manifest.
type TableSummary struct {
	Name   string `json:"name"`
	Frames int64  `json:"frames"` // data frames of the table
	Rows   int64  `json:"rows"`   // rows stored (superseded ImportRun rows included)
	Count  int64  `json:"count"`  // rows a scan returns
	SHA256 string `json:"sha256"` // hex of the chain over the frames' uncompressed payloads
	// Supersede: a later row with the same primary key replaces an earlier
	// one when scanned (the history destination's ImportRun rows).
	Supersede bool `json:"supersede,omitempty"`
}

// Manifest closes a bundle: the totals a reader verifies.
type Manifest struct {
	ClosedUTC time.Time
	Commits   int64 // commit frames in the file (1 for an export, more for a journal)
	Tables    []TableSummary
}

type commitJSON struct {
	Seq    int64          `json:"seq"`
	Kind   string         `json:"kind"` // "close", "initialize", "batch", "run"
	Tables []TableSummary `json:"tables"`
}

type manifestJSON struct {
	ClosedUTC string         `json:"closedUtc"`
	Commits   int64          `json:"commits"`
	Tables    []TableSummary `json:"tables"`
}

// tableState tracks the running totals of one table while writing or walking.
type tableState struct {
	frames []frameRef
	rows   int64
	count  int64
	chain  [32]byte
	super  bool
}

type frameRef struct {
	off    int64 // offset of the frame header
	stored uint32
	raw    uint32
	rows   uint32
	flags  byte
	// chain is the table's checksum chain (§4) up to and including this
	// frame (zero when unknown, e.g. for frames copied from another file):
	// the key index (keyindex.go) checks with it that it still describes the
	// frames it was built from.
	chain [32]byte
}

func (s *tableState) summary(name string) TableSummary {
	return TableSummary{Name: name, Frames: int64(len(s.frames)), Rows: s.rows, Count: s.count,
		SHA256: hex.EncodeToString(s.chain[:]), Supersede: s.super}
}

// foldString is the case folding used for key comparison (the model's
// case-insensitive collation).
func foldString(s string) string { return strings.ToLower(s) }

// chainNext extends a table checksum: SHA-256(previous || stored payload).
// Hashing the stored (compressed) bytes lets Open verify every table
// checksum without decompressing.
func chainNext(h hash.Hash, prev [32]byte, payload []byte) [32]byte {
	h.Reset()
	h.Write(prev[:])
	h.Write(payload)
	var out [32]byte
	h.Sum(out[:0])
	return out
}
