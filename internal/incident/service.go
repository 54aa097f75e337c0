package incident

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/clock"
	"bulwark/internal/org"
	"bulwark/internal/store"
)

// Service records incidents. Every method checks the actor in ctx and works
// only in the actor's current organisation.
type Service struct {
	DB    *store.DB
	Clock clock.Clock
	// Alerts finds alerts to promote; nil until the alert store exists.
	Alerts AlertSource
	// Location is the installation's time zone; an incident reported just
	// after midnight on 1 January local time is numbered in the new year.
	// Nil means UTC.
	Location *time.Location
	// Escalation follows grades and reports up (escalation.go); the app
	// sets it.
	Escalation *Escalation
}

// orgType reads the organisation's type, which sets the report window.
func orgType(ctx context.Context, q store.Querier, orgID int64) (org.Type, error) {
	var t org.Type
	if err := q.QueryRowContext(ctx, `SELECT org_type FROM organizations WHERE id = $1`, orgID).Scan(&t); err != nil {
		return "", fmt.Errorf("read organisation type: %w", err)
	}
	return t, nil
}

// checkRefs adds field errors for an unknown or inactive category and for
// assets that are not the organisation's.
func checkRefs(ctx context.Context, q store.Querier, orgID int64, in Input, c *apperr.Collector, allowInactive string) error {
	if in.Category != "" {
		cat, err := getCategory(ctx, q, in.Category)
		switch {
		case apperr.Is(err, apperr.NotFound):
			c.Add("category", "err.incident_category_unknown")
		case err != nil:
			return err
		case !cat.Active && cat.Code != allowInactive:
			c.Add("category", "err.incident_category_inactive")
		}
	}
	if _, ok, err := assetValues(ctx, q, orgID, in.AssetIDs); err != nil {
		return err
	} else if !ok {
		c.Add("asset_ids", "err.incident_asset_unknown")
	}
	return nil
}

// Create records a new incident in detection, numbered SJ-<year>-NNNN.
func (s *Service) Create(ctx context.Context, in Input) (Incident, error) {
	actor, err := auth.Require(ctx, auth.PermIncidentReport)
	if err != nil {
		return Incident{}, err
	}
	now := s.Clock.Now().UTC().Truncate(time.Microsecond)
	in.normalize()
	if in.ReporterName == "" {
		in.ReporterName = actor.Username
	}
	col := in.validate(now)
	var out Incident
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		if err := checkRefs(ctx, tx, actor.OrgID, in, col, ""); err != nil {
			return err
		}
		if err := col.Err(); err != nil {
			return err
		}
		loc := s.Location
		if loc == nil {
			loc = time.UTC
		}
		num, err := nextNumber(ctx, tx, actor.OrgID, now.In(loc).Year())
		if err != nil {
			return err
		}
		typ, err := orgType(ctx, tx, actor.OrgID)
		if err != nil {
			return err
		}
		out = Incident{OrgID: actor.OrgID, Number: num, Title: in.Title, Description: in.Description,
			DiscoveredAt: in.DiscoveredAt, ReportedBy: actor.UserID, ReporterName: in.ReporterName, Source: in.Source,
			AlertRef: in.AlertRef, AssetIDs: in.AssetIDs, BusinessSystems: in.BusinessSystems, Category: in.Category,
			Figures: map[string]int64{}, Phase: PhaseDetection, Status: "open", CreatedAt: now, UpdatedAt: now}
		if out.AssetIDs == nil {
			out.AssetIDs = []int64{}
		}
		if out.BusinessSystems == nil {
			out.BusinessSystems = []string{}
		}
		if in.Grade != 0 {
			// The reporter's own judgement: it starts the reporting clock
			// at once (the measures count from discovery), and a grader
			// confirms or overrides it.
			g := in.Grade
			out.Grade, out.GradeRule = &g, &Rule{Kind: "reporter"}
			out.GradedBy, out.GradedAt = actor.UserID, &now
		}
		if due := ReportDue(out.GradeValue(), out.DiscoveredAt, typ); !due.IsZero() {
			out.ReportDueAt = &due
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO incidents (org_id, number, title, description, discovered_at,
			reported_by, reporter_name, source, alert_ref, business_systems, category, grade, grade_rule, graded_by, graded_at,
			phase, status, report_due_at, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) RETURNING id`,
			out.OrgID, out.Number, out.Title, out.Description, store.Micros(out.DiscoveredAt), out.ReportedBy, out.ReporterName,
			out.Source, out.AlertRef, strings.Join(out.BusinessSystems, "\n"), out.Category, gradeArg(out.Grade),
			jsonOrEmpty(out.GradeRule), out.GradedBy, timeArg(out.GradedAt), out.Phase, out.Status, timeArg(out.ReportDueAt),
			store.Micros(now), store.Micros(now)).Scan(&out.ID); err != nil {
			return fmt.Errorf("insert incident: %w", err)
		}
		if err := setAssets(ctx, tx, actor.OrgID, out.ID, out.AssetIDs); err != nil {
			return err
		}
		out.OccurredAt = optTimePtr(in.OccurredAt)
		if err := writeDerived(ctx, tx, s.installationZone(), out); err != nil {
			return err
		}
		if err := audit.Append(ctx, tx, now, actor.Audit("incident.create", "incident", fmt.Sprint(out.ID), nil, out)); err != nil {
			return err
		}
		return s.Escalation.afterCreate(ctx, tx, out)
	})
	return out, apperr.Wrap(err, "create incident")
}

func gradeArg(g *int) any {
	if g == nil {
		return nil
	}
	return *g
}

// nextNumber takes the organisation's next SJ-<year>-NNNN number. Numbers
// restart at 0001 each year, as the seed's registers do.
func nextNumber(ctx context.Context, tx *store.Tx, orgID int64, year int) (string, error) {
	name := fmt.Sprintf("incident-%d", year)
	for range 1000 {
		var n int64
		err := tx.QueryRowContext(ctx, `INSERT INTO counters (org_id, name, value) VALUES ($1, $2, 1)
			ON CONFLICT (org_id, name) DO UPDATE SET value = counters.value + 1 RETURNING value`, orgID, name).Scan(&n)
		if err != nil {
			return "", fmt.Errorf("next incident number: %w", err)
		}
		num := fmt.Sprintf("SJ-%d-%04d", year, n)
		var taken int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM incidents WHERE org_id = $1 AND number = $2`, orgID, num).Scan(&taken); err != nil {
			return "", fmt.Errorf("next incident number: %w", err)
		}
		if taken == 0 {
			return num, nil
		}
	}
	return "", errors.New("next incident number: no free number after 1000 tries")
}

