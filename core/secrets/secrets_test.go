package secrets

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/data"
)

// §9.4 test vectors.
const (
	vecPassword = "Ar-Backup#2024"
	vecKeyID    = "3b0f6c2e-9a41-4d5e-8c7b-1e2f3a4b5c6d"
	vecKEK      = "f4d71ce10270569bb480372cc5e7242d73f6cb54fba48d7a219de1a370e1ece0"
	vecFile     = "41524b455942414b000101000927c010a0a1a2a3a4a5a6a7a8a9aaabacadaeaf3b0f6c2e9a414d5e8c7b1e2f3a4b5c6d" +
		"b0b1b2b3b4b5b6b7b8b9babb71560ef636ffb80599f3c3ba7d314990d942d656aab92cda673294cca46cb97d64d413af52680e08f54d200aa151e8f0"
	vecV1      = "01d0d1d2d3d4d5d6d7d8d9dadb7ca7a66e1ba782a12f5f18bf84d6e3e1ee0a1f4b768bc53483806e9e7a5303e4846e"
	vecV2      = "023b0f6c2e9a414d5e8c7b1e2f3a4b5c6dc0c1c2c3c4c5c6c7c8c9cacb500854140048e43ab9226728d026efab841fbf052e620b6892"
	vecContext = "ManagedDomain.OverridePassword/9d2e5c1a-4b7f-4e21-a3c8-0f1e2d3c4b5a"
	vecSecret  = "P@ssw0rd!"
)

