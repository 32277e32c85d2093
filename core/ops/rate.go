package ops

import (
	"time"

	"github.com/activeroles/arupgrade/core/engine"
)

// rate turns row counts into progress events with rows/s and an ETA.
type rate struct {
	activity string
	total    int64
	rows     int64
	start    time.Time
	em       *engine.Emitter
}

func newRate(activity string, total int64, em *engine.Emitter) *rate {
	return &rate{activity: activity, total: total, start: time.Now(), em: em}
}

func (r *rate) add(step string, n int64) {
	r.rows += n
	el := time.Since(r.start).Seconds()
	p := engine.Progress{Activity: r.activity, Step: step, Rows: r.rows, Total: r.total, Percent: -1}
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

func (r *rate) done() {
	r.em.Progress(engine.Progress{Activity: r.activity, Percent: 100, Rows: r.rows, Total: r.total, Completed: true})
}