// Get returns one incident of the actor's organisation.
func (s *Service) Get(ctx context.Context, id int64) (Incident, error) {
	actor, err := auth.Require(ctx, auth.PermIncidentRead)
	if err != nil {
		return Incident{}, err
	}
	i, err := get(ctx, s.DB.Read(), actor.OrgID, id)
	return i, apperr.Wrap(err, "get incident")
}

// Update changes the reported facts of an incident. The grade is not among
// them: grading goes through Grade and Regrade, which ask for reasons. A
// changed discovery time moves the report deadline.
func (s *Service) Update(ctx context.Context, id int64, in Input) (Incident, error) {
	actor, err := auth.Require(ctx, auth.PermIncidentReport)
	if err != nil {
		return Incident{}, err
	}
	now := s.Clock.Now().UTC().Truncate(time.Microsecond)
	in.normalize()
	in.Grade = 0
	col := in.validate(now)
	var out Incident
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		before, err := get(ctx, tx, actor.OrgID, id)
		if err != nil {
			return err
		}
		if in.ReporterName == "" {
			in.ReporterName = before.ReporterName
		}
		// An incident may keep a category deactivated after it was filed.
		if err := checkRefs(ctx, tx, actor.OrgID, in, col, before.Category); err != nil {
			return err
		}
		if err := col.Err(); err != nil {
			return err
		}
		typ, err := orgType(ctx, tx, actor.OrgID)
		if err != nil {
			return err
		}
		out = before
		out.Title, out.Description, out.DiscoveredAt, out.ReporterName = in.Title, in.Description, in.DiscoveredAt, in.ReporterName
		out.Source, out.Category, out.UpdatedAt = in.Source, in.Category, now
		out.AssetIDs, out.BusinessSystems = in.AssetIDs, in.BusinessSystems
		if out.AssetIDs == nil {
			out.AssetIDs = []int64{}
		}
		if out.BusinessSystems == nil {
			out.BusinessSystems = []string{}
		}
		out.ReportDueAt = nil
		if due := ReportDue(out.GradeValue(), out.DiscoveredAt, typ); !due.IsZero() {
			out.ReportDueAt = &due
		}
		if _, err := tx.ExecContext(ctx, `UPDATE incidents SET title = $1, description = $2, discovered_at = $3,
			reporter_name = $4, source = $5, category = $6, business_systems = $7, report_due_at = $8, updated_at = $9
			WHERE org_id = $10 AND id = $11`, out.Title, out.Description, store.Micros(out.DiscoveredAt), out.ReporterName,
			out.Source, out.Category, strings.Join(out.BusinessSystems, "\n"), timeArg(out.ReportDueAt), store.Micros(now),
			actor.OrgID, id); err != nil {
			return fmt.Errorf("update incident %d: %w", id, err)
		}
		if err := setAssets(ctx, tx, actor.OrgID, id, out.AssetIDs); err != nil {
			return err
		}
		out.OccurredAt = optTimePtr(in.OccurredAt)
		if err := writeDerived(ctx, tx, s.installationZone(), out); err != nil {
			return err
		}
		if err := audit.Append(ctx, tx, now, actor.Audit("incident.update", "incident", fmt.Sprint(id), before, out)); err != nil {
			return err
		}
		return s.Escalation.afterUpdate(ctx, tx, before, out)
	})
	return out, apperr.Wrap(err, "update incident")
}

