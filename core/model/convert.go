package model

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/activeroles/arupgrade/core/data"
)

// UTC converts a G1 datetime (the service host's local wall clock) to the
// datetime2(3) UTC value of §6.1: DATEADD(minute, -o, CAST(x AS datetime2(3))).
// The driver delivers datetime's 1/300 s ticks as nanoseconds (e.g. .006666667),
// so the value is rounded to the nearest millisecond before the shift. NULL
// stays NULL; a value that is not a time is returned unchanged.
func UTC(v data.Value, offsetMinutes int) data.Value {
	if v.Kind != data.Time {
		return v
	}
	sec := v.Int
	ms := (int64(v.Nsec) + 500_000) / 1_000_000 // ticks are never exactly on a half millisecond
	if ms >= 1000 {
		sec++
		ms -= 1000
	}
	sec -= int64(offsetMinutes) * 60
	return data.Value{Kind: data.Time, Int: sec, Nsec: int32(ms * 1_000_000)}
}

// SID renders a binary SID as S-1-… (§6.2); false when b is not a valid SID.
func SID(b []byte) (string, bool) {
	if len(b) < 8 || b[0] != 1 {
		return "", false
	}
	n := int(b[1])
	if n > 15 || len(b) != 8+4*n {
		return "", false
	}
	var auth uint64
	for _, x := range b[2:8] {
		auth = auth<<8 | uint64(x)
	}
	buf := make([]byte, 0, 16+11*n)
	buf = append(buf, "S-1-"...)
	if auth < 1<<32 {
		buf = strconv.AppendUint(buf, auth, 10)
	} else {
		buf = fmt.Appendf(buf, "0x%012X", auth)
	}
	for i := 0; i < n; i++ {
		buf = append(buf, '-')
		buf = strconv.AppendUint(buf, uint64(binary.LittleEndian.Uint32(b[8+4*i:])), 10)
	}
	return string(buf), true
}

// UnknownHost is what host() gives for a NULL or empty server name.
const UnknownHost = "unknown"

// Host is §6.3: trim and lower-case; NULL, empty or blank → "unknown".
func Host(v data.Value) string {
	if v.Kind != data.String {
		return UnknownHost
	}
	h := strings.ToLower(strings.TrimSpace(v.Str))
	if h == "" {
		return UnknownHost
	}
	return h
}

// SplitAccount is §6.4: 'DOMAIN\name' → (DOMAIN, name) split at the first
// backslash, an empty side becoming NULL; anything else (a UPN) → (NULL, a);
// NULL or empty → (NULL, NULL).
func SplitAccount(v data.Value) (domain, name data.Value) {
	if v.Kind != data.String || v.Str == "" {
		return data.NullValue(), data.NullValue()
	}
	d, n, found := strings.Cut(v.Str, `\`)
	if !found {
		return data.NullValue(), v
	}
	return nonEmpty(d), nonEmpty(n)
}

func nonEmpty(s string) data.Value {
	if s == "" {
		return data.NullValue()
	}
	return data.StringValue(s)
}

// HistoryNamespace is the §6.5 namespace of derived history GUIDs.
var HistoryNamespace = data.MustUUID("6ba7c1d2-7a3e-4f0b-9b8e-2c5d4e3f1a00")

// Entities whose G1 rows get derived GUIDs (§6.5).
const (
	EntityChangeRecord       = "ChangeRecord"
	EntityApprovalTask       = "ApprovalTask"
	EntityTemporalMembership = "TemporalMembership"
)

// DerivedGUID is §6.5's uuid5(entity, iid, id): the name is
// "<entity>/<iid, lower-case GUID text>/<id, decimal>".
func DerivedGUID(entity string, iid data.UUID, id int64) data.UUID {
	name := make([]byte, 0, len(entity)+60)
	name = append(name, entity...)
	name = append(name, '/')
	name = append(name, iid.String()...)
	name = append(name, '/')
	name = strconv.AppendInt(name, id, 10)
	return data.UUID5(HistoryNamespace, string(name))
}
