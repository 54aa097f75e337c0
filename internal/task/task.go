// Package task holds tasks: a piece of work with an assignee, a due date and
// a status, attached to an object of any module (an incident's phase, a
// vulnerability, a corrective action) by (object_type, object_id) and an
// optional group label such as the phase.
package task

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"bulwark/internal/apperr"
)

// Status of a task.
type Status string

const (
	StatusOpen       Status = "open"
	StatusInProgress Status = "in_progress"
	StatusDone       Status = "done"
	StatusCancelled  Status = "cancelled"
)

// Statuses lists the statuses in display order.
var Statuses = []Status{StatusOpen, StatusInProgress, StatusDone, StatusCancelled}

// Active reports whether work on a task in s is still expected.
func (s Status) Active() bool { return s == StatusOpen || s == StatusInProgress }

// Task is one piece of work.
type Task struct {
	ID           int64     `json:"id"`
	OrgID        int64     `json:"org_id"`
	ObjectType   string    `json:"object_type"`
	ObjectID     string    `json:"object_id"`
	Group        string    `json:"group"`
	Title        string    `json:"title"`
	Notes        string    `json:"notes"`
	AssigneeID   int64     `json:"assignee_id"`
	AssigneeName string    `json:"assignee_name"`
	DueAt        time.Time `json:"due_at"`
	Status       Status    `json:"status"`
	CreatedBy    int64     `json:"created_by"`
	UpdatedBy    int64     `json:"updated_by"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	// Overdue is derived when the task is read: active and past its due
	// date by the service's clock.
	Overdue bool `json:"overdue"`
}

// OverdueAt reports whether t is still to be done and past due at now.
func (t Task) OverdueAt(now time.Time) bool {
	return t.Status.Active() && !t.DueAt.IsZero() && now.After(t.DueAt)
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,63}$`)

func (t *Task) normalize() {
	t.Title = strings.TrimSpace(t.Title)
	t.Notes = strings.TrimSpace(t.Notes)
	t.Group = strings.TrimSpace(t.Group)
	t.ObjectID = strings.TrimSpace(t.ObjectID)
	if t.Status == "" {
		t.Status = StatusOpen
	}
	t.DueAt = t.DueAt.UTC().Truncate(time.Microsecond)
}

// validate returns every problem at once (the assignee's membership is
// checked against the database by the service).
func (t *Task) validate() error {
	var c apperr.Collector
	switch n := utf8.RuneCountInString(t.Title); {
	case n == 0:
		c.Add("title", "err.required")
	case n > 200:
		c.Add("title", "err.too_long", 200)
	}
	if utf8.RuneCountInString(t.Notes) > 10000 {
		c.Add("notes", "err.too_long", 10000)
	}
	if utf8.RuneCountInString(t.Group) > 64 {
		c.Add("group", "err.too_long", 64)
	}
	if !nameRE.MatchString(t.ObjectType) {
		c.Add("object_type", "err.task_object_type")
	}
	if t.ObjectID == "" || utf8.RuneCountInString(t.ObjectID) > 64 {
		c.Add("object_id", "err.required")
	}
	if !slices.Contains(Statuses, t.Status) {
		c.Add("status", "err.invalid_choice")
	}
	return c.Err()
}
