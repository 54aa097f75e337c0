package web

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/httpx"
	"bulwark/internal/i18n"
	"bulwark/internal/incident"
	"bulwark/internal/playbook"
)

// Playbook pages: the list, one playbook, the form (new and edit), and the
// YAML export. The form edits the steps as rows (no JavaScript): each row
// has its phase and an order number; empty rows are ignored, so blank rows
// at the end add steps.
func (u *UI) playbookRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/playbooks", Handler: u.playbookList},
		{Method: "GET", Pattern: "/playbooks/new", Handler: u.playbookNew},
		{Method: "POST", Pattern: "/playbooks", Handler: u.playbookCreate},
		{Method: "GET", Pattern: "/playbooks/export.yaml", Handler: u.playbookExport},
		{Method: "GET", Pattern: "/playbooks/{key}", Handler: u.playbookShow},
		{Method: "GET", Pattern: "/playbooks/{key}/edit", Handler: u.playbookEdit},
		{Method: "POST", Pattern: "/playbooks/{key}", Handler: u.playbookUpdate},
		{Method: "POST", Pattern: "/playbooks/{key}/enabled", Handler: u.playbookEnabled},
		{Method: "POST", Pattern: "/playbooks/{key}/delete", Handler: u.playbookDelete},
		{Method: "GET", Pattern: "/playbooks/{key}/export.yaml", Handler: u.playbookExport},
	}
}

// categoryNames maps every code of the tree to its name in lang.
func (u *UI) categoryNames(r *http.Request) (map[string]string, []incident.Category, error) {
	tree, err := u.App.Incidents.Categories(r.Context(), false)
	if err != nil {
		return nil, nil, err
	}
	lang := httpx.Lang(r)
	names := map[string]string{}
	for _, c := range tree {
		names[c.Code] = c.Name(lang)
		for _, ch := range c.Children {
			names[ch.Code] = ch.Name(lang)
		}
	}
	return names, tree, nil
}

type playbookListData struct {
	Playbooks  []playbook.Playbook
	Categories map[string]string
}

func (u *UI) playbookList(w http.ResponseWriter, r *http.Request) {
	list, err := u.App.Playbooks.List(r.Context())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	names, _, err := u.categoryNames(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	v := u.view(r, "playbooks", playbookListData{Playbooks: list, Categories: names})
	v.Title = i18n.T(v.Lang, "playbook.list.title")
	u.render(w, r, http.StatusOK, "playbook_list", v)
}

type playbookShowData struct {
	Playbook   playbook.Playbook
	Categories map[string]string
}

func (u *UI) playbookShow(w http.ResponseWriter, r *http.Request) {
	p, err := u.App.Playbooks.Get(r.Context(), r.PathValue("key"))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	names, _, err := u.categoryNames(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	v := u.view(r, "playbooks", playbookShowData{Playbook: p, Categories: names})
	v.Title = p.Name(v.Lang)
	u.render(w, r, http.StatusOK, "playbook_show", v)
}

// stepRow is one row of the form's step table, as shown or as posted.
type stepRow struct {
	Index int // the row's place in the form, which its errors name
	Phase string
	Order string
	Title string
	Notes string
	Due   string
	Role  string
}

// blankRows are the empty rows the form offers for new steps.
const blankRows = 5

type playbookFormData struct {
	New        bool
	Action     string
	Playbook   playbook.Playbook
	Rows       []stepRow
	Tree       []incident.Category
	Phases     []incident.Phase
	Roles      []auth.Role
	Categories map[string]bool
}

// rowsOf lays out p's steps as rows numbered 10, 20, ... with blank rows
// after them.
func rowsOf(p playbook.Playbook) []stepRow {
	var rows []stepRow
	for _, s := range p.Steps {
		rows = append(rows, stepRow{Phase: string(s.Phase), Title: s.Title, Notes: s.Notes, Due: s.Due, Role: string(s.Role)})
	}
	for range blankRows {
		rows = append(rows, stepRow{Phase: string(incident.PhaseContainment)})
	}
	for i := range rows {
		rows[i].Index, rows[i].Order = i, strconv.Itoa((i+1)*10)
	}
	return rows
}

func (u *UI) renderPlaybookForm(w http.ResponseWriter, r *http.Request, status int, d playbookFormData, err error) {
	_, tree, lerr := u.categoryNames(r)
	if lerr != nil {
		u.fail(w, r, lerr)
		return
	}
	d.Tree, d.Phases, d.Roles = tree, playbook.StepPhases, playbook.StepRoles()
	d.Categories = map[string]bool{}
	for _, c := range d.Playbook.Categories {
		d.Categories[strings.ToUpper(c)] = true
	}
	v := u.view(r, "playbooks", d)
	if d.New {
		v.Title = i18n.T(v.Lang, "playbook.new.title")
	} else {
		v.Title = i18n.T(v.Lang, "playbook.edit.title", d.Playbook.Name(v.Lang))
	}
	if err != nil {
		status = v.setErr(r, err)
	}
	u.render(w, r, status, "playbook_form", v)
}

func (u *UI) playbookNew(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermPlaybookManage); err != nil {
		u.fail(w, r, err)
		return
	}
	p := playbook.Playbook{Enabled: true}
	u.renderPlaybookForm(w, r, http.StatusOK, playbookFormData{New: true, Action: "/playbooks", Playbook: p, Rows: rowsOf(p)}, nil)
}

func (u *UI) playbookEdit(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermPlaybookManage); err != nil {
		u.fail(w, r, err)
		return
	}
	p, err := u.App.Playbooks.Get(r.Context(), r.PathValue("key"))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.renderPlaybookForm(w, r, http.StatusOK, playbookFormData{Action: "/playbooks/" + p.Key, Playbook: p, Rows: rowsOf(p)}, nil)
}

