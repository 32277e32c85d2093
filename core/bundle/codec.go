package bundle

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unsafe"

	"github.com/activeroles/arupgrade/core/data"
)

// Value encoding: one kind byte (data.Kind) then the payload of that kind.
//
//	Null   nothing
//	Int    signed varint (zig-zag, encoding/binary)
//	String uvarint byte length + UTF-8 bytes
//	Bytes  uvarint byte length + bytes
//	GUID   16 bytes, RFC 4122 order
//	Time   signed varint seconds + uvarint nanoseconds

// appendRow encodes row, checking that each value suits its column's kind.
func appendRow(dst []byte, kinds []data.Kind, row data.Row) ([]byte, error) {
	return appendRowSet(dst, kinds, row, -1, data.Value{})
}

// appendRowSet encodes row with column col (if ≥ 0) replaced by v: the
// history destination sets each new row's id so, without copying the row.
func appendRowSet(dst []byte, kinds []data.Kind, row data.Row, col int, set data.Value) ([]byte, error) {
	if len(row) != len(kinds) {
		return dst, fmt.Errorf("row has %d values, table has %d columns", len(row), len(kinds))
	}
	for i := range row {
		v := &row[i]
		if i == col {
			v = &set
		}
		if v.Kind != data.Null && v.Kind != kinds[i] {
			return dst, fmt.Errorf("column %d holds a %s value, expected %s", i+1, v.Kind, kinds[i])
		}
		dst = append(dst, byte(v.Kind))
		switch v.Kind {
		case data.Int:
			dst = binary.AppendVarint(dst, v.Int)
		case data.String:
			dst = binary.AppendUvarint(dst, uint64(len(v.Str)))
			dst = append(dst, v.Str...)
		case data.Bytes:
			dst = binary.AppendUvarint(dst, uint64(len(v.Bytes)))
			dst = append(dst, v.Bytes...)
		case data.GUID:
			if len(v.Bytes) != 16 {
				return dst, fmt.Errorf("column %d holds a GUID of %d bytes", i+1, len(v.Bytes))
			}
			dst = append(dst, v.Bytes...)
		case data.Time:
			if v.Nsec < 0 || v.Nsec >= 1e9 {
				return dst, fmt.Errorf("column %d holds a time with %d nanoseconds", i+1, v.Nsec)
			}
			dst = binary.AppendVarint(dst, v.Int)
			dst = binary.AppendUvarint(dst, uint64(v.Nsec))
		}
	}
	return dst, nil
}

var errBadRow = errors.New("malformed row data")

// decodeRow decodes one row from buf at pos into out (len(out) == len(kinds)).
// Strings and byte slices point into buf, which the caller never reuses, so
// decoding allocates nothing per value.
func decodeRow(buf []byte, pos int, kinds []data.Kind, out data.Row) (int, error) {
	for i, want := range kinds {
		if pos >= len(buf) {
			return pos, errBadRow
		}
		k := data.Kind(buf[pos])
		pos++
		if k != data.Null && k != want {
			return pos, fmt.Errorf("%w: column %d has kind %d, expected %s", errBadRow, i+1, k, want)
		}
		v := &out[i]
		*v = data.Value{Kind: k}
		switch k {
		case data.Null:
		case data.Int:
			x, n := binary.Varint(buf[pos:])
			if n <= 0 {
				return pos, errBadRow
			}
			v.Int = x
			pos += n
		case data.String, data.Bytes:
			l, n := binary.Uvarint(buf[pos:])
			if n <= 0 || l > uint64(len(buf)-pos-n) {
				return pos, errBadRow
			}
			pos += n
			b := buf[pos : pos+int(l) : pos+int(l)]
			pos += int(l)
			if k == data.String {
				if l > 0 {
					v.Str = unsafe.String(&b[0], len(b))
				}
			} else {
				v.Bytes = b
			}
		case data.GUID:
			if len(buf)-pos < 16 {
				return pos, errBadRow
			}
			v.Bytes = buf[pos : pos+16 : pos+16]
			pos += 16
		case data.Time:
			s, n := binary.Varint(buf[pos:])
			if n <= 0 {
				return pos, errBadRow
			}
			pos += n
			ns, m := binary.Uvarint(buf[pos:])
			if m <= 0 || ns >= 1e9 {
				return pos, errBadRow
			}
			pos += m
			v.Int, v.Nsec = s, int32(ns)
		}
	}
	return pos, nil
}

func tableKinds(t *data.Table) []data.Kind {
	k := make([]data.Kind, len(t.Columns))
	for i, c := range t.Columns {
		k[i] = c.Type.Kind()
	}
	return k
}
