// Package emergencyplan is the emergency plan (信息安全应急预案) as a
// document an organisation keeps: chapters people edit on a draft
// revision, a revision record (文件制修订记录) of approved revisions with
// version, change summary, reason and the incidents that prompted it,
// approval by the leadership group (领导小组) through package workflow, and
// export to DOCX and printable HTML with the emergency organisation and its
// chart as 附件1 and the response flow by grade as 附件2.
//
// It is its own package rather than part of package emergency because it
// depends on incidents (grades, report windows, plan approvers) and on the
// report renderer, while incidents and notifications depend on the
// emergency organisation for routing: keeping the plan apart keeps that
// graph free of cycles.
package emergencyplan

import (
	"strconv"
	"time"

	"bulwark/internal/clock"
	"bulwark/internal/emergency"
	"bulwark/internal/incident"
	"bulwark/internal/store"
	"bulwark/internal/workflow"
)

// Object is the object type of revisions in approvals and the audit trail.
const Object = "emergency_plan_revision"

// Revision states.
const (
	StatusDraft     = "draft"
	StatusSubmitted = "submitted"
	StatusApproved  = "approved"
)

// Chapter sources: where a chapter's content comes from besides its typed
// text. A generated chapter's Body is its preface; the rest is drawn from
// the organisation's data when the plan is exported.
const (
	SourceText         = ""
	SourceOrganisation = "organisation" // 组织机构与职责: the emergency organisation
	SourceResponse     = "response"     // 事件分级与应急响应: grades, report windows
)

// Sources lists the chapter sources.
var Sources = []string{SourceText, SourceOrganisation, SourceResponse}

// Revision is one version of the plan.
type Revision struct {
	ID      int64  `json:"id"`
	Version string `json:"version"` // V1.0, V1.1, V2.0 ...
	Major   int    `json:"major"`
	Minor   int    `json:"minor"`
	// MajorChange asks for the next major version (a change of structure
	// or scope) instead of the next minor one.
	MajorChange bool   `json:"major_change"`
	Status      string `json:"status"`
	Title       string `json:"title"`
	// Summary is the change summary (修订内容) of the revision record.
	Summary string `json:"summary"`
	// Reason is why the plan was revised; Incidents are the incidents
	// that prompted it.
	Reason    string        `json:"reason"`
	Incidents []IncidentRef `json:"incidents"`
	// BasedOn is the approved revision this one was drafted from (0 for
	// the first revision, drafted from the default plan).
	BasedOn        int64  `json:"based_on"`
	AuthorID       int64  `json:"author_id"`
	AuthorName     string `json:"author_name"`
	ApprovalID     int64  `json:"approval_id"`
	RejectReason   string `json:"reject_reason"`
	ApprovedBy     int64  `json:"approved_by"`
	ApprovedByName string `json:"approved_by_name"`
	// EffectiveFrom is the day the drafters ask the revision to take
	// effect; nil means on approval.
	EffectiveFrom *time.Time `json:"effective_from"`
	ApprovedAt    *time.Time `json:"approved_at"`
	// EffectiveAt is when the approved revision took (or takes) effect:
	// the approval, or EffectiveFrom when that is later.
	EffectiveAt *time.Time `json:"effective_at"`
	Chapters    []Chapter  `json:"chapters"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// Open reports whether the revision can still change (draft or submitted).
func (r Revision) Open() bool { return r.Status != StatusApproved }

// Chapter is one chapter of a revision.
type Chapter struct {
	Title  string `json:"title"`
	Body   string `json:"body"`
	Source string `json:"source"`
}

// IncidentRef names an incident of the organisation.
type IncidentRef struct {
	ID     int64  `json:"id"`
	Number string `json:"number"`
	Title  string `json:"title"`
}

// Path is the UI page of a revision, stable for links from other modules
// (a post-incident review links the revision its lessons led to).
func Path(id int64) string { return "/emergency/plan/revisions/" + strconv.FormatInt(id, 10) }

// Service keeps the organisation's emergency plan. Every method checks the
// actor in ctx and works only in the actor's organisation.
type Service struct {
	DB        *store.DB
	Clock     clock.Clock
	Approvals *workflow.Service
	Emergency *emergency.Service
	Lifecycle *incident.Lifecycle
	// Location is the installation's time zone: effective dates are days
	// there. Nil means UTC.
	Location *time.Location
}

// New builds the service and hooks revisions into approvals: the
// leadership group's decision approves the revision (or sends it back to
// draft) in the decision's own transaction, and the revision's author is
// refused as decider even when someone else submitted it.
func New(db *store.DB, c clock.Clock, approvals *workflow.Service, em *emergency.Service, lc *incident.Lifecycle, loc *time.Location) *Service {
	s := &Service{DB: db, Clock: c, Approvals: approvals, Emergency: em, Lifecycle: lc, Location: loc}
	approvals.OnDecided(Object, s.onDecided)
	approvals.AddRule(Object, s.notAuthor)
	workflow.RegisterLink(Object, func(id string) string { return "/emergency/plan/revisions/" + id })
	return s
}

func (s *Service) now() time.Time { return s.Clock.Now().UTC().Truncate(time.Microsecond) }

func (s *Service) loc() *time.Location {
	if s.Location == nil {
		return time.UTC
	}
	return s.Location
}

// Day writes t as a day (2026-12-01) in the installation's time zone, the
// form effective dates are typed in.
func (s *Service) Day(t time.Time) string { return t.In(s.loc()).Format(DateLayout) }
