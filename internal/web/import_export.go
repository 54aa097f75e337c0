package web

import (
	"io"
	"log/slog"
	"net/http"
	"strings"

	"bulwark/internal/apperr"
	"bulwark/internal/asset"
	"bulwark/internal/auth"
	"bulwark/internal/httpx"
	"bulwark/internal/i18n"
	"bulwark/internal/tabular"
	"bulwark/internal/upload"
)

// Import is two steps, both plain forms (no JavaScript): the upload shows
// a preview (a dry run) and keeps only the file's hash; the confirm posts
// that hash back and the import runs again from the stored file, against
// the register as it is then.
func (u *UI) importExportRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/assets/import", Handler: u.importForm},
		{Method: "POST", Pattern: "/assets/import", Handler: u.importPreview},
		{Method: "POST", Pattern: "/assets/import/confirm", Handler: u.importConfirm},
		{Method: "GET", Pattern: "/assets/import/template.xlsx", Handler: u.importTemplate},
		{Method: "GET", Pattern: "/assets/export.xlsx", Handler: u.exportAssets(asset.ExportXLSX)},
		{Method: "GET", Pattern: "/assets/export.csv", Handler: u.exportAssets(asset.ExportCSV)},
	}
}

type importFormData struct {
	ValidOnly bool
	MaxMB     int64
	MaxRows   int
}

func (u *UI) renderImportForm(w http.ResponseWriter, r *http.Request, validOnly bool, err error) {
	v := u.view(r, "assets", importFormData{ValidOnly: validOnly, MaxMB: u.Cfg.MaxUpload >> 20, MaxRows: tabular.DefaultLimits.MaxRows})
	v.Title = i18n.T(v.Lang, "import.title")
	status := http.StatusOK
	if err != nil {
		status = v.setErr(r, err)
	}
	u.render(w, r, status, "asset_import", v)
}

func (u *UI) importForm(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermAssetImport); err != nil {
		u.fail(w, r, err)
		return
	}
	u.renderImportForm(w, r, false, nil)
}

// importPreview stores the uploaded file and shows what importing it would
// do. The permission is checked before the body is read, and the file is
// streamed to the store part by part instead of parsed into memory first.
func (u *UI) importPreview(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermAssetImport); err != nil {
		u.fail(w, r, err)
		return
	}
	sum, validOnly, err := u.receiveUpload(r)
	if err != nil {
		u.importFailed(w, r, validOnly, err)
		return
	}
	res, err := u.App.Assets.ImportUpload(r.Context(), u.Cfg.Data, sum, asset.ImportOptions{DryRun: true, ValidOnly: validOnly})
	if err != nil {
		u.importFailed(w, r, validOnly, err)
		return
	}
	u.renderPreview(w, r, http.StatusOK, res, nil)
}

// importFailed shows a problem with the file on the upload form; other
// errors get the error page.
func (u *UI) importFailed(w http.ResponseWriter, r *http.Request, validOnly bool, err error) {
	if apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.TooLarge) {
		u.renderImportForm(w, r, validOnly, err)
		return
	}
	u.fail(w, r, err)
}

// receiveUpload reads the multipart form: the file goes straight to the
// upload store, the valid_only checkbox is noted.
func (u *UI) receiveUpload(r *http.Request) (sum string, validOnly bool, err error) {
	fields, err := httpx.StreamUpload(r, "file", func(name string, part io.Reader) error {
		up, err := u.App.Assets.SaveImportFile(r.Context(), u.Cfg.Data, u.Cfg.MaxUpload, name, part)
		sum = up.SHA256
		return err
	})
	return sum, fields.Get("valid_only") != "", err
}

// previewRow is one row of the preview table, ready to show.
type previewRow struct {
	Row     int
	Action  string
	Label   string
	Number  string
	Name    string
	Details []string
}

type importPreviewData struct {
	Result     *asset.ImportResult
	Rows       []previewRow
	Unknown    string
	Mode       string
	CanConfirm bool
	Nothing    bool
}

