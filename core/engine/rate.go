package engine

import (
	"time"
)

// Rate turns row counts into progress events with rows/s and an ETA.
type Rate struct {
	activity string
	total    int64
	rows     int64
	start    time.Time
	em       *Emitter
}

// NewRate reports progress of activity towards total rows (0: unknown).
func NewRate(activity string, total int64, em *Emitter) *Rate {
	return &Rate{activity: activity, total: total, start: time.Now(), em: em}
}

// Add counts n more rows of step and reports progress.
func (r *Rate) Add(step string, n int64) {
	r.rows += n
	el := time.Since(r.start).Seconds()
	p := Progress{Activity: r.activity, Step: step, Rows: r.rows, Total: r.total, Percent: -1}
	if el > 0 {
		p.RowsPerSecond = float64(r.rows) / el
	}
	if r.total > 0 {
		p.Percent = min(100, 100*float64(r.rows)/float64(r.total))
		if p.RowsPerSecond > 0 {
			p.EtaSeconds = float64(r.total-r.rows) / p.RowsPerSecond
		}
	}
	r.em.Progress(p)
}

// Done reports the activity completed.
func (r *Rate) Done() {
	r.em.Progress(Progress{Activity: r.activity, Percent: 100, Rows: r.rows, Total: r.total, Completed: true})
}
