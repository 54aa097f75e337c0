package web

import (
	"io"
	"net/http"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/httpx"
	"bulwark/internal/i18n"
	"bulwark/internal/playbook"
	"bulwark/internal/upload"
)

// Importing playbooks is two plain forms, as for assets: the upload shows
// a preview (a dry run) and keeps only the file's hash; the confirm posts
// the hash back and the import runs again from the stored file, all or
// nothing.
func (u *UI) playbookImportRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/playbooks/import", Handler: u.playbookImportForm},
		{Method: "POST", Pattern: "/playbooks/import", Handler: u.playbookImportPreview},
		{Method: "POST", Pattern: "/playbooks/import/confirm", Handler: u.playbookImportConfirm},
	}
}

type playbookImportFormData struct{ MaxKB int }

func (u *UI) renderPlaybookImportForm(w http.ResponseWriter, r *http.Request, err error) {
	v := u.view(r, "playbooks", playbookImportFormData{MaxKB: playbook.MaxFileSize >> 10})
	v.Title = i18n.T(v.Lang, "playbook.import.title")
	status := http.StatusOK
	if err != nil {
		status = v.setErr(r, err)
	}
	u.render(w, r, status, "playbook_import", v)
}

func (u *UI) playbookImportForm(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermPlaybookManage); err != nil {
		u.fail(w, r, err)
		return
	}
	u.renderPlaybookImportForm(w, r, nil)
}

// importIssueRow is a problem of the file, ready to show.
type importIssueRow struct {
	Playbook string
	Where    string // phase and step, in words
	Field    string
	Message  string
}

type playbookPreviewData struct {
	Result     *playbook.ImportResult
	Issues     []importIssueRow
	CanConfirm bool
}

func (u *UI) renderPlaybookPreview(w http.ResponseWriter, r *http.Request, status int, res *playbook.ImportResult) {
	lang := httpx.Lang(r)
	d := playbookPreviewData{Result: res, CanConfirm: len(res.Issues) == 0 && res.Changes() > 0}
	for _, is := range res.Issues {
		row := importIssueRow{Playbook: is.Playbook, Message: i18n.Field(lang, is.FieldError()), Field: is.Field}
		if is.Phase != "" {
			row.Where = i18n.T(lang, "playbook.import.where", i18n.T(lang, "incident.phase."+string(is.Phase)), is.Step)
		}
		if k := "playbook.field." + is.Field; i18n.Has(k) {
			row.Field = i18n.T(lang, k)
		}
		d.Issues = append(d.Issues, row)
	}
	v := u.view(r, "playbooks", d)
	v.Title = i18n.T(v.Lang, "playbook.import.preview_title")
	u.render(w, r, status, "playbook_import_preview", v)
}

// playbookImportPreview stores the upload and shows what importing it
// would do; the permission is checked before the body is read.
func (u *UI) playbookImportPreview(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermPlaybookManage); err != nil {
		u.fail(w, r, err)
		return
	}
	var sum string
	_, err := httpx.StreamUpload(r, "file", func(name string, part io.Reader) error {
		up, err := u.App.Playbooks.SaveImportFile(r.Context(), u.Cfg.Data, name, part)
		sum = up.SHA256
		return err
	})
	if ae := apperr.As(err); (err != nil && ae.Key == "err.import_no_file") || (err == nil && sum == "") {
		err = apperr.New(apperr.Invalid, "err.playbook_no_file")
	}
	if err != nil {
		u.playbookImportFailed(w, r, err)
		return
	}
	res, err := u.App.Playbooks.ImportUpload(r.Context(), u.Cfg.Data, sum, true)
	if res != nil && apperr.Is(err, apperr.Invalid) {
		u.renderPlaybookPreview(w, r, http.StatusUnprocessableEntity, res)
		return
	}
	if err != nil {
		u.playbookImportFailed(w, r, err)
		return
	}
	u.renderPlaybookPreview(w, r, http.StatusOK, res)
}

func (u *UI) playbookImportFailed(w http.ResponseWriter, r *http.Request, err error) {
	if apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.TooLarge) {
		u.renderPlaybookImportForm(w, r, err)
		return
	}
	u.fail(w, r, err)
}

func (u *UI) playbookImportConfirm(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermPlaybookManage); err != nil {
		u.fail(w, r, err)
		return
	}
	sum := r.PostFormValue("sha256")
	if !upload.ValidHash(sum) {
		u.fail(w, r, apperr.New(apperr.NotFound, "err.not_found"))
		return
	}
	res, err := u.App.Playbooks.ImportUpload(r.Context(), u.Cfg.Data, sum, false)
	if res != nil && apperr.Is(err, apperr.Invalid) {
		// The tree changed since the preview (a category went): show
		// the new verdict instead.
		u.renderPlaybookPreview(w, r, http.StatusUnprocessableEntity, res)
		return
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/playbooks", "flash.playbooks_imported")
}
