package api

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/httpx"
	"bulwark/internal/i18n"
	"bulwark/internal/incident"
	"bulwark/internal/playbook"
	"bulwark/internal/task"
)

func init() {
	registerSchema("Playbook", playbook.Playbook{})
	registerSchema("PlaybookList", PlaybookList{})
	registerSchema("PlaybookInput", playbookInput{})
	registerSchema("PlaybookImportResult", PlaybookImportJSON{})
	registerSchema("IncidentTask", playbook.IncidentTask{})
	registerSchema("IncidentTaskList", IncidentTaskList{})
	registerSchema("IncidentTaskInput", incidentTaskInput{})
	registerSchema("PlaybookSuggestions", playbook.Suggestions{})
	registerSchema("PlaybookApplyInput", applyInput{})
	registerSchema("PlaybookApplied", PlaybookApplied{})
}

func (h *API) playbookRoutes() []httpx.Route {
	doc := func(sum, req, resp string, status int) *httpx.Doc {
		return &httpx.Doc{Summary: sum, Tag: "playbooks", Request: req, Response: resp, Status: status}
	}
	return []httpx.Route{
		{Method: "GET", Pattern: "/api/v1/playbooks", Handler: h.listPlaybooks,
			Doc: doc("The playbooks the organisation sees: the defaults (or its copies of them), then its own", "", "PlaybookList", 0)},
		{Method: "POST", Pattern: "/api/v1/playbooks", Handler: h.createPlaybook,
			Doc: doc("Create an organisation's own playbook (steps: phase, title, notes, due offset such as 4h or 1d12h, role)", "PlaybookInput", "Playbook", 201)},
		{Method: "GET", Pattern: "/api/v1/playbooks/{key}", Handler: h.getPlaybook,
			Doc: doc("One playbook by key", "", "Playbook", 0)},
		{Method: "PUT", Pattern: "/api/v1/playbooks/{key}", Handler: h.putPlaybook,
			Doc: doc("Replace a playbook (a default gets the organisation's own copy); enabled omitted keeps it as it is", "PlaybookInput", "Playbook", 0)},
		{Method: "DELETE", Pattern: "/api/v1/playbooks/{key}", Handler: h.deletePlaybook,
			Doc: doc("Delete an own playbook, or the organisation's copy of a default (the default comes back); defaults themselves can only be disabled", "", "", 204)},
		{Method: "GET", Pattern: "/api/v1/playbooks/export", Handler: h.exportPlaybooks,
			Doc: &httpx.Doc{Summary: "Export the playbooks (or the one named by key) as YAML", Tag: "playbooks", Query: []string{"key"}, Binary: yamlType}},
		{Method: "POST", Pattern: "/api/v1/playbooks/import", Handler: h.importPlaybooks,
			Doc: &httpx.Doc{Summary: "Import playbooks from a YAML file (multipart field \"file\", at most 1 MiB): dry_run=true previews; " +
				"all or nothing, every problem named by playbook, phase, step and field", Tag: "playbooks", Multipart: true,
				Query: []string{"dry_run"}, Response: "PlaybookImportResult"}},
		{Method: "GET", Pattern: "/api/v1/incidents/{id}/tasks", Handler: h.incidentTasks,
			Doc: &httpx.Doc{Summary: "The incident's tasks by phase (change one with PATCH /api/v1/tasks/{id})", Tag: "incidents", Response: "IncidentTaskList"}},
		{Method: "POST", Pattern: "/api/v1/incidents/{id}/tasks", Handler: h.addIncidentTask,
			Doc: &httpx.Doc{Summary: "Add a task to a phase of the incident", Tag: "incidents", Request: "IncidentTaskInput", Response: "IncidentTask", Status: 201}},
		{Method: "GET", Pattern: "/api/v1/incidents/{id}/playbooks", Handler: h.incidentPlaybooks,
			Doc: &httpx.Doc{Summary: "Playbooks for the incident: those matching its category, the others, those applied", Tag: "incidents", Response: "PlaybookSuggestions"}},
		{Method: "POST", Pattern: "/api/v1/incidents/{id}/playbooks", Handler: h.applyPlaybook,
			Doc: &httpx.Doc{Summary: "Apply a playbook: its steps become tasks of their phases (refused when applied before)", Tag: "incidents",
				Request: "PlaybookApplyInput", Response: "PlaybookApplied", Status: 201}},
	}
}

