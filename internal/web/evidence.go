package web

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/evidence"
	"bulwark/internal/httpx"
	"bulwark/internal/i18n"
	"bulwark/internal/incident"
)

// Evidence, IOCs and intel notes of an incident (issue 3, point 8).
func (u *UI) evidenceRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/incidents/{id}/evidence", Handler: u.evidencePage},
		{Method: "POST", Pattern: "/incidents/{id}/evidence", Handler: u.evidenceUpload},
		{Method: "GET", Pattern: "/incidents/{id}/evidence/{eid}", Handler: u.evidenceShow},
		{Method: "GET", Pattern: "/incidents/{id}/evidence/{eid}/download", Handler: u.evidenceDownload},
		{Method: "POST", Pattern: "/incidents/{id}/evidence/{eid}/custody", Handler: u.evidenceCustody},
		{Method: "POST", Pattern: "/incidents/{id}/iocs", Handler: u.iocCreate},
		{Method: "POST", Pattern: "/incidents/{id}/iocs/{iid}/delete", Handler: u.iocDelete},
		{Method: "POST", Pattern: "/incidents/{id}/intel-notes", Handler: u.intelNoteCreate},
		{Method: "GET", Pattern: "/iocs", Handler: u.iocSearch},
	}
}

// evidenceRow is an evidence file ready to show.
type evidenceRow struct {
	evidence.Evidence
	SizeText string
}

type evidencePageData struct {
	Incident   incident.Incident
	Evidence   []evidenceRow
	IOCs       []evidence.IOC
	Notes      []intelNoteRow
	IOCTypes   []evidence.IOCType
	Techniques []evidence.Technique
	MaxMB      int64
	// Form values kept after a refused form.
	Form map[string]string
}

type intelNoteRow struct {
	evidence.IntelNote
	Names map[string]string // technique ID → name in the reader's language
}

// sizeText writes a byte count for people (KiB, MiB, GiB).
func sizeText(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 3; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGT"[exp])
}

func evidenceIDs(r *http.Request, name string) (int64, int64, error) {
	inc, err := pathID(r)
	if err != nil {
		return 0, 0, err
	}
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil {
		return 0, 0, apperr.New(apperr.NotFound, "err.not_found")
	}
	return inc, id, nil
}

func evidencePath(inc int64) string { return "/incidents/" + strconv.FormatInt(inc, 10) + "/evidence" }

// evidenceData gathers everything the evidence page shows.
func (u *UI) evidenceData(r *http.Request, inc int64) (evidencePageData, error) {
	ctx := r.Context()
	d := evidencePageData{IOCTypes: evidence.IOCTypes, Techniques: evidence.Techniques, MaxMB: u.Cfg.MaxUpload >> 20, Form: map[string]string{}}
	var err error
	if d.Incident, err = u.App.Incidents.Get(ctx, inc); err != nil {
		return d, err
	}
	files, err := u.App.Evidence.List(ctx, inc)
	if err != nil {
		return d, err
	}
	for _, f := range files {
		d.Evidence = append(d.Evidence, evidenceRow{Evidence: f, SizeText: sizeText(f.Size)})
	}
	if d.IOCs, err = u.App.Evidence.IOCs(ctx, inc); err != nil {
		return d, err
	}
	notes, err := u.App.Evidence.Notes(ctx, inc)
	if err != nil {
		return d, err
	}
	lang := httpx.Lang(r)
	for _, n := range notes {
		row := intelNoteRow{IntelNote: n, Names: map[string]string{}}
		for _, t := range n.Techniques {
			row.Names[t] = evidence.TechniqueName(t, lang)
		}
		d.Notes = append(d.Notes, row)
	}
	return d, nil
}

