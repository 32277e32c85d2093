package sqlserver

import (
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"time"

	mssql "github.com/microsoft/go-mssqldb"

	"github.com/activeroles/arupgrade/core/data"
)

// swapGUID converts between SQL Server's uniqueidentifier byte order (first
// three groups little-endian, as the driver reads and writes them) and RFC
// 4122 order. The conversion is its own inverse.
func swapGUID(b []byte) data.UUID {
	var u data.UUID
	copy(u[:], b)
	u[0], u[1], u[2], u[3] = u[3], u[2], u[1], u[0]
	u[4], u[5] = u[5], u[4]
	u[6], u[7] = u[7], u[6]
	return u
}

// toValue converts what the driver scanned for column c into a data.Value,
// exactly: GUIDs to RFC order, bit to 0/1, times as zone-less wall clocks.
func toValue(c *data.Column, v any) (data.Value, error) {
	switch x := v.(type) {
	case nil:
		return data.NullValue(), nil
	case int64:
		return data.IntValue(x), nil
	case bool:
		return data.BoolValue(x), nil
	case string:
		return data.StringValue(x), nil
	case []byte:
		if c.Type == data.TUniqueID {
			if len(x) != 16 {
				return data.Value{}, fmt.Errorf("column %s: uniqueidentifier of %d bytes", c.Name, len(x))
			}
			return data.GUIDValue(swapGUID(x)), nil
		}
		if c.Type == 0 { // decimal/numeric/money come as text bytes
			return data.StringValue(string(x)), nil
		}
		return data.BytesValue(append([]byte(nil), x...)), nil
	case time.Time:
		return data.TimeValue(x), nil
	case float64:
		return data.StringValue(strconv.FormatFloat(x, 'g', -1, 64)), nil
	case float32:
		return data.StringValue(strconv.FormatFloat(float64(x), 'g', -1, 32)), nil
	}
	return data.Value{}, fmt.Errorf("column %s: unexpected driver value %T", c.Name, v)
}

// datetime2Param builds a datetime2(7) parameter (mssql.NullDateTime) from a
// wall clock. A plain time.Time would be sent as datetimeoffset.
func datetime2Param(t time.Time) mssql.NullDateTime {
	var p mssql.NullDateTime
	p.Valid = true
	p.DateTime.Date.Year = t.Year()
	p.DateTime.Date.Month = t.Month()
	p.DateTime.Date.Day = t.Day()
	p.DateTime.Time.Hour = t.Hour()
	p.DateTime.Time.Minute = t.Minute()
	p.DateTime.Time.Second = t.Second()
	p.DateTime.Time.Nanosecond = t.Nanosecond()
	return p
}

// param converts v into a statement parameter of the column's own type, so
// that the server stores it unchanged: datetime vs datetime2, varchar vs
// nvarchar, bit, uniqueidentifier. NULL is typed too (nullParam).
func param(c *data.Column, v data.Value) (any, error) {
	if v.Kind == data.Null {
		return nullParam(c.Type), nil
	}
	if c.Type != 0 && v.Kind != c.Type.Kind() {
		return nil, fmt.Errorf("column %s (%s) cannot hold a %s value", c.Name, c.TypeName, v.Kind)
	}
	switch v.Kind {
	case data.Int:
		return intParam(c, v.Int)
	case data.String:
		if c.Type == data.TVarChar {
			return mssql.VarChar(v.Str), nil
		}
		return v.Str, nil
	case data.Bytes:
		return v.Bytes, nil
	case data.GUID:
		return mssql.UniqueIdentifier(v.AsGUID()), nil
	case data.Time:
		if c.Type == data.TDateTime {
			return mssql.DateTime1(v.AsTime()), nil
		}
		return datetime2Param(v.AsTime()), nil
	}
	return nil, fmt.Errorf("column %s: unsupported value kind %s", c.Name, v.Kind)
}

// intParam sends an integer as the column's own integer type; a value out of
// its range is refused here rather than truncated or rejected by the server.
func intParam(c *data.Column, n int64) (any, error) {
	out := func() error {
		return fmt.Errorf("column %s (%s): %d is out of range", c.Name, c.TypeName, n)
	}
	switch c.Type {
	case data.TBit:
		return n != 0, nil
	case data.TInt:
		if n < math.MinInt32 || n > math.MaxInt32 {
			return nil, out()
		}
		return int32(n), nil
	case data.TSmallInt:
		if n < math.MinInt16 || n > math.MaxInt16 {
			return nil, out()
		}
		return int16(n), nil
	case data.TTinyInt:
		if n < 0 || n > math.MaxUint8 {
			return nil, out()
		}
		return byte(n), nil
	}
	return n, nil
}

// nullParam is a NULL of the column's type. A bare nil goes out as TDS
// NULLTYPE declared nvarchar(1): SQL Server converts it implicitly except to
// binary columns (error 257), and other TDS servers refuse it outright.
func nullParam(t data.ColType) any {
	switch t {
	case data.TInt:
		return sql.NullInt32{}
	case data.TBigInt:
		return sql.NullInt64{}
	case data.TSmallInt:
		return sql.NullInt16{}
	case data.TTinyInt:
		return sql.NullByte{}
	case data.TBit:
		return sql.NullBool{}
	case data.TUniqueID:
		// Not mssql.NullUniqueIdentifier: go-mssqldb 1.11 writes its NULL as
		// a zero length followed by 16 zero bytes, which corrupts the RPC
		// stream. An nvarchar NULL converts implicitly to uniqueidentifier.
		return sql.NullString{}
	case data.TVarBinary:
		return []byte(nil) // varbinary NULL
	case data.TDateTime, data.TDateTime2:
		return mssql.NullDateTime{}
	}
	return sql.NullString{} // nvarchar, varchar, xml and types outside the model
}

// bulkValue converts v for bulk copy, where the driver encodes by the
// destination column's metadata and wants plain Go types.
func bulkValue(c *data.Column, v data.Value) (any, error) {
	if v.Kind == data.Null {
		return nil, nil
	}
	if c.Type != 0 && v.Kind != c.Type.Kind() {
		return nil, fmt.Errorf("column %s (%s) cannot hold a %s value", c.Name, c.TypeName, v.Kind)
	}
	switch v.Kind {
	case data.Int:
		if c.Type == data.TBit {
			return v.Int != 0, nil
		}
		return v.Int, nil
	case data.String:
		return v.Str, nil
	case data.Bytes:
		return v.Bytes, nil
	case data.GUID:
		return mssql.UniqueIdentifier(v.AsGUID()), nil
	case data.Time:
		return v.AsTime(), nil
	}
	return nil, fmt.Errorf("column %s: unsupported value kind %s", c.Name, v.Kind)
}

// typeName renders a column's declared type from sys.columns/sys.types.
func typeName(sysType string, maxLength, precision, scale int) (string, int, int) {
	switch sysType {
	case "nvarchar", "nchar":
		if maxLength == -1 {
			return sysType + "(max)", data.MaxLenMax, 0
		}
		return fmt.Sprintf("%s(%d)", sysType, maxLength/2), maxLength / 2, 0
	case "varchar", "char", "varbinary", "binary":
		if maxLength == -1 {
			return sysType + "(max)", data.MaxLenMax, 0
		}
		return fmt.Sprintf("%s(%d)", sysType, maxLength), maxLength, 0
	case "datetime2", "time", "datetimeoffset":
		return fmt.Sprintf("%s(%d)", sysType, scale), 0, scale
	case "decimal", "numeric":
		return fmt.Sprintf("%s(%d,%d)", sysType, precision, scale), 0, scale
	}
	return sysType, 0, 0
}
