package playbook

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/clock"
	"bulwark/internal/emergency"
	"bulwark/internal/incident"
	"bulwark/internal/store"
	"bulwark/internal/task"
	"bulwark/internal/workflow"
)

// Service keeps the organisation's playbooks and applies them to
// incidents. Every method checks the actor in ctx and works only in the
// actor's organisation.
type Service struct {
	DB        *store.DB
	Clock     clock.Clock
	Tasks     *task.Service
	Incidents *incident.Service
	// Emergency says who is on duty: a generated task goes to the on-duty
	// member holding the step's suggested role.
	Emergency *emergency.Service
	// Location is the installation's time zone, for dates in messages.
	Location *time.Location
}

// New builds the service. The tasks it makes on incidents link back to the
// incident's response page, where their phases are.
func New(db *store.DB, c clock.Clock, tasks *task.Service, incidents *incident.Service, em *emergency.Service, loc *time.Location) *Service {
	workflow.RegisterLink(TaskObject, func(id string) string { return "/incidents/" + id + "/response" })
	return &Service{DB: db, Clock: c, Tasks: tasks, Incidents: incidents, Emergency: em, Location: loc}
}

func (s *Service) now() time.Time { return s.Clock.Now().UTC().Truncate(time.Microsecond) }

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// List returns the playbooks the organisation sees: the defaults (or its
// copies of them), then its own.
func (s *Service) List(ctx context.Context) ([]Playbook, error) {
	actor, err := auth.Require(ctx, auth.PermPlaybookRead)
	if err != nil {
		return nil, err
	}
	rows, err := orgPlaybooks(ctx, s.DB.Read(), actor.OrgID, "")
	if err != nil {
		return nil, apperr.Wrap(err, "list playbooks")
	}
	return merge(rows), nil
}

// lookup is the playbook the organisation sees under key.
func lookup(ctx context.Context, q store.Querier, orgID int64, key string) (Playbook, error) {
	rows, err := orgPlaybooks(ctx, q, orgID, key)
	if err != nil {
		return Playbook{}, err
	}
	for _, p := range merge(rows) {
		if p.Key == key {
			return p, nil
		}
	}
	return Playbook{}, apperr.New(apperr.NotFound, "err.not_found")
}

// Get returns the playbook the organisation sees under key.
func (s *Service) Get(ctx context.Context, key string) (Playbook, error) {
	actor, err := auth.Require(ctx, auth.PermPlaybookRead)
	if err != nil {
		return Playbook{}, err
	}
	p, err := lookup(ctx, s.DB.Read(), actor.OrgID, key)
	return p, apperr.Wrap(err, "get playbook")
}

// knownCategories returns a check for category codes against the
// classification tree (deactivated codes count: a playbook may still
// cover incidents filed under them).
func (s *Service) knownCategories(ctx context.Context) (func(string) bool, map[string]string, error) {
	tree, err := s.Incidents.Categories(ctx, false)
	if err != nil {
		return nil, nil, err
	}
	parent := map[string]string{}
	for _, c := range tree {
		parent[c.Code] = ""
		for _, ch := range c.Children {
			parent[ch.Code] = c.Code
		}
	}
	return func(code string) bool { _, ok := parent[code]; return ok }, parent, nil
}

// record is what the audit trail keeps of a playbook.
func record(p Playbook) any {
	if p.Key == "" {
		return nil
	}
	p.UpdatedAt = time.Time{}
	return p
}

