package postincident

import (
	"slices"
	"time"

	"bulwark/internal/apperr"
)

// Kinds of CAPA: a corrective action removes the cause of what happened, a
// preventive one the cause of what could happen.
const (
	KindCorrective = "corrective"
	KindPreventive = "preventive"
)

// Kinds lists the kinds in display order.
var Kinds = []string{KindCorrective, KindPreventive}

// CAPA states. Draft and submitted CAPA wait for leadership's approval of
// the set; open ones are approved and not started.
const (
	CAPADraft      = "draft"
	CAPASubmitted  = "submitted"
	CAPAOpen       = "open"
	CAPAInProgress = "in_progress"
	CAPADone       = "done"
	CAPAVerified   = "verified"
)

// CAPAStatuses lists the states in order.
var CAPAStatuses = []string{CAPADraft, CAPASubmitted, CAPAOpen, CAPAInProgress, CAPADone, CAPAVerified}

// CAPA is one corrective or preventive action (纠正预防措施).
type CAPA struct {
	ID             int64     `json:"id"`
	IncidentID     int64     `json:"incident_id"`
	IncidentNumber string    `json:"incident_number"`
	Kind           string    `json:"kind"`
	Description    string    `json:"description"`
	OwnerID        int64     `json:"owner_id"`
	OwnerName      string    `json:"owner_name"`
	DueAt          time.Time `json:"due_at"`
	Status         string    `json:"status"`
	ApprovalID     int64     `json:"approval_id"`
	RejectReason   string    `json:"reject_reason"`
	// ProgressNotes is the owner's account of the work; DoneAt when they
	// marked it done.
	ProgressNotes string    `json:"progress_notes"`
	DoneAt        time.Time `json:"done_at"`
	// The verification: by someone other than the owner, with notes. A
	// failed verification keeps its notes and sends the CAPA back to
	// in_progress.
	VerifiedBy        int64     `json:"verified_by"`
	VerifiedByName    string    `json:"verified_by_name"`
	VerifiedAt        time.Time `json:"verified_at"`
	VerificationNotes string    `json:"verification_notes"`
	CreatedBy         int64     `json:"created_by"`
	CreatedByName     string    `json:"created_by_name"`
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`
	// Overdue is derived when read: not yet done and past due by the
	// service's clock.
	Overdue bool `json:"overdue"`
}

// Approved reports whether leadership approved the CAPA (its work may go
// on).
func (c CAPA) Approved() bool {
	return c.Status != CAPADraft && c.Status != CAPASubmitted
}

// Finished reports whether the owner's part is over (done or verified).
func (c CAPA) Finished() bool { return c.Status == CAPADone || c.Status == CAPAVerified }

// OverdueAt reports whether c is unfinished and past due at now.
func (c CAPA) OverdueAt(now time.Time) bool { return !c.Finished() && now.After(c.DueAt) }

// CAPAInput is what the working group enters.
type CAPAInput struct {
	Kind        string
	Description string
	OwnerID     int64
	DueAt       time.Time
}

// validate trims the text and returns every problem at once; the owner's
// account is checked by the service.
func (in *CAPAInput) validate() *apperr.Collector {
	var c apperr.Collector
	if !slices.Contains(Kinds, in.Kind) {
		c.Add("kind", "err.invalid_choice")
	}
	in.Description = text(&c, "description", in.Description, maxText, true)
	if in.OwnerID == 0 {
		c.Add("owner_id", "err.required")
	}
	if in.DueAt.IsZero() {
		c.Add("due_at", "err.required")
	}
	in.DueAt = in.DueAt.UTC().Truncate(time.Microsecond)
	return &c
}
