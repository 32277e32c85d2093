package ops

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/activeroles/arupgrade/core/arerr"
)

// decodeParams reads an operation's params strictly: an unknown field is a
// typo the user should hear about, not something to ignore.
func decodeParams(raw json.RawMessage, v any, example string) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		raw = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		// An endpoint's location that names nothing usable already says what to type.
		var ee *arerr.Error
		if errors.As(err, &ee) {
			return ee
		}
		return arerr.Wrap(err, "AR-PARAMS", arerr.CatInvalidArgument, "Pass params such as "+example+".", "The params are not valid")
	}
	return nil
}
