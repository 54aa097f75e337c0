// Package postincident is what follows an incident's handling (issue 3,
// point 9), after the seed's 事后总结与改进 and 信息安全事件管理程序: the
// summary meeting record with the root cause, the impact as finally
// assessed and the lessons (事故总结), whether the emergency plan needs
// revising; corrective and preventive actions (CAPA, 纠正预防措施) that the
// working group proposes, the leadership group approves as a set, and their
// owners carry out and someone else verifies; and reward and penalty
// recommendations (奖惩意见) the leadership group approves or rejects. It
// also gates closing: an incident leaves the summary phase only with its
// review recorded, its CAPA approved and no recommendation undecided.
//
// Every method checks the actor in ctx and works only on incidents of the
// actor's organisation; every change is audited in its transaction.
package postincident

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/clock"
	"bulwark/internal/deadline"
	"bulwark/internal/incident"
	"bulwark/internal/store"
	"bulwark/internal/workflow"
)

// Object types in approvals, deadlines and the audit trail.
const (
	// ReviewObject is an incident's review; its id is the incident's.
	ReviewObject = "incident_review"
	// CAPAObject is one corrective or preventive action.
	CAPAObject = "incident_capa"
	// CAPASetObject is what leadership approves: the CAPA of one incident
	// submitted together; its id is the incident's.
	CAPASetObject = "incident_capa_set"
	// SanctionObject is one reward or penalty recommendation.
	SanctionObject = "incident_sanction"
	// CAPADeadline is the deadline kind of a CAPA's due date.
	CAPADeadline = "capa.due"
)

// ApproverRoles decide CAPA sets and recommendations: the leadership group
// (领导小组), as the seed's 信息安全事件管理程序 3.0 says.
var ApproverRoles = []auth.Role{auth.RoleLeadership}

// Service keeps reviews, CAPA and recommendations.
type Service struct {
	DB        *store.DB
	Clock     clock.Clock
	Approvals *workflow.Service
	Deadlines *deadline.Service
	// Location is the zone notices write times in; nil means UTC.
	Location *time.Location
}

// New builds the service and hooks it into approvals (decisions move CAPA
// and recommendations in the decision's transaction) and into the
// lifecycle (the close gate).
func New(db *store.DB, c clock.Clock, approvals *workflow.Service, deadlines *deadline.Service, lifecycle *incident.Lifecycle) *Service {
	s := &Service{DB: db, Clock: c, Approvals: approvals, Deadlines: deadlines}
	approvals.OnDecided(CAPASetObject, s.onCAPASetDecided)
	approvals.AddRule(CAPASetObject, s.notCAPAAuthor)
	approvals.OnDecided(SanctionObject, s.onSanctionDecided)
	approvals.AddRule(SanctionObject, s.notSanctionParty)
	workflow.RegisterLink(CAPASetObject, func(id string) string { return "/incidents/" + id + "/review" })
	workflow.RegisterLink(SanctionObject, func(id string) string { return "/incident-sanctions/" + id })
	lifecycle.OnClose(s.closeGate)
	lifecycle.OnTimeline(s.timelineObjects)
	return s
}

func (s *Service) now() time.Time { return s.Clock.Now().UTC().Truncate(time.Microsecond) }

// incidentRef is what this package needs of an incident.
type incidentRef struct {
	ID     int64
	Number string
	Phase  incident.Phase
	Round  int
}

func (r incidentRef) closed() bool { return r.Phase == incident.PhaseClosed }

// getIncident reads the incident of org, not found when it is another
// organisation's, so the two look alike. In a transaction on PostgreSQL it
// locks the incident's row, as the close gate does: a CAPA or
// recommendation added while the incident closes waits for the closing and
// then finds it closed, instead of slipping past the gate's count. (SQLite
// serialises writers anyway.)
func getIncident(ctx context.Context, q store.Querier, orgID, id int64) (incidentRef, error) {
	r := incidentRef{ID: id}
	query := `SELECT number, phase, lifecycle_round FROM incidents WHERE org_id = $1 AND id = $2`
	if tx, ok := q.(*store.Tx); ok && tx.Dialect == store.Postgres {
		query += ` FOR UPDATE`
	}
	err := q.QueryRowContext(ctx, query, orgID, id).Scan(&r.Number, &r.Phase, &r.Round)
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.New(apperr.NotFound, "err.not_found")
	}
	if err != nil {
		return r, fmt.Errorf("read incident %d: %w", id, err)
	}
	return r, nil
}

// openIncident is getIncident refusing a closed incident: its record is
// changed only after reopening it.
func openIncident(ctx context.Context, q store.Querier, orgID, id int64) (incidentRef, error) {
	r, err := getIncident(ctx, q, orgID, id)
	if err == nil && r.closed() {
		err = apperr.New(apperr.Conflict, "err.review_closed")
	}
	return r, err
}

// text trims s and adds a field error when it is longer than max runes, or
// empty while required.
func text(c *apperr.Collector, field, s string, max int, required bool) string {
	s = strings.TrimSpace(s)
	switch n := utf8.RuneCountInString(s); {
	case required && n == 0:
		c.Add(field, "err.required")
	case n > max:
		c.Add(field, "err.too_long", max)
	}
	return s
}

func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return store.Micros(t)
}

func fromMicros(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return store.FromMicros(v)
}
