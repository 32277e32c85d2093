package secrets

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/activeroles/arupgrade/core/data"
)

// Encrypted value formats (model §9.1).
const (
	V1                = 0x01
	V2                = 0x02
	NonceSize         = 12
	TagSize           = 16
	V1MinSize         = 1 + NonceSize + TagSize      // 29
	V2MinSize         = 1 + 16 + NonceSize + TagSize // 45
	MaxV1PlaintextLen = 128                          // UTF-16 code units a v1 writer may store
)

// ErrValueUnreadable is wrapped by every DecryptV1/DecryptV2/KeyIDOfV2
// failure (reenc reports DECRYPT_FAILED for it).
var ErrValueUnreadable = errors.New("encrypted value unreadable")

// ErrWrongKey means a v2 value names another KeyId than the key given.
var ErrWrongKey = errors.New("encrypted value is under another key")

func badValue(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrValueUnreadable, fmt.Sprintf(format, args...))
}

// EncryptV1 encrypts plaintext as a v1 value (G1 BinValue, G2 columns):
// 0x01 ‖ nonce ‖ AES-GCM(UTF-16LE(plaintext), AAD empty). The nonce is read
// from rnd (crypto/rand when nil). Writers store at most 128 code units.
func EncryptV1(key *Key, plaintext string, rnd io.Reader) ([]byte, error) {
	if key == nil {
		return nil, errors.New("encrypt v1: no key")
	}
	if !utf8.ValidString(plaintext) {
		return nil, errors.New("encrypt v1: plaintext is not valid UTF-8")
	}
	units := utf16.Encode([]rune(plaintext))
	if len(units) > MaxV1PlaintextLen {
		return nil, fmt.Errorf("encrypt v1: plaintext has %d UTF-16 code units, v1 writers store at most %d", len(units), MaxV1PlaintextLen)
	}
	pt := make([]byte, 2*len(units))
	for i, u := range units {
		binary.LittleEndian.PutUint16(pt[2*i:], u)
	}
	out := make([]byte, 1+NonceSize, 1+NonceSize+len(pt)+TagSize)
	out[0] = V1
	if err := readNonce(rnd, out[1:]); err != nil {
		return nil, fmt.Errorf("encrypt v1: %w", err)
	}
	out = newGCM(key.material[:]).Seal(out, out[1:1+NonceSize], pt, nil)
	clear(pt)
	return out, nil
}

// DecryptV1 opens a v1 value and decodes its UTF-16LE plaintext. Errors wrap
// ErrValueUnreadable: wrong version byte, short value, authentication failure
// (wrong key or damaged value), odd length, unpaired surrogate.
func DecryptV1(key *Key, value []byte) (string, error) {
	if key == nil {
		return "", errors.New("decrypt v1: no key")
	}
	if len(value) < 1 {
		return "", badValue("the value is empty, a v1 value has at least %d bytes", V1MinSize)
	}
	if value[0] != V1 {
		return "", badValue("version byte 0x%02x, expected 0x%02x (v1)", value[0], V1)
	}
	if len(value) < V1MinSize {
		return "", badValue("the value is %d bytes, a v1 value has at least %d", len(value), V1MinSize)
	}
	pt, err := newGCM(key.material[:]).Open(nil, value[1:1+NonceSize], value[1+NonceSize:], nil)
	if err != nil {
		return "", badValue("authentication failed: wrong key or damaged value")
	}
	defer clear(pt)
	return decodeUTF16LE(pt)
}

