// Package engine runs operations as jobs: a JSON request in, a stream of
// events out (progress, logs, warnings, results and one final outcome). The
// C ABI, the PowerShell module and the CLI only translate this stream.
package engine

import (
	"encoding/json"
	"time"

	"github.com/activeroles/arupgrade/core/arerr"
)

// Event types.
const (
	TypeProgress = "progress"
	TypeLog      = "log"
	TypeWarning  = "warning"
	TypeResult   = "result"
	TypeOutcome  = "outcome"
)

// Outcomes.
const (
	Succeeded = "succeeded"
	Failed    = "failed"
	Cancelled = "cancelled"
)

// Event is one element of a job's stream. Only the fields of its Type are set.
type Event struct {
	Type string    `json:"type"`
	Time time.Time `json:"time"`

	// progress
	Activity      string  `json:"activity,omitempty"`
	Step          string  `json:"step,omitempty"`
	Percent       float64 `json:"percent,omitempty"` // 0–100; -1 when unknown
	Rows          int64   `json:"rows,omitempty"`
	Total         int64   `json:"total,omitempty"`
	RowsPerSecond float64 `json:"rowsPerSecond,omitempty"`
	EtaSeconds    float64 `json:"etaSeconds,omitempty"`
	Completed     bool    `json:"completed,omitempty"`

	// log
	Level   string         `json:"level,omitempty"`
	Message string         `json:"message,omitempty"` // log and warning text
	Fields  map[string]any `json:"fields,omitempty"`

	// warning (Code also for outcome errors)
	Code string `json:"code,omitempty"`

	// result
	ResultType string          `json:"resultType,omitempty"`
	Data       json.RawMessage `json:"data,omitempty"`

	// outcome
	Outcome  string     `json:"outcome,omitempty"`
	Error    *ErrorInfo `json:"error,omitempty"`
	ExitCode int        `json:"exitCode,omitempty"` // absent means 0
	LogPath  string     `json:"logPath,omitempty"`
}

// ErrorInfo describes why a job failed. Message and Remedy are rendered in
// the engine's neutral spelling of parameters ('from'); when they name
// parameters or commands, the templates keep the tokens ({param:from}) for a
// front end to render its own spelling (CLI --from, PowerShell -From), and
// Parameters lists the keys named.
type ErrorInfo struct {
	Code            string   `json:"code"`
	Category        string   `json:"category"`
	Message         string   `json:"message"`
	Remedy          string   `json:"remedy,omitempty"`
	MessageTemplate string   `json:"messageTemplate,omitempty"`
	RemedyTemplate  string   `json:"remedyTemplate,omitempty"`
	Parameters      []string `json:"parameters,omitempty"`
}

// Spelled is the error with its message and remedy rendered in a front end's
// spelling (the templates are then no longer needed and left out).
func (e *ErrorInfo) Spelled(sp arerr.Spelling) *ErrorInfo {
	if e == nil {
		return nil
	}
	c := *e
	if c.MessageTemplate != "" {
		c.Message = arerr.Render(c.MessageTemplate, sp)
	}
	if c.RemedyTemplate != "" {
		c.Remedy = arerr.Render(c.RemedyTemplate, sp)
	}
	c.MessageTemplate, c.RemedyTemplate = "", ""
	return &c
}

// InfoOf describes an engine error for the event stream.
func InfoOf(e *arerr.Error) *ErrorInfo {
	msg, msgT := arerr.Rendered(e.Message)
	rem, remT := arerr.Rendered(e.Remedy)
	return &ErrorInfo{Code: e.Code, Category: e.Category, Message: msg, Remedy: rem,
		MessageTemplate: msgT, RemedyTemplate: remT, Parameters: arerr.Params(e.Message, e.Remedy)}
}

// Progress is what an operation reports about long work.
type Progress struct {
	Activity      string
	Step          string
	Percent       float64
	Rows          int64
	Total         int64
	RowsPerSecond float64
	EtaSeconds    float64
	Completed     bool
}