const yamlType = "application/yaml"

// PlaybookList is a list of playbooks.
type PlaybookList struct {
	Items []playbook.Playbook `json:"items"`
}

// playbookInput is a playbook as written: steps in any order (they are
// kept in phase order, each phase's as given). Field errors name steps by
// their place in this list: steps.<i>.<field>, from 0.
type playbookInput struct {
	Key         string          `json:"key"`
	NameZh      string          `json:"name_zh"`
	NameEn      string          `json:"name_en"`
	Description string          `json:"description"`
	Categories  []string        `json:"categories"`
	Enabled     *bool           `json:"enabled"`
	Steps       []playbook.Step `json:"steps"`
}

func (in playbookInput) playbook(enabled bool) playbook.Playbook {
	if in.Enabled != nil {
		enabled = *in.Enabled
	}
	return playbook.Playbook{Key: in.Key, NameZh: in.NameZh, NameEn: in.NameEn, Description: in.Description,
		Categories: in.Categories, Enabled: enabled, Steps: in.Steps}
}

func (h *API) listPlaybooks(w http.ResponseWriter, r *http.Request) {
	list, err := h.App.Playbooks.List(r.Context())
	reply(w, r, http.StatusOK, PlaybookList{Items: list}, err)
}

func (h *API) getPlaybook(w http.ResponseWriter, r *http.Request) {
	p, err := h.App.Playbooks.Get(r.Context(), r.PathValue("key"))
	reply(w, r, http.StatusOK, p, err)
}

func (h *API) createPlaybook(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermPlaybookManage); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var in playbookInput
	if err := decode(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	p, err := h.App.Playbooks.Create(r.Context(), in.playbook(true))
	if err == nil {
		w.Header().Set("Location", "/api/v1/playbooks/"+p.Key)
	}
	reply(w, r, http.StatusCreated, p, err)
}

func (h *API) putPlaybook(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermPlaybookManage); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	key := r.PathValue("key")
	var in playbookInput
	if err := decode(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	cur, err := h.App.Playbooks.Get(r.Context(), key)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if in.Key != "" && in.Key != key {
		httpx.WriteError(w, r, apperr.Fields([]apperr.FieldError{{Field: "key", Key: "err.playbook_key_fixed"}}))
		return
	}
	p, err := h.App.Playbooks.Update(r.Context(), key, in.playbook(cur.Enabled))
	reply(w, r, http.StatusOK, p, err)
}

