package model

import (
	"math"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/data"
)

func TestGUIDDeriverMatchesDerivedGUID(t *testing.T) {
	iid := data.MustUUID("0f8e7d6c-5b4a-4938-8271-605f4e3d2c1b")
	if got := NewGUIDDeriver("ChangeRecord", iid).Derive(42).String(); got != "b4feb427-639c-58a6-b5da-400fa994a4cb" {
		t.Fatalf("derived %s", got)
	}
	for _, e := range []string{"ChangeRecord", "ApprovalTask", "TemporalMembership", "X", strings.Repeat("E", 70)} {
		g := NewGUIDDeriver(e, iid) // one deriver for many ids, as the import uses it
		for _, id := range []int64{0, 1, 2147483647, -5, 1 << 40, math.MinInt64, math.MaxInt64, 7} {
			if g.Derive(id) != DerivedGUID(e, iid, id) {
				t.Fatalf("%s %d differs from DerivedGUID", e, id)
			}
		}
	}
}

// SIDCache answers as SID does, for valid and invalid SIDs, asked once or
// again, and after it has filled and started again.
func TestSIDCacheMatchesSID(t *testing.T) {
	var c SIDCache
	sid := func(rid uint32) []byte {
		b := []byte{1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0, 0, 0, 0}
		b[24], b[25], b[26], b[27] = byte(rid), byte(rid>>8), byte(rid>>16), byte(rid>>24)
		return b
	}
	inputs := [][]byte{nil, {}, {1}, {9, 1, 0, 0, 0, 0, 0, 5}, sid(500), sid(1000)}
	for rid := uint32(0); rid < sidCacheMax+100; rid++ {
		inputs = append(inputs, sid(rid))
	}
	for pass := 0; pass < 2; pass++ {
		for _, b := range inputs {
			got, gok := c.Convert(b)
			want, wok := SID(b)
			if got != want || gok != wok {
				t.Fatalf("pass %d: Convert(% x) = %q, %v; SID gives %q, %v", pass, b, got, gok, want, wok)
			}
		}
	}
	if len(c.m) > sidCacheMax {
		t.Errorf("the cache holds %d SIDs, more than its bound %d", len(c.m), sidCacheMax)
	}
}
