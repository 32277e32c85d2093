package secrets

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/data"
)

// FuzzReadKeyBackup feeds arbitrary key backup files and passwords to
// ReadKeyBackup: never a panic; every failure is ErrKeyBackupUnreadable
// (AR-E014) without the password in its text; a file that opens holds a key
// that round-trips. A file whose header is valid is also tried with its
// iteration count set to the minimum, so mutations reach the password
// check and the authenticated decryption behind the header checks quickly.
func FuzzReadKeyBackup(f *testing.F) {
	const pw = "correct horse battery staple"
	key, err := NewKey(data.MustUUID(vecKeyID), seq(0, 32))
	if err != nil {
		f.Fatal(err)
	}
	good, err := writeKeyBackup(key, pw, nil, MinIterations)
	if err != nil {
		f.Fatal(err)
	}
	vector, err := hex.DecodeString(vecFile)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good, pw)
	f.Add(vector, vecPassword)
	f.Add(good[:107], pw)
	f.Add(append(append([]byte(nil), good...), 0), pw)
	f.Add(good, "")
	f.Add(good, "\xff\xfe")
	f.Add(good, strings.Repeat("é", 257))
	f.Add([]byte("ARKEYBAK"), "x")
	f.Fuzz(func(t *testing.T, file []byte, password string) {
		try := func(file []byte) {
			k, err := ReadKeyBackup(file, password)
			if err != nil {
				if !errors.Is(err, ErrKeyBackupUnreadable) {
					t.Fatalf("error %q does not wrap ErrKeyBackupUnreadable", err)
				}
				if len(password) >= 16 && strings.Contains(err.Error(), password) {
					t.Fatalf("error %q reveals the password", err)
				}
				return
			}
			// It opened: the key writes back and reads again the same.
			again, err := writeKeyBackup(k, password, nil, MinIterations)
			if err != nil {
				t.Fatalf("a key read from a backup does not write back: %v", err)
			}
			if k2, err := ReadKeyBackup(again, password); err != nil || !k2.Equal(k) {
				t.Fatalf("round trip: %v", err)
			}
		}
		if len(file) == BackupSize {
			// A high iteration count costs seconds a try: the header check
			// of the count is exercised on the file as given only when the
			// count is cheap or out of range.
			iter := binary.BigEndian.Uint32(file[offIterations:])
			if iter <= 4*MinIterations || iter > MaxIterations {
				try(file)
			}
			cheap := append([]byte(nil), file...)
			binary.BigEndian.PutUint32(cheap[offIterations:], MinIterations)
			try(cheap)
			return
		}
		try(file)
	})
}

// FuzzDecrypt feeds arbitrary stored secret values (read from the source
// database) to the v1 and v2 readers and the re-encryption of an import:
// never a panic, never a value that decrypts to something that does not
// encrypt back.
func FuzzDecrypt(f *testing.F) {
	f.Add(mustHex(vecV1), vecContext)
	f.Add(mustHex(vecV2), vecContext)
	f.Add([]byte{1}, "")
	f.Add([]byte{2}, "x")
	f.Add([]byte{}, "")
	key, err := NewKey(data.MustUUID(vecKeyID), seq(0, 32))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, v []byte, context string) {
		if pt, err := DecryptV1(key, v); err == nil {
			c, err := EncryptV1(key, pt, nil)
			if err != nil {
				t.Fatalf("DecryptV1 gave %q, which EncryptV1 refuses: %v", pt, err)
			}
			if back, err := DecryptV1(key, c); err != nil || back != pt {
				t.Fatalf("v1 round trip of %q: %q, %v", pt, back, err)
			}
		}
		if pt, err := DecryptV2(key, v, context); err == nil {
			c, err := EncryptV2(key, pt, context, nil)
			if err != nil {
				t.Fatalf("DecryptV2 gave %q, which EncryptV2 refuses: %v", pt, err)
			}
			if back, err := DecryptV2(key, c, context); err != nil || back != pt {
				t.Fatalf("v2 round trip of %q: %q, %v", pt, back, err)
			}
		}
		_, _ = KeyIDOfV2(v)
		for _, gen := range []int{1, 2, 3} {
			_ = Reencrypt(data.BytesValue(v), gen, key, context, nil)
			_ = Reencrypt(data.BytesValue(v), gen, nil, context, nil)
		}
	})
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}