// renderEvidencePage shows the page, with err's messages when a form was
// refused.
func (u *UI) renderEvidencePage(w http.ResponseWriter, r *http.Request, inc int64, form map[string]string, err error) {
	d, derr := u.evidenceData(r, inc)
	if derr != nil {
		u.fail(w, r, derr)
		return
	}
	for k, v := range form {
		d.Form[k] = v
	}
	v := u.view(r, "incidents", d)
	v.Title = d.Incident.Number + " " + i18n.T(v.Lang, "evidence.title")
	status := http.StatusOK
	if err != nil {
		status = v.setErr(r, err)
	}
	u.render(w, r, status, "evidence_index", v)
}

func (u *UI) evidencePage(w http.ResponseWriter, r *http.Request) {
	inc, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.renderEvidencePage(w, r, inc, nil, nil)
}

// parseLocal reads a datetime-local value in the installation's zone.
func (u *UI) parseLocal(field, s string) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	t, err := time.ParseInLocation(localLayout, s, u.location())
	if err != nil {
		return nil, apperr.Fields([]apperr.FieldError{{Field: field, Key: "err.incident_time_local"}})
	}
	return &t, nil
}

// evidenceUpload streams the file into the store (after checking the
// caller), then records it with the fields of the form.
func (u *UI) evidenceUpload(w http.ResponseWriter, r *http.Request) {
	inc, err := pathID(r)
	if err == nil {
		err = u.App.Evidence.CheckUpload(r.Context(), inc)
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	var f evidence.File
	fields, err := httpx.StreamUpload(r, "file", func(name string, part io.Reader) error {
		var err error
		f, err = u.App.Evidence.Save(r.Context(), inc, u.Cfg.Data, u.Cfg.MaxUpload, name, part)
		return err
	})
	form := map[string]string{}
	for _, k := range []string{"description", "collected_by", "collected_at", "collected_from"} {
		form[k] = fields.Get(k)
	}
	if err != nil {
		// A refused file is shown next to the file field.
		if ae := apperr.As(err); ae.Code != apperr.Internal && len(ae.Fields) == 0 {
			err = &apperr.Error{Code: ae.Code, Key: ae.Key, Args: ae.Args,
				Fields: []apperr.FieldError{{Field: "file", Key: ae.Key, Args: ae.Args}}}
		}
		u.renderEvidencePage(w, r, inc, form, err)
		return
	}
	at, err := u.parseLocal("collected_at", form["collected_at"])
	if err == nil {
		_, err = u.App.Evidence.Add(r.Context(), inc, f, evidence.Meta{Description: form["description"],
			CollectedBy: form["collected_by"], CollectedAt: at, CollectedFrom: form["collected_from"]})
	}
	if err != nil {
		u.renderEvidencePage(w, r, inc, form, err)
		return
	}
	redirect(w, r, evidencePath(inc), "flash.saved")
}

type evidenceShowData struct {
	Incident incident.Incident
	Evidence evidenceRow
	Custody  []evidence.Custody
	Note     string
	Action   string
}

func (u *UI) renderEvidenceShow(w http.ResponseWriter, r *http.Request, inc, id int64, form evidenceShowData, err error) {
	i, gerr := u.App.Incidents.Get(r.Context(), inc)
	var e evidence.Evidence
	var chain []evidence.Custody
	if gerr == nil {
		e, chain, gerr = u.App.Evidence.Get(r.Context(), inc, id)
	}
	if gerr != nil {
		u.fail(w, r, gerr)
		return
	}
	d := evidenceShowData{Incident: i, Evidence: evidenceRow{Evidence: e, SizeText: sizeText(e.Size)}, Custody: chain,
		Note: form.Note, Action: form.Action}
	v := u.view(r, "incidents", d)
	v.Title = e.Filename
	status := http.StatusOK
	if err != nil {
		status = v.setErr(r, err)
	}
	u.render(w, r, status, "evidence_show", v)
}

func (u *UI) evidenceShow(w http.ResponseWriter, r *http.Request) {
	inc, id, err := evidenceIDs(r, "eid")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.renderEvidenceShow(w, r, inc, id, evidenceShowData{}, nil)
}

func (u *UI) evidenceDownload(w http.ResponseWriter, r *http.Request) {
	inc, id, err := evidenceIDs(r, "eid")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	e, f, err := u.App.Evidence.Open(r.Context(), u.Cfg.Data, inc, id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	defer f.Close()
	evidence.WriteDownload(w, e, f)
}

func (u *UI) evidenceCustody(w http.ResponseWriter, r *http.Request) {
	inc, id, err := evidenceIDs(r, "eid")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	action, note := r.PostFormValue("action"), r.PostFormValue("note")
	if _, err := u.App.Evidence.Record(r.Context(), inc, id, action, note); err != nil {
		if apperr.Is(err, apperr.Invalid) {
			u.renderEvidenceShow(w, r, inc, id, evidenceShowData{Note: note, Action: action}, err)
			return
		}
		u.fail(w, r, err)
		return
	}
	redirect(w, r, evidencePath(inc)+"/"+strconv.FormatInt(id, 10), "flash.saved")
}

func (u *UI) iocCreate(w http.ResponseWriter, r *http.Request) {
	inc, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	form := map[string]string{"ioc_type": r.PostFormValue("type"), "ioc_value": r.PostFormValue("value"),
		"ioc_description": r.PostFormValue("description"), "ioc_first_seen": r.PostFormValue("first_seen"), "ioc_tags": r.PostFormValue("tags")}
	first, err := u.parseLocal("first_seen", form["ioc_first_seen"])
	if err == nil {
		_, err = u.App.Evidence.AddIOC(r.Context(), inc, evidence.IOCInput{Type: evidence.IOCType(form["ioc_type"]),
			Value: form["ioc_value"], Description: form["ioc_description"], FirstSeen: first, Tags: []string{form["ioc_tags"]}})
	}
	if err != nil {
		if ae := apperr.As(err); ae.Code == apperr.Invalid {
			// The page has several forms: the IOC form's fields are named
			// ioc_* there so its messages land beside its own fields.
			fe := make([]apperr.FieldError, len(ae.Fields))
			for k, f := range ae.Fields {
				f.Field = "ioc_" + f.Field
				fe[k] = f
			}
			u.renderEvidencePage(w, r, inc, form, &apperr.Error{Code: ae.Code, Key: ae.Key, Args: ae.Args, Fields: fe})
			return
		}
		u.fail(w, r, err)
		return
	}
	redirect(w, r, evidencePath(inc)+"#iocs", "flash.saved")
}

func (u *UI) iocDelete(w http.ResponseWriter, r *http.Request) {
	inc, id, err := evidenceIDs(r, "iid")
	if err == nil {
		err = u.App.Evidence.DeleteIOC(r.Context(), inc, id)
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	redirect(w, r, evidencePath(inc)+"#iocs", "flash.saved")
}

func (u *UI) intelNoteCreate(w http.ResponseWriter, r *http.Request) {
	inc, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	techs := strings.Join(append(r.PostForm["technique"], r.PostFormValue("techniques")), " ")
	form := map[string]string{"note_body": r.PostFormValue("body"), "note_techniques": techs}
	if _, err := u.App.Evidence.AddNote(r.Context(), inc, form["note_body"], techs); err != nil {
		if apperr.Is(err, apperr.Invalid) {
			u.renderEvidencePage(w, r, inc, form, err)
			return
		}
		u.fail(w, r, err)
		return
	}
	redirect(w, r, evidencePath(inc)+"#intel", "flash.saved")
}

type iocSearchData struct {
	Q       string
	Results []evidence.IOC
}

func (u *UI) iocSearch(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	res, err := u.App.Evidence.Search(r.Context(), q)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	v := u.view(r, "incidents", iocSearchData{Q: q, Results: res})
	v.Title = i18n.T(v.Lang, "evidence.ioc_search")
	u.render(w, r, http.StatusOK, "ioc_search", v)
}
