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

// incidentTaskIDs returns the ids of the incident's tasks, whose audit
// records belong on its timeline.
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