// MarkReported records that the first report went to the regulator at at
// (now when zero), without its content: a shortcut for scripts, kept as a
// report record of its own (Escalation.MarkReported).
func (s *Service) MarkReported(ctx context.Context, id int64, at time.Time) (Incident, error) {
	if s.Escalation == nil {
		return Incident{}, errors.New("mark incident reported: regulator reports are not wired")
	}
	return s.Escalation.MarkReported(ctx, id, at)
}

// Duplicates lists the organisation's open incidents that may be the same
// incident: those sharing an affected asset with assetIDs and, for an
// existing incident (exclude, left out of the answer), those sharing one of
// its IOCs (same type and normalised value; evidence stores them so).
func (s *Service) Duplicates(ctx context.Context, assetIDs []int64, exclude int64) ([]Incident, error) {
	actor, err := auth.Require(ctx, auth.PermIncidentRead)
	if err != nil {
		return nil, err
	}
	if len(assetIDs) == 0 && exclude == 0 {
		return []Incident{}, nil
	}
	args := []any{actor.OrgID, exclude, PhaseClosed}
	var shared []string
	if exclude != 0 {
		shared = append(shared, `i.id IN (SELECT o.incident_id FROM incident_iocs o JOIN incident_iocs m
			ON m.org_id = o.org_id AND m.type = o.type AND m.value = o.value
			WHERE m.org_id = $1 AND m.incident_id = $2 AND o.org_id = $1)`)
	}
	if len(assetIDs) > 0 {
		ph := make([]string, len(assetIDs))
		for k, id := range assetIDs {
			args = append(args, id)
			ph[k] = fmt.Sprintf("$%d", k+4)
		}
		shared = append(shared, `i.id IN (SELECT incident_id FROM incident_assets WHERE org_id = $1 AND asset_id IN (`+strings.Join(ph, ", ")+`))`)
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+prefixed(columns)+` FROM incidents i
		WHERE i.org_id = $1 AND i.id <> $2 AND i.phase <> $3 AND (`+strings.Join(shared, " OR ")+`)
		ORDER BY i.discovered_at DESC, i.id DESC LIMIT 50`, args...)
	if err != nil {
		return nil, apperr.Wrap(err, "find duplicate incidents")
	}
	defer rows.Close()
	out := []Incident{}
	for rows.Next() {
		i, err := scan(rows)
		if err != nil {
			return nil, apperr.Wrap(err, "find duplicate incidents")
		}
		out = append(out, i)
	}
	if err := rows.Err(); err != nil {
		return nil, apperr.Wrap(err, "find duplicate incidents")
	}
	return out, apperr.Wrap(fillAssets(ctx, s.DB.Read(), actor.OrgID, out), "find duplicate incidents")
}

func fillAssets(ctx context.Context, q store.Querier, orgID int64, list []Incident) error {
	ids := make([]int64, len(list))
	for k, i := range list {
		ids[k] = i.ID
	}
	m, err := assetsOf(ctx, q, orgID, ids)
	if err != nil {
		return err
	}
	for k := range list {
		if a := m[list[k].ID]; a != nil {
			list[k].AssetIDs = a
		}
	}
	return nil
}

// prefixed qualifies the column list with the alias i.
func prefixed(cols string) string {
	parts := strings.Split(cols, ",")
	for k, p := range parts {
		parts[k] = "i." + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// Draft prefills a new incident from the alert alertID, or says why it
// cannot: no alert source configured yet (ok false, no error), or the
// alert source's own error.
func (s *Service) Draft(ctx context.Context, alertID string) (d Draft, ok bool, err error) {
	if _, err := auth.Require(ctx, auth.PermIncidentReport); err != nil {
		return Draft{}, false, err
	}
	if s.Alerts == nil || alertID == "" {
		return Draft{}, false, nil
	}
	a, err := s.Alerts.Alert(ctx, alertID)
	if err != nil {
		return Draft{}, false, err
	}
	return FromAlert(a), true, nil
}
