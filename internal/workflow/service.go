package workflow

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/clock"
	"bulwark/internal/store"
)

// DecidedHook is told of a decision (or withdrawal) inside its transaction;
// an error rolls the decision back.
type DecidedHook func(ctx context.Context, tx *store.Tx, a Approval) error

// Service keeps approvals. Every method checks the actor in ctx and works
// only in the actor's current organisation.
type Service struct {
	DB    *store.DB
	Clock clock.Clock

	hooksMu sync.RWMutex
	hooks   map[string][]DecidedHook
	rules   map[string][]DeciderRule
	asked   []DecidedHook
}

// OnRequested registers h for every new approval, of any object type: the
// place to announce "approval waiting" (notifications) in the request's
// transaction, so the announcement and the request commit together.
func (s *Service) OnRequested(h DecidedHook) {
	s.hooksMu.Lock()
	defer s.hooksMu.Unlock()
	s.asked = append(s.asked, h)
}

// DeciderRule narrows who may decide approvals on objects of a type beyond
// the roles an approval names (say, "not the incident's own handler"). It
// runs in the decision's transaction after the built-in checks and refuses
// by returning an error (an apperr, usually Forbidden).
type DeciderRule func(ctx context.Context, tx *store.Tx, a Approval, actor *auth.Actor) error

// AddRule registers r for approvals on objects of objectType.
func (s *Service) AddRule(objectType string, r DeciderRule) {
	s.hooksMu.Lock()
	defer s.hooksMu.Unlock()
	if s.rules == nil {
		s.rules = map[string][]DeciderRule{}
	}
	s.rules[objectType] = append(s.rules[objectType], r)
}

func (s *Service) checkRules(ctx context.Context, tx *store.Tx, a Approval, actor *auth.Actor) error {
	s.hooksMu.RLock()
	rs := append([]DeciderRule(nil), s.rules[a.ObjectType]...)
	s.hooksMu.RUnlock()
	for _, r := range rs {
		if err := r(ctx, tx, a, actor); err != nil {
			return err
		}
	}
	return nil
}

// OnDecided registers h for decisions on objects of objectType. Modules call
// it once at start, so their own state moves with the decision.
func (s *Service) OnDecided(objectType string, h DecidedHook) {
	s.hooksMu.Lock()
	defer s.hooksMu.Unlock()
	if s.hooks == nil {
		s.hooks = map[string][]DecidedHook{}
	}
	s.hooks[objectType] = append(s.hooks[objectType], h)
}

func (s *Service) runHooks(ctx context.Context, tx *store.Tx, a Approval) error {
	s.hooksMu.RLock()
	hs := append([]DecidedHook(nil), s.hooks[a.ObjectType]...)
	s.hooksMu.RUnlock()
	for _, h := range hs {
		if err := h(ctx, tx, a); err != nil {
			return err
		}
	}
	return nil
}

const columns = `id, org_id, object_type, object_id, step, title, roles, author_id, author_name, status,
	decided_by, decided_by_name, reason, created_at, decided_at`