// renderPreview shows a plan. The confirm button is offered only when the
// import can succeed as chosen: no errors, or valid rows only.
func (u *UI) renderPreview(w http.ResponseWriter, r *http.Request, status int, res *asset.ImportResult, err error) {
	lang := httpx.Lang(r)
	d := importPreviewData{Result: res, Mode: "all"}
	if res.ValidOnly {
		d.Mode = "valid_only"
	}
	sep := i18n.T(lang, "import.template.sep")
	d.Unknown = strings.Join(res.Unknown, sep)
	for _, row := range res.Rows {
		pr := previewRow{Row: row.Row, Action: string(row.Action), Label: i18n.T(lang, "import.action."+string(row.Action)),
			Number: row.Number, Name: row.Name}
		for _, f := range row.Errors {
			pr.Details = append(pr.Details, i18n.T(lang, "import.cell_error", f.Field, i18n.Field(lang, f)))
		}
		if len(row.Changes) > 0 {
			names := make([]string, len(row.Changes))
			for i, c := range row.Changes {
				names[i] = i18n.T(lang, "asset.field."+c)
			}
			pr.Details = append(pr.Details, i18n.T(lang, "import.changes", strings.Join(names, sep)))
		}
		d.Rows = append(d.Rows, pr)
	}
	changes := res.Counts.Create + res.Counts.Update
	d.CanConfirm = changes > 0 && (res.Counts.Error == 0 || res.ValidOnly)
	d.Nothing = changes == 0 && (res.Counts.Error == 0 || res.ValidOnly)
	v := u.view(r, "assets", d)
	v.Title = i18n.T(v.Lang, "import.preview.title")
	if err != nil {
		status = v.setErr(r, err)
	}
	u.render(w, r, status, "asset_import_preview", v)
}

func (u *UI) importConfirm(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermAssetImport); err != nil {
		u.fail(w, r, err)
		return
	}
	sum := r.PostFormValue("sha256")
	if !upload.ValidHash(sum) {
		u.fail(w, r, apperr.New(apperr.NotFound, "err.not_found"))
		return
	}
	opt := asset.ImportOptions{ValidOnly: r.PostFormValue("mode") == "valid_only"}
	res, err := u.App.Assets.ImportUpload(r.Context(), u.Cfg.Data, sum, opt)
	if err != nil {
		if res != nil && apperr.Is(err, apperr.Invalid) {
			// The register changed since the preview and rows now fail:
			// show the new plan instead.
			u.renderPreview(w, r, 0, res, err)
			return
		}
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/assets", "flash.imported")
}

func (u *UI) importTemplate(w http.ResponseWriter, r *http.Request) {
	tw := &trackingWriter{w: w}
	setDownload(w, asset.ExportXLSX, "asset-import-template.xlsx")
	if err := u.App.Assets.ImportTemplate(r.Context(), httpx.Lang(r), tw); err != nil {
		u.downloadFailed(w, r, tw, err)
	}
}

// exportAssets downloads the list as filtered by the query (the list
// page's own parameters; paging is ignored: the export has every match).
func (u *UI) exportAssets(format asset.ExportFormat) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tw := &trackingWriter{w: w}
		name := "assets-" + u.App.Clock.Now().In(u.location()).Format("20060102-150405") + "." + string(format)
		setDownload(w, format, name)
		if _, err := u.App.Assets.Export(r.Context(), asset.FilterFromQuery(r.URL.Query()), format, httpx.Lang(r), tw); err != nil {
			u.downloadFailed(w, r, tw, err)
		}
	}
}

func setDownload(w http.ResponseWriter, format asset.ExportFormat, name string) {
	w.Header().Set("Content-Type", format.ContentType())
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
}

// downloadFailed answers with an error page if nothing was sent yet; a
// download that fails half way can only be cut short (and logged).
func (u *UI) downloadFailed(w http.ResponseWriter, r *http.Request, tw *trackingWriter, err error) {
	if tw.wrote {
		slog.ErrorContext(r.Context(), "download failed after it started", "path", r.URL.Path, "err", err)
		return
	}
	w.Header().Del("Content-Disposition")
	u.fail(w, r, err)
}

// trackingWriter notes whether anything has been written, so an error
// before the first byte can still become a proper error response.
type trackingWriter struct {
	w     io.Writer
	wrote bool
}

func (t *trackingWriter) Write(p []byte) (int, error) {
	t.wrote = true
	return t.w.Write(p)
}
