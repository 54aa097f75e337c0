package incident

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/store"
)

// PlanObject is the object type of plans in approvals and the audit trail.
const PlanObject = "incident_plan"

// Plan states (the seed's 方案的确定 → 方案的认可 → 方案的实施 → 效果的判定).
const (
	PlanDraft     = "draft"
	PlanSubmitted = "submitted"
	PlanApproved  = "approved"
	PlanExecuted  = "executed"
	PlanJudged    = "judged"
)

// Effects a judged plan may have had.
const (
	EffectEffective    = "effective"
	EffectPartly       = "partly"
	EffectNotEffective = "not_effective"
)

// Effects lists the effects in display order.
var Effects = []string{EffectEffective, EffectPartly, EffectNotEffective}

// PlanPhases are the phases whose work needs an approved, executed plan
// judged effective before the incident may leave them.
var PlanPhases = []Phase{PhaseContainment, PhaseEradication, PhaseRecovery}

// NeedsPlan reports whether p is a phase with plans.
func NeedsPlan(p Phase) bool { return slices.Contains(PlanPhases, p) }

// Plan is one plan of a phase of an incident.
type Plan struct {
	ID             int64     `json:"id"`
	IncidentID     int64     `json:"incident_id"`
	Round          int       `json:"round"`
	Phase          Phase     `json:"phase"`
	Status         string    `json:"status"`
	Measures       string    `json:"measures"`
	Scope          string    `json:"scope"`
	Risks          string    `json:"risks"`
	Resources      string    `json:"resources"`
	AuthorID       int64     `json:"author_id"`
	AuthorName     string    `json:"author_name"`
	ApprovalID     int64     `json:"approval_id"`
	RejectReason   string    `json:"reject_reason"`
	ExecutedBy     string    `json:"executed_by"`
	ExecutedAt     time.Time `json:"executed_at"`
	ExecutionNotes string    `json:"execution_notes"`
	Effect         string    `json:"effect"`
	EffectNotes    string    `json:"effect_notes"`
	JudgedBy       string    `json:"judged_by"`
	JudgedAt       time.Time `json:"judged_at"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// Open reports whether the plan is still being worked on (not judged).
func (p Plan) Open() bool { return p.Status != PlanJudged }

// Done reports whether the plan satisfies its phase's gate.
func (p Plan) Done() bool { return p.Status == PlanJudged && p.Effect == EffectEffective }

// PlanInput is the text of a plan.
type PlanInput struct {
	Measures  string `json:"measures"`
	Scope     string `json:"scope"`
	Risks     string `json:"risks"`
	Resources string `json:"resources"`
}

func (in *PlanInput) validate() error {
	var c apperr.Collector
	for _, f := range []struct {
		name string
		v    *string
	}{{"measures", &in.Measures}, {"scope", &in.Scope}, {"risks", &in.Risks}, {"resources", &in.Resources}} {
		*f.v = strings.TrimSpace(*f.v)
		if utf8.RuneCountInString(*f.v) > 10000 {
			c.Add(f.name, "err.too_long", 10000)
		}
	}
	if in.Measures == "" {
		c.Add("measures", "err.required")
	}
	return c.Err()
}

const planColumns = `id, incident_id, round, phase, status, measures, scope, risks, resources, author_id, author_name,
	approval_id, reject_reason, executed_by, executed_at, execution_notes, effect, effect_notes, judged_by, judged_at,
	created_at, updated_at`

func scanPlan(row interface{ Scan(...any) error }) (Plan, error) {
	var p Plan
	var executed, judged, created, updated int64
	err := row.Scan(&p.ID, &p.IncidentID, &p.Round, &p.Phase, &p.Status, &p.Measures, &p.Scope, &p.Risks, &p.Resources,
		&p.AuthorID, &p.AuthorName, &p.ApprovalID, &p.RejectReason, &p.ExecutedBy, &executed, &p.ExecutionNotes,
		&p.Effect, &p.EffectNotes, &p.JudgedBy, &judged, &created, &updated)
	if executed != 0 {
		p.ExecutedAt = store.FromMicros(executed)
	}
	if judged != 0 {
		p.JudgedAt = store.FromMicros(judged)
	}
	p.CreatedAt, p.UpdatedAt = store.FromMicros(created), store.FromMicros(updated)
	return p, err
}

// getPlan reads one plan of org; on PostgreSQL inside a transaction it
// locks the row, so two concurrent moves of one plan serialise.
func getPlan(ctx context.Context, q store.Querier, orgID, id int64) (Plan, error) {
	query := `SELECT ` + planColumns + ` FROM incident_plans WHERE org_id = $1 AND id = $2`
	if tx, ok := q.(*store.Tx); ok && tx.Dialect == store.Postgres {
		query += ` FOR UPDATE`
	}
	p, err := scanPlan(q.QueryRowContext(ctx, query, orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, apperr.New(apperr.NotFound, "err.not_found")
	}
	if err != nil {
		return p, fmt.Errorf("read plan %d: %w", id, err)
	}
	return p, nil
}

// plansOf returns an incident's plans, oldest first.
func plansOf(ctx context.Context, q store.Querier, orgID, incidentID int64) ([]Plan, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+planColumns+` FROM incident_plans WHERE org_id = $1 AND incident_id = $2
		ORDER BY id`, orgID, incidentID)
	if err != nil {
		return nil, fmt.Errorf("read plans of incident %d: %w", incidentID, err)
	}
	defer rows.Close()
	out := []Plan{}
	for rows.Next() {
		p, err := scanPlan(rows)
		if err != nil {
			return nil, fmt.Errorf("read plans of incident %d: %w", incidentID, err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func savePlan(ctx context.Context, tx *store.Tx, orgID int64, p Plan) error {
	_, err := tx.ExecContext(ctx, `UPDATE incident_plans SET status = $1, measures = $2, scope = $3, risks = $4,
		resources = $5, approval_id = $6, reject_reason = $7, executed_by = $8, executed_at = $9, execution_notes = $10,
		effect = $11, effect_notes = $12, judged_by = $13, judged_at = $14, updated_at = $15 WHERE org_id = $16 AND id = $17`,
		p.Status, p.Measures, p.Scope, p.Risks, p.Resources, p.ApprovalID, p.RejectReason, p.ExecutedBy,
		microsOrZero(p.ExecutedAt), p.ExecutionNotes, p.Effect, p.EffectNotes, p.JudgedBy, microsOrZero(p.JudgedAt),
		store.Micros(p.UpdatedAt), orgID, p.ID)
	if err != nil {
		return fmt.Errorf("save plan %d: %w", p.ID, err)
	}
	return nil
}

func microsOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return store.Micros(t)
}

func planID(p Plan) string { return strconv.FormatInt(p.ID, 10) }

// requireIncidentPlan loads the plan of an incident, refusing a plan of
// another incident as not found.
func requireIncidentPlan(ctx context.Context, tx *store.Tx, actor *auth.Actor, incidentID, planID int64) (Plan, error) {
	p, err := getPlan(ctx, tx, actor.OrgID, planID)
	if err != nil {
		return p, err
	}
	if p.IncidentID != incidentID {
		return p, apperr.New(apperr.NotFound, "err.not_found")
	}
	return p, nil
}
