package model

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/store"
)

// State is what detection (model §2) concludes about a database.
type State int

const (
	StateBlank          State = iota // no user tables
	StateNotActiveRoles              // tables, but no usable Settings
	StateUnsupported                 // Active Roles, but older than 7.5 or an unknown M.m below 8.2
	StateNewer                       // Active Roles newer than 8.2
	StateSupported                   // 7.5, 7.6, 8.0, 8.1 or 8.2
)

var stateNames = [...]string{"Blank", "NotActiveRoles", "Unsupported", "Newer", "Supported"}

func (s State) String() string {
	if s >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// MarshalText writes the state's name, for JSON.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a state name.
func (s *State) UnmarshalText(b []byte) error {
	for i, n := range stateNames {
		if strings.EqualFold(n, string(b)) {
			*s = State(i)
			return nil
		}
	}
	return fmt.Errorf("unknown database state %q", b)
}

// Settings names (model §2).
const (
	SettingSchemaVersion          = "SchemaVersion"
	SettingDatabaseRole           = "DatabaseRole"
	SettingInstallationID         = "InstallationId"
	SettingEncryptionKeyID        = "EncryptionKeyId"
	SettingServerUTCOffsetMinutes = "ServerUtcOffsetMinutes"
)

// UTC offset bounds of ServerUtcOffsetMinutes (model §2).
const (
	MinUTCOffsetMinutes = -720
	MaxUTCOffsetMinutes = 840
)

// Detection is the result of Detect. Version and Role are set whenever they
// could be read, also for Unsupported and Newer databases.
type Detection struct {
	State              State
	Version            Version
	Generation         Generation
	Role               Role
	InstallationID     data.UUID
	EncryptionKeyID    data.UUID
	HasEncryptionKeyID bool
	UTCOffsetMinutes   int
	HasUTCOffset       bool
	Reason             string // why NotActiveRoles/Unsupported/Newer/Blank, for messages
}

// Detect applies the §2 detection rules to what a database says about itself.
func Detect(info *store.Info) Detection {
	if info == nil || len(info.Tables) == 0 {
		return Detection{State: StateBlank, Reason: "the database is blank (it has no user tables)"}
	}
	s := info.Settings
	if s == nil {
		return notAR("the database has no Settings table")
	}
	var d Detection
	sv, ok := setting(s, SettingSchemaVersion)
	if !ok {
		return notAR("Settings has no SchemaVersion")
	}
	v, err := ParseVersion(sv)
	if err != nil {
		return notAR(fmt.Sprintf("Settings SchemaVersion %q is not a version", sv))
	}
	d.Version = v
	rs, ok := setting(s, SettingDatabaseRole)
	if !ok {
		return notARWith(d, "Settings has no DatabaseRole")
	}
	r, ok := ParseRole(rs)
	if !ok {
		return notARWith(d, fmt.Sprintf("Settings DatabaseRole %q is not Configuration, ManagementHistory, Combined or Collector", rs))
	}
	d.Role = r
	d.readOptional(s)

	g, known := v.Generation()
	switch {
	case v.Compare(Target) > 0:
		d.State = StateNewer
		d.Reason = fmt.Sprintf("Active Roles %s is newer than %s, the version this tool upgrades to", v.Short(), Target.Short())
	case !known:
		d.State = StateUnsupported
		d.Reason = fmt.Sprintf("Active Roles %s is not supported", v.Short())
	case r == RoleCombined && g != G1:
		return notARWith(d, fmt.Sprintf("DatabaseRole Combined exists only in Active Roles 7.5 and 7.6, not in %s", v.Short()))
	default:
		d.State = StateSupported
		d.Generation = g
	}
	return d
}

func notAR(reason string) Detection {
	return Detection{State: StateNotActiveRoles, Reason: "not an Active Roles database: " + reason}
}

func notARWith(d Detection, reason string) Detection {
	d.State = StateNotActiveRoles
	d.Reason = "not an Active Roles database: " + reason
	return d
}

// setting looks a name up case-insensitively (the model's collation) and
// treats an empty value as missing.
func setting(s map[string]string, name string) (string, bool) {
	v, ok := s[name]
	if !ok {
		for k, x := range s {
			if strings.EqualFold(k, name) {
				v, ok = x, true
				break
			}
		}
	}
	v = strings.TrimSpace(v)
	return v, ok && v != ""
}

// readOptional parses the settings whose absence does not change the state;
// preflight turns their absence into errors where it matters (AR-E016).
func (d *Detection) readOptional(s map[string]string) {
	if t, ok := setting(s, SettingInstallationID); ok {
		if u, err := data.ParseUUID(t); err == nil {
			d.InstallationID = u
		}
	}
	if t, ok := setting(s, SettingEncryptionKeyID); ok {
		if u, err := data.ParseUUID(t); err == nil {
			d.EncryptionKeyID, d.HasEncryptionKeyID = u, true
		}
	}
	if t, ok := setting(s, SettingServerUTCOffsetMinutes); ok {
		if n, err := strconv.Atoi(t); err == nil && n >= MinUTCOffsetMinutes && n <= MaxUTCOffsetMinutes {
			d.UTCOffsetMinutes, d.HasUTCOffset = n, true
		}
	}
}

// String describes the database in one line for people.
func (d Detection) String() string {
	switch d.State {
	case StateSupported:
		return fmt.Sprintf("Active Roles %s %s database (%s)", d.Version, d.Role, d.Generation)
	case StateBlank:
		return "blank database"
	}
	return d.Reason
}

// detectionJSON is the wire form: GUIDs as text, optional values omitted.
type detectionJSON struct {
	State            State   `json:"state"`
	Version          *string `json:"version,omitempty"`
	Generation       int     `json:"generation,omitempty"`
	Role             Role    `json:"role,omitempty"`
	InstallationID   string  `json:"installationId,omitempty"`
	EncryptionKeyID  string  `json:"encryptionKeyId,omitempty"`
	UTCOffsetMinutes *int    `json:"serverUtcOffsetMinutes,omitempty"`
	Reason           string  `json:"reason,omitempty"`
}

// MarshalJSON writes the detection with GUIDs as text and absent values omitted.
func (d Detection) MarshalJSON() ([]byte, error) {
	j := detectionJSON{State: d.State, Generation: int(d.Generation), Role: d.Role, Reason: d.Reason}
	if d.Version != (Version{}) {
		s := d.Version.String()
		j.Version = &s
	}
	if !d.InstallationID.IsZero() {
		j.InstallationID = d.InstallationID.String()
	}
	if d.HasEncryptionKeyID {
		j.EncryptionKeyID = d.EncryptionKeyID.String()
	}
	if d.HasUTCOffset {
		o := d.UTCOffsetMinutes
		j.UTCOffsetMinutes = &o
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (d *Detection) UnmarshalJSON(b []byte) error {
	var j detectionJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("read detection: %w", err)
	}
	out := Detection{State: j.State, Generation: Generation(j.Generation), Role: j.Role, Reason: j.Reason}
	var err error
	if j.Version != nil {
		if out.Version, err = ParseVersion(*j.Version); err != nil {
			return fmt.Errorf("read detection: %w", err)
		}
	}
	if j.InstallationID != "" {
		if out.InstallationID, err = data.ParseUUID(j.InstallationID); err != nil {
			return fmt.Errorf("read detection installationId: %w", err)
		}
	}
	if j.EncryptionKeyID != "" {
		if out.EncryptionKeyID, err = data.ParseUUID(j.EncryptionKeyID); err != nil {
			return fmt.Errorf("read detection encryptionKeyId: %w", err)
		}
		out.HasEncryptionKeyID = true
	}
	if j.UTCOffsetMinutes != nil {
		out.UTCOffsetMinutes, out.HasUTCOffset = *j.UTCOffsetMinutes, true
	}
	*d = out
	return nil
}
