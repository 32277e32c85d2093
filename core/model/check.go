package model

import (
	"encoding/json"

	"github.com/activeroles/arupgrade/core/arerr"
)

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

// checkJSON is the emitted form of a Check: the message and remedy in the
// engine's neutral spelling of parameters, and their templates when they
// name parameters or commands (arerr.Param), for a front end to render its
// own spelling.
type checkJSON struct {
	Code            string `json:"code"`
	Name            string `json:"name"`
	Status          string `json:"status"`
	Message         string `json:"message"`
	Remedy          string `json:"remedy,omitempty"`
	MessageTemplate string `json:"messageTemplate,omitempty"`
	RemedyTemplate  string `json:"remedyTemplate,omitempty"`
}

// MarshalJSON renders the parameter tokens (see checkJSON).
func (c Check) MarshalJSON() ([]byte, error) {
	j := checkJSON{Code: c.Code, Name: c.Name, Status: c.Status}
	j.Message, j.MessageTemplate = arerr.Rendered(c.Message)
	j.Remedy, j.RemedyTemplate = arerr.Rendered(c.Remedy)
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON wrote (a plan file keeps its checks),
// the templates back in place.
func (c *Check) UnmarshalJSON(b []byte) error {
	var j checkJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*c = Check{Code: j.Code, Name: j.Name, Status: j.Status, Message: j.Message, Remedy: j.Remedy}
	if j.MessageTemplate != "" {
		c.Message = j.MessageTemplate
	}
	if j.RemedyTemplate != "" {
		c.Remedy = j.RemedyTemplate
	}
	return nil
}
