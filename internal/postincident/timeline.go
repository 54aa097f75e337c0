package postincident

import (
	"context"
	"fmt"
	"strconv"

	"bulwark/internal/auth"
	"bulwark/internal/incident"
	"bulwark/internal/store"
)

// timelineObjects puts the review, the CAPA and their set's approvals, and
// (for readers who may see them) the recommendations and their approvals
// on the incident's timeline and in its report.
func (s *Service) timelineObjects(ctx context.Context, q store.Querier, orgID, incidentID int64) ([]incident.Objects, error) {
	id := strconv.FormatInt(incidentID, 10)
	out := []incident.Objects{{Type: ReviewObject, IDs: []string{id}}}
	ids := func(what, query string, args ...any) ([]string, error) {
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, fmt.Errorf("%s of incident %d: %w", what, incidentID, err)
		}
		defer rows.Close()
		var list []string
		for rows.Next() {
			var n int64
			if err := rows.Scan(&n); err != nil {
				return nil, fmt.Errorf("%s of incident %d: %w", what, incidentID, err)
			}
			list = append(list, strconv.FormatInt(n, 10))
		}
		return list, rows.Err()
	}
	capas, err := ids("capa", `SELECT id FROM incident_capas WHERE org_id = $1 AND incident_id = $2`, orgID, incidentID)
	if err != nil {
		return nil, err
	}
	approvals, err := ids("capa approvals", `SELECT id FROM approvals WHERE org_id = $1 AND object_type = $2 AND object_id = $3`,
		orgID, CAPASetObject, id)
	if err != nil {
		return nil, err
	}
	out = append(out, incident.Objects{Type: CAPAObject, IDs: capas})
	if auth.FromContext(ctx).Can(auth.PermSanctionRead) {
		sanctions, err := ids("recommendations", `SELECT id FROM incident_sanctions WHERE org_id = $1 AND incident_id = $2`, orgID, incidentID)
		if err != nil {
			return nil, err
		}
		more, err := ids("recommendation approvals", `SELECT approval_id FROM incident_sanctions WHERE org_id = $1 AND incident_id = $2`,
			orgID, incidentID)
		if err != nil {
			return nil, err
		}
		out = append(out, incident.Objects{Type: SanctionObject, IDs: sanctions})
		approvals = append(approvals, more...)
	}
	return append(out, incident.Objects{Type: "approval", IDs: approvals}), nil
}
