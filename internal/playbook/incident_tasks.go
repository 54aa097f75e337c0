package playbook

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/incident"
	"bulwark/internal/store"
	"bulwark/internal/task"
)

// TaskObject is the object type of an incident's tasks; their group is
// the phase they belong to.
const TaskObject = incident.TaskObject

// Origin says which playbook made a task, and the role its step suggested.
type Origin struct {
	RunID  int64     `json:"run_id"`
	Key    string    `json:"key"`
	NameZh string    `json:"name_zh"`
	NameEn string    `json:"name_en"`
	Role   auth.Role `json:"suggested_role,omitempty"`
}

// Name is the playbook's name in lang.
func (o Origin) Name(lang string) string {
	if lang == "en" && o.NameEn != "" {
		return o.NameEn
	}
	return o.NameZh
}

// IncidentTask is a task of an incident's phase.
type IncidentTask struct {
	task.Task
	Phase incident.Phase `json:"phase"`
	// Playbook is the playbook that made the task; nil when a person
	// added it.
	Playbook *Origin `json:"playbook"`
}

// TaskInput is a task a person adds to a phase of an incident.
type TaskInput struct {
	Phase      incident.Phase `json:"phase"`
	Title      string         `json:"title"`
	Notes      string         `json:"notes"`
	AssigneeID int64          `json:"assignee_id"`
	DueAt      time.Time      `json:"due_at"`
	Status     task.Status    `json:"status"`
}

func incidentRef(id int64) string { return strconv.FormatInt(id, 10) }

// origins returns which playbook made which of the incident's tasks.
func origins(ctx context.Context, q store.Querier, orgID, incidentID int64) (map[int64]*Origin, error) {
	rows, err := q.QueryContext(ctx, `SELECT rt.task_id, rt.role, r.id, r.playbook_key, r.name_zh, r.name_en
		FROM playbook_run_tasks rt JOIN playbook_runs r ON r.id = rt.run_id WHERE r.org_id = $1 AND r.incident_id = $2`,
		orgID, incidentID)
	if err != nil {
		return nil, fmt.Errorf("task origins of incident %d: %w", incidentID, err)
	}
	defer rows.Close()
	out := map[int64]*Origin{}
	for rows.Next() {
		var id int64
		var o Origin
		if err := rows.Scan(&id, &o.Role, &o.RunID, &o.Key, &o.NameZh, &o.NameEn); err != nil {
			return nil, fmt.Errorf("task origins of incident %d: %w", incidentID, err)
		}
		out[id] = &o
	}
	return out, rows.Err()
}

// phaseRank orders tasks by phase; a group that is no phase (a task made
// through the generic API) goes last.
func phaseRank(g string) int {
	if k := slices.Index(StepPhases, incident.Phase(g)); k >= 0 {
		return k
	}
	return len(StepPhases)
}

// IncidentTasks returns the incident's tasks in phase order, each phase's
// by due date (undated last), with the playbook that made each.
func (s *Service) IncidentTasks(ctx context.Context, incidentID int64) ([]IncidentTask, error) {
	actor, err := auth.Require(ctx, auth.PermTaskRead)
	if err != nil {
		return nil, err
	}
	if _, err := s.Incidents.Get(ctx, incidentID); err != nil {
		return nil, err
	}
	list, err := s.Tasks.ForObject(ctx, TaskObject, incidentRef(incidentID))
	if err != nil {
		return nil, err
	}
	orig, err := origins(ctx, s.DB.Read(), actor.OrgID, incidentID)
	if err != nil {
		return nil, apperr.Wrap(err, "incident tasks")
	}
	out := make([]IncidentTask, 0, len(list))
	for _, t := range list {
		out = append(out, IncidentTask{Task: t, Phase: incident.Phase(t.Group), Playbook: orig[t.ID]})
	}
	slices.SortStableFunc(out, func(a, b IncidentTask) int { return phaseRank(a.Group) - phaseRank(b.Group) })
	return out, nil
}

// withFields adds field errors to err's (or makes err one): so a bad
// phase is reported together with the task's own problems.
func withFields(err error, fe []apperr.FieldError) error {
	if err == nil {
		return apperr.Fields(fe)
	}
	if ae := apperr.As(err); ae.Code == apperr.Invalid {
		return apperr.Fields(append(slices.Clone(fe), ae.Fields...))
	}
	return err
}

// openIncident returns the incident if work may still be added to it.
func (s *Service) openIncident(ctx context.Context, id int64) (incident.Incident, error) {
	inc, err := s.Incidents.Get(ctx, id)
	if err != nil {
		return inc, err
	}
	if !inc.Open() {
		return inc, apperr.New(apperr.Conflict, "err.playbook_incident_closed")
	}
	return inc, nil
}

// AddTask adds a task to a phase of an open incident: any phase, since
// work of an earlier one (a report still to write) may come up later.
// inputErrs are problems the surface found reading its input (a date that
// does not parse): with any, nothing is added and they are reported
// together with the task's own.
func (s *Service) AddTask(ctx context.Context, incidentID int64, in TaskInput, inputErrs ...apperr.FieldError) (IncidentTask, error) {
	if _, err := auth.Require(ctx, auth.PermTaskWrite); err != nil {
		return IncidentTask{}, err
	}
	if _, err := s.openIncident(ctx, incidentID); err != nil {
		return IncidentTask{}, err
	}
	var out task.Task
	err := s.DB.Tx(ctx, func(tx *store.Tx) error {
		var err error
		out, err = s.Tasks.Create(ctx, tx, task.Task{ObjectType: TaskObject, ObjectID: incidentRef(incidentID),
			Group: string(in.Phase), Title: in.Title, Notes: in.Notes, AssigneeID: in.AssigneeID, DueAt: in.DueAt, Status: in.Status})
		if !ValidPhase(in.Phase) {
			inputErrs = append([]apperr.FieldError{{Field: "phase", Key: "err.invalid_choice"}}, inputErrs...)
		}
		if len(inputErrs) > 0 {
			return withFields(err, inputErrs) // rolls the task back
		}
		return err
	})
	if err != nil {
		return IncidentTask{}, apperr.Wrap(err, "add incident task")
	}
	return IncidentTask{Task: out, Phase: in.Phase}, nil
}

// UpdateTask changes a task of the incident through the task service, so
// its rules hold: who may manage tasks changes anything, the assignee the
// status and notes of their own. A task of another object is not found.
func (s *Service) UpdateTask(ctx context.Context, incidentID, taskID int64, p task.Patch) (task.Task, error) {
	if _, err := auth.Require(ctx, auth.PermTaskRead); err != nil {
		return task.Task{}, err
	}
	if _, err := s.Incidents.Get(ctx, incidentID); err != nil {
		return task.Task{}, err
	}
	t, err := s.Tasks.Get(ctx, taskID)
	if err != nil {
		return task.Task{}, err
	}
	if t.ObjectType != TaskObject || t.ObjectID != incidentRef(incidentID) {
		return task.Task{}, apperr.New(apperr.NotFound, "err.not_found")
	}
	if p.Group != nil && !ValidPhase(incident.Phase(*p.Group)) {
		return task.Task{}, apperr.Fields([]apperr.FieldError{{Field: "phase", Key: "err.invalid_choice"}})
	}
	return s.Tasks.Update(ctx, taskID, p)
}