func (h *API) deletePlaybook(w http.ResponseWriter, r *http.Request) {
	if err := h.App.Playbooks.Delete(r.Context(), r.PathValue("key")); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// exportPlaybooks renders the file first, so an error is still a JSON
// error and not half a download.
func (h *API) exportPlaybooks(w http.ResponseWriter, r *http.Request) {
	key := r.URL.Query().Get("key")
	var buf bytes.Buffer
	if err := h.App.Playbooks.Export(r.Context(), key, &buf); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	name := "playbooks.yaml"
	if key != "" {
		name = "playbook-" + key + ".yaml"
	}
	w.Header().Set("Content-Type", yamlType+"; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	_, _ = buf.WriteTo(w)
}

// PlaybookImportJSON is an import's plan (dry_run) or outcome; issues
// carry a message in the caller's language.
type PlaybookImportJSON struct {
	SHA256   string                `json:"sha256"`
	Filename string                `json:"filename"`
	DryRun   bool                  `json:"dry_run"`
	Applied  bool                  `json:"applied"`
	Items    []playbook.ImportItem `json:"items"`
	Issues   []importIssue         `json:"issues"`
}

type importIssue struct {
	playbook.Issue
	Path    string `json:"path"`
	Message string `json:"message"`
}

func (h *API) importPlaybooks(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermPlaybookManage); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	dryRun := false
	if s := r.URL.Query().Get("dry_run"); s != "" {
		v, err := strconv.ParseBool(s)
		if err != nil {
			httpx.WriteError(w, r, apperr.Fields([]apperr.FieldError{{Field: "dry_run", Key: "err.wrong_type"}}))
			return
		}
		dryRun = v
	}
	var sum string
	_, err := httpx.StreamUpload(r, "file", func(name string, part io.Reader) error {
		up, err := h.App.Playbooks.SaveImportFile(r.Context(), h.Cfg.Data, name, part)
		sum = up.SHA256
		return err
	})
	if err == nil && sum == "" {
		err = apperr.New(apperr.Invalid, "err.playbook_no_file")
	}
	if ae := apperr.As(err); err != nil && ae.Key == "err.import_no_file" {
		err = apperr.New(apperr.Invalid, "err.playbook_no_file")
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	res, err := h.App.Playbooks.ImportUpload(r.Context(), h.Cfg.Data, sum, dryRun)
	if err != nil {
		// A refused file answers 422: error.fields name each problem's
		// place (playbook.steps.phase.n.field) with its message.
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, importPlaybooksJSON(r, res))
}

func importPlaybooksJSON(r *http.Request, res *playbook.ImportResult) PlaybookImportJSON {
	lang := httpx.Lang(r)
	out := PlaybookImportJSON{SHA256: res.SHA256, Filename: res.Filename, DryRun: res.DryRun, Applied: res.Applied,
		Items: res.Items, Issues: []importIssue{}}
	for _, i := range res.Issues {
		out.Issues = append(out.Issues, importIssue{Issue: i, Path: i.Path(), Message: i18n.Field(lang, i.FieldError())})
	}
	return out
}

// IncidentTaskList is an incident's tasks.
type IncidentTaskList struct {
	Items []playbook.IncidentTask `json:"items"`
}

type incidentTaskInput struct {
	Phase      string      `json:"phase"`
	Title      string      `json:"title"`
	Notes      string      `json:"notes"`
	AssigneeID int64       `json:"assignee_id"`
	DueAt      *time.Time  `json:"due_at"`
	Status     task.Status `json:"status"`
}

func (h *API) incidentTasks(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	list, err := h.App.Playbooks.IncidentTasks(r.Context(), id)
	reply(w, r, http.StatusOK, IncidentTaskList{Items: list}, err)
}

func (h *API) addIncidentTask(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var in incidentTaskInput
	if err := decode(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	ti := playbook.TaskInput{Phase: incident.Phase(strings.TrimSpace(in.Phase)), Title: in.Title, Notes: in.Notes,
		AssigneeID: in.AssigneeID, Status: in.Status}
	if in.DueAt != nil {
		ti.DueAt = *in.DueAt
	}
	t, err := h.App.Playbooks.AddTask(r.Context(), id, ti)
	if err == nil {
		w.Header().Set("Location", "/api/v1/tasks/"+strconv.FormatInt(t.ID, 10))
	}
	reply(w, r, http.StatusCreated, t, err)
}

func (h *API) incidentPlaybooks(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	s, err := h.App.Playbooks.Suggest(r.Context(), id)
	reply(w, r, http.StatusOK, s, err)
}

type applyInput struct {
	Key string `json:"key"`
}

// PlaybookApplied is an application and the tasks it created.
type PlaybookApplied struct {
	Run   playbook.Run            `json:"run"`
	Tasks []playbook.IncidentTask `json:"tasks"`
}

func (h *API) applyPlaybook(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var in applyInput
	if err := decode(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	run, tasks, err := h.App.Playbooks.Apply(r.Context(), id, in.Key)
	reply(w, r, http.StatusCreated, PlaybookApplied{Run: run, Tasks: tasks}, err)
}
