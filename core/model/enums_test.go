package model

import (
	"regexp"
	"strings"
	"testing"
)

func TestEnumNames(t *testing.T) {
	type fn func(int64) (string, bool)
	tests := []struct {
		name    string
		f       fn
		known   []string // by code from 0 ("" = no such code)
		unknown string
	}{
		{"Operation", OperationName, []string{"", "Create", "Modify", "Delete", "Move", "Rename", "Deprovision", "Undeprovision"}, "Unknown"},
		{"ChangeStatus", ChangeStatusName, []string{"Completed", "Failed", "PendingApproval", "Rejected"}, "Unknown"},
		{"ApprovalStatus", ApprovalStatusName, []string{"Pending", "Approved", "Rejected"}, "Unknown"},
		{"MembershipState", MembershipStateName, []string{"Scheduled", "Active", "Finished"}, "Finished"},
		{"ChangeType", ChangeTypeName, []string{"Replace", "Add", "Remove", "Clear"}, "Unknown"},
		{"Scope", ScopeName, []string{"ThisObject", "ChildObjects", "ThisObjectAndChildObjects"}, ""},
		{"WorkflowType", WorkflowTypeName, []string{"Change", "Automation"}, ""},
	}
	for _, tt := range tests {
		for code, want := range tt.known {
			got, ok := tt.f(int64(code))
			if want == "" {
				if ok || got != tt.unknown {
					t.Errorf("%s(%d) = %q, %v; want %q, false", tt.name, code, got, ok, tt.unknown)
				}
				continue
			}
			if !ok || got != want {
				t.Errorf("%s(%d) = %q, %v; want %q, true", tt.name, code, got, ok, want)
			}
		}
		for _, code := range []int64{-1, int64(len(tt.known)), 255} {
			if got, ok := tt.f(code); ok || got != tt.unknown {
				t.Errorf("%s(%d) = %q, %v; want %q, false", tt.name, code, got, ok, tt.unknown)
			}
		}
	}
}

func TestChangeTypeFromOp(t *testing.T) {
	tests := map[string]string{"replace": "Replace", "ADD": "Add", "Remove": "Remove", "cLeAr": "Clear", "": "Unknown", "delete": "Unknown", " add": "Unknown"}
	for op, want := range tests {
		got, ok := ChangeTypeFromOp(op)
		if got != want || ok != (want != "Unknown") {
			t.Errorf("ChangeTypeFromOp(%q) = %q, %v; want %q", op, got, ok, want)
		}
	}
}

func TestEnumCodesRoundTrip(t *testing.T) {
	for code := int64(0); code < 8; code++ {
		if n, ok := OperationName(code); ok {
			if c, ok := OperationCode(strings.ToUpper(n)); !ok || c != code {
				t.Errorf("OperationCode(%s) = %d, %v", n, c, ok)
			}
		}
	}
	if _, ok := OperationCode("Unknown"); ok {
		t.Error("OperationCode(Unknown) has a code")
	}
	if c, ok := MembershipStateCode("finished"); !ok || c != 2 {
		t.Errorf("MembershipStateCode(finished) = %d, %v", c, ok)
	}
}

// The G3 names must be exactly what the G3 CHECK constraints accept.
func TestEnumNamesMatchG3Checks(t *testing.T) {
	b, err := ddlFS.ReadFile("ddl/g3_history.sql")
	if err != nil {
		t.Fatal(err)
	}
	c, _ := ddlFS.ReadFile("ddl/g3_configuration.sql")
	ddl := string(b) + string(c)
	check := func(constraint string) map[string]bool {
		re := regexp.MustCompile(constraint + `\s+CHECK \(\w+ IN\s*\(([^)]*)\)`)
		m := re.FindStringSubmatch(ddl)
		if m == nil {
			t.Fatalf("constraint %s not found", constraint)
		}
		set := map[string]bool{}
		for _, v := range strings.Split(m[1], ",") {
			set[strings.Trim(strings.TrimSpace(v), "'")] = true
		}
		return set
	}
	tests := []struct {
		constraint string
		f          func(int64) (string, bool)
	}{
		{"CK_ChangeRecord_Operation", OperationName},
		{"CK_ChangeRecord_Status", ChangeStatusName},
		{"CK_ApprovalTask_Status", ApprovalStatusName},
		{"CK_TemporalMembership_State", MembershipStateName},
		{"CK_ChangeRecordAttribute_ChangeType", ChangeTypeName},
		{"CK_PermissionAssignment_AppliesTo", ScopeName},
		{"CK_Workflow_WorkflowType", WorkflowTypeName},
	}
	for _, tt := range tests {
		allowed := check(tt.constraint)
		for code := int64(-1); code < 10; code++ {
			name, _ := tt.f(code)
			if name != "" && !allowed[name] {
				t.Errorf("%s: code %d gives %q, which the CHECK constraint refuses", tt.constraint, code, name)
			}
		}
	}
}
