package data

import (
	"bytes"
	"fmt"
	"time"
)

// Kind is the type of one Value.
type Kind uint8

const (
	Null   Kind = iota // SQL NULL
	Int                // every integer type and bit (Int holds the number)
	String             // nvarchar, varchar, xml (Str holds UTF-8 text)
	Bytes              // varbinary (Bytes holds the bytes)
	GUID               // uniqueidentifier (Bytes holds 16 bytes in RFC 4122 order)
	Time               // datetime, datetime2: a wall-clock time without zone (Sec/Nsec)
)

var kindNames = [...]string{"null", "int", "string", "bytes", "guid", "time"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Value is one column value. It is a plain struct, not an interface, so that
// rows can be decoded and re-encoded without an allocation per value.
//
// Times are wall-clock values with no zone: Sec is seconds since 1970-01-01T00:00:00
// of that wall clock (negative before it) and Nsec the nanoseconds within the second.
// Whether a time is UTC or the service host's local time follows from the column
// (model §1: G1 datetime columns are local, all others UTC).
//
// Kind and Nsec share a word (56 bytes a value, not 64): a history batch
// holds tens of thousands of values, cleared and copied once per batch.
type Value struct {
	Kind  Kind
	Nsec  int32  // Time: nanoseconds [0, 1e9)
	Int   int64  // Int; Time: seconds
	Str   string // String
	Bytes []byte // Bytes, GUID
}

// Row is one table row, values in the table's column order.
type Row []Value

// Constructors keep call sites short and the representation in one place.

func NullValue() Value           { return Value{} }
func IntValue(i int64) Value     { return Value{Kind: Int, Int: i} }
func StringValue(s string) Value { return Value{Kind: String, Str: s} }
func BytesValue(b []byte) Value {
	if b == nil {
		b = []byte{}
	}
	return Value{Kind: Bytes, Bytes: b}
}
func GUIDValue(g UUID) Value { b := g; return Value{Kind: GUID, Bytes: b[:]} }
func BoolValue(b bool) Value {
	if b {
		return IntValue(1)
	}
	return IntValue(0)
}

// TimeValue stores t's wall clock (its zone is dropped, not converted).
func TimeValue(t time.Time) Value {
	w := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	return Value{Kind: Time, Int: w.Unix(), Nsec: int32(w.Nanosecond())}
}

// IsNull reports whether v is SQL NULL.
func (v Value) IsNull() bool { return v.Kind == Null }

// AsTime returns the wall clock as a time.Time in UTC (zero time for non-times).
func (v Value) AsTime() time.Time {
	if v.Kind != Time {
		return time.Time{}
	}
	return time.Unix(v.Int, int64(v.Nsec)).UTC()
}

// AsGUID returns the GUID (zero for non-GUIDs).
func (v Value) AsGUID() UUID {
	var g UUID
	if v.Kind == GUID && len(v.Bytes) == 16 {
		copy(g[:], v.Bytes)
	}
	return g
}

// Equal reports whether two values are identical (same kind and content).
func (v Value) Equal(o Value) bool {
	if v.Kind != o.Kind {
		return false
	}
	switch v.Kind {
	case Null:
		return true
	case Int:
		return v.Int == o.Int
	case String:
		return v.Str == o.Str
	case Bytes, GUID:
		return bytes.Equal(v.Bytes, o.Bytes)
	case Time:
		return v.Int == o.Int && v.Nsec == o.Nsec
	}
	return false
}

// String renders a value for messages and test failures (never for secrets:
// callers must not format encrypted columns).
func (v Value) String() string {
	switch v.Kind {
	case Null:
		return "NULL"
	case Int:
		return fmt.Sprint(v.Int)
	case String:
		return fmt.Sprintf("%q", v.Str)
	case Bytes:
		return fmt.Sprintf("0x%x", v.Bytes)
	case GUID:
		return v.AsGUID().String()
	case Time:
		return v.AsTime().Format("2006-01-02T15:04:05.000000000")
	}
	return "?"
}

// Clone returns a deep copy of the row (decoders may reuse their buffers).
func (r Row) Clone() Row {
	c := make(Row, len(r))
	for i, v := range r {
		c[i] = v
		if v.Bytes != nil {
			c[i].Bytes = append([]byte(nil), v.Bytes...)
		}
	}
	return c
}

// Equal reports whether two rows hold identical values.
func (r Row) Equal(o Row) bool {
	if len(r) != len(o) {
		return false
	}
	for i := range r {
		if !r[i].Equal(o[i]) {
			return false
		}
	}
	return true
}
