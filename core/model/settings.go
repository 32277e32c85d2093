package model

import "github.com/activeroles/arupgrade/core/data"

// Default names of the databases the tool creates (§2).
const (
	DefaultConfigurationDatabase = "ActiveRoles820"
	DefaultHistoryDatabase       = "ActiveRoles820_MH"
)

// InitialSettings are the Settings rows of a G3 database the tool initialises
// (§2), and nothing else: SchemaVersion 8.2.0, DatabaseRole, InstallationId,
// and for a configuration database EncryptionKeyId. Choosing the ids (NEWID(),
// the destination configuration's iid, the key backup's KeyId) is the
// caller's part.
func InitialSettings(r Role, installationID, encryptionKeyID data.UUID) map[string]string {
	s := map[string]string{
		SettingSchemaVersion:  Target.String(),
		SettingDatabaseRole:   string(r),
		SettingInstallationID: installationID.String(),
	}
	if r == RoleConfiguration {
		s[SettingEncryptionKeyID] = encryptionKeyID.String()
	}
	return s
}
