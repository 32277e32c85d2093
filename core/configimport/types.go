package configimport

import (
	"io"
	"time"

	"github.com/rs/zerolog"

	"github.com/activeroles/arupgrade/core/engine"
	"github.com/activeroles/arupgrade/core/model"
)

// Reporter is what an import tells its caller while it runs; *engine.Emitter
// satisfies it.
type Reporter interface {
	Progress(engine.Progress)
	Warn(code, message string)
	Log() *zerolog.Logger
}

var _ Reporter = (*engine.Emitter)(nil)

// Options are the parameters of a configuration import (and of its
// preflight). Secrets (KeyBackupPassword) are never logged or echoed.
type Options struct {
	// KeyBackup is the content of the key backup file (§9.2); nil = no key
	// backup. KeyBackupPath names it in messages only.
	KeyBackup         []byte
	KeyBackupPath     string
	KeyBackupPassword string
	// SkipEncryptedData imports no encrypted value even when a key backup is
	// given; every secret is listed in Result.SecretsToReenter. Without a key
	// backup the import behaves the same way (§9.3 rule 2).
	SkipEncryptedData bool
	// ServicesServer is H of §7.1 rule 1: the FQDN of the Administration
	// Service that runs dynamic groups, group families and scheduled tasks.
	ServicesServer string
	// ServicesServerIsDefault: ServicesServer is DefaultServicesServer
	// (the user named none), which the check says.
	ServicesServerIsDefault bool
	// SkipPrincipals: the user asked not to copy database users, logins and
	// roles (this version never copies them; see Result.Principals).
	SkipPrincipals bool
	// Replace deletes every configuration row of the destination (in the
	// import's transaction) before importing.
	Replace bool
	// WhatIf computes the full plan and writes nothing, not even ImportRun.
	WhatIf bool
	// CreateDestination: the caller creates the destination database for this
	// run; DestinationExists says a database of that name already exists
	// (AR-E008).
	CreateDestination bool
	DestinationExists bool
	// SourceName and DestinationName are the redacted locations used in
	// ImportRun.SourceServer/SourceDatabase and in messages. SourceName is
	// "server/database" or a bundle path; empty → the store's Info.Location.
	SourceName, DestinationName string
	// SameDatabase is set by the caller when source and destination are the
	// same database (AR-E009).
	SameDatabase bool
	// EndpointWarnings are the caller's connection findings (e.g. encryption
	// off, server certificate trusted blindly); they are reported as checks.
	EndpointWarnings []Check
	// Rand supplies random bytes (InstallationId, EncryptionKeyId, nonces);
	// crypto/rand when nil.
	Rand io.Reader
	// Now is the clock for ImportRun times; time.Now when nil.
	Now func() time.Time
	// ProgressEvery is the number of objects between progress reports
	// (default 100).
	ProgressEvery int
}

// Check statuses.
const (
	StatusPass    = model.StatusPass
	StatusWarning = model.StatusWarning
	StatusFail    = model.StatusFail
)

// Check is one preflight finding, emitted as a PrerequisiteCheck object.
type Check = model.Check

// DatabaseRef names one side of an import.
type DatabaseRef struct {
	Name           string `json:"name"`
	Version        string `json:"version,omitempty"`
	Role           string `json:"role,omitempty"`
	State          string `json:"state,omitempty"`
	InstallationID string `json:"installationId,omitempty"`
}

// EntityCount puts the numbers of one G3 main table side by side.
type EntityCount struct {
	Entity            string `json:"entity"`
	Source            int64  `json:"source"`
	Added             int64  `json:"added"`
	Skipped           int64  `json:"skipped"`
	DestinationBefore int64  `json:"destinationBefore"`
	DestinationAfter  int64  `json:"destinationAfter"`
}

// ReportEntry is one element of ImportRun.Report (§7.1 rule 2).
type ReportEntry struct {
	Entity string `json:"entity"`
	Key    string `json:"key"`
	Reason string `json:"reason"`
	Detail string `json:"detail"`
}

// AddOnInfo is an add-on found in the source.
type AddOnInfo struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
}

// AzureTenantInfo is an imported tenant and what the administrator must do.
type AzureTenantInfo struct {
	TenantID    string   `json:"tenantId"`
	DisplayName string   `json:"displayName"`
	Steps       []string `json:"steps"`
}

// SecretItem is an encrypted value that was not imported.
type SecretItem struct {
	Entity string `json:"entity"`
	Key    string `json:"key"`
	Name   string `json:"name"`
	Column string `json:"column"`
	Reason string `json:"reason"`
	Action string `json:"action"`
}