func scan(row interface{ Scan(...any) error }) (Approval, error) {
	var a Approval
	var roles string
	var created, decided int64
	err := row.Scan(&a.ID, &a.OrgID, &a.ObjectType, &a.ObjectID, &a.Step, &a.Title, &roles, &a.AuthorID, &a.AuthorName,
		&a.Status, &a.DecidedBy, &a.DecidedByName, &a.Reason, &created, &decided)
	a.Roles = splitRoles(roles)
	a.CreatedAt, a.DecidedAt = store.FromMicros(created), store.FromMicros(decided)
	return a, err
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,63}$`)

func (r *Request) validate() error {
	var c apperr.Collector
	r.ObjectID = strings.TrimSpace(r.ObjectID)
	r.Title = strings.TrimSpace(r.Title)
	if !nameRE.MatchString(r.ObjectType) {
		c.Add("object_type", "err.workflow_name")
	}
	if r.ObjectID == "" || utf8.RuneCountInString(r.ObjectID) > 64 {
		c.Add("object_id", "err.required")
	}
	if !nameRE.MatchString(r.Step) {
		c.Add("step", "err.workflow_name")
	}
	if utf8.RuneCountInString(r.Title) > 200 {
		c.Add("title", "err.too_long", 200)
	}
	if len(r.Roles) == 0 {
		c.Add("roles", "err.required")
	}
	for _, role := range r.Roles {
		// Only roles that may decide at all can be named, else the step
		// could never be decided.
		if !auth.RoleCan(role, auth.PermApprovalDecide) {
			c.Add("roles", "err.workflow_role", string(role))
			break
		}
	}
	return c.Err()
}

// Request opens an approval inside the caller's transaction, so the object
// and its request commit together.
func (s *Service) Request(ctx context.Context, tx *store.Tx, r Request) (Approval, error) {
	actor, err := auth.Require(ctx, auth.PermApprovalRequest)
	if err != nil {
		return Approval{}, err
	}
	if err := r.validate(); err != nil {
		return Approval{}, err
	}
	now := s.Clock.Now()
	a := Approval{OrgID: actor.OrgID, ObjectType: r.ObjectType, ObjectID: r.ObjectID, Step: r.Step, Title: r.Title,
		Roles: r.Roles, AuthorID: actor.UserID, AuthorName: actor.Username, Status: StatusPending, CreatedAt: now.UTC().Truncate(time.Microsecond)}
	err = tx.QueryRowContext(ctx, `INSERT INTO approvals (org_id, object_type, object_id, step, title, roles, author_id,
		author_name, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		a.OrgID, a.ObjectType, a.ObjectID, a.Step, a.Title, joinRoles(a.Roles), a.AuthorID, a.AuthorName, a.Status,
		store.Micros(a.CreatedAt)).Scan(&a.ID)
	if err != nil {
		return Approval{}, fmt.Errorf("request approval: %w", err)
	}
	if err := audit.Append(ctx, tx, now, actor.Audit("approval.request", "approval", fmt.Sprint(a.ID), nil, a)); err != nil {
		return Approval{}, err
	}
	s.hooksMu.RLock()
	hs := append([]DecidedHook(nil), s.asked...)
	s.hooksMu.RUnlock()
	for _, h := range hs {
		if err := h(ctx, tx, a); err != nil {
			return Approval{}, fmt.Errorf("approval %d: request hook: %w", a.ID, err)
		}
	}
	return a, nil
}

// Decide approves or rejects a pending approval. A rejection needs a reason.
// The hooks registered for the object's type run in the same transaction.
func (s *Service) Decide(ctx context.Context, id int64, approve bool, reason string) (Approval, error) {
	actor, err := auth.Require(ctx, auth.PermApprovalDecide)
	if err != nil {
		return Approval{}, err
	}
	reason = strings.TrimSpace(reason)
	var out Approval
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		before, err := get(ctx, tx, actor.OrgID, id, true)
		if err != nil {
			return err
		}
		switch {
		case before.Status != StatusPending:
			return apperr.New(apperr.Conflict, "err.approval_decided")
		case before.AuthorID == actor.UserID:
			return apperr.New(apperr.Forbidden, "err.approval_own")
		case !before.MayDecide(actor):
			return apperr.New(apperr.Forbidden, "err.approval_role")
		}
		if err := s.checkRules(ctx, tx, before, actor); err != nil {
			return err
		}
		if !approve && reason == "" {
			return apperr.Fields([]apperr.FieldError{{Field: "reason", Key: "err.approval_reason_required"}})
		}
		if utf8.RuneCountInString(reason) > 2000 {
			return apperr.Fields([]apperr.FieldError{{Field: "reason", Key: "err.too_long", Args: []any{2000}}})
		}
		status, action := StatusApproved, "approval.approve"
		if !approve {
			status, action = StatusRejected, "approval.reject"
		}
		out, err = s.finish(ctx, tx, actor, before, status, reason)
		if err != nil {
			return err
		}
		return audit.Append(ctx, tx, s.Clock.Now(), actor.Audit(action, "approval", fmt.Sprint(id), before, out))
	})
	return out, apperr.Wrap(err, "decide approval")
}

// Withdraw ends a pending approval its author no longer wants decided.
// The object's hooks are told, as of a decision.
func (s *Service) Withdraw(ctx context.Context, id int64, reason string) (Approval, error) {
	actor, err := auth.Require(ctx, auth.PermApprovalRequest)
	if err != nil {
		return Approval{}, err
	}
	reason = strings.TrimSpace(reason)
	var out Approval
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		before, err := get(ctx, tx, actor.OrgID, id, true)
		if err != nil {
			return err
		}
		switch {
		case before.Status != StatusPending:
			return apperr.New(apperr.Conflict, "err.approval_decided")
		case before.AuthorID != actor.UserID:
			return apperr.New(apperr.Forbidden, "err.approval_not_author")
		}
		out, err = s.finish(ctx, tx, actor, before, StatusWithdrawn, reason)
		if err != nil {
			return err
		}
		return audit.Append(ctx, tx, s.Clock.Now(), actor.Audit("approval.withdraw", "approval", fmt.Sprint(id), before, out))
	})
	return out, apperr.Wrap(err, "withdraw approval")
}

