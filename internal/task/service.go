package task

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/clock"
	"bulwark/internal/store"
)

// Service keeps tasks. Every method checks the actor in ctx and works only
// in the actor's current organisation.
type Service struct {
	DB    *store.DB
	Clock clock.Clock
}

// The assignee's name comes along so lists need no second query.
const columns = `t.id, t.org_id, t.object_type, t.object_id, t.group_label, t.title, t.notes, t.assignee_id,
	COALESCE(NULLIF(u.display_name, ''), u.username, ''), t.due_at, t.status, t.created_by, t.updated_by,
	t.created_at, t.updated_at`

const from = ` FROM tasks t LEFT JOIN users u ON u.id = t.assignee_id`

func (s *Service) scan(row interface{ Scan(...any) error }) (Task, error) {
	var t Task
	var due, created, updated int64
	err := row.Scan(&t.ID, &t.OrgID, &t.ObjectType, &t.ObjectID, &t.Group, &t.Title, &t.Notes, &t.AssigneeID,
		&t.AssigneeName, &due, &t.Status, &t.CreatedBy, &t.UpdatedBy, &created, &updated)
	t.DueAt, t.CreatedAt, t.UpdatedAt = store.FromMicros(due), store.FromMicros(created), store.FromMicros(updated)
	t.Overdue = t.OverdueAt(s.Clock.Now())
	return t, err
}

// checkAssignee makes sure id (0 = nobody yet) belongs to org.
func checkAssignee(ctx context.Context, q store.Querier, orgID, id int64) error {
	if id == 0 {
		return nil
	}
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM user_roles r JOIN users u ON u.id = r.user_id
		WHERE r.org_id = $1 AND r.user_id = $2 AND NOT u.disabled`, orgID, id).Scan(&n)
	if err != nil {
		return fmt.Errorf("check assignee %d: %w", id, err)
	}
	if n == 0 {
		return apperr.Fields([]apperr.FieldError{{Field: "assignee_id", Key: "err.task_assignee"}})
	}
	return nil
}

// Create adds a task inside the caller's transaction, so a module can create
// an object and its tasks (a playbook's) together.
func (s *Service) Create(ctx context.Context, tx *store.Tx, in Task) (Task, error) {
	actor, err := auth.Require(ctx, auth.PermTaskWrite)
	if err != nil {
		return Task{}, err
	}
	in.normalize()
	if err := in.validate(); err != nil {
		return Task{}, err
	}
	if err := checkAssignee(ctx, tx, actor.OrgID, in.AssigneeID); err != nil {
		return Task{}, err
	}
	now := s.Clock.Now()
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO tasks (org_id, object_type, object_id, group_label, title, notes,
		assignee_id, due_at, status, created_by, updated_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $11) RETURNING id`,
		actor.OrgID, in.ObjectType, in.ObjectID, in.Group, in.Title, in.Notes, in.AssigneeID, store.Micros(in.DueAt),
		in.Status, actor.UserID, store.Micros(now)).Scan(&id)
	if err != nil {
		return Task{}, fmt.Errorf("insert task: %w", err)
	}
	out, err := s.get(ctx, tx, actor.OrgID, id)
	if err != nil {
		return Task{}, err
	}
	return out, audit.Append(ctx, tx, now, actor.Audit("task.create", "task", fmt.Sprint(id), nil, out))
}

// Add creates a task in a transaction of its own (the API's and the UI's
// stand-alone task).
func (s *Service) Add(ctx context.Context, in Task) (Task, error) {
	if _, err := auth.Require(ctx, auth.PermTaskWrite); err != nil {
		return Task{}, err
	}
	var out Task
	err := s.DB.Tx(ctx, func(tx *store.Tx) error {
		var err error
		out, err = s.Create(ctx, tx, in)
		return err
	})
	return out, apperr.Wrap(err, "create task")
}

// Patch is a change to a task; nil fields stay as they are.
type Patch struct {
	Title      *string    `json:"title"`
	Notes      *string    `json:"notes"`
	Group      *string    `json:"group"`
	AssigneeID *int64     `json:"assignee_id"`
	DueAt      *time.Time `json:"due_at"`
	Status     *Status    `json:"status"`
}

// assigneeOnly reports whether p touches only what an assignee may change
// on their own task without the right to manage tasks: status and notes.
func (p Patch) assigneeOnly() bool {
	return p.Title == nil && p.Group == nil && p.AssigneeID == nil && p.DueAt == nil
}