// readPlaybookForm reads the form into a playbook and its rows. Rows with
// no title, notes or due offset are left out; the others become steps in
// order of their order number (then of the rows), and index maps each
// step to its row for the errors. A bad order number is an error of its
// row.
func readPlaybookForm(r *http.Request) (p playbook.Playbook, rows []stepRow, index []int, err error) {
	if err := r.ParseForm(); err != nil {
		return p, nil, nil, apperr.New(apperr.Invalid, "err.invalid_input")
	}
	f := r.PostForm
	p = playbook.Playbook{Key: f.Get("key"), NameZh: f.Get("name_zh"), NameEn: f.Get("name_en"),
		Description: f.Get("description"), Categories: f["categories"], Enabled: f.Get("enabled") != ""}
	col := func(name string, i int) string {
		if v := f[name]; i < len(v) {
			return v[i]
		}
		return ""
	}
	n := len(f["step_title"])
	var bad []apperr.FieldError
	type kept struct {
		row   int
		order int
	}
	var keep []kept
	for i := range n {
		row := stepRow{Index: i, Phase: col("step_phase", i), Order: strings.TrimSpace(col("step_order", i)), Title: col("step_title", i),
			Notes: col("step_notes", i), Due: col("step_due", i), Role: col("step_role", i)}
		rows = append(rows, row)
		if strings.TrimSpace(row.Title+row.Notes+row.Due) == "" {
			continue
		}
		ord, convErr := strconv.Atoi(row.Order)
		if row.Order == "" {
			ord, convErr = (i+1)*10, nil
		}
		if convErr != nil || ord < 0 {
			bad = append(bad, apperr.FieldError{Field: rowField(i, "order"), Key: "err.playbook_order"})
		}
		keep = append(keep, kept{row: i, order: ord})
	}
	slices.SortStableFunc(keep, func(a, b kept) int { return a.order - b.order })
	for _, k := range keep {
		row := rows[k.row]
		p.Steps = append(p.Steps, playbook.Step{Phase: incident.Phase(row.Phase), Title: row.Title, Notes: row.Notes,
			Due: row.Due, Role: auth.Role(row.Role)})
		index = append(index, k.row)
	}
	// The form shown again keeps the rows as posted, with blank rows for
	// more steps at the end when the posted ones are used up.
	blank := 0
	for k := len(rows) - 1; k >= 0 && strings.TrimSpace(rows[k].Title+rows[k].Notes+rows[k].Due) == ""; k-- {
		blank++
	}
	for ; blank < blankRows; blank++ {
		rows = append(rows, stepRow{Index: len(rows), Phase: string(incident.PhaseContainment), Order: strconv.Itoa((len(rows) + 1) * 10)})
	}
	if bad != nil {
		err = apperr.Fields(bad)
	}
	return p, rows, index, err
}

