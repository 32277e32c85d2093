package model

import (
	"encoding/hex"
	"testing"
	"time"

	"github.com/activeroles/arupgrade/core/data"
)

func wall(s string) data.Value {
	t, err := time.Parse("2006-01-02 15:04:05.999999999", s)
	if err != nil {
		panic(err)
	}
	return data.TimeValue(t)
}

func TestUTC(t *testing.T) {
	tests := []struct {
		name   string
		in     data.Value
		offset int
		want   data.Value
	}{
		// §6.1 example; .007 arrives as the datetime tick .006666667.
		{"model example", wall("2021-03-14 10:15:30.006666667"), 60, wall("2021-03-14 09:15:30.007")},
		{"tick .003", wall("2021-03-14 10:15:30.003333333"), 0, wall("2021-03-14 10:15:30.003")},
		{"rounds up into next second", wall("2021-03-14 23:59:59.9996"), 0, wall("2021-03-15 00:00:00")},
		{"negative offset crosses midnight", wall("2021-12-31 20:30:00"), -300, wall("2022-01-01 01:30:00")},
		{"maximum offset", wall("2021-01-01 00:00:00"), 840, wall("2020-12-31 10:00:00")},
		{"before 1970", wall("1969-12-31 23:59:59.996666667"), 0, wall("1969-12-31 23:59:59.997")},
		{"NULL stays NULL", data.NullValue(), 60, data.NullValue()},
	}
	for _, tt := range tests {
		got := UTC(tt.in, tt.offset)
		if !got.Equal(tt.want) {
			t.Errorf("%s: UTC(%v, %d) = %v, want %v", tt.name, tt.in, tt.offset, got, tt.want)
		}
		if got.Kind == data.Time && got.Nsec%1_000_000 != 0 {
			t.Errorf("%s: result has sub-millisecond digits: %v", tt.name, got)
		}
	}
}

func TestSID(t *testing.T) {
	hx := func(s string) []byte {
		b, err := hex.DecodeString(s)
		if err != nil {
			panic(err)
		}
		return b
	}
	tests := []struct {
		name string
		in   []byte
		want string
		ok   bool
	}{
		{"model example", hx("010500000000000515000000dcf4dc3b833d2b46828ba62800020000"), "S-1-5-21-1004336348-1177238915-682003330-512", true},
		{"no sub-authorities", hx("0100000000000001"), "S-1-1", true},
		{"well-known everyone", hx("010100000000000100000000"), "S-1-1-0", true},
		{"authority ≥ 2^32 in hex", hx("010100ff0000000100000000"), "S-1-0x00FF00000001-0", true},
		{"authority 2^32-1 decimal", hx("01010000ffffffff07000000"), "S-1-4294967295-7", true},
		{"max 15 sub-authorities", append(hx("010f000000000005"), make([]byte, 60)...), "S-1-5-0-0-0-0-0-0-0-0-0-0-0-0-0-0-0", true},
		{"16 sub-authorities", append(hx("0110000000000005"), make([]byte, 64)...), "", false},
		{"revision 2", hx("020100000000000100000000"), "", false},
		{"too short", hx("01000000000000"), "", false},
		{"length disagrees with count", hx("01020000000000050000000000"), "", false},
		{"trailing byte", hx("01010000000000010000000000"), "", false},
		{"empty", nil, "", false},
	}
	for _, tt := range tests {
		got, ok := SID(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: SID = %q, %v; want %q, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestHost(t *testing.T) {
	tests := []struct {
		in   data.Value
		want string
	}{
		{data.StringValue("  AR-Server01.Corp.Example.COM "), "ar-server01.corp.example.com"},
		{data.StringValue("host"), "host"},
		{data.StringValue(""), "unknown"},
		{data.StringValue("   "), "unknown"},
		{data.NullValue(), "unknown"},
	}
	for _, tt := range tests {
		if got := Host(tt.in); got != tt.want {
			t.Errorf("Host(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSplitAccount(t *testing.T) {
	s, null := data.StringValue, data.NullValue()
	tests := []struct {
		in           data.Value
		domain, name data.Value
	}{
		{s(`CORP\svc-ar`), s("CORP"), s("svc-ar")},
		{s(`CORP\svc\x`), s("CORP"), s(`svc\x`)}, // first backslash only
		{s(`\svc`), null, s("svc")},
		{s(`CORP\`), s("CORP"), null},
		{s(`\`), null, null},
		{s("svc-ar@corp.example.com"), null, s("svc-ar@corp.example.com")}, // UPNs stay whole
		{s(""), null, null},
		{null, null, null},
	}
	for _, tt := range tests {
		d, n := SplitAccount(tt.in)
		if !d.Equal(tt.domain) || !n.Equal(tt.name) {
			t.Errorf("SplitAccount(%v) = (%v, %v), want (%v, %v)", tt.in, d, n, tt.domain, tt.name)
		}
	}
}

func TestDerivedGUID(t *testing.T) {
	iid := data.MustUUID("0F8E7D6C-5B4A-4938-8271-605F4E3D2C1B")
	if got := DerivedGUID(EntityChangeRecord, iid, 42).String(); got != "b4feb427-639c-58a6-b5da-400fa994a4cb" {
		t.Errorf("uuid5(ChangeRecord, iid, 42) = %s, want the model's b4feb427-639c-58a6-b5da-400fa994a4cb", got)
	}
	// Entity and id are part of the name: different inputs, different GUIDs.
	seen := map[data.UUID]bool{}
	for _, e := range []string{EntityChangeRecord, EntityApprovalTask, EntityTemporalMembership} {
		for _, id := range []int64{1, 42, 43} {
			g := DerivedGUID(e, iid, id)
			if seen[g] {
				t.Errorf("DerivedGUID(%s, %d) repeats %s", e, id, g)
			}
			seen[g] = true
			if g[6]>>4 != 5 {
				t.Errorf("DerivedGUID(%s, %d) = %s is not version 5", e, id, g)
			}
		}
	}
}
