package data

import (
	"fmt"
	"strings"
)

// ColType is a SQL Server column type of the model.
type ColType uint8

const (
	TInt       ColType = iota + 1 // int
	TBigInt                       // bigint
	TSmallInt                     // smallint
	TTinyInt                      // tinyint
	TBit                          // bit
	TNVarChar                     // nvarchar(n|max)
	TVarChar                      // varchar(n)
	TXml                          // xml
	TUniqueID                     // uniqueidentifier
	TVarBinary                    // varbinary(n|max)
	TDateTime                     // datetime (1/300 s ticks)
	TDateTime2                    // datetime2(p)
	TNText                        // ntext (G1 Collector Events.Data): unsized text, not comparable
)

var colTypeNames = map[ColType]string{
	TInt: "int", TBigInt: "bigint", TSmallInt: "smallint", TTinyInt: "tinyint", TBit: "bit",
	TNVarChar: "nvarchar", TVarChar: "varchar", TXml: "xml", TUniqueID: "uniqueidentifier",
	TVarBinary: "varbinary", TDateTime: "datetime", TDateTime2: "datetime2", TNText: "ntext",
}

func (t ColType) String() string {
	if s, ok := colTypeNames[t]; ok {
		return s
	}
	return fmt.Sprintf("coltype(%d)", uint8(t))
}

// ParseColType maps a SQL type name (any case) to a ColType.
func ParseColType(s string) (ColType, bool) {
	s = strings.ToLower(s)
	for t, n := range colTypeNames {
		if n == s {
			return t, true
		}
	}
	return 0, false
}

// Kind is the Value kind that holds values of this type.
func (t ColType) Kind() Kind {
	switch t {
	case TInt, TBigInt, TSmallInt, TTinyInt, TBit:
		return Int
	case TNVarChar, TVarChar, TXml, TNText:
		return String
	case TUniqueID:
		return GUID
	case TVarBinary:
		return Bytes
	case TDateTime, TDateTime2:
		return Time
	}
	return Null
}

// MaxLen value meaning (max).
const MaxLenMax = -1

// Column describes one column.
type Column struct {
	Name     string  `json:"name"`
	Type     ColType `json:"-"`
	TypeName string  `json:"type"`                // e.g. "nvarchar(256)", "datetime2(3)": the SQL type as declared
	MaxLen   int     `json:"maxLength,omitempty"` // characters (nvarchar/varchar) or bytes (varbinary); MaxLenMax for (max); 0 when not sized
	Scale    int     `json:"scale,omitempty"`     // datetime2 fractional digits
	Nullable bool    `json:"nullable"`
	Identity bool    `json:"identity,omitempty"` // IDENTITY(1,1): assigned by the destination
}

// Table describes one table: its columns in declaration order and its key.
type Table struct {
	Name       string   `json:"name"`
	Columns    []Column `json:"columns"`
	PrimaryKey []string `json:"primaryKey,omitempty"`
}

// Index returns the position of the named column (case-insensitive), or -1.
func (t *Table) Index(name string) int {
	for i, c := range t.Columns {
		if strings.EqualFold(c.Name, name) {
			return i
		}
	}
	return -1
}

// MustIndex is Index for columns the model guarantees; it panics when absent,
// which is a programming error, never a data error.
func (t *Table) MustIndex(name string) int {
	i := t.Index(name)
	if i < 0 {
		panic(fmt.Sprintf("table %s has no column %s", t.Name, name))
	}
	return i
}

// ColumnNames lists the column names in order.
func (t *Table) ColumnNames() []string {
	n := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		n[i] = c.Name
	}
	return n
}

// CheckRow verifies that each value suits its column: kind, nullability and
// length. It returns the first problem found.
func (t *Table) CheckRow(r Row) error {
	if len(r) != len(t.Columns) {
		return fmt.Errorf("table %s: row has %d values, table has %d columns", t.Name, len(r), len(t.Columns))
	}
	for i, c := range t.Columns {
		v := r[i]
		if v.Kind == Null {
			if !c.Nullable && !c.Identity {
				return fmt.Errorf("table %s: column %s is NULL but does not allow NULL", t.Name, c.Name)
			}
			continue
		}
		if v.Kind != c.Type.Kind() {
			return fmt.Errorf("table %s: column %s (%s) holds a %s value", t.Name, c.Name, c.TypeName, v.Kind)
		}
		if err := c.CheckLength(v); err != nil {
			return fmt.Errorf("table %s: %w", t.Name, err)
		}
	}
	return nil
}

// CheckLength reports a value longer than the column allows, or non-ASCII text
// in a varchar column (model §6.7).
func (c *Column) CheckLength(v Value) error {
	if c.MaxLen <= 0 {
		return nil
	}
	switch v.Kind {
	case String:
		n := 0
		if c.Type == TVarChar {
			for i := 0; i < len(v.Str); i++ {
				if v.Str[i] >= 0x80 {
					return fmt.Errorf("column %s is varchar and the value is not ASCII", c.Name)
				}
			}
			n = len(v.Str)
		} else {
			n = UTF16Len(v.Str)
		}
		if n > c.MaxLen {
			return fmt.Errorf("column %s holds at most %d characters, the value has %d", c.Name, c.MaxLen, n)
		}
	case Bytes:
		if len(v.Bytes) > c.MaxLen {
			return fmt.Errorf("column %s holds at most %d bytes, the value has %d", c.Name, c.MaxLen, len(v.Bytes))
		}
	}
	return nil
}

// UTF16Len counts UTF-16 code units, the unit of nvarchar(n).
func UTF16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}
