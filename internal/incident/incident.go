// Package incident is the incident core (issue 3): the GB/T 20986-2023
// classification tree, grading by the guide's factors and the reporting
// measures' annex thresholds, the first-report deadline by organisation
// type, and incidents with their affected assets. The PDCERF lifecycle,
// tasks, evidence and reports build on it in later steps.
package incident

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"bulwark/internal/apperr"
)

// Source is how the incident became known.
type Source string

const (
	SourceMonitoring     Source = "monitoring"
	SourceUserReport     Source = "user_report"
	SourceExternalNotice Source = "external_notice"
	SourceRegulator      Source = "regulator"
	SourceAlert          Source = "alert"
)

// Sources lists the sources in display order.
var Sources = []Source{SourceMonitoring, SourceUserReport, SourceExternalNotice, SourceRegulator, SourceAlert}

// Phase is the PDCERF phase (the seed's 信息安全应急响应服务流程).
type Phase string

const (
	PhasePreparation Phase = "preparation" // 准备
	PhaseDetection   Phase = "detection"   // 检测
	PhaseContainment Phase = "containment" // 抑制
	PhaseEradication Phase = "eradication" // 根除
	PhaseRecovery    Phase = "recovery"    // 恢复
	PhaseSummary     Phase = "summary"     // 总结
	PhaseClosed      Phase = "closed"
)

// Phases lists the phases in order. New incidents start in detection: the
// incident is being reported because something was detected; transitions
// come with the lifecycle step.
var Phases = []Phase{PhasePreparation, PhaseDetection, PhaseContainment, PhaseEradication, PhaseRecovery, PhaseSummary, PhaseClosed}

// Incident is one recorded incident.
type Incident struct {
	ID                int64            `json:"id"`
	OrgID             int64            `json:"org_id"`
	Number            string           `json:"number"`
	Title             string           `json:"title"`
	Description       string           `json:"description"`
	DiscoveredAt      time.Time        `json:"discovered_at"`
	ReportedBy        int64            `json:"reported_by"`
	ReporterName      string           `json:"reporter_name"`
	Source            Source           `json:"source"`
	AlertRef          string           `json:"alert_ref,omitempty"`
	AssetIDs          []int64          `json:"asset_ids"`
	BusinessSystems   []string         `json:"business_systems"`
	Category          string           `json:"category"`
	Grade             *int             `json:"grade"`
	GradeConfirmed    bool             `json:"grade_confirmed"`
	GradeRule         *Rule            `json:"grade_rule"`
	GradeReason       string           `json:"grade_reason"`
	Factors           *Factors         `json:"factors"`
	Figures           map[string]int64 `json:"figures"`
	GradedBy          int64            `json:"graded_by"`
	GradedAt          *time.Time       `json:"graded_at"`
	Phase             Phase            `json:"phase"`
	Status            string           `json:"status"`
	ReportDueAt       *time.Time       `json:"report_due_at"`
	ReportedAt        *time.Time       `json:"reported_at"`
	HandlingEndedAt   *time.Time       `json:"handling_ended_at"`
	SummaryDueAt      *time.Time       `json:"summary_due_at"`
	SummaryReportedAt *time.Time       `json:"summary_reported_at"`
	CreatedAt         time.Time        `json:"created_at"`
	UpdatedAt         time.Time        `json:"updated_at"`

	// The milestones the metrics measure (milestones.go): when it happened
	// (entered by people, optional), when it first left detection, first
	// moved past containment, and was last closed.
	OccurredAt  *time.Time `json:"occurred_at"`
	RespondedAt *time.Time `json:"responded_at"`
	ContainedAt *time.Time `json:"contained_at"`
	ClosedAt    *time.Time `json:"closed_at"`
}

// GradeValue is the grade or 0 when ungraded (for templates and sums).
func (i Incident) GradeValue() int {
	if i.Grade == nil {
		return 0
	}
	return *i.Grade
}

// Open reports whether the incident is still being handled.
func (i Incident) Open() bool { return i.Phase != PhaseClosed }

// Overdue reports whether the first report is due, not made, and late at now.
func (i Incident) Overdue(now time.Time) bool {
	return i.ReportDueAt != nil && i.ReportedAt == nil && now.After(*i.ReportDueAt)
}

// Remaining is the time left for the first report at now (negative when
// overdue); ok is false when no report is pending.
func (i Incident) Remaining(now time.Time) (d time.Duration, ok bool) {
	if i.ReportDueAt == nil || i.ReportedAt != nil {
		return 0, false
	}
	return i.ReportDueAt.Sub(now), true
}

// Input is what a person enters to report or edit an incident. Grade is the
// reporter's own first judgement (unconfirmed until a grader confirms it);
// only Create takes it, later changes go through Grade and Regrade.
type Input struct {
	Title           string
	Description     string
	DiscoveredAt    time.Time
	OccurredAt      time.Time // when it happened, if known (zero: unknown)
	ReporterName    string
	Source          Source
	AlertRef        string
	AssetIDs        []int64
	BusinessSystems []string
	Category        string
	Grade           int
}

// normalize trims text and drops empty or repeated list items.
func (in *Input) normalize() {
	in.Title = strings.TrimSpace(in.Title)
	in.Description = strings.TrimSpace(in.Description)
	in.ReporterName = strings.TrimSpace(in.ReporterName)
	in.Category = strings.TrimSpace(strings.ToUpper(in.Category))
	if in.Source == "" {
		in.Source = SourceUserReport
	}
	var bs []string
	for _, s := range in.BusinessSystems {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(bs, s) {
			bs = append(bs, s)
		}
	}
	in.BusinessSystems = bs
	var ids []int64
	for _, id := range in.AssetIDs {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	in.AssetIDs = ids
	in.DiscoveredAt = in.DiscoveredAt.UTC().Truncate(time.Microsecond)
	if !in.OccurredAt.IsZero() {
		in.OccurredAt = in.OccurredAt.UTC().Truncate(time.Microsecond)
	}
}

// validate checks what needs no database; categories and assets are
// checked by the service.
func (in *Input) validate(now time.Time) *apperr.Collector {
	var c apperr.Collector
	switch n := utf8.RuneCountInString(in.Title); {
	case n == 0:
		c.Add("title", "err.required")
	case n > 200:
		c.Add("title", "err.too_long", 200)
	}
	if utf8.RuneCountInString(in.Description) > 20000 {
		c.Add("description", "err.too_long", 20000)
	}
	if in.DiscoveredAt.IsZero() {
		c.Add("discovered_at", "err.required")
	} else if in.DiscoveredAt.After(now.Add(5 * time.Minute)) {
		// A little slack for clocks that disagree.
		c.Add("discovered_at", "err.incident_discovered_future")
	}
	validateOccurred(in, now, &c)
	if utf8.RuneCountInString(in.ReporterName) > 100 {
		c.Add("reporter_name", "err.too_long", 100)
	}
	if !slices.Contains(Sources, in.Source) {
		c.Add("source", "err.invalid_choice")
	}
	if len(in.BusinessSystems) > 50 {
		c.Add("business_systems", "err.too_many", 50)
	}
	for _, s := range in.BusinessSystems {
		if utf8.RuneCountInString(s) > 200 {
			c.Add("business_systems", "err.too_long", 200)
			break
		}
	}
	if len(in.AssetIDs) > 500 {
		c.Add("asset_ids", "err.too_many", 500)
	}
	if in.Grade != 0 && !ValidGrade(in.Grade) {
		c.Add("grade", "err.invalid_choice")
	}
	return &c
}