// Update applies p. Those who may manage tasks change anything; the
// assignee may change the status and notes of their own task.
func (s *Service) Update(ctx context.Context, id int64, p Patch) (Task, error) {
	actor, err := auth.Require(ctx, auth.PermTaskRead)
	if err != nil {
		return Task{}, err
	}
	var out Task
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		before, err := s.get(ctx, tx, actor.OrgID, id)
		if err != nil {
			return err
		}
		if !actor.Can(auth.PermTaskWrite) && !(before.AssigneeID == actor.UserID && p.assigneeOnly()) {
			return apperr.New(apperr.Forbidden, "err.forbidden")
		}
		in := before
		set := func(dst *string, src *string) {
			if src != nil {
				*dst = *src
			}
		}
		set(&in.Title, p.Title)
		set(&in.Notes, p.Notes)
		set(&in.Group, p.Group)
		if p.AssigneeID != nil {
			in.AssigneeID = *p.AssigneeID
		}
		if p.DueAt != nil {
			in.DueAt = *p.DueAt
		}
		if p.Status != nil {
			in.Status = *p.Status
		}
		in.normalize()
		if err := in.validate(); err != nil {
			return err
		}
		if in.AssigneeID != before.AssigneeID {
			if err := checkAssignee(ctx, tx, actor.OrgID, in.AssigneeID); err != nil {
				return err
			}
		}
		now := s.Clock.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE tasks SET title = $1, notes = $2, group_label = $3, assignee_id = $4,
			due_at = $5, status = $6, updated_by = $7, updated_at = $8 WHERE id = $9 AND org_id = $10`,
			in.Title, in.Notes, in.Group, in.AssigneeID, store.Micros(in.DueAt), in.Status, actor.UserID,
			store.Micros(now), id, actor.OrgID); err != nil {
			return fmt.Errorf("update task %d: %w", id, err)
		}
		if out, err = s.get(ctx, tx, actor.OrgID, id); err != nil {
			return err
		}
		return audit.Append(ctx, tx, now, actor.Audit("task.update", "task", fmt.Sprint(id), before, out))
	})
	return out, apperr.Wrap(err, "update task")
}

// Complete marks a task done.
func (s *Service) Complete(ctx context.Context, id int64) (Task, error) {
	done := StatusDone
	return s.Update(ctx, id, Patch{Status: &done})
}

func (s *Service) get(ctx context.Context, q store.Querier, orgID, id int64) (Task, error) {
	t, err := s.scan(q.QueryRowContext(ctx, `SELECT `+columns+from+` WHERE t.org_id = $1 AND t.id = $2`, orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, apperr.New(apperr.NotFound, "err.not_found")
	}
	if err != nil {
		return t, fmt.Errorf("read task %d: %w", id, err)
	}
	return t, nil
}

// Get returns one task of the actor's organisation.
func (s *Service) Get(ctx context.Context, id int64) (Task, error) {
	actor, err := auth.Require(ctx, auth.PermTaskRead)
	if err != nil {
		return Task{}, err
	}
	t, err := s.get(ctx, s.DB.Read(), actor.OrgID, id)
	return t, apperr.Wrap(err, "get task")
}

// ForObject returns an object's tasks by group, then due date (undated
// last), then creation.
func (s *Service) ForObject(ctx context.Context, objectType, objectID string) ([]Task, error) {
	actor, err := auth.Require(ctx, auth.PermTaskRead)
	if err != nil {
		return nil, err
	}
	out, err := s.list(ctx, `t.org_id = $1 AND t.object_type = $2 AND t.object_id = $3
		ORDER BY t.group_label, CASE WHEN t.due_at = 0 THEN 1 ELSE 0 END, t.due_at, t.id`, actor.OrgID, objectType, objectID)
	return out, apperr.Wrap(err, "tasks of object")
}

// Mine returns the caller's open and in-progress tasks, soonest due first
// (undated last).
func (s *Service) Mine(ctx context.Context) ([]Task, error) {
	actor, err := auth.Require(ctx, auth.PermTaskRead)
	if err != nil {
		return nil, err
	}
	out, err := s.list(ctx, `t.org_id = $1 AND t.assignee_id = $2 AND t.status IN ('open', 'in_progress')
		ORDER BY CASE WHEN t.due_at = 0 THEN 1 ELSE 0 END, t.due_at, t.id LIMIT 1000`, actor.OrgID, actor.UserID)
	return out, apperr.Wrap(err, "my tasks")
}

func (s *Service) list(ctx context.Context, where string, args ...any) ([]Task, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+columns+from+` WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Task{}
	for rows.Next() {
		t, err := s.scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// ParseStatus checks s names a status.
func ParseStatus(s string) (Status, bool) {
	st := Status(s)
	return st, slices.Contains(Statuses, st)
}
