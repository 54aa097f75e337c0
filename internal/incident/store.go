package incident

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/store"
)

const columns = `id, org_id, number, title, description, discovered_at, reported_by, reporter_name, source, alert_ref,
	business_systems, category, grade, grade_confirmed, grade_rule, grade_reason, grade_factors, grade_figures,
	graded_by, graded_at, phase, status, report_due_at, reported_at, handling_ended_at, summary_due_at,
	summary_reported_at, created_at, updated_at, ` + milestoneColumns

func nullTime(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := store.FromMicros(n.Int64)
	return &t
}

func timeArg(t *time.Time) any {
	if t == nil {
		return nil
	}
	return store.Micros(*t)
}

func scan(row interface{ Scan(...any) error }) (Incident, error) {
	var i Incident
	var discovered, created, updated int64
	var grade, gradedAt, due, reported, ended, summaryDue, summaryReported sql.NullInt64
	var ms milestoneScan
	var systems, rule, factors, figures string
	err := row.Scan(&i.ID, &i.OrgID, &i.Number, &i.Title, &i.Description, &discovered, &i.ReportedBy, &i.ReporterName,
		&i.Source, &i.AlertRef, &systems, &i.Category, &grade, &i.GradeConfirmed, &rule, &i.GradeReason, &factors, &figures,
		&i.GradedBy, &gradedAt, &i.Phase, &i.Status, &due, &reported, &ended, &summaryDue, &summaryReported, &created, &updated,
		&ms.occurred, &ms.responded, &ms.contained, &ms.closed)
	if err != nil {
		return i, err
	}
	i.DiscoveredAt, i.CreatedAt, i.UpdatedAt = store.FromMicros(discovered), store.FromMicros(created), store.FromMicros(updated)
	if grade.Valid {
		g := int(grade.Int64)
		i.Grade = &g
	}
	i.GradedAt, i.ReportDueAt, i.ReportedAt = nullTime(gradedAt), nullTime(due), nullTime(reported)
	i.HandlingEndedAt, i.SummaryDueAt, i.SummaryReportedAt = nullTime(ended), nullTime(summaryDue), nullTime(summaryReported)
	ms.fill(&i)
	i.BusinessSystems = []string{}
	if systems != "" {
		i.BusinessSystems = strings.Split(systems, "\n")
	}
	// The JSON columns are written only by this package.
	if rule != "" {
		i.GradeRule = &Rule{}
		if err := json.Unmarshal([]byte(rule), i.GradeRule); err != nil {
			return i, fmt.Errorf("incident %d: grade rule: %w", i.ID, err)
		}
	}
	if factors != "" {
		i.Factors = &Factors{}
		if err := json.Unmarshal([]byte(factors), i.Factors); err != nil {
			return i, fmt.Errorf("incident %d: factors: %w", i.ID, err)
		}
	}
	i.Figures = map[string]int64{}
	if figures != "" {
		if err := json.Unmarshal([]byte(figures), &i.Figures); err != nil {
			return i, fmt.Errorf("incident %d: figures: %w", i.ID, err)
		}
	}
	i.AssetIDs = []int64{}
	return i, nil
}

func jsonOrEmpty(v any) string {
	if v == nil {
		return ""
	}
	b, _ := json.Marshal(v)
	if string(b) == "null" || string(b) == "{}" {
		return ""
	}
	return string(b)
}

// get reads one incident of org with its affected assets.
func get(ctx context.Context, q store.Querier, orgID, id int64) (Incident, error) {
	i, err := scan(q.QueryRowContext(ctx, `SELECT `+columns+` FROM incidents WHERE org_id = $1 AND id = $2`, orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return i, apperr.New(apperr.NotFound, "err.not_found")
	}
	if err != nil {
		return i, fmt.Errorf("read incident %d: %w", id, err)
	}
	m, err := assetsOf(ctx, q, orgID, []int64{id})
	if err != nil {
		return i, err
	}
	if ids := m[id]; ids != nil {
		i.AssetIDs = ids
	}
	return i, nil
}

// assetsOf returns the affected asset ids of each incident.
func assetsOf(ctx context.Context, q store.Querier, orgID int64, ids []int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	if len(ids) == 0 {
		return out, nil
	}
	args := []any{orgID}
	ph := make([]string, len(ids))
	for k, id := range ids {
		args = append(args, id)
		ph[k] = fmt.Sprintf("$%d", k+2)
	}
	rows, err := q.QueryContext(ctx, `SELECT incident_id, asset_id FROM incident_assets WHERE org_id = $1 AND incident_id IN (`+
		strings.Join(ph, ", ")+`) ORDER BY incident_id, asset_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read affected assets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var inc, a int64
		if err := rows.Scan(&inc, &a); err != nil {
			return nil, fmt.Errorf("read affected assets: %w", err)
		}
		out[inc] = append(out[inc], a)
	}
	return out, rows.Err()
}

// assetValues returns the values of org's assets among ids; ok is false
// when some id is not an asset of org (another organisation's, or none).
func assetValues(ctx context.Context, q store.Querier, orgID int64, ids []int64) (values []int, ok bool, err error) {
	if len(ids) == 0 {
		return nil, true, nil
	}
	args := []any{orgID}
	ph := make([]string, len(ids))
	for k, id := range ids {
		args = append(args, id)
		ph[k] = fmt.Sprintf("$%d", k+2)
	}
	rows, err := q.QueryContext(ctx, `SELECT asset_value FROM assets WHERE org_id = $1 AND id IN (`+strings.Join(ph, ", ")+`)`, args...)
	if err != nil {
		return nil, false, fmt.Errorf("read affected asset values: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, false, fmt.Errorf("read affected asset values: %w", err)
		}
		values = append(values, v)
	}
	return values, len(values) == len(ids), rows.Err()
}

func setAssets(ctx context.Context, tx *store.Tx, orgID, id int64, assetIDs []int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM incident_assets WHERE org_id = $1 AND incident_id = $2`, orgID, id); err != nil {
		return fmt.Errorf("clear affected assets of incident %d: %w", id, err)
	}
	for _, a := range assetIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO incident_assets (incident_id, asset_id, org_id) VALUES ($1, $2, $3)`, id, a, orgID); err != nil {
			return fmt.Errorf("link asset %d to incident %d: %w", a, id, err)
		}
	}
	return nil
}
