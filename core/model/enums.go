package model

import "strings"

// G1/G2 enumeration codes (§3.4) and their G3 names, spelt exactly as the G3
// CHECK constraints spell them (§5, §6.6).

// Unknown is the G3 name of an unknown history code (§6.6).
const Unknown = "Unknown"

var (
	operationNames      = []string{1: "Create", 2: "Modify", 3: "Delete", 4: "Move", 5: "Rename", 6: "Deprovision", 7: "Undeprovision"}
	changeStatusNames   = []string{"Completed", "Failed", "PendingApproval", "Rejected"}
	approvalStatusNames = []string{"Pending", "Approved", "Rejected"}
	membershipStates    = []string{"Scheduled", "Active", "Finished"}
	changeTypeNames     = []string{"Replace", "Add", "Remove", "Clear"}
	scopeNames          = []string{"ThisObject", "ChildObjects", "ThisObjectAndChildObjects"}
	workflowTypeNames   = []string{"Change", "Automation"}
)

func lookup(names []string, code int64, unknown string) (string, bool) {
	if code >= 0 && code < int64(len(names)) && names[code] != "" {
		return names[code], true
	}
	return unknown, false
}

func codeOf(names []string, name string) (int64, bool) {
	for i, n := range names {
		if n != "" && strings.EqualFold(n, name) {
			return int64(i), true
		}
	}
	return 0, false
}

// OperationName maps ChangeHistory/ChangeRecord.Operation; unknown → "Unknown", false.
func OperationName(code int64) (string, bool) { return lookup(operationNames, code, Unknown) }

// ChangeStatusName maps a change record Status; unknown → "Unknown", false.
func ChangeStatusName(code int64) (string, bool) { return lookup(changeStatusNames, code, Unknown) }

// ApprovalStatusName maps ApprovalTask.Status; unknown → "Unknown", false.
func ApprovalStatusName(code int64) (string, bool) {
	return lookup(approvalStatusNames, code, Unknown)
}

// MembershipStateName maps TemporalMembership.State; unknown → "Finished",
// false (report UNKNOWN_ENUM).
func MembershipStateName(code int64) (string, bool) {
	return lookup(membershipStates, code, "Finished")
}

// ChangeTypeName maps G2 ChangeRecordAttribute.ChangeType; unknown → "Unknown", false.
func ChangeTypeName(code int64) (string, bool) { return lookup(changeTypeNames, code, Unknown) }

// ChangeTypeFromOp maps a G1 Details @op (case-insensitive: replace, add,
// remove, clear); absent or unknown → "Unknown", false.
func ChangeTypeFromOp(op string) (string, bool) {
	// Exact lower-case first: it is what the service writes, and it avoids
	// EqualFold on the history import's hot path.
	switch op {
	case "replace":
		return "Replace", true
	case "add":
		return "Add", true
	case "remove":
		return "Remove", true
	case "clear":
		return "Clear", true
	}
	if c, ok := codeOf(changeTypeNames, op); ok {
		return changeTypeNames[c], true
	}
	return Unknown, false
}

// ScopeName maps PermissionAssignment.Scope to AppliesTo; unknown → "", false
// (skip the object, UNKNOWN_ENUM).
func ScopeName(code int64) (string, bool) { return lookup(scopeNames, code, "") }

// WorkflowTypeName maps Workflow.WorkflowType; unknown → "", false (skip).
func WorkflowTypeName(code int64) (string, bool) { return lookup(workflowTypeNames, code, "") }

// The inverse mappings serve writers of G1/G2 data (the fixture generator,
// bundle export round trips). Names compare case-insensitively.

// OperationCode is the inverse of OperationName.
func OperationCode(name string) (int64, bool) { return codeOf(operationNames, name) }

// ChangeStatusCode is the inverse of ChangeStatusName.
func ChangeStatusCode(name string) (int64, bool) { return codeOf(changeStatusNames, name) }

// ApprovalStatusCode is the inverse of ApprovalStatusName.
func ApprovalStatusCode(name string) (int64, bool) { return codeOf(approvalStatusNames, name) }

// MembershipStateCode is the inverse of MembershipStateName.
func MembershipStateCode(name string) (int64, bool) { return codeOf(membershipStates, name) }

// ChangeTypeCode is the inverse of ChangeTypeName.
func ChangeTypeCode(name string) (int64, bool) { return codeOf(changeTypeNames, name) }

// ScopeCode is the inverse of ScopeName.
func ScopeCode(name string) (int64, bool) { return codeOf(scopeNames, name) }

// WorkflowTypeCode is the inverse of WorkflowTypeName.
func WorkflowTypeCode(name string) (int64, bool) { return codeOf(workflowTypeNames, name) }
