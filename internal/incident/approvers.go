package incident

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/store"
)

// DefaultApprovers approve a phase's plans when the organisation has named
// no one: the security manager (信息安全经理), as the seed's 方案的认可.
var DefaultApprovers = []auth.Role{auth.RoleSecurityManager}

// approvers returns the roles that approve the plans of phase in org.
func approvers(ctx context.Context, q store.Querier, orgID int64, phase Phase) ([]auth.Role, error) {
	var s string
	err := q.QueryRowContext(ctx, `SELECT roles FROM incident_phase_approvers WHERE org_id = $1 AND phase = $2`, orgID, phase).Scan(&s)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return DefaultApprovers, nil
		}
		return nil, fmt.Errorf("read approvers of %s: %w", phase, err)
	}
	var out []auth.Role
	for p := range strings.SplitSeq(strings.Trim(s, ","), ",") {
		if p != "" {
			out = append(out, auth.Role(p))
		}
	}
	if len(out) == 0 {
		return DefaultApprovers, nil
	}
	return out, nil
}

// Approvers returns the approving roles of every plan phase.
func (l *Lifecycle) Approvers(ctx context.Context) (map[Phase][]auth.Role, error) {
	actor, err := auth.Require(ctx, auth.PermIncidentRead)
	if err != nil {
		return nil, err
	}
	out := map[Phase][]auth.Role{}
	for _, p := range PlanPhases {
		rs, err := approvers(ctx, l.DB.Read(), actor.OrgID, p)
		if err != nil {
			return nil, apperr.Wrap(err, "plan approvers")
		}
		out[p] = rs
	}
	return out, nil
}

// SetApprovers names the roles that approve the plans of phase. It is
// organisation data kept with the emergency organisation, so whoever keeps
// that (security manager, platform admin) sets it.
func (l *Lifecycle) SetApprovers(ctx context.Context, phase Phase, roles []auth.Role) error {
	actor, err := auth.Require(ctx, auth.PermEmergencyManage)
	if err != nil {
		return err
	}
	if !NeedsPlan(phase) {
		return apperr.Fields([]apperr.FieldError{{Field: "phase", Key: "err.invalid_choice"}})
	}
	if len(roles) == 0 {
		return apperr.Fields([]apperr.FieldError{{Field: "roles", Key: "err.required"}})
	}
	var b strings.Builder
	b.WriteByte(',')
	for _, r := range roles {
		// Only roles that may decide approvals at all, else the plan
		// could never be approved.
		if r == auth.RoleAdmin || !auth.RoleCan(r, auth.PermApprovalDecide) {
			return apperr.Fields([]apperr.FieldError{{Field: "roles", Key: "err.workflow_role", Args: []any{string(r)}}})
		}
		b.WriteString(string(r))
		b.WriteByte(',')
	}
	now := l.now()
	err = l.DB.Tx(ctx, func(tx *store.Tx) error {
		before, err := approvers(ctx, tx, actor.OrgID, phase)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO incident_phase_approvers (org_id, phase, roles, updated_at)
			VALUES ($1, $2, $3, $4) ON CONFLICT (org_id, phase) DO UPDATE SET roles = $3, updated_at = $4`,
			actor.OrgID, phase, b.String(), store.Micros(now)); err != nil {
			return fmt.Errorf("store approvers of %s: %w", phase, err)
		}
		return audit.Append(ctx, tx, now, actor.Audit("incident_approvers.update", "incident_approvers", string(phase),
			map[string]any{"roles": before}, map[string]any{"roles": roles}))
	})
	return apperr.Wrap(err, "set plan approvers")
}
