// Package secrets implements model §9: the key backup file, the v1 (G1/G2)
// and v2 (G3) encrypted value formats, and reenc (§9.3).
//
// Nothing in this package puts key material, passwords or plaintexts into an
// error, a log line or the text form of a value.
package secrets

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"

	"github.com/activeroles/arupgrade/core/data"
)

// KeySize is the length of a key in bytes (AES-256).
const KeySize = 32

// Key is one encryption key and the KeyId naming it. Its fields are
// unexported and every text form (String, GoString, Format, MarshalJSON)
// shows only the KeyId, so a Key can be logged or put in an error safely.
type Key struct {
	id       data.UUID
	material [KeySize]byte
}

// NewKey builds a key from its KeyId and 32 bytes of material (copied).
func NewKey(id data.UUID, material []byte) (*Key, error) {
	if len(material) != KeySize {
		return nil, fmt.Errorf("new key: key material must be %d bytes, got %d", KeySize, len(material))
	}
	k := &Key{id: id}
	copy(k.material[:], material)
	return k, nil
}

// GenerateKey makes a new key with a random (version 4) KeyId, reading 48
// bytes from r (crypto/rand when nil): 32 for the material, then 16 for the id.
func GenerateKey(r io.Reader) (*Key, error) {
	if r == nil {
		r = rand.Reader
	}
	var b [KeySize + 16]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return nil, fmt.Errorf("generate key: read random bytes: %w", err)
	}
	var id data.UUID
	copy(id[:], b[KeySize:])
	id[6] = (id[6] & 0x0f) | 0x40
	id[8] = (id[8] & 0x3f) | 0x80
	return NewKey(id, b[:KeySize])
}

// ID returns the KeyId.
func (k *Key) ID() data.UUID { return k.id }

// String shows the KeyId only. The text methods have value receivers so that
// a dereferenced Key is as safe to print as a *Key (fmt prints "<nil>" for a
// nil *Key).
func (k Key) String() string { return "secrets.Key{KeyId: " + k.id.String() + "}" }

// GoString is String, so %#v does not dump the material.
func (k Key) GoString() string { return k.String() }

// Format makes every fmt verb (%d and %x included, which would otherwise
// print the fields) render String.
func (k Key) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, k.String()) }

// MarshalJSON writes {"keyId":"…"}.
func (k Key) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		KeyID string `json:"keyId"`
	}{k.id.String()})
}

// Equal reports whether two keys have the same KeyId and material.
func (k *Key) Equal(o *Key) bool {
	if k == nil || o == nil {
		return k == o
	}
	return k.id == o.id && k.material == o.material
}