// finish moves before out of pending. The status condition in the UPDATE
// makes a concurrent second decision find nothing and fail with a conflict,
// whatever the engine's locking.
func (s *Service) finish(ctx context.Context, tx *store.Tx, actor *auth.Actor, before Approval, status, reason string) (Approval, error) {
	a := before
	a.Status, a.Reason, a.DecidedBy, a.DecidedByName = status, reason, actor.UserID, actor.Username
	a.DecidedAt = s.Clock.Now().UTC().Truncate(time.Microsecond)
	res, err := tx.ExecContext(ctx, `UPDATE approvals SET status = $1, reason = $2, decided_by = $3, decided_by_name = $4,
		decided_at = $5 WHERE id = $6 AND org_id = $7 AND status = 'pending'`,
		a.Status, a.Reason, a.DecidedBy, a.DecidedByName, store.Micros(a.DecidedAt), a.ID, a.OrgID)
	if err != nil {
		return Approval{}, fmt.Errorf("store decision on approval %d: %w", a.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return Approval{}, fmt.Errorf("store decision on approval %d: %w", a.ID, err)
	} else if n == 0 {
		return Approval{}, apperr.New(apperr.Conflict, "err.approval_decided")
	}
	if err := s.runHooks(ctx, tx, a); err != nil {
		return Approval{}, fmt.Errorf("approval %d: hook of %s: %w", a.ID, a.ObjectType, err)
	}
	return a, nil
}

// get reads one approval of org; forUpdate locks its row on PostgreSQL
// (SQLite's write transaction already holds the database).
func get(ctx context.Context, q store.Querier, orgID, id int64, forUpdate bool) (Approval, error) {
	query := `SELECT ` + columns + ` FROM approvals WHERE org_id = $1 AND id = $2`
	if tx, ok := q.(*store.Tx); ok && forUpdate && tx.Dialect == store.Postgres {
		query += ` FOR UPDATE`
	}
	a, err := scan(q.QueryRowContext(ctx, query, orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, apperr.New(apperr.NotFound, "err.not_found")
	}
	if err != nil {
		return a, fmt.Errorf("read approval %d: %w", id, err)
	}
	return a, nil
}

// Get returns one approval of the actor's organisation.
func (s *Service) Get(ctx context.Context, id int64) (Approval, error) {
	actor, err := auth.Require(ctx, auth.PermApprovalRead)
	if err != nil {
		return Approval{}, err
	}
	a, err := get(ctx, s.DB.Read(), actor.OrgID, id, false)
	return a, apperr.Wrap(err, "get approval")
}

// ForObject returns an object's approvals, oldest first.
func (s *Service) ForObject(ctx context.Context, objectType, objectID string) ([]Approval, error) {
	actor, err := auth.Require(ctx, auth.PermApprovalRead)
	if err != nil {
		return nil, err
	}
	out, err := s.list(ctx, `org_id = $1 AND object_type = $2 AND object_id = $3 ORDER BY created_at, id`,
		actor.OrgID, objectType, objectID)
	return out, apperr.Wrap(err, "approvals of object")
}

// Pending returns the pending approvals the caller may decide, oldest
// first: those naming one of the caller's roles (all, for a platform admin)
// and not authored by the caller.
func (s *Service) Pending(ctx context.Context) ([]Approval, error) {
	actor, err := auth.Require(ctx, auth.PermApprovalRead)
	if err != nil {
		return nil, err
	}
	if !actor.Can(auth.PermApprovalDecide) {
		return []Approval{}, nil
	}
	where := `org_id = $1 AND status = 'pending' AND author_id <> $2`
	args := []any{actor.OrgID, actor.UserID}
	if !actor.PlatformAdmin {
		var ors []string
		for _, r := range actor.Roles {
			args = append(args, "%,"+store.EscapeLike(string(r))+",%")
			ors = append(ors, fmt.Sprintf(`roles LIKE $%d ESCAPE '\'`, len(args)))
		}
		if len(ors) == 0 {
			return []Approval{}, nil
		}
		where += ` AND (` + strings.Join(ors, " OR ") + `)`
	}
	out, err := s.list(ctx, where+` ORDER BY created_at, id LIMIT 500`, args...)
	return out, apperr.Wrap(err, "pending approvals")
}

func (s *Service) list(ctx context.Context, where string, args ...any) ([]Approval, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+columns+` FROM approvals WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Approval{}
	for rows.Next() {
		a, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
