package web

import (
	"net/http"
	"strconv"
	"strings"

	"bulwark/internal/httpx"
	"bulwark/internal/i18n"
	"bulwark/internal/incident"
)

// The classification tree and the grading thresholds: everyone who reads
// incidents may see them (the grade's reasons refer to them); the platform
// admin edits them, installation-wide (see auth.PermIncidentAdminCategories).
func (u *UI) incidentCategoryRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/incident-categories", Handler: u.incidentCategories},
		{Method: "POST", Pattern: "/incident-categories/{code}", Handler: u.incidentCategoryUpdate},
		{Method: "POST", Pattern: "/incident-categories/{code}/children", Handler: u.incidentCategoryAdd},
		{Method: "POST", Pattern: "/incident-criteria/{key}", Handler: u.incidentCriterionUpdate},
	}
}

// categoryRow is one row of the tree's table: a class, a sub-category, and
// after a class's last sub-category the form adding one more (AddTo).
type categoryRow struct {
	incident.Category
	IsClass bool
	AddTo   string
}

func categoryRows(tree []incident.Category) []categoryRow {
	var rows []categoryRow
	for _, c := range tree {
		rows = append(rows, categoryRow{Category: c, IsClass: true})
		for _, s := range c.Children {
			rows = append(rows, categoryRow{Category: s})
		}
		rows = append(rows, categoryRow{AddTo: c.Code})
	}
	return rows
}

type incidentCategoriesData struct {
	Rows     []categoryRow
	Criteria []incident.Criterion
	Failed   string // the form whose error is shown: a code or criterion key
}

func (u *UI) renderIncidentCategories(w http.ResponseWriter, r *http.Request, failed string, err error) {
	tree, terr := u.App.Incidents.Categories(r.Context(), false)
	if terr != nil {
		u.fail(w, r, terr)
		return
	}
	criteria, cerr := u.App.Incidents.Criteria(r.Context())
	if cerr != nil {
		u.fail(w, r, cerr)
		return
	}
	v := u.view(r, "incident-categories", incidentCategoriesData{Rows: categoryRows(tree), Criteria: criteria, Failed: failed})
	v.Title = i18n.T(v.Lang, "incident.categories.title")
	status := http.StatusOK
	if err != nil {
		status = v.setErr(r, err)
	}
	u.render(w, r, status, "incident_categories", v)
}

func (u *UI) incidentCategories(w http.ResponseWriter, r *http.Request) {
	u.renderIncidentCategories(w, r, "", nil)
}

func categoryEditFromForm(r *http.Request) incident.CategoryEdit {
	return incident.CategoryEdit{NameZh: r.PostFormValue("name_zh"), NameEn: r.PostFormValue("name_en"),
		AnnexBCode: r.PostFormValue("annex_b_code"), Active: r.PostFormValue("active") != ""}
}

// afterAdminPost re-shows the page with the error, or goes back to it.
func (u *UI) afterAdminPost(w http.ResponseWriter, r *http.Request, failed string, err error) {
	if err != nil {
		if status, _ := httpx.ErrorDetailOf(r, err); status == http.StatusUnprocessableEntity {
			u.renderIncidentCategories(w, r, failed, err)
			return
		}
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/incident-categories", "flash.saved")
}

func (u *UI) incidentCategoryUpdate(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	_, err := u.App.Incidents.UpdateCategory(r.Context(), code, categoryEditFromForm(r))
	u.afterAdminPost(w, r, code, err)
}

func (u *UI) incidentCategoryAdd(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	_, err := u.App.Incidents.AddCategory(r.Context(), code, categoryEditFromForm(r))
	u.afterAdminPost(w, r, code+"/children", err)
}

func (u *UI) incidentCriterionUpdate(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	var th [3]int64
	for k := range th {
		// A figure that does not parse stays 0, which validation refuses.
		th[k], _ = strconv.ParseInt(strings.TrimSpace(r.PostFormValue("threshold_"+strconv.Itoa(k+1))), 10, 64)
	}
	_, err := u.App.Incidents.UpdateCriterion(r.Context(), key, th, r.PostFormValue("verified") != "")
	u.afterAdminPost(w, r, key, err)
}