// decodeUTF16LE is a strict decoder: odd lengths and unpaired surrogates
// are errors rather than U+FFFD, so a damaged secret is never re-encrypted.
func decodeUTF16LE(b []byte) (string, error) {
	if len(b)%2 != 0 {
		return "", badValue("the plaintext has an odd number of bytes (%d), not UTF-16LE", len(b))
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i += 2 {
		u := rune(binary.LittleEndian.Uint16(b[i:]))
		switch {
		case u >= 0xD800 && u <= 0xDBFF:
			if i+3 >= len(b) {
				return "", badValue("the plaintext has an unpaired surrogate at code unit %d", i/2)
			}
			lo := rune(binary.LittleEndian.Uint16(b[i+2:]))
			if lo < 0xDC00 || lo > 0xDFFF {
				return "", badValue("the plaintext has an unpaired surrogate at code unit %d", i/2)
			}
			out = utf8.AppendRune(out, utf16.DecodeRune(u, lo))
			i += 2
		case u >= 0xDC00 && u <= 0xDFFF:
			return "", badValue("the plaintext has an unpaired surrogate at code unit %d", i/2)
		default:
			out = utf8.AppendRune(out, u)
		}
	}
	return string(out), nil
}

// EncryptV2 encrypts plaintext as a v2 value (G3 columns):
// 0x02 ‖ KeyId ‖ nonce ‖ AES-GCM(UTF-8(plaintext), AAD = bytes 0–16 ‖ UTF-8(context)).
// context is "<Table>.<Column>/<row key GUID, lower case>".
func EncryptV2(key *Key, plaintext, context string, rnd io.Reader) ([]byte, error) {
	if key == nil {
		return nil, errors.New("encrypt v2: no key")
	}
	if !utf8.ValidString(plaintext) {
		return nil, errors.New("encrypt v2: plaintext is not valid UTF-8")
	}
	out := make([]byte, 17+NonceSize, 17+NonceSize+len(plaintext)+TagSize)
	out[0] = V2
	copy(out[1:17], key.id[:])
	if err := readNonce(rnd, out[17:]); err != nil {
		return nil, fmt.Errorf("encrypt v2: %w", err)
	}
	out = newGCM(key.material[:]).Seal(out, out[17:17+NonceSize], []byte(plaintext), v2AAD(out, context))
	return out, nil
}

// KeyIDOfV2 returns the KeyId a v2 value names, without decrypting it.
func KeyIDOfV2(value []byte) (data.UUID, error) {
	var id data.UUID
	if len(value) < 1 {
		return id, badValue("the value is empty, a v2 value has at least %d bytes", V2MinSize)
	}
	if value[0] != V2 {
		return id, badValue("version byte 0x%02x, expected 0x%02x (v2)", value[0], V2)
	}
	if len(value) < V2MinSize {
		return id, badValue("the value is %d bytes, a v2 value has at least %d", len(value), V2MinSize)
	}
	copy(id[:], value[1:17])
	return id, nil
}

// DecryptV2 opens a v2 value with its context. A value under another KeyId
// fails with ErrWrongKey; every other failure wraps ErrValueUnreadable.
func DecryptV2(key *Key, value []byte, context string) (string, error) {
	if key == nil {
		return "", errors.New("decrypt v2: no key")
	}
	id, err := KeyIDOfV2(value)
	if err != nil {
		return "", err
	}
	if id != key.id {
		return "", fmt.Errorf("%w: the value names key %s, the key given is %s", ErrWrongKey, id, key.id)
	}
	pt, err := newGCM(key.material[:]).Open(nil, value[17:17+NonceSize], value[17+NonceSize:], v2AAD(value, context))
	if err != nil {
		return "", badValue("authentication failed: wrong key, wrong context or damaged value")
	}
	defer clear(pt)
	if !utf8.Valid(pt) {
		return "", badValue("the plaintext is not valid UTF-8")
	}
	return string(pt), nil
}

// v2AAD is bytes 0–16 of the value (version and KeyId) followed by the context.
func v2AAD(value []byte, context string) []byte {
	aad := make([]byte, 0, 17+len(context))
	aad = append(aad, value[:17]...)
	return append(aad, context...)
}

func readNonce(rnd io.Reader, nonce []byte) error {
	if rnd == nil {
		rnd = rand.Reader
	}
	if _, err := io.ReadFull(rnd, nonce); err != nil {
		return fmt.Errorf("read nonce: %w", err)
	}
	return nil
}
