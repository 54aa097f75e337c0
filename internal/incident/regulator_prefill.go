package incident

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"bulwark/internal/apperr"
	"bulwark/internal/asset"
	"bulwark/internal/auth"
	"bulwark/internal/org"
	"bulwark/internal/store"
)

// Prefill is a new report of kind for the incident, filled from what
// Bulwark knows: the organisation's name, the affected assets and business
// systems, the discovery time, the category and grade, the grading
// figures as the impact so far, and the phases' plans as the measures
// taken. A supplementary or summary report starts from the latest report
// sent, with the facts Bulwark keeps brought up to date. The text is in
// Chinese, the language of the report to the regulator.
func (x *Escalation) Prefill(ctx context.Context, incidentID int64, kind string) (ReportInput, error) {
	actor, err := auth.Require(ctx, auth.PermIncidentReport)
	if err != nil {
		return ReportInput{}, err
	}
	if !slices.Contains(ReportKinds, kind) {
		return ReportInput{}, apperr.Fields([]apperr.FieldError{{Field: "kind", Key: "err.invalid_choice"}})
	}
	i, err := get(ctx, x.DB.Read(), actor.OrgID, incidentID)
	if err != nil {
		return ReportInput{}, apperr.Wrap(err, "prefill regulator report")
	}
	in, err := x.prefill(ctx, x.DB.Read(), i, kind)
	return in, apperr.Wrap(err, "prefill regulator report")
}

// derived are the facts Bulwark's record of the incident keeps current
// (assets, discovery time, category, grade, plans), refreshed in every
// report; the others, the unit's name included (a person may have written
// its full legal name), are carried over from the latest report.
var derived = []string{"facility", "discovered_at", "event_type", "event_grade", "measures"}

func (x *Escalation) prefill(ctx context.Context, q store.Querier, i Incident, kind string) (ReportInput, error) {
	in := ReportInput{Kind: kind, SentAt: x.now(), Fields: map[string]string{}}
	var name string
	var typ org.Type
	if err := q.QueryRowContext(ctx, `SELECT name, org_type FROM organizations WHERE id = $1`, i.OrgID).Scan(&name, &typ); err != nil {
		return in, fmt.Errorf("read organisation: %w", err)
	}
	in.Recipient = zh("escalation.recipient." + string(typ))
	f := in.Fields
	f["unit_name"] = name
	facility, err := facilityText(ctx, q, i)
	if err != nil {
		return in, err
	}
	f["facility"] = facility
	f["discovered_at"] = x.timeText(i.DiscoveredAt)
	if i.Category != "" {
		c, err := getCategory(ctx, q, i.Category)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return in, err
		}
		f["event_type"] = c.NameZh
		if c.ParentCode != "" {
			if p, err := getCategory(ctx, q, c.ParentCode); err == nil {
				f["event_type"] = p.NameZh + "—" + c.NameZh
			}
		}
	}
	if i.Grade != nil {
		f["event_grade"] = zh(gradeKey(*i.Grade))
	}
	impact, err := impactText(ctx, q, i)
	if err != nil {
		return in, err
	}
	f["impact"] = impact
	measures, err := measuresText(ctx, q, i)
	if err != nil {
		return in, err
	}
	f["measures"] = measures
	if kind != ReportFirst {
		reports, err := reportsOf(ctx, q, i.OrgID, i.ID)
		if err != nil {
			return in, err
		}
		if n := len(reports); n > 0 {
			last := reports[n-1]
			in.Recipient = last.Recipient
			for k, v := range last.Fields {
				if !slices.Contains(derived, k) || f[k] == "" {
					f[k] = v
				}
			}
		}
	}
	for k, v := range f {
		if v == "" {
			delete(f, k)
		}
	}
	return in, nil
}

// facilityText lists the affected assets and business systems.
func facilityText(ctx context.Context, q store.Querier, i Incident) (string, error) {
	var lines []string
	if len(i.AssetIDs) > 0 {
		args := []any{i.OrgID}
		ph := make([]string, len(i.AssetIDs))
		for k, id := range i.AssetIDs {
			args = append(args, id)
			ph[k] = fmt.Sprintf("$%d", k+2)
		}
		rows, err := q.QueryContext(ctx, `SELECT number, name, asset_value FROM assets WHERE org_id = $1 AND id IN (`+
			strings.Join(ph, ", ")+`) ORDER BY number, id`, args...)
		if err != nil {
			return "", fmt.Errorf("read affected assets: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var number, name string
			var value int
			if err := rows.Scan(&number, &name, &value); err != nil {
				return "", fmt.Errorf("read affected assets: %w", err)
			}
			lines = append(lines, zh("escalation.prefill.asset", number, name, value, zh(asset.LevelKey(value))))
		}
		if err := rows.Err(); err != nil {
			return "", fmt.Errorf("read affected assets: %w", err)
		}
	}
	if len(i.BusinessSystems) > 0 {
		lines = append(lines, zh("escalation.prefill.systems", strings.Join(i.BusinessSystems, "、")))
	}
	return strings.Join(lines, "\n"), nil
}

// impactText states the grading figures entered (people affected, records
// leaked, outage, loss) against the annex's criteria.
func impactText(ctx context.Context, q store.Querier, i Incident) (string, error) {
	if len(i.Figures) == 0 {
		return "", nil
	}
	criteria, err := readCriteria(ctx, q)
	if err != nil {
		return "", err
	}
	var lines []string
	for _, c := range criteria {
		if v, ok := i.Figures[c.Key]; ok {
			lines = append(lines, zh("escalation.prefill.figure", c.NameZh, v, zh("incident.unit."+c.Unit)))
		}
	}
	return strings.Join(lines, "\n"), nil
}

// measuresText lists the plans of the current round with what was done
// and their effect.
func measuresText(ctx context.Context, q store.Querier, i Incident) (string, error) {
	plans, err := plansOf(ctx, q, i.OrgID, i.ID)
	if err != nil {
		return "", err
	}
	var round int
	if err := q.QueryRowContext(ctx, `SELECT lifecycle_round FROM incidents WHERE org_id = $1 AND id = $2`, i.OrgID, i.ID).Scan(&round); err != nil {
		return "", fmt.Errorf("read lifecycle round of incident %d: %w", i.ID, err)
	}
	var lines []string
	for _, p := range plans {
		if p.Round != round || p.Status == PlanDraft {
			continue
		}
		line := zh("escalation.prefill.plan", zh("incident.phase."+string(p.Phase)), p.Measures, zh("lifecycle.status."+p.Status))
		if p.Effect != "" {
			line += zh("escalation.prefill.effect", zh("lifecycle.effect."+p.Effect), p.EffectNotes)
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n"), nil
}