// TaskNotAssociated is a scheduled task that services association left alone.
type TaskNotAssociated struct {
	TaskGUID string `json:"taskGuid"`
	Name     string `json:"name"`
	Reason   string `json:"reason"`
}

// ServicesSummary counts what services association set to the services server.
type ServicesSummary struct {
	ServicesServer string `json:"servicesServer"`
	DynamicGroups  int64  `json:"dynamicGroups"`
	GroupFamilies  int64  `json:"groupFamilies"`
	ScheduledTasks int64  `json:"scheduledTasks"`
}

// PrincipalsInfo says whether database principals were copied.
type PrincipalsInfo struct {
	Copied bool   `json:"copied"`
	Reason string `json:"reason"`
}

// InvariantCheck is the outcome of one §11 invariant.
type InvariantCheck struct {
	Invariant string `json:"invariant"`
	Passed    bool   `json:"passed"`
	Detail    string `json:"detail"`
}

// Verification lists the invariants checked before commit.
type Verification struct {
	Passed bool             `json:"passed"`
	Checks []InvariantCheck `json:"checks"`
}

// Result is the ConfigurationImportResult object.
type Result struct {
	Source      DatabaseRef `json:"source"`
	Destination DatabaseRef `json:"destination"`
	WhatIf      bool        `json:"whatIf"`
	// Initialized: the destination was blank and was given the 8.2 schema.
	Initialized bool `json:"initialized"`
	Replaced    bool `json:"replaced"`
	// Removed lists, with Replace, the rows deleted per table.
	Removed      map[string]int64 `json:"removed,omitempty"`
	Entities     []EntityCount    `json:"entities"`
	AddedCount   int64            `json:"addedCount"`
	SkippedCount int64            `json:"skippedCount"`
	Report       []ReportEntry    `json:"report"`

	AddOns                      []AddOnInfo         `json:"addOns"`
	AzureTenants                []AzureTenantInfo   `json:"azureTenants"`
	SecretsToReenter            []SecretItem        `json:"secretsToReenter"`
	ScheduledTasksNotAssociated []TaskNotAssociated `json:"scheduledTasksNotAssociated"`
	ServicesAssociation         ServicesSummary     `json:"servicesAssociation"`
	Principals                  PrincipalsInfo      `json:"principals"`

	Checks          []Check      `json:"checks"`
	ImportRunID     int64        `json:"importRunId,omitempty"`
	EncryptionKeyID string       `json:"encryptionKeyId,omitempty"`
	Verification    Verification `json:"verification"`
	ElapsedSeconds  float64      `json:"elapsedSeconds"`
	LogPath         string       `json:"logPath,omitempty"`
}

// ServicesResult is the ServicesAssociationResult object.
type ServicesResult struct {
	Destination    string              `json:"destination"`
	ServicesServer string              `json:"servicesServer"`
	WhatIf         bool                `json:"whatIf"`
	Changed        []ServicesChange    `json:"changed"`
	Unchanged      []TaskNotAssociated `json:"unchanged"`
	DynamicGroups  int64               `json:"dynamicGroups"`
	GroupFamilies  int64               `json:"groupFamilies"`
	ScheduledTasks int64               `json:"scheduledTasks"`
	ElapsedSeconds float64             `json:"elapsedSeconds"`
}

// ServicesChange is one row services association changed (or would change).
type ServicesChange struct {
	Entity string `json:"entity"`
	Key    string `json:"key"`
	Name   string `json:"name"`
	From   string `json:"from"`
	To     string `json:"to"`
}

// Azure tenant steps (guide, "Reconfiguring Azure tenants during upgrade configuration").
var azureSteps = []string{
	"In the Active Roles Configuration Center, open the Upgrade configuration wizard and, on the Reauthenticate tenants step, click Reauthenticate next to this tenant.",
	"Restart the Administration Service (Configuration Center > Administration Service > Restart) so the tenant appears in the Web Interface.",
	"In the Configuration Center, under Azure AD Configuration, click Consent in the tenant's row and accept the requested permissions.",
}

const principalsNotAvailable = "Copying database users, logins and roles is not available yet in this version; " +
	"grant the Administration Service account db_owner on the new database (and recreate any other users, logins and roles the old database had) in SQL Server Management Studio."

// principalsSkipped names the parameter as a token (arerr.Param) for the front ends to spell.
const principalsSkipped = "skipped at your request ({param:skipPrincipals})"
