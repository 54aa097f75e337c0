package api

import (
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"bulwark/internal/apperr"
	"bulwark/internal/asset"
	"bulwark/internal/auth"
	"bulwark/internal/httpx"
	"bulwark/internal/i18n"
)

func (h *API) importExportRoutes() []httpx.Route {
	filters := []string{"q", "type", "status", "department", "business_system", "tag", "min_value", "sort"}
	return []httpx.Route{
		{Method: "POST", Pattern: "/api/v1/assets/import", Handler: h.importAssets,
			Doc: &httpx.Doc{Summary: "Import assets from an .xlsx or .csv file (multipart field \"file\"): dry_run=true previews; " +
				"mode=all (default) imports nothing when any row is in error, mode=valid_only skips bad rows",
				Tag: "assets", Multipart: true, Query: []string{"dry_run", "mode"}, Response: "ImportResult"}},
		{Method: "GET", Pattern: "/api/v1/assets/export", Handler: h.exportAssets,
			Doc: &httpx.Doc{Summary: "Export the assets matching the list filters as .xlsx (default) or .csv (UTF-8 with BOM)",
				Tag: "assets", Query: append([]string{"format", "lang"}, filters...), Binary: asset.ExportXLSX.ContentType()}},
	}
}

func init() {
	registerSchema("ImportResult", ImportResultJSON{})
}

// ImportResultJSON is an import's plan (dry run) or outcome.
type ImportResultJSON struct {
	SHA256         string             `json:"sha256"`
	Filename       string             `json:"filename"`
	Format         string             `json:"format"`
	DryRun         bool               `json:"dry_run"`
	Mode           string             `json:"mode"`
	Applied        bool               `json:"applied"`
	Counts         asset.ImportCounts `json:"counts"`
	UnknownColumns []string           `json:"unknown_columns"`
	Errors         []httpx.FieldIssue `json:"errors"` // field is the column as the file names it
	Rows           []asset.ImportRow  `json:"rows"`
}

func importJSON(r *http.Request, res *asset.ImportResult) ImportResultJSON {
	lang := httpx.Lang(r)
	out := ImportResultJSON{SHA256: res.SHA256, Filename: res.Filename, Format: res.Format, DryRun: res.DryRun,
		Mode: "all", Applied: res.Applied, Counts: res.Counts, UnknownColumns: res.Unknown,
		Errors: make([]httpx.FieldIssue, 0, len(res.Errors)), Rows: res.Rows}
	if res.ValidOnly {
		out.Mode = "valid_only"
	}
	for _, f := range res.Errors {
		out.Errors = append(out.Errors, httpx.FieldIssue{Field: f.Field, Row: f.Row, Code: strings.TrimPrefix(f.Key, "err."),
			Message: i18n.Field(lang, f)})
	}
	return out
}

// importOptions reads dry_run and mode from the query.
func importOptions(r *http.Request) (asset.ImportOptions, error) {
	var opt asset.ImportOptions
	var bad []apperr.FieldError
	if s := r.URL.Query().Get("dry_run"); s != "" {
		v, err := strconv.ParseBool(s)
		if err != nil {
			bad = append(bad, apperr.FieldError{Field: "dry_run", Key: "err.wrong_type"})
		}
		opt.DryRun = v
	}
	switch r.URL.Query().Get("mode") {
	case "", "all":
	case "valid_only":
		opt.ValidOnly = true
	default:
		bad = append(bad, apperr.FieldError{Field: "mode", Key: "err.invalid_choice"})
	}
	if bad != nil {
		return opt, apperr.Fields(bad)
	}
	return opt, nil
}

// importAssets checks the permission before reading the body, streams the
// file into the upload store, and imports it from there, so what was
// imported stays on record under the hash the audit trail names.
func (h *API) importAssets(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermAssetImport); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	opt, err := importOptions(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var sum string
	_, err = httpx.StreamUpload(r, "file", func(name string, part io.Reader) error {
		up, err := h.App.Assets.SaveImportFile(r.Context(), h.Cfg.Data, h.Cfg.MaxUpload, name, part)
		sum = up.SHA256
		return err
	})
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	res, err := h.App.Assets.ImportUpload(r.Context(), h.Cfg.Data, sum, opt)
	if err != nil {
		// A refused import (rows in error, mode all) answers 422 with
		// every row's problem in error.fields: {row, field, code, message}.
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, importJSON(r, res))
}

func (h *API) exportAssets(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	format := asset.ExportXLSX
	if s := q.Get("format"); s != "" {
		f, err := asset.ParseExportFormat(s)
		if err != nil {
			if _, perr := auth.Require(r.Context(), auth.PermAssetExport); perr != nil {
				err = perr // a caller who may not export learns nothing more
			}
			httpx.WriteError(w, r, err)
			return
		}
		format = f
	}
	lang := httpx.Lang(r)
	if l := q.Get("lang"); i18n.Valid(l) {
		lang = l
	}
	w.Header().Set("Content-Type", format.ContentType())
	w.Header().Set("Content-Disposition", `attachment; filename="assets.`+string(format)+`"`)
	tw := &countingWriter{w: w}
	if _, err := h.App.Assets.Export(r.Context(), asset.FilterFromQuery(q), format, lang, tw); err != nil {
		if tw.n > 0 {
			slog.ErrorContext(r.Context(), "export failed after it started", "err", err)
			return
		}
		w.Header().Del("Content-Disposition")
		httpx.WriteError(w, r, err)
	}
}

// countingWriter counts the bytes written, so an error before the first
// one can still be answered as JSON.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