// seq returns n bytes counting up from start (the vectors' "a0 a1 … af").
func seq(start byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = start + byte(i)
	}
	return b
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func vecKey(t *testing.T) *Key {
	t.Helper()
	k, err := NewKey(data.MustUUID(vecKeyID), seq(0, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestVectorKEK(t *testing.T) {
	kek, err := deriveKEK(vecPassword, seq(0xa0, 16), 600000)
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(kek); got != vecKEK {
		t.Errorf("KEK = %s, want %s", got, vecKEK)
	}
}

func TestVectorKeyBackupFile(t *testing.T) {
	key := vecKey(t)
	rnd := bytes.NewReader(append(seq(0xa0, 16), seq(0xb0, 12)...)) // salt, then nonce
	file, err := WriteKeyBackup(key, vecPassword, rnd, 600000)
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(file); got != vecFile {
		t.Errorf("file =\n%s\nwant\n%s", got, vecFile)
	}
	back, err := ReadKeyBackup(unhex(t, vecFile), vecPassword)
	if err != nil {
		t.Fatalf("ReadKeyBackup(vector): %v", err)
	}
	if !back.Equal(key) {
		t.Errorf("read key %v differs from the vector's key", back)
	}
}

func TestVectorV1(t *testing.T) {
	key := vecKey(t)
	v, err := EncryptV1(key, vecSecret, bytes.NewReader(seq(0xd0, 12)))
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(v); got != vecV1 {
		t.Errorf("v1 = %s, want %s", got, vecV1)
	}
	pt, err := DecryptV1(key, unhex(t, vecV1))
	if err != nil || pt != vecSecret {
		t.Errorf("DecryptV1(vector) = %q, %v", pt, err)
	}
}

func TestVectorV2(t *testing.T) {
	key := vecKey(t)
	v, err := EncryptV2(key, vecSecret, vecContext, bytes.NewReader(seq(0xc0, 12)))
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(v); got != vecV2 {
		t.Errorf("v2 = %s, want %s", got, vecV2)
	}
	pt, err := DecryptV2(key, unhex(t, vecV2), vecContext)
	if err != nil || pt != vecSecret {
		t.Errorf("DecryptV2(vector) = %q, %v", pt, err)
	}
	id, err := KeyIDOfV2(unhex(t, vecV2))
	if err != nil || id.String() != vecKeyID {
		t.Errorf("KeyIDOfV2(vector) = %s, %v", id, err)
	}
}

// fastBackup writes a readable backup quickly (minimum iteration count).
func fastBackup(t *testing.T, key *Key, password string) []byte {
	t.Helper()
	f, err := writeKeyBackup(key, password, nil, MinIterations)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestReadKeyBackupFailures(t *testing.T) {
	const pw = "correct horse battery staple"
	good := fastBackup(t, vecKey(t), pw)
	mut := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	setIter := func(n uint32) []byte {
		return mut(func(b []byte) []byte { binary.BigEndian.PutUint32(b[11:], n); return b })
	}
	tests := []struct {
		name     string
		file     []byte
		password string
		want     string // in the message
	}{
		{"empty file", nil, pw, "0 bytes"},
		{"truncated", good[:107], pw, "107 bytes"},
		{"too long", append(append([]byte(nil), good...), 0), pw, "109 bytes"},
		{"bad magic", mut(func(b []byte) []byte { b[0] = 'X'; return b }), pw, "not a key backup file"},
		// Several faults: the first check in §9.2 order is reported.
		{"bad magic and version", mut(func(b []byte) []byte { b[1] = 'x'; b[9] = 9; return b }), pw, "not a key backup file"},
		{"version 2", mut(func(b []byte) []byte { b[9] = 2; return b }), pw, "format version 2"},
		{"kdf 2", mut(func(b []byte) []byte { b[10] = 2; return b }), pw, "key derivation function id 2"},
		{"iterations too low", setIter(9999), pw, "iteration count 9999"},
		{"iterations too high", setIter(10000001), pw, "iteration count 10000001"},
		{"salt length 15", mut(func(b []byte) []byte { b[15] = 15; return b }), pw, "salt length 15"},
		{"wrong password", good, pw + "!", "wrong password or damaged key backup file"},
		{"password differs in case", good, strings.ToUpper(pw), "wrong password"},
		{"wrapped key damaged", mut(func(b []byte) []byte { b[70] ^= 1; return b }), pw, "wrong password or damaged"},
		{"tag damaged", mut(func(b []byte) []byte { b[107] ^= 1; return b }), pw, "wrong password or damaged"},
		{"KeyId damaged (authenticated)", mut(func(b []byte) []byte { b[40] ^= 1; return b }), pw, "wrong password or damaged"},
		{"iterations changed (authenticated)", setIter(10001), pw, "wrong password or damaged"},
		{"empty password", good, "", "1–256 characters"},
		{"password of 257 characters", good, strings.Repeat("é", 257), "1–256 characters, it has 257"},
		{"password not UTF-8", good, "\xff\xfe", "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ReadKeyBackup(tt.file, tt.password)
			if err == nil {
				t.Fatalf("ReadKeyBackup succeeded with key %v", k)
			}
			if !errors.Is(err, ErrKeyBackupUnreadable) {
				t.Errorf("error %q does not wrap ErrKeyBackupUnreadable", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
			if tt.password != "" && strings.Contains(err.Error(), tt.password) {
				t.Errorf("error %q reveals the password", err)
			}
		})
	}
}

func TestKeyBackupPasswordLimits(t *testing.T) {
	key := vecKey(t)
	for _, pw := range []string{"x", strings.Repeat("部", 256), " spaces kept ", "Ünïcødé 😀"} {
		f := fastBackup(t, key, pw)
		got, err := ReadKeyBackup(f, pw)
		if err != nil || !got.Equal(key) {
			t.Errorf("password of %d characters: %v", len([]rune(pw)), err)
		}
	}
	// No normalisation: a composed é does not open a file written with e + U+0301.
	f := fastBackup(t, key, "caf\u00e9")
	if _, err := ReadKeyBackup(f, "cafe\u0301"); !errors.Is(err, ErrKeyBackupUnreadable) {
		t.Errorf("normalised password accepted: %v", err)
	}
}

func TestWriteKeyBackupIterations(t *testing.T) {
	key := vecKey(t)
	for _, n := range []int{-1, 10000, 599999, 10000001} {
		if _, err := WriteKeyBackup(key, "pw", nil, n); err == nil {
			t.Errorf("WriteKeyBackup accepted %d iterations", n)
		}
	}
	if _, err := WriteKeyBackup(key, "", nil, 0); err == nil {
		t.Error("WriteKeyBackup accepted an empty password")
	}
	if _, err := WriteKeyBackup(nil, "pw", nil, 0); err == nil {
		t.Error("WriteKeyBackup accepted a nil key")
	}
	// 0 means the default count, and fresh salt and nonce each time.
	a, err := WriteKeyBackup(key, "pw", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if n := binary.BigEndian.Uint32(a[11:]); n != DefaultIterations {
		t.Errorf("iterations = %d, want %d", n, DefaultIterations)
	}
	b := fastBackup(t, key, "pw")
	if bytes.Equal(a[16:32], b[16:32]) || bytes.Equal(a[48:60], b[48:60]) {
		t.Error("two backups share salt or nonce")
	}
}

func TestKeyNeverRevealsMaterial(t *testing.T) {
	material := bytes.Repeat([]byte{0xAB}, 32)
	k, err := NewKey(data.MustUUID(vecKeyID), material)
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(map[string]any{"key": k})
	if err != nil {
		t.Fatal(err)
	}
	outs := []string{string(js), fmt.Sprint(k), fmt.Sprintf("%v %+v %#v %s %d %x %X %q", k, k, k, k, k, k, k, k),
		fmt.Sprintf("%v %+v %#v %d %x", *k, *k, *k, *k, *k), fmt.Errorf("wrapped: %v", k).Error()}
	for _, s := range outs {
		low := strings.ToLower(s)
		if strings.Contains(low, "abab") || strings.Contains(s, "171") {
			t.Errorf("key material visible in %q", s)
		}
		if !strings.Contains(low, vecKeyID) {
			t.Errorf("KeyId missing from %q", s)
		}
	}
	if _, err := NewKey(data.UUID{}, material[:31]); err == nil {
		t.Error("NewKey accepted 31 bytes")
	}
}

func TestGenerateKey(t *testing.T) {
	a, err := GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Equal(b) || a.ID() == b.ID() {
		t.Error("two generated keys are equal")
	}
	if v := a.ID()[6] >> 4; v != 4 {
		t.Errorf("KeyId version %d, want 4", v)
	}
	// Deterministic for a given reader.
	c, _ := GenerateKey(bytes.NewReader(seq(0, 48)))
	d, _ := GenerateKey(bytes.NewReader(seq(0, 48)))
	if !c.Equal(d) {
		t.Error("same random bytes gave different keys")
	}
}

// sealV1Raw builds a v1 value around arbitrary plaintext bytes, to reach the
// UTF-16 decoding failures that EncryptV1 never produces.
func sealV1Raw(key *Key, pt []byte) []byte {
	out := append([]byte{V1}, seq(0x10, NonceSize)...)
	return newGCM(key.material[:]).Seal(out, out[1:], pt, nil)
}

func TestDecryptV1(t *testing.T) {
	key := vecKey(t)
	other, _ := GenerateKey(nil)
	good := unhex(t, vecV1)
	tests := []struct {
		name  string
		key   *Key
		value []byte
		want  string // plaintext, or error text when wantErr
		isErr bool
	}{
		{"vector", key, good, vecSecret, false},
		{"empty plaintext", key, sealV1Raw(key, nil), "", false},
		{"surrogate pair", key, sealV1Raw(key, []byte{0x3d, 0xd8, 0x00, 0xde}), "😀", false},
		{"empty value", key, nil, "value is empty", true},
		{"v2 version byte", key, unhex(t, vecV2), "version byte 0x02", true},
		{"short", key, good[:28], "28 bytes", true},
		{"wrong key", other, good, "authentication failed", true},
		{"damaged ciphertext", key, func() []byte { b := bytes.Clone(good); b[14] ^= 1; return b }(), "authentication failed", true},
		{"odd length", key, sealV1Raw(key, []byte{0x41, 0x00, 0x42}), "odd number of bytes", true},
		{"high surrogate at end", key, sealV1Raw(key, []byte{0x41, 0x00, 0x3d, 0xd8}), "unpaired surrogate at code unit 1", true},
		{"high surrogate then letter", key, sealV1Raw(key, []byte{0x3d, 0xd8, 0x41, 0x00}), "unpaired surrogate at code unit 0", true},
		{"lone low surrogate", key, sealV1Raw(key, []byte{0x00, 0xde}), "unpaired surrogate", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecryptV1(tt.key, tt.value)
			if tt.isErr {
				if !errors.Is(err, ErrValueUnreadable) || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("DecryptV1 = %q, %v; want error saying %q", got, err, tt.want)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("DecryptV1 = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestEncryptV1Limits(t *testing.T) {
	key := vecKey(t)
	for _, tt := range []struct {
		pt string
		ok bool
	}{
		{strings.Repeat("a", 128), true},
		{strings.Repeat("😀", 64), true}, // 128 code units
		{strings.Repeat("a", 129), false},
		{strings.Repeat("😀", 64) + "a", false},
		{"bad \xff utf-8", false},
		{"", true},
	} {
		v, err := EncryptV1(key, tt.pt, nil)
		if (err == nil) != tt.ok {
			t.Errorf("EncryptV1(%d bytes) error = %v, want ok=%v", len(tt.pt), err, tt.ok)
			continue
		}
		if err != nil {
			if strings.Contains(err.Error(), tt.pt) {
				t.Errorf("error %q reveals the plaintext", err)
			}
			continue
		}
		if got, err := DecryptV1(key, v); err != nil || got != tt.pt {
			t.Errorf("round trip of %d bytes: %v", len(tt.pt), err)
		}
	}
}

func TestV2(t *testing.T) {
	key := vecKey(t)
	other, _ := GenerateKey(nil)
	const ctx = "AzureTenant.ClientSecret/0f8e7d6c-5b4a-4938-8271-605f4e3d2c1b"
	plain := "Ünïcødé 部門 😀 " + strings.Repeat("x", 500)
	v, err := EncryptV2(key, plain, ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := DecryptV2(key, v, ctx); err != nil || got != plain {
		t.Fatalf("round trip: %v", err)
	}
	if _, err := DecryptV2(key, v, strings.ToUpper(ctx)); !errors.Is(err, ErrValueUnreadable) {
		t.Errorf("other context: %v, want ErrValueUnreadable", err)
	}
	if _, err := DecryptV2(other, v, ctx); !errors.Is(err, ErrWrongKey) {
		t.Errorf("other key: %v, want ErrWrongKey", err)
	}
	forged := bytes.Clone(v)
	copy(forged[1:17], other.id[:])
	if _, err := DecryptV2(other, forged, ctx); !errors.Is(err, ErrValueUnreadable) {
		t.Errorf("KeyId swapped in: %v, want ErrValueUnreadable", err)
	}
	for _, bad := range [][]byte{nil, v[:44], unhex(t, vecV1)} {
		if _, err := KeyIDOfV2(bad); !errors.Is(err, ErrValueUnreadable) {
			t.Errorf("KeyIDOfV2(%d bytes): %v", len(bad), err)
		}
		if _, err := DecryptV2(key, bad, ctx); !errors.Is(err, ErrValueUnreadable) {
			t.Errorf("DecryptV2(%d bytes): %v", len(bad), err)
		}
	}
	if _, err := EncryptV2(key, "\xff", ctx, nil); err == nil {
		t.Error("EncryptV2 accepted invalid UTF-8")
	}
}

func TestReencrypt(t *testing.T) {
	key := vecKey(t)
	other, _ := GenerateKey(nil)
	const ctx = "ManagedDomain.OverridePassword/9d2e5c1a-4b7f-4e21-a3c8-0f1e2d3c4b5a"
	v1 := func(k *Key, s string) data.Value {
		b, err := EncryptV1(k, s, nil)
		if err != nil {
			t.Fatal(err)
		}
		return data.BytesValue(b)
	}
	v2 := func(k *Key, s, c string) data.Value {
		b, err := EncryptV2(k, s, c, nil)
		if err != nil {
			t.Fatal(err)
		}
		return data.BytesValue(b)
	}
	tests := []struct {
		name    string
		value   data.Value
		gen     int
		key     *Key
		state   string
		reason  string
		want    string // plaintext of the v2 result when Set
		sameRaw bool   // G3: bytes copied unchanged
	}{
		{"NULL, G1", data.NullValue(), 1, key, StateNotSet, "", "", false},
		{"NULL, no key", data.NullValue(), 2, nil, StateNotSet, "", "", false},
		{"no key, G1", v1(key, "pw"), 1, nil, StateReentryRequired, ReasonNoKey, "", false},
		{"no key, G3", v2(key, "pw", ctx), 3, nil, StateReentryRequired, ReasonNoKey, "", false},
		{"no key, garbage", data.BytesValue([]byte{1, 2}), 2, nil, StateReentryRequired, ReasonNoKey, "", false},
		{"G1 vector", data.BytesValue(unhex(t, vecV1)), 1, key, StateSet, "", vecSecret, false},
		{"G2 unicode", v1(key, "Ünïcødé 部門 😀"), 2, key, StateSet, "", "Ünïcødé 部門 😀", false},
		{"G2 empty plaintext", v1(key, ""), 2, key, StateNotSet, "", "", false},
		{"G1 other key", v1(other, "pw"), 1, key, StateReentryRequired, ReasonDecryptFailed, "", false},
		{"G2 v2 value", v2(key, "pw", ctx), 2, key, StateReentryRequired, ReasonDecryptFailed, "", false},
		{"G2 short value", data.BytesValue([]byte{1, 2, 3}), 2, key, StateReentryRequired, ReasonDecryptFailed, "", false},
		{"G2 empty bytes", data.BytesValue(nil), 2, key, StateReentryRequired, ReasonDecryptFailed, "", false},
		{"G1 odd plaintext", data.BytesValue(sealV1Raw(key, []byte{1, 2, 3})), 1, key, StateReentryRequired, ReasonDecryptFailed, "", false},
		{"G1 unpaired surrogate", data.BytesValue(sealV1Raw(key, []byte{0x00, 0xdc})), 1, key, StateReentryRequired, ReasonDecryptFailed, "", false},
		{"G1 string value", data.StringValue("pw"), 1, key, StateReentryRequired, ReasonDecryptFailed, "", false},
		{"G3 same key", v2(key, "pw3", ctx), 3, key, StateSet, "", "pw3", true},
		{"G3 vector", data.BytesValue(unhex(t, vecV2)), 3, key, StateSet, "", vecSecret, true},
		{"G3 empty plaintext copied", v2(key, "", ctx), 3, key, StateSet, "", "", true},
		{"G3 other KeyId", v2(other, "pw", ctx), 3, key, StateReentryRequired, ReasonNoKey, "", false},
		{"G3 other row's context", v2(key, "pw", ctx+"x"), 3, key, StateReentryRequired, ReasonDecryptFailed, "", false},
		{"G3 v1 value", v1(key, "pw"), 3, key, StateReentryRequired, ReasonDecryptFailed, "", false},
		{"G3 short", data.BytesValue([]byte{2, 0}), 3, key, StateReentryRequired, ReasonDecryptFailed, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Reencrypt(tt.value, tt.gen, tt.key, ctx, nil)
			if res.State != tt.state || res.Reason != tt.reason {
				t.Fatalf("Reencrypt = %s/%q, want %s/%q", res.State, res.Reason, tt.state, tt.reason)
			}
			if tt.state != StateSet {
				if !res.Value.IsNull() {
					t.Errorf("value = %v, want NULL", res.Value)
				}
				return
			}
			if res.Value.Kind != data.Bytes {
				t.Fatalf("value kind %s, want bytes", res.Value.Kind)
			}
			id, err := KeyIDOfV2(res.Value.Bytes)
			if err != nil || id != key.ID() {
				t.Errorf("result KeyId %s, %v; want the backup's %s", id, err, key.ID())
			}
			got, err := DecryptV2(key, res.Value.Bytes, ctx)
			if err != nil || got != tt.want {
				t.Errorf("result decrypts to %q, %v; want %q", got, err, tt.want)
			}
			if tt.sameRaw {
				if !bytes.Equal(res.Value.Bytes, tt.value.Bytes) {
					t.Error("G3 value not copied unchanged")
				}
				if &res.Value.Bytes[0] == &tt.value.Bytes[0] {
					t.Error("G3 result aliases the source buffer")
				}
			}
		})
	}
}

func TestReencryptFreshNonce(t *testing.T) {
	key := vecKey(t)
	src := data.BytesValue(unhex(t, vecV1))
	a := Reencrypt(src, 1, key, vecContext, nil)
	b := Reencrypt(src, 1, key, vecContext, nil)
	if bytes.Equal(a.Value.Bytes, b.Value.Bytes) {
		t.Error("two re-encryptions share a nonce")
	}
	// Injected nonce: the result is the §9.4 v2 vector.
	c := Reencrypt(src, 1, key, vecContext, bytes.NewReader(seq(0xc0, 12)))
	if got := hex.EncodeToString(c.Value.Bytes); got != vecV2 {
		t.Errorf("reenc(v1 vector) = %s, want the v2 vector", got)
	}
}
