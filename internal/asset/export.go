package asset

import (
	"context"
	"io"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/i18n"
	"bulwark/internal/store"
	"bulwark/internal/tabular"
)

// ExportFormat is a file format assets are exported to.
type ExportFormat string

const (
	ExportXLSX ExportFormat = "xlsx"
	ExportCSV  ExportFormat = "csv"
)

// ContentType is the format's media type.
func (f ExportFormat) ContentType() string {
	if f == ExportCSV {
		return "text/csv; charset=utf-8"
	}
	return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
}

// ParseExportFormat checks a format name.
func ParseExportFormat(s string) (ExportFormat, error) {
	switch ExportFormat(s) {
	case ExportXLSX, ExportCSV:
		return ExportFormat(s), nil
	}
	return "", apperr.Fields([]apperr.FieldError{{Field: "format", Key: "err.invalid_choice"}})
}

// columnWidths are the export's column widths in characters.
var columnWidths = []float64{14, 24, 12, 12, 10, 16, 16, 18, 22, 18, 18, 18, 8, 14, 30, 8, 8, 8, 8, 10}

// newWriter starts a file of format f on w.
func newWriter(w io.Writer, f ExportFormat, sheet string) (tabular.Writer, error) {
	if f == ExportCSV {
		return tabular.NewCSVWriter(w)
	}
	return tabular.NewXLSXWriter(w, sheet, columnWidths)
}

// Export writes the assets that f selects (every page, in f's order) to w
// in lang, and returns how many. Data leaving the system must be
// traceable, so the export is recorded in the audit trail (who, which
// filter, how many) before the first row is written; an export that
// cannot be recorded does not happen.
func (s *Service) Export(ctx context.Context, f Filter, format ExportFormat, lang string, w io.Writer) (int, error) {
	actor, err := auth.Require(ctx, auth.PermAssetExport)
	if err != nil {
		return 0, err
	}
	if _, err := f.orderBy(); err != nil {
		return 0, err
	}
	if _, err := ParseExportFormat(string(format)); err != nil {
		return 0, err
	}
	where, args, _ := f.where(s.DB.Dialect, actor.OrgID)
	var total int
	if err := s.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM assets a WHERE `+where, args...).Scan(&total); err != nil {
		return 0, apperr.Wrap(err, "count assets to export")
	}
	rec := map[string]any{"format": format, "filter": filterRecord(f), "count": total}
	if err := s.DB.Tx(ctx, func(tx *store.Tx) error {
		return audit.Append(ctx, tx, s.Clock.Now(), actor.Audit("asset.export", "asset", "", nil, rec))
	}); err != nil {
		return 0, apperr.Wrap(err, "record asset export")
	}
	out, err := newWriter(w, format, i18n.T(lang, "export.sheet"))
	if err != nil {
		return 0, apperr.Wrap(err, "export assets")
	}
	header := make([]any, len(Columns))
	for i, c := range Columns {
		header[i] = c.Header(lang)
	}
	if err := out.WriteRow(header); err != nil {
		return 0, apperr.Wrap(err, "export assets")
	}
	n := 0
	row := make([]any, len(Columns))
	err = s.Each(ctx, f, func(a Asset) error {
		for i, c := range Columns {
			row[i] = c.Cell(&a, lang)
		}
		n++
		return out.WriteRow(row)
	})
	if err != nil {
		return n, apperr.Wrap(err, "export assets")
	}
	if err := out.Close(); err != nil {
		return n, apperr.Wrap(err, "export assets")
	}
	return n, nil
}

// filterRecord is the filter as the trail keeps it: the fields set.
func filterRecord(f Filter) map[string]any {
	m := map[string]any{}
	for k, v := range map[string]string{"q": f.Query, "type": string(f.Type), "status": string(f.Status),
		"department": f.Department, "business_system": f.BusinessSystem, "tag": f.Tag, "sort": f.Sort} {
		if v != "" {
			m[k] = v
		}
	}
	if f.MinValue > 0 {
		m["min_value"] = f.MinValue
	}
	return m
}

// ImportTemplate writes an empty import workbook in lang: the header row,
// and a second sheet explaining each column and its accepted values.
func (s *Service) ImportTemplate(ctx context.Context, lang string, w io.Writer) error {
	if _, err := auth.Require(ctx, auth.PermAssetImport); err != nil {
		return err
	}
	out, err := tabular.NewXLSXWriter(w, i18n.T(lang, "export.sheet"), columnWidths)
	if err != nil {
		return apperr.Wrap(err, "import template")
	}
	var header []any
	for _, c := range Columns {
		if !c.ExportOnly {
			header = append(header, c.Header(lang))
		}
	}
	if err := out.WriteRow(header); err != nil {
		return apperr.Wrap(err, "import template")
	}
	if err := out.NewSheet(i18n.T(lang, "import.template.help_sheet"), []float64{18, 90}); err != nil {
		return apperr.Wrap(err, "import template")
	}
	rows := [][]any{{i18n.T(lang, "import.template.column"), i18n.T(lang, "import.template.notes")}}
	for _, c := range Columns {
		if c.ExportOnly {
			continue
		}
		rows = append(rows, []any{c.Header(lang), columnHelp(c, lang)})
	}
	rows = append(rows, []any{"", i18n.T(lang, "import.template.matching")})
	for _, r := range rows {
		if err := out.WriteRow(r); err != nil {
			return apperr.Wrap(err, "import template")
		}
	}
	return apperr.Wrap(out.Close(), "import template")
}

// columnHelp explains what column c accepts, in lang.
func columnHelp(c Column, lang string) string {
	names := func(prefix string, codes []string) string {
		s := ""
		for i, code := range codes {
			if i > 0 {
				s += i18n.T(lang, "import.template.sep")
			}
			s += i18n.T(lang, prefix+code)
		}
		return s
	}
	switch c.kind {
	case kindNumber:
		return i18n.T(lang, "import.template.number")
	case kindType:
		codes := make([]string, len(Types))
		for i, t := range Types {
			codes[i] = string(t)
		}
		return i18n.T(lang, "import.template.type", names("asset.type.", codes))
	case kindStatus:
		codes := make([]string, len(Statuses))
		for i, st := range Statuses {
			codes[i] = string(st)
		}
		return i18n.T(lang, "import.template.status", names("asset.status.", codes))
	case kindRating:
		return i18n.T(lang, "import.template.rating")
	case kindList:
		return i18n.T(lang, "import.template.list")
	}
	if c.Code == "name" {
		return i18n.T(lang, "import.template.required")
	}
	return i18n.T(lang, "import.template.text")
}
