package model

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/store"
)

const testIID = "0f8e7d6c-5b4a-4938-8271-605f4e3d2c1b"

func info(settings map[string]string) *store.Info {
	return &store.Info{Kind: "bundle", Tables: []data.Table{{Name: "Settings"}}, Settings: settings}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name       string
		info       *store.Info
		state      State
		gen        Generation
		role       Role
		reasonHas  string
		wantOffset int
		hasOffset  bool
	}{
		{name: "blank", info: &store.Info{}, state: StateBlank},
		{name: "blank even with settings map", info: &store.Info{Settings: map[string]string{}}, state: StateBlank},
		{name: "no Settings table", info: &store.Info{Tables: []data.Table{{Name: "Orders"}}}, state: StateNotActiveRoles, reasonHas: "no Settings table"},
		{name: "no SchemaVersion", info: info(map[string]string{"DatabaseRole": "Configuration"}), state: StateNotActiveRoles, reasonHas: "SchemaVersion"},
		{name: "bad SchemaVersion", info: info(map[string]string{"SchemaVersion": "eight", "DatabaseRole": "Configuration"}), state: StateNotActiveRoles, reasonHas: `"eight"`},
		{name: "no DatabaseRole", info: info(map[string]string{"SchemaVersion": "8.1.0"}), state: StateNotActiveRoles, reasonHas: "DatabaseRole"},
		{name: "bad DatabaseRole", info: info(map[string]string{"SchemaVersion": "8.1.0", "DatabaseRole": "Reporting"}), state: StateNotActiveRoles, reasonHas: `"Reporting"`},
		{name: "Combined in G2", info: info(map[string]string{"SchemaVersion": "8.0.2", "DatabaseRole": "Combined"}), state: StateNotActiveRoles, reasonHas: "Combined"},
		{name: "6.9", info: info(map[string]string{"SchemaVersion": "6.9.0", "DatabaseRole": "Configuration"}), state: StateUnsupported, role: RoleConfiguration, reasonHas: "Active Roles 6.9 is not supported"},
		{name: "7.4", info: info(map[string]string{"SchemaVersion": "7.4.1", "DatabaseRole": "Configuration"}), state: StateUnsupported, reasonHas: "7.4 is not supported"},
		{name: "7.7 unknown", info: info(map[string]string{"SchemaVersion": "7.7.0", "DatabaseRole": "ManagementHistory"}), state: StateUnsupported, role: RoleManagementHistory},
		{name: "8.3 newer", info: info(map[string]string{"SchemaVersion": "8.3.0", "DatabaseRole": "Configuration"}), state: StateNewer, role: RoleConfiguration, reasonHas: "8.3"},
		{name: "9.0 newer", info: info(map[string]string{"SchemaVersion": "9.0", "DatabaseRole": "Configuration"}), state: StateNewer},
		{name: "G1 combined with offset", info: info(map[string]string{"SchemaVersion": "7.6.3", "DatabaseRole": "Combined", "InstallationId": testIID, "EncryptionKeyId": testIID, "ServerUtcOffsetMinutes": "-300"}),
			state: StateSupported, gen: G1, role: RoleCombined, wantOffset: -300, hasOffset: true},
		{name: "G1 offset out of range", info: info(map[string]string{"SchemaVersion": "7.5.0", "DatabaseRole": "ManagementHistory", "ServerUtcOffsetMinutes": "841"}),
			state: StateSupported, gen: G1, role: RoleManagementHistory},
		{name: "G1 offset at bound", info: info(map[string]string{"SchemaVersion": "7.5.0", "DatabaseRole": "ManagementHistory", "ServerUtcOffsetMinutes": "-720"}),
			state: StateSupported, gen: G1, role: RoleManagementHistory, wantOffset: -720, hasOffset: true},
		{name: "G1 offset not a number", info: info(map[string]string{"SchemaVersion": "7.5.0", "DatabaseRole": "ManagementHistory", "ServerUtcOffsetMinutes": "1h"}),
			state: StateSupported, gen: G1, role: RoleManagementHistory},
		{name: "G2 role any case", info: info(map[string]string{"SchemaVersion": "8.1.5", "DatabaseRole": "managementHISTORY"}), state: StateSupported, gen: G2, role: RoleManagementHistory},
		{name: "G3 four-part version", info: info(map[string]string{"schemaversion": "8.2.0.1", "databaserole": "Configuration"}), state: StateSupported, gen: G3, role: RoleConfiguration},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Detect(tt.info)
			if d.State != tt.state || d.Generation != tt.gen {
				t.Fatalf("Detect = %v %v (%s); want %v %v", d.State, d.Generation, d.Reason, tt.state, tt.gen)
			}
			if tt.role != "" && d.Role != tt.role {
				t.Errorf("Role = %q, want %q", d.Role, tt.role)
			}
			if !strings.Contains(d.Reason, tt.reasonHas) {
				t.Errorf("Reason = %q, want it to contain %q", d.Reason, tt.reasonHas)
			}
			if tt.state != StateSupported && d.Reason == "" {
				t.Error("no Reason for a non-supported database")
			}
			if d.HasUTCOffset != tt.hasOffset || d.UTCOffsetMinutes != tt.wantOffset {
				t.Errorf("offset = %d, %v; want %d, %v", d.UTCOffsetMinutes, d.HasUTCOffset, tt.wantOffset, tt.hasOffset)
			}
		})
	}
}

