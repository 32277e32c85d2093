package secrets

import (
	"fmt"
	"io"

	"github.com/activeroles/arupgrade/core/data"
)

// PasswordState values (G3 ManagedDomain.PasswordState) and report reasons
// (§7.1) that Reencrypt produces.
const (
	StateNotSet          = "NotSet"
	StateSet             = "Set"
	StateReentryRequired = "ReentryRequired"

	ReasonNoKey         = "NO_KEY"
	ReasonDecryptFailed = "DECRYPT_FAILED"
)

// ReencResult is the outcome of reenc (§9.3) for one value.
type ReencResult struct {
	Value  data.Value // the destination value: a v2 Bytes value, or NULL
	State  string     // StateNotSet, StateSet or StateReentryRequired
	Reason string     // "", ReasonNoKey or ReasonDecryptFailed (a report entry is due when set)
}

// Reencrypt implements reenc(value, context) of §9.3. sourceGeneration is the
// source database's generation: 1 or 2 (v1 values) or 3 (v2 values). key is
// the key backup's key, nil when the user gave none. context is the
// destination row's (§9.1). rnd supplies the new nonce (crypto/rand when nil).
//
// A source value that is not varbinary counts as undecryptable. A G3 value is
// copied (a fresh slice: the caller's row buffer may be reused).
func Reencrypt(value data.Value, sourceGeneration int, key *Key, context string, rnd io.Reader) ReencResult {
	if value.IsNull() {
		return ReencResult{Value: data.NullValue(), State: StateNotSet}
	}
	if key == nil {
		return ReencResult{Value: data.NullValue(), State: StateReentryRequired, Reason: ReasonNoKey}
	}
	failed := ReencResult{Value: data.NullValue(), State: StateReentryRequired, Reason: ReasonDecryptFailed}
	if value.Kind != data.Bytes {
		return failed
	}
	if sourceGeneration >= 3 {
		id, err := KeyIDOfV2(value.Bytes)
		if err != nil {
			return failed
		}
		if id != key.id {
			return ReencResult{Value: data.NullValue(), State: StateReentryRequired, Reason: ReasonNoKey}
		}
		if _, err := DecryptV2(key, value.Bytes, context); err != nil {
			return failed
		}
		return ReencResult{Value: data.BytesValue(append([]byte(nil), value.Bytes...)), State: StateSet}
	}
	pt, err := DecryptV1(key, value.Bytes)
	if err != nil {
		return failed
	}
	if pt == "" {
		return ReencResult{Value: data.NullValue(), State: StateNotSet}
	}
	out, err := EncryptV2(key, pt, context, rnd)
	if err != nil {
		// The plaintext is valid UTF-8 by construction, so only the random
		// source can fail here; crypto/rand never does (it crashes the
		// program instead), and we follow it rather than misreport the value.
		panic(fmt.Sprintf("secrets: reencrypt: %v", err))
	}
	return ReencResult{Value: data.BytesValue(out), State: StateSet}
}
