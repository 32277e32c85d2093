package model

// Report reason codes (§7.1): the "reason" of an ImportRun.Report entry.
const (
	ReasonDuplicate         = "DUPLICATE"
	ReasonConflict          = "CONFLICT"
	ReasonRenamed           = "RENAMED"
	ReasonUnknownClass      = "UNKNOWN_CLASS"
	ReasonUnknownEnum       = "UNKNOWN_ENUM"
	ReasonMissingRequired   = "MISSING_REQUIRED"
	ReasonExtraValue        = "EXTRA_VALUE"
	ReasonTooLong           = "TOO_LONG"
	ReasonInvalidSID        = "INVALID_SID"
	ReasonDanglingReference = "DANGLING_REFERENCE"
	ReasonNoKey             = "NO_KEY"
	ReasonDecryptFailed     = "DECRYPT_FAILED"
	ReasonBadDocument       = "BAD_DOCUMENT"
	ReasonThemeChanged      = "THEME_CHANGED"
	ReasonBindingIncomplete = "BINDING_INCOMPLETE"
	ReasonBadDetails        = "BAD_DETAILS"     // history only
	ReasonStateCorrected    = "STATE_CORRECTED" // history only
)

// Reasons lists every §7.1 reason code in the model's order.
func Reasons() []string {
	return []string{
		ReasonDuplicate, ReasonConflict, ReasonRenamed, ReasonUnknownClass, ReasonUnknownEnum,
		ReasonMissingRequired, ReasonExtraValue, ReasonTooLong, ReasonInvalidSID,
		ReasonDanglingReference, ReasonNoKey, ReasonDecryptFailed, ReasonBadDocument,
		ReasonThemeChanged, ReasonBindingIncomplete, ReasonBadDetails, ReasonStateCorrected,
	}
}

// ReasonSkipsObject reports whether a configuration report entry with this
// code means the object was not written (§11 invariant 1); the other codes
// annotate objects that were written.
func ReasonSkipsObject(reason string) bool {
	switch reason {
	case ReasonDuplicate, ReasonConflict, ReasonUnknownClass, ReasonUnknownEnum,
		ReasonMissingRequired, ReasonTooLong, ReasonInvalidSID, ReasonDanglingReference,
		ReasonBadDocument:
		return true
	}
	return false
}

// Code is a §12 preflight error or warning code.
type Code struct{ ID, Name string }

// String is "AR-E001 SourceNotActiveRoles".
func (c Code) String() string { return c.ID + " " + c.Name }

// IsWarning reports whether the code is a warning (AR-Wxxx), which does not
// stop a run.
func (c Code) IsWarning() bool { return len(c.ID) > 3 && c.ID[3] == 'W' }

// §12 codes.
var (
	E001SourceNotActiveRoles       = Code{"AR-E001", "SourceNotActiveRoles"}
	E002SourceVersionUnsupported   = Code{"AR-E002", "SourceVersionUnsupported"}
	E003SourceRoleMismatch         = Code{"AR-E003", "SourceRoleMismatch"}
	E004DestinationNotActiveRoles  = Code{"AR-E004", "DestinationNotActiveRoles"}
	E005DestinationNewer           = Code{"AR-E005", "DestinationNewer"}
	E006DestinationVersionMismatch = Code{"AR-E006", "DestinationVersionMismatch"}
	E007DestinationRoleMismatch    = Code{"AR-E007", "DestinationRoleMismatch"}
	E008DatabaseNameExists         = Code{"AR-E008", "DatabaseNameExists"}
	E009SameDatabase               = Code{"AR-E009", "SameDatabase"}
	E010ReplicationPartnersPresent = Code{"AR-E010", "ReplicationPartnersPresent"}
	E011AddOnsInstalled            = Code{"AR-E011", "AddOnsInstalled"}
	E012DateRangeInFuture          = Code{"AR-E012", "DateRangeInFuture"}
	E013DateRangeEndBeforeStart    = Code{"AR-E013", "DateRangeEndBeforeStart"}
	E014KeyBackupUnreadable        = Code{"AR-E014", "KeyBackupUnreadable"}
	E015KeyBackupMismatch          = Code{"AR-E015", "KeyBackupMismatch"}
	E016UTCOffsetMissing           = Code{"AR-E016", "UtcOffsetMissing"}
	E017ServiceHostInvalid         = Code{"AR-E017", "ServiceHostInvalid"}
	E018SiteConflict               = Code{"AR-E018", "SiteConflict"}
	// E019DestinationInUse is the tool's own: another run holds the
	// destination's writer lock (one writer per destination).
	E019DestinationInUse = Code{"AR-E019", "DestinationInUse"}
	// E020SiteInUse is the tool's own: a Web Interface site configuration
	// that another site was made from, or that an Active binding still
	// serves, is not removed.
	E020SiteInUse                    = Code{"AR-E020", "SiteInUse"}
	W001PendingApprovals             = Code{"AR-W001", "PendingApprovals"}
	W002SecretsWithoutKey            = Code{"AR-W002", "SecretsWithoutKey"}
	W003AzureTenantsReauthenticate   = Code{"AR-W003", "AzureTenantsReauthenticate"}
	W004AddOnsNotCopied              = Code{"AR-W004", "AddOnsNotCopied"}
	W005UnfinishedMembershipsSkipped = Code{"AR-W005", "UnfinishedMembershipsSkipped"}
	// W006PrincipalsNotCopied is the tool's own: database users, logins and
	// roles were not copied (the guide copies them by default).
	W006PrincipalsNotCopied = Code{"AR-W006", "PrincipalsNotCopied"}
)

// Codes lists every §12 code in the model's order.
func Codes() []Code {
	return []Code{
		E001SourceNotActiveRoles, E002SourceVersionUnsupported, E003SourceRoleMismatch,
		E004DestinationNotActiveRoles, E005DestinationNewer, E006DestinationVersionMismatch,
		E007DestinationRoleMismatch, E008DatabaseNameExists, E009SameDatabase,
		E010ReplicationPartnersPresent, E011AddOnsInstalled, E012DateRangeInFuture,
		E013DateRangeEndBeforeStart, E014KeyBackupUnreadable, E015KeyBackupMismatch,
		E016UTCOffsetMissing, E017ServiceHostInvalid, E018SiteConflict,
		W001PendingApprovals, W002SecretsWithoutKey, W003AzureTenantsReauthenticate,
		W004AddOnsNotCopied, W005UnfinishedMembershipsSkipped,
	}
}

// CodeByID finds a code by its ID ("AR-E002"), case-insensitively.
func CodeByID(id string) (Code, bool) {
	for _, c := range Codes() {
		if equalFoldASCII(c.ID, id) {
			return c, true
		}
	}
	return Code{}, false
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