func rowField(i int, field string) string { return "row." + strconv.Itoa(i) + "." + field }

// rowErrors renames the steps' field errors to the rows they came from,
// keeping any errors of the form itself (bad order numbers).
func rowErrors(err, formErr error, index []int) error {
	ae := apperr.As(err)
	if ae.Code != apperr.Invalid {
		return err
	}
	var out []apperr.FieldError
	if formErr != nil {
		out = append(out, apperr.As(formErr).Fields...)
	}
	for _, f := range ae.Fields {
		if i, field, ok := playbook.SplitStepField(f.Field); ok && i < len(index) {
			f.Field = rowField(index[i], field)
		}
		out = append(out, f)
	}
	return apperr.Fields(out)
}

func (u *UI) playbookCreate(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermPlaybookManage); err != nil {
		u.fail(w, r, err)
		return
	}
	p, rows, index, formErr := readPlaybookForm(r)
	d := playbookFormData{New: true, Action: "/playbooks", Playbook: p, Rows: rows}
	u.savePlaybookForm(w, r, d, index, formErr, func(p playbook.Playbook) (playbook.Playbook, error) {
		return u.App.Playbooks.Create(r.Context(), p)
	})
}

func (u *UI) playbookUpdate(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermPlaybookManage); err != nil {
		u.fail(w, r, err)
		return
	}
	key := r.PathValue("key")
	cur, err := u.App.Playbooks.Get(r.Context(), key)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	p, rows, index, formErr := readPlaybookForm(r)
	p.Key = key
	d := playbookFormData{Action: "/playbooks/" + key, Playbook: p, Rows: rows}
	d.Playbook.Source = cur.Source
	u.savePlaybookForm(w, r, d, index, formErr, func(p playbook.Playbook) (playbook.Playbook, error) {
		return u.App.Playbooks.Update(r.Context(), key, p)
	})
}

// savePlaybookForm saves the form's playbook, or shows the form again with
// every problem beside its field: while a row of the form itself is wrong
// nothing is saved, and the playbook's own problems are listed with it.
func (u *UI) savePlaybookForm(w http.ResponseWriter, r *http.Request, d playbookFormData, index []int, formErr error,
	save func(playbook.Playbook) (playbook.Playbook, error)) {
	var err error
	if formErr != nil {
		p := d.Playbook
		p.Categories, p.Steps = slices.Clone(p.Categories), slices.Clone(p.Steps)
		err = p.Check(nil)
	} else {
		var out playbook.Playbook
		if out, err = save(d.Playbook); err == nil {
			redirect(w, r, "/playbooks/"+out.Key, "flash.saved")
			return
		}
	}
	if err == nil {
		err = apperr.Fields(nil)
	}
	err = rowErrors(err, formErr, index)
	if apperr.Is(err, apperr.Invalid) {
		u.renderPlaybookForm(w, r, 0, d, err)
		return
	}
	u.fail(w, r, err)
}

func (u *UI) playbookEnabled(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	if _, err := u.App.Playbooks.SetEnabled(r.Context(), key, r.PostFormValue("enabled") == "1"); err != nil {
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/playbooks/"+key, "flash.saved")
}

func (u *UI) playbookDelete(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermPlaybookManage); err != nil {
		u.fail(w, r, err)
		return
	}
	key := r.PathValue("key")
	p, err := u.App.Playbooks.Get(r.Context(), key)
	if err == nil {
		err = u.App.Playbooks.Delete(r.Context(), key)
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if p.Source == playbook.SourceCustomised {
		redirect(w, r, "/playbooks/"+key, "flash.playbook_reset")
		return
	}
	redirect(w, r, "/playbooks", "flash.playbook_deleted")
}

// playbookExport downloads all playbooks, or the one in the path, as YAML.
func (u *UI) playbookExport(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	var buf bytes.Buffer
	if err := u.App.Playbooks.Export(r.Context(), key, &buf); err != nil {
		u.fail(w, r, err)
		return
	}
	name := "playbooks.yaml"
	if key != "" {
		name = "playbook-" + key + ".yaml"
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = buf.WriteTo(w)
}