func TestDetectIDs(t *testing.T) {
	d := Detect(info(map[string]string{"SchemaVersion": "8.0.0", "DatabaseRole": "Configuration",
		"InstallationId": strings.ToUpper(testIID), "EncryptionKeyId": "not-a-guid"}))
	if d.InstallationID != data.MustUUID(testIID) {
		t.Errorf("InstallationID = %v", d.InstallationID)
	}
	if d.HasEncryptionKeyID {
		t.Error("an unparseable EncryptionKeyId was accepted")
	}
	if got := d.String(); got != "Active Roles 8.0.0 Configuration database (G2)" {
		t.Errorf("String() = %q", got)
	}
}

func TestDetectionJSONRoundTrip(t *testing.T) {
	d := Detect(info(map[string]string{"SchemaVersion": "7.6.3", "DatabaseRole": "Combined",
		"InstallationId": testIID, "EncryptionKeyId": testIID, "ServerUtcOffsetMinutes": "60"}))
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"state":"Supported","version":"7.6.3","generation":1,"role":"Combined","installationId":"` + testIID +
		`","encryptionKeyId":"` + testIID + `","serverUtcOffsetMinutes":60}`
	if string(b) != want {
		t.Errorf("JSON = %s\nwant   %s", b, want)
	}
	var back Detection
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back != d {
		t.Errorf("round trip = %+v, want %+v", back, d)
	}
}

func TestInitialSettingsDetectAsTarget(t *testing.T) {
	iid, kid := data.MustUUID(testIID), data.MustUUID("3b0f6c2e-9a41-4d5e-8c7b-1e2f3a4b5c6d")
	for _, r := range []Role{RoleConfiguration, RoleManagementHistory} {
		s := InitialSettings(r, iid, kid)
		d := Detect(info(s))
		if d.State != StateSupported || d.Generation != G3 || d.Role != r || d.InstallationID != iid {
			t.Errorf("%s: initial settings detect as %+v", r, d)
		}
		if d.HasEncryptionKeyID != (r == RoleConfiguration) || d.HasUTCOffset {
			t.Errorf("%s: EncryptionKeyId/offset present = %v/%v", r, d.HasEncryptionKeyID, d.HasUTCOffset)
		}
		if want := map[bool]int{true: 4, false: 3}[r == RoleConfiguration]; len(s) != want {
			t.Errorf("%s: %d settings, want %d", r, len(s), want)
		}
	}
}
