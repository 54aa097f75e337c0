package postincident

import (
	"strings"
	"time"
	"unicode/utf8"

	"bulwark/internal/apperr"
)

// Attendee is one person at the summary meeting: an account of the
// organisation (UserID, with the name it had when the record was saved) or
// someone without one (UserID 0: a vendor's engineer, an outside expert).
type Attendee struct {
	UserID int64  `json:"user_id"`
	Name   string `json:"name"`
}

// Review is an incident's post-incident review (事后总结): the summary
// meeting (召开事后总结会议) and what it concluded.
type Review struct {
	IncidentID int64 `json:"incident_id"`
	// Round is the lifecycle round the review was last saved in; closing
	// needs the current round's.
	Round     int        `json:"round"`
	HeldAt    *time.Time `json:"held_at"`
	Place     string     `json:"place"`
	Attendees []Attendee `json:"attendees"`
	Minutes   string     `json:"minutes"`
	RootCause string     `json:"root_cause"`
	// Impact is the impact as finally assessed, after handling.
	Impact  string `json:"impact"`
	Lessons string `json:"lessons"`
	// PlanRevisionNeeded: the emergency plan must be revised (修订应急
	// 响应计划), PlanRevisionNotes says what. The revisions themselves name
	// the incident (emergencyplan.RevisionsForIncident), so the link is kept
	// once, on the plan's side.
	PlanRevisionNeeded bool      `json:"plan_revision_needed"`
	PlanRevisionNotes  string    `json:"plan_revision_notes"`
	RecordedBy         int64     `json:"recorded_by"`
	RecordedByName     string    `json:"recorded_by_name"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
}

// Recorded reports whether the review was ever saved.
func (r Review) Recorded() bool { return !r.CreatedAt.IsZero() }

// Missing lists, as field names, what a complete review still lacks: the
// meeting's date and attendees, root cause, impact, lessons, and what to
// revise when the plan needs revising. Minutes and place are optional.
func (r Review) Missing() []string {
	out := []string{}
	if r.HeldAt == nil {
		out = append(out, "held_at")
	}
	if len(r.Attendees) == 0 {
		out = append(out, "attendees")
	}
	for _, f := range []struct{ name, v string }{{"root_cause", r.RootCause}, {"impact", r.Impact}, {"lessons", r.Lessons}} {
		if f.v == "" {
			out = append(out, f.name)
		}
	}
	if r.PlanRevisionNeeded && r.PlanRevisionNotes == "" {
		out = append(out, "plan_revision_notes")
	}
	return out
}

// Complete reports whether nothing is missing.
func (r Review) Complete() bool { return len(r.Missing()) == 0 }

// ReviewInput is what a person records. It may be saved incomplete (a
// draft while handling goes on); only a complete review lets the incident
// close.
type ReviewInput struct {
	HeldAt *time.Time
	Place  string
	// AttendeeIDs are accounts of the organisation; AttendeeNames people
	// without one.
	AttendeeIDs        []int64
	AttendeeNames      []string
	Minutes            string
	RootCause          string
	Impact             string
	Lessons            string
	PlanRevisionNeeded bool
	PlanRevisionNotes  string
}

// Limits of the review's text, in characters.
const (
	maxAttendees = 100
	maxName      = 100
	maxLong      = 20000
	maxText      = 10000
)

// validate trims the text and returns every problem at once; the
// attendees' accounts are checked by the service.
func (in *ReviewInput) validate(now time.Time) *apperr.Collector {
	var c apperr.Collector
	if in.HeldAt != nil {
		t := in.HeldAt.UTC().Truncate(time.Microsecond)
		in.HeldAt = &t
		if t.After(now.Add(5 * time.Minute)) {
			c.Add("held_at", "err.review_future")
		}
	}
	in.Place = text(&c, "place", in.Place, 200, false)
	in.Minutes = text(&c, "minutes", in.Minutes, maxLong, false)
	in.RootCause = text(&c, "root_cause", in.RootCause, maxText, false)
	in.Impact = text(&c, "impact", in.Impact, maxText, false)
	in.Lessons = text(&c, "lessons", in.Lessons, maxText, false)
	in.PlanRevisionNotes = text(&c, "plan_revision_notes", in.PlanRevisionNotes, maxText, false)
	if len(in.AttendeeIDs)+len(in.AttendeeNames) > maxAttendees {
		c.Add("attendees", "err.too_many", maxAttendees)
	}
	var names []string
	for _, n := range ParseNames(strings.Join(in.AttendeeNames, "\n")) {
		if utf8.RuneCountInString(n) > maxName {
			c.Add("attendee_names", "err.too_long", maxName)
			break
		}
		names = append(names, n)
	}
	in.AttendeeNames = names
	return &c
}
