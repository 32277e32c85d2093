package model

import (
	"crypto/sha1"
	"encoding"
	"hash"
	"strconv"

	"github.com/activeroles/arupgrade/core/data"
)

// GUIDDeriver is DerivedGUID for one entity and installation, without
// allocations: uuid5 (SHA-1) over the namespace and
// "<entity>/<iid text>/<id>". Everything before the id is the same for
// every row, and its first 64-byte block is hashed once: each row then
// costs one SHA-1 block instead of two.
type GUIDDeriver struct {
	h    hash.Hash
	mid  []byte // the digest's state after the constant blocks
	msg  []byte // the rest of the constant part, then the id
	head int    // length of the constant rest
	sum  []byte
}

// NewGUIDDeriver derives the GUIDs of entity's rows of installation iid.
func NewGUIDDeriver(entity string, iid data.UUID) *GUIDDeriver {
	iidText := iid.String()
	name := make([]byte, 0, 128)
	name = append(name, HistoryNamespace[:]...)
	name = append(append(append(append(name, entity...), '/'), iidText...), '/')
	g := &GUIDDeriver{h: sha1.New(), sum: make([]byte, 0, sha1.Size)}
	full := len(name) / sha1.BlockSize * sha1.BlockSize
	g.h.Write(name[:full])
	mid, err := g.h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		panic(err) // crypto/sha1 always marshals its state
	}
	g.mid = mid
	g.msg = append(make([]byte, 0, 64), name[full:]...)
	g.head = len(g.msg)
	return g
}

// Derive is DerivedGUID(entity, iid, id).
func (g *GUIDDeriver) Derive(id int64) data.UUID {
	if err := g.h.(encoding.BinaryUnmarshaler).UnmarshalBinary(g.mid); err != nil {
		panic(err) // the state it marshalled itself
	}
	g.msg = strconv.AppendInt(g.msg[:g.head], id, 10)
	g.h.Write(g.msg)
	g.sum = g.h.Sum(g.sum[:0])
	var u data.UUID
	copy(u[:], g.sum[:16])
	u[6] = (u[6] & 0x0f) | 0x50
	u[8] = (u[8] & 0x3f) | 0x80
	return u
}

// SIDCache remembers converted SIDs (SID): a history or a Collector holds
// few distinct initiators and approvers, so most conversions are a map hit
// without allocation. The zero value is ready to use.
type SIDCache struct {
	m map[string]string // binary SID → S-1-… text; "" = invalid
}

const sidCacheMax = 8192 // then it starts again: memory stays bounded

// Convert is SID(b).
func (c *SIDCache) Convert(b []byte) (string, bool) {
	if c.m == nil {
		c.m = make(map[string]string, 256)
	}
	if s, ok := c.m[string(b)]; ok {
		return s, s != ""
	}
	s, ok := SID(b)
	if len(c.m) >= sidCacheMax {
		clear(c.m)
	}
	if !ok {
		s = ""
	}
	c.m[string(b)] = s
	return s, ok
}
