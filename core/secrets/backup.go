package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/activeroles/arupgrade/core/data"
)

// Key backup file layout (model §9.2), integers big-endian.
const (
	BackupSize        = 108
	backupMagic       = "ARKEYBAK"
	backupVersion     = 1
	backupKDFPBKDF2   = 1
	backupSaltLen     = 16
	DefaultIterations = 600000   // what writers use
	MinIterations     = 10000    // readers accept [MinIterations, MaxIterations]
	MaxIterations     = 10000000 //
	MaxPasswordChars  = 256
	offIterations     = 11
	offSaltLen        = 15
	offSalt           = 16
	offKeyID          = 32
	offNonce          = 48
	offWrapped        = 60
)

// ErrKeyBackupUnreadable is wrapped by every ReadKeyBackup failure, a wrong
// password included; callers map it to AR-E014.
var ErrKeyBackupUnreadable = errors.New("key backup unreadable")

// unreadable wraps ErrKeyBackupUnreadable with what is wrong. The detail never
// holds the password or key bytes.
func unreadable(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrKeyBackupUnreadable, fmt.Sprintf(format, args...))
}

// ReadKeyBackup opens a key backup file with its password, checking in the
// order of §9.2: length, magic, version, KDF id, iteration range, salt length,
// then (after the password's own 1–256 character check) GCM decryption.
func ReadKeyBackup(file []byte, password string) (*Key, error) {
	if len(file) != BackupSize {
		return nil, unreadable("the file is %d bytes, a key backup file is %d bytes", len(file), BackupSize)
	}
	if string(file[0:8]) != backupMagic {
		return nil, unreadable("the file does not start with %q: not a key backup file", backupMagic)
	}
	if v := binary.BigEndian.Uint16(file[8:10]); v != backupVersion {
		return nil, unreadable("format version %d is not supported (expected %d)", v, backupVersion)
	}
	if kdf := file[10]; kdf != backupKDFPBKDF2 {
		return nil, unreadable("key derivation function id %d is not supported (expected %d, PBKDF2-HMAC-SHA256)", kdf, backupKDFPBKDF2)
	}
	iter := binary.BigEndian.Uint32(file[offIterations : offIterations+4])
	if iter < MinIterations || iter > MaxIterations {
		return nil, unreadable("iteration count %d is outside %d–%d", iter, MinIterations, MaxIterations)
	}
	if sl := file[offSaltLen]; sl != backupSaltLen {
		return nil, unreadable("salt length %d is not supported (expected %d)", sl, backupSaltLen)
	}
	if err := checkPassword(password); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKeyBackupUnreadable, err)
	}
	kek, err := deriveKEK(password, file[offSalt:offSalt+backupSaltLen], int(iter))
	if err != nil {
		return nil, fmt.Errorf("%w: derive key-encryption key: %w", ErrKeyBackupUnreadable, err)
	}
	gcm := newGCM(kek)
	material, err := gcm.Open(nil, file[offNonce:offWrapped], file[offWrapped:], file[:offNonce])
	if err != nil {
		return nil, unreadable("wrong password or damaged key backup file")
	}
	var id data.UUID
	copy(id[:], file[offKeyID:offKeyID+16])
	k, err := NewKey(id, material)
	clear(material)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKeyBackupUnreadable, err)
	}
	return k, nil
}

// WriteKeyBackup returns the 108-byte backup file of key protected by
// password, with a random salt and nonce read from rnd (crypto/rand when
// nil: first the 16 salt bytes, then the 12 nonce bytes). iterations is 0 for
// DefaultIterations, else at least DefaultIterations and at most MaxIterations.
func WriteKeyBackup(key *Key, password string, rnd io.Reader, iterations int) ([]byte, error) {
	if iterations == 0 {
		iterations = DefaultIterations
	}
	if iterations < DefaultIterations || iterations > MaxIterations {
		return nil, fmt.Errorf("write key backup: iteration count %d is outside %d–%d", iterations, DefaultIterations, MaxIterations)
	}
	return writeKeyBackup(key, password, rnd, iterations)
}

// writeKeyBackup is WriteKeyBackup accepting any count a reader accepts, so
// tests can write readable files quickly.
func writeKeyBackup(key *Key, password string, rnd io.Reader, iterations int) ([]byte, error) {
	if key == nil {
		return nil, errors.New("write key backup: no key")
	}
	if iterations < MinIterations || iterations > MaxIterations {
		return nil, fmt.Errorf("write key backup: iteration count %d is outside %d–%d", iterations, MinIterations, MaxIterations)
	}
	if err := checkPassword(password); err != nil {
		return nil, fmt.Errorf("write key backup: %w", err)
	}
	if rnd == nil {
		rnd = rand.Reader
	}
	f := make([]byte, offWrapped, BackupSize)
	copy(f[0:8], backupMagic)
	binary.BigEndian.PutUint16(f[8:10], backupVersion)
	f[10] = backupKDFPBKDF2
	binary.BigEndian.PutUint32(f[offIterations:], uint32(iterations))
	f[offSaltLen] = backupSaltLen
	if _, err := io.ReadFull(rnd, f[offSalt:offSalt+backupSaltLen]); err != nil {
		return nil, fmt.Errorf("write key backup: read salt: %w", err)
	}
	copy(f[offKeyID:], key.id[:])
	if _, err := io.ReadFull(rnd, f[offNonce:offWrapped]); err != nil {
		return nil, fmt.Errorf("write key backup: read nonce: %w", err)
	}
	kek, err := deriveKEK(password, f[offSalt:offSalt+backupSaltLen], iterations)
	if err != nil {
		return nil, fmt.Errorf("write key backup: derive key-encryption key: %w", err)
	}
	f = newGCM(kek).Seal(f, f[offNonce:offWrapped], key.material[:], f[:offNonce])
	return f, nil
}

// checkPassword enforces §9.2's 1–256 characters (Unicode code points).
func checkPassword(p string) error {
	if !utf8.ValidString(p) {
		return errors.New("the key backup password is not valid UTF-8 text")
	}
	n := utf8.RuneCountInString(p)
	if n < 1 || n > MaxPasswordChars {
		return fmt.Errorf("the key backup password must have 1–%d characters, it has %d", MaxPasswordChars, n)
	}
	return nil
}

// deriveKEK is PBKDF2-HMAC-SHA256 over the password's UTF-8 bytes, unnormalised.
func deriveKEK(password string, salt []byte, iterations int) ([]byte, error) {
	return pbkdf2.Key(sha256.New, password, salt, iterations, KeySize)
}

// newGCM builds AES-256-GCM with the standard 12-byte nonce and 16-byte tag.
// Both calls only fail for a key of the wrong size, which callers rule out.
func newGCM(key []byte) cipher.AEAD {
	block, err := aes.NewCipher(key)
	if err != nil {
		panic("secrets: " + err.Error())
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		panic("secrets: " + err.Error())
	}
	return gcm
}
