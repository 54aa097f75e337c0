package incident

import (
	"context"
	"fmt"
	"strconv"

	"bulwark/internal/store"
)

// TaskObject is the object type of an incident's tasks in package task
// (their group is the phase).
const TaskObject = "incident"

// phaseTasks is the timeline source of the incident's phase tasks: who
// created, assigned and finished each appears on the timeline and in the
// incident report.
func phaseTasks(ctx context.Context, q store.Querier, orgID, incidentID int64) ([]Objects, error) {
	ids, err := incidentTaskIDs(ctx, q, orgID, incidentID)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	return []Objects{{Type: "task", IDs: ids}}, nil
}

// incidentTaskIDs returns the ids of the incident's tasks.
func incidentTaskIDs(ctx context.Context, q store.Querier, orgID, incidentID int64) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT id FROM tasks WHERE org_id = $1 AND object_type = $2 AND object_id = $3 ORDER BY id`,
		orgID, TaskObject, strconv.FormatInt(incidentID, 10))
	if err != nil {
		return nil, fmt.Errorf("tasks of incident %d: %w", incidentID, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("tasks of incident %d: %w", incidentID, err)
		}
		out = append(out, strconv.FormatInt(id, 10))
	}
	return out, rows.Err()
}