// Create adds an organisation's own playbook. Its key must be new: not
// one of the defaults (change a default by editing it) nor one of the
// organisation's.
func (s *Service) Create(ctx context.Context, in Playbook) (Playbook, error) {
	actor, err := auth.Require(ctx, auth.PermPlaybookManage)
	if err != nil {
		return Playbook{}, err
	}
	known, _, err := s.knownCategories(ctx)
	if err != nil {
		return Playbook{}, err
	}
	if err := in.Check(known); err != nil {
		return Playbook{}, err
	}
	now := s.now()
	var out Playbook
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		if _, isDefault := defaultOf(in.Key); isDefault {
			return apperr.Fields([]apperr.FieldError{{Field: "key", Key: "err.duplicate"}})
		}
		if _, err := lookup(ctx, tx, actor.OrgID, in.Key); err == nil {
			return apperr.Fields([]apperr.FieldError{{Field: "key", Key: "err.duplicate"}})
		} else if !apperr.Is(err, apperr.NotFound) {
			return err
		}
		if _, err := save(ctx, tx, actor.OrgID, actor, in, now); err != nil {
			return err
		}
		out = in
		out.Source, out.UpdatedAt = SourceCustom, now
		return audit.Append(ctx, tx, now, actor.Audit("playbook.create", "playbook", in.Key, nil, record(out)))
	})
	return out, apperr.Wrap(err, "create playbook")
}

// Update replaces the playbook under key with in (the key stays). A
// default the organisation has not changed yet gets its own copy here
// (copy-on-write); the default itself stays as shipped for everyone else.
func (s *Service) Update(ctx context.Context, key string, in Playbook) (Playbook, error) {
	actor, err := auth.Require(ctx, auth.PermPlaybookManage)
	if err != nil {
		return Playbook{}, err
	}
	known, _, err := s.knownCategories(ctx)
	if err != nil {
		return Playbook{}, err
	}
	in.Key = key
	if err := in.Check(known); err != nil {
		return Playbook{}, err
	}
	return s.write(ctx, actor, key, "playbook.update", func(p *Playbook) { *p = in })
}

// SetEnabled enables or disables the playbook under key: a disabled one is
// neither suggested nor applied. Disabling a default keeps a disabled copy.
func (s *Service) SetEnabled(ctx context.Context, key string, enabled bool) (Playbook, error) {
	actor, err := auth.Require(ctx, auth.PermPlaybookManage)
	if err != nil {
		return Playbook{}, err
	}
	action := "playbook.disable"
	if enabled {
		action = "playbook.enable"
	}
	return s.write(ctx, actor, key, action, func(p *Playbook) { p.Enabled = enabled })
}

// write changes the playbook under key with change and stores the result
// as the organisation's row.
func (s *Service) write(ctx context.Context, actor *auth.Actor, key, action string, change func(*Playbook)) (Playbook, error) {
	now := s.now()
	var out Playbook
	err := s.DB.Tx(ctx, func(tx *store.Tx) error {
		before, err := lookup(ctx, tx, actor.OrgID, key)
		if err != nil {
			return err
		}
		out = before
		out.Categories, out.Steps = slices.Clone(before.Categories), slices.Clone(before.Steps)
		change(&out)
		out.Key = key
		if _, err := save(ctx, tx, actor.OrgID, actor, out, now); err != nil {
			return err
		}
		out.Source, out.UpdatedAt = SourceCustom, now
		if _, isDefault := defaultOf(key); isDefault {
			out.Source = SourceCustomised
		}
		return audit.Append(ctx, tx, now, actor.Audit(action, "playbook", key, record(before), record(out)))
	})
	return out, apperr.Wrap(err, "save playbook")
}

// Delete removes the organisation's playbook under key. For a default the
// organisation changed, that removes its copy and the default is back
// (reset); a default itself cannot be deleted, only disabled.
func (s *Service) Delete(ctx context.Context, key string) error {
	actor, err := auth.Require(ctx, auth.PermPlaybookManage)
	if err != nil {
		return err
	}
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		before, err := lookup(ctx, tx, actor.OrgID, key)
		if err != nil {
			return err
		}
		if before.Source == SourceDefault {
			return apperr.New(apperr.Conflict, "err.playbook_default_delete")
		}
		if _, err := remove(ctx, tx, actor.OrgID, key); err != nil {
			return err
		}
		action := "playbook.delete"
		var after any
		if before.Source == SourceCustomised {
			action = "playbook.reset"
			d, _ := defaultOf(key)
			after = record(d)
		}
		return audit.Append(ctx, tx, now, actor.Audit(action, "playbook", key, record(before), after))
	})
	return apperr.Wrap(err, "delete playbook")
}
