// Package deadline keeps deadlines attached to objects of any module (an
// incident's first report to the regulator, a corrective action's due
// date). They are computed and stored on the server, so a restart loses
// none, and a Scanner tells the owning module once when a deadline comes
// near and once when it passes.
package deadline

import (
	"time"
)

// Deadline is one dated obligation of an object. There is at most one per
// (object, kind); setting it again moves it.
type Deadline struct {
	ID         int64     `json:"id"`
	OrgID      int64     `json:"org_id"`
	ObjectType string    `json:"object_type"`
	ObjectID   string    `json:"object_id"`
	Kind       string    `json:"kind"`
	StartAt    time.Time `json:"start_at"` // when the clock started (discovery); Set uses now when zero
	DueAt      time.Time `json:"due_at"`
	NearAt     time.Time `json:"near_at"` // when the "near" window opens, from the kind's Window
	MetAt      time.Time `json:"met_at"`
	// The scanner's memory: when each notice went out (zero: not yet).
	NearNotifiedAt    time.Time `json:"near_notified_at"`
	OverdueNotifiedAt time.Time `json:"overdue_notified_at"`
}

// Remaining is the time left at now: negative once past due. A met
// deadline has nothing remaining.
func (d Deadline) Remaining(now time.Time) time.Duration {
	if !d.MetAt.IsZero() {
		return 0
	}
	return d.DueAt.Sub(now)
}

// Overdue reports whether d is past due at now without having been met, or
// was met late.
func (d Deadline) Overdue(now time.Time) bool {
	if !d.MetAt.IsZero() {
		return d.MetAt.After(d.DueAt)
	}
	return now.After(d.DueAt)
}

// Window says when a deadline counts as near: in its last Fraction of the
// time from start to due, or its last Fixed duration, whichever opens
// first (a zero part is ignored).
type Window struct {
	Fraction float64       `json:"fraction"`
	Fixed    time.Duration `json:"fixed"`
}

// nearAt is when w opens for a deadline running from start to due.
func (w Window) nearAt(start, due time.Time) time.Time {
	at := due
	if w.Fraction > 0 {
		total := due.Sub(start)
		if total < 0 {
			total = 0
		}
		at = due.Add(-time.Duration(float64(total) * w.Fraction))
	}
	if w.Fixed > 0 && due.Add(-w.Fixed).Before(at) {
		at = due.Add(-w.Fixed)
	}
	if at.Before(start) {
		at = start
	}
	return at
}

// DefaultWindows are the near windows per kind used when the service is
// given none. A regulatory first report (hours) warns with a quarter of its
// time left; the summary report (30 days) three days before. Modules may
// add their kinds to the service's Windows.
var DefaultWindows = map[string]Window{
	"":                {Fraction: 0.25},
	"report.first":    {Fraction: 0.25, Fixed: 30 * time.Minute},
	"report.followup": {Fraction: 0.25},
	"report.summary":  {Fixed: 72 * time.Hour},
}
