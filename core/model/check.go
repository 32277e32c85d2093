package model

// Check statuses.
const (
	StatusPass    = "Pass"
	StatusWarning = "Warning"
	StatusFail    = "Fail"
)

// Check is one preflight finding (§12), emitted as a PrerequisiteCheck
// object by both imports.
type Check struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	Status  string `json:"status"`
	Message string `json:"message"`
	Remedy  string `json:"remedy,omitempty"`
	// Category is the engine error category a Fail maps to (not emitted).
	Category string `json:"-"`
}

// Failed reports whether the check stops a run.
func (c Check) Failed() bool { return c.Status == StatusFail }
