package playbook

import (
	"context"
	"fmt"
	"slices"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/store"
	"bulwark/internal/task"
)

// Run is a playbook applied to an incident.
type Run struct {
	ID            int64     `json:"id"`
	IncidentID    int64     `json:"incident_id"`
	Key           string    `json:"key"`
	NameZh        string    `json:"name_zh"`
	NameEn        string    `json:"name_en"`
	AppliedBy     int64     `json:"applied_by"`
	AppliedByName string    `json:"applied_by_name"`
	AppliedAt     time.Time `json:"applied_at"`
}

// Name is the playbook's name in lang, as it was when applied.
func (r Run) Name(lang string) string {
	if lang == "en" && r.NameEn != "" {
		return r.NameEn
	}
	return r.NameZh
}

func runsOf(ctx context.Context, q store.Querier, orgID, incidentID int64) ([]Run, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, incident_id, playbook_key, name_zh, name_en, applied_by, applied_by_name, applied_at
		FROM playbook_runs WHERE org_id = $1 AND incident_id = $2 ORDER BY applied_at, id`, orgID, incidentID)
	if err != nil {
		return nil, fmt.Errorf("playbooks applied to incident %d: %w", incidentID, err)
	}
	defer rows.Close()
	out := []Run{}
	for rows.Next() {
		var r Run
		var at int64
		if err := rows.Scan(&r.ID, &r.IncidentID, &r.Key, &r.NameZh, &r.NameEn, &r.AppliedBy, &r.AppliedByName, &at); err != nil {
			return nil, fmt.Errorf("playbooks applied to incident %d: %w", incidentID, err)
		}
		r.AppliedAt = store.FromMicros(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Suggestion is a playbook that matches an incident's category.
type Suggestion struct {
	Playbook
	// Specific is set when the playbook names the incident's category
	// itself, not only its class: those come first.
	Specific bool `json:"specific"`
}

// Suggestions are the playbooks for an incident: those matching its
// category, the other enabled ones (a person may still choose one), and
// those already applied.
type Suggestions struct {
	Category  string       `json:"category"`
	Suggested []Suggestion `json:"suggested"`
	Others    []Playbook   `json:"others"`
	Applied   []Run        `json:"applied"`
}

// Match tells whether p applies to an incident filed under code, whose
// class is parent ("" when code is a class): p names the code itself
// (specific) or its class. A playbook naming only a sub-category does not
// match an incident filed under the class: that incident is not known to
// be of that kind.
func Match(p Playbook, code, parent string) (ok, specific bool) {
	if code == "" {
		return false, false
	}
	if slices.Contains(p.Categories, code) {
		return true, true
	}
	return parent != "" && slices.Contains(p.Categories, parent), false
}

// Suggest returns the playbooks for the incident.
func (s *Service) Suggest(ctx context.Context, incidentID int64) (Suggestions, error) {
	actor, err := auth.Require(ctx, auth.PermPlaybookRead)
	if err != nil {
		return Suggestions{}, err
	}
	inc, err := s.Incidents.Get(ctx, incidentID)
	if err != nil {
		return Suggestions{}, err
	}
	_, parent, err := s.knownCategories(ctx)
	if err != nil {
		return Suggestions{}, err
	}
	list, err := s.List(ctx)
	if err != nil {
		return Suggestions{}, err
	}
	out := Suggestions{Category: inc.Category, Suggested: []Suggestion{}, Others: []Playbook{}}
	if out.Applied, err = runsOf(ctx, s.DB.Read(), actor.OrgID, incidentID); err != nil {
		return Suggestions{}, apperr.Wrap(err, "suggest playbooks")
	}
	for _, p := range list {
		if !p.Enabled {
			continue
		}
		if ok, specific := Match(p, inc.Category, parent[inc.Category]); ok {
			out.Suggested = append(out.Suggested, Suggestion{Playbook: p, Specific: specific})
		} else {
			out.Others = append(out.Others, p)
		}
	}
	slices.SortStableFunc(out.Suggested, func(a, b Suggestion) int {
		switch {
		case a.Specific == b.Specific:
			return 0
		case a.Specific:
			return -1
		}
		return 1
	})
	return out, nil
}

// dutyAssignees maps each role to the first member on duty now (duty
// leads first) who has an account of the organisation holding that role.
// No roster, or nobody suitable on duty, leaves the role unassigned.
func (s *Service) dutyAssignees(ctx context.Context, now time.Time) (map[auth.Role]int64, error) {
	out := map[auth.Role]int64{}
	if s.Emergency == nil {
		return out, nil
	}
	onDuty, err := s.Emergency.OnDuty(ctx, now)
	if err != nil {
		return nil, err
	}
	if len(onDuty) == 0 {
		return out, nil
	}
	people, err := s.Tasks.Assignees(ctx)
	if err != nil {
		return nil, err
	}
	roles := map[int64][]auth.Role{}
	for _, p := range people {
		roles[p.ID] = p.Roles
	}
	for _, m := range onDuty {
		for _, r := range roles[m.UserID] {
			if _, taken := out[r]; !taken && m.UserID != 0 {
				out[r] = m.UserID
			}
		}
	}
	return out, nil
}

// applyRecord is what the audit trail (and so the incident's timeline)
// keeps of an application.
type applyRecord struct {
	Playbook string  `json:"playbook"`
	Name     string  `json:"name"`
	RunID    int64   `json:"run_id"`
	Tasks    []int64 `json:"tasks"`
}

// Apply creates the playbook's steps as tasks of the incident's phases in
// one transaction: due at the step's offset from now, assigned to the
// on-duty member holding the step's suggested role (else to nobody yet).
// A disabled playbook, a closed incident and a playbook applied to the
// incident before are refused, the last naming when and by whom.
func (s *Service) Apply(ctx context.Context, incidentID int64, key string) (Run, []IncidentTask, error) {
	actor, err := auth.Require(ctx, auth.PermPlaybookApply)
	if err != nil {
		return Run{}, nil, err
	}
	if _, err := s.openIncident(ctx, incidentID); err != nil {
		return Run{}, nil, err
	}
	now := s.now()
	assign, err := s.dutyAssignees(ctx, now)
	if err != nil {
		return Run{}, nil, err
	}
	run := Run{IncidentID: incidentID, Key: key, AppliedBy: actor.UserID, AppliedByName: actor.Username, AppliedAt: now}
	var made []IncidentTask
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		p, err := lookup(ctx, tx, actor.OrgID, key)
		if err != nil {
			if apperr.Is(err, apperr.NotFound) {
				return apperr.Fields([]apperr.FieldError{{Field: "playbook", Key: "err.playbook_unknown"}})
			}
			return err
		}
		if !p.Enabled {
			return apperr.New(apperr.Conflict, "err.playbook_disabled")
		}
		runs, err := runsOf(ctx, tx, actor.OrgID, incidentID)
		if err != nil {
			return err
		}
		for _, r := range runs {
			if r.Key == key {
				return apperr.New(apperr.Conflict, "err.playbook_applied", r.NameZh, r.AppliedAt.In(s.location()).Format("2006-01-02 15:04"), r.AppliedByName)
			}
		}
		run.NameZh, run.NameEn = p.NameZh, p.NameEn
		if err := tx.QueryRowContext(ctx, `INSERT INTO playbook_runs (org_id, incident_id, playbook_key, name_zh, name_en,
			applied_by, applied_by_name, applied_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			actor.OrgID, incidentID, key, p.NameZh, p.NameEn, actor.UserID, actor.Username, store.Micros(now)).Scan(&run.ID); err != nil {
			if store.IsUniqueViolation(err) {
				return apperr.New(apperr.Conflict, "err.playbook_applied_now")
			}
			return fmt.Errorf("record playbook run: %w", err)
		}
		rec := applyRecord{Playbook: key, Name: p.NameZh, RunID: run.ID}
		for _, st := range p.Steps {
			var due time.Time
			if d := st.Offset(); d > 0 {
				due = now.Add(d)
			}
			t, err := s.Tasks.Create(ctx, tx, task.Task{ObjectType: TaskObject, ObjectID: incidentRef(incidentID),
				Group: string(st.Phase), Title: st.Title, Notes: st.Notes, AssigneeID: assign[st.Role], DueAt: due})
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO playbook_run_tasks (task_id, run_id, role) VALUES ($1, $2, $3)`,
				t.ID, run.ID, string(st.Role)); err != nil {
				return fmt.Errorf("link task %d to playbook run: %w", t.ID, err)
			}
			o := Origin{RunID: run.ID, Key: key, NameZh: p.NameZh, NameEn: p.NameEn, Role: st.Role}
			made = append(made, IncidentTask{Task: t, Phase: st.Phase, Playbook: &o})
			rec.Tasks = append(rec.Tasks, t.ID)
		}
		return audit.Append(ctx, tx, now, actor.Audit("incident.playbook_apply", "incident", incidentRef(incidentID), nil, rec))
	})
	if err != nil {
		return Run{}, nil, apperr.Wrap(err, "apply playbook")
	}
	return run, made, nil
}

func (s *Service) location() *time.Location {
	if s.Location != nil {
		return s.Location
	}
	return time.UTC
}
