package task

import (
	"context"
	"fmt"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
)

// Assignee is someone a task of the organisation may be given to: an
// enabled account holding a role in it, with those roles (a module that
// suggests a role for a task picks among them).
type Assignee struct {
	ID    int64       `json:"id"`
	Name  string      `json:"name"`
	Roles []auth.Role `json:"roles"`
}

// Assignees lists who may be assigned tasks in the actor's organisation,
// by name: the choices of a task form, the same people Create accepts.
func (s *Service) Assignees(ctx context.Context) ([]Assignee, error) {
	actor, err := auth.Require(ctx, auth.PermTaskRead)
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT u.id, u.display_name, u.username, r.role FROM users u
		JOIN user_roles r ON r.user_id = u.id WHERE r.org_id = $1 AND NOT u.disabled ORDER BY u.username, u.id, r.role`, actor.OrgID)
	if err != nil {
		return nil, apperr.Wrap(fmt.Errorf("list assignees: %w", err), "list assignees")
	}
	defer rows.Close()
	out := []Assignee{}
	for rows.Next() {
		var id int64
		var display, username, role string
		if err := rows.Scan(&id, &display, &username, &role); err != nil {
			return nil, apperr.Wrap(err, "list assignees")
		}
		if n := len(out); n > 0 && out[n-1].ID == id {
			out[n-1].Roles = append(out[n-1].Roles, auth.Role(role))
			continue
		}
		name := username
		if display != "" {
			name = display + " (" + username + ")"
		}
		out = append(out, Assignee{ID: id, Name: name, Roles: []auth.Role{auth.Role(role)}})
	}
	return out, apperr.Wrap(rows.Err(), "list assignees")
}
