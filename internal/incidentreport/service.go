// Package incidentreport builds the incident report (应急处置报告, issue 3
// point 10; the seed's 编制应急处置报告 and 事故报告): one report.Document
// from the incident, its grading, its whole timeline, the plans of each
// phase with their approvals, the review's impact and cause, the evidence
// with hashes, the IOCs, the corrective actions and the reward and penalty
// decisions, rendered to DOCX or printable HTML. Every download is audited.
//
// The package owns no data: it reads through each module's service, so a
// report shows exactly what its reader may read there.
package incidentreport

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/asset"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/clock"
	"bulwark/internal/emergencyplan"
	"bulwark/internal/evidence"
	"bulwark/internal/incident"
	"bulwark/internal/org"
	"bulwark/internal/postincident"
	"bulwark/internal/report"
	"bulwark/internal/store"
	"bulwark/internal/task"
	"bulwark/internal/workflow"
)

// Formats a report downloads in.
const (
	FormatDOCX = "docx"
	FormatHTML = "html"
)

// Service builds incident reports from the modules' services.
type Service struct {
	DB        *store.DB
	Clock     clock.Clock
	Location  *time.Location // dates are written in it; nil means UTC
	Incidents *incident.Service
	Lifecycle *incident.Lifecycle
	Assets    *asset.Service
	Orgs      *org.Service
	Evidence  *evidence.Service
	Tasks     *task.Service
	Approvals *workflow.Service
	Reviews   *postincident.Service
	// Plans names the emergency plan revisions the incident led to; nil
	// leaves them out.
	Plans *emergencyplan.Service
}

// File is a rendered report.
type File struct {
	Name        string // e.g. SJ-2026-0001-应急处置报告.docx
	ContentType string
	Body        []byte
}

// ParseFormat checks the requested format ("" is DOCX).
func ParseFormat(s string) (string, error) {
	switch s {
	case "", FormatDOCX:
		return FormatDOCX, nil
	case FormatHTML:
		return FormatHTML, nil
	}
	return "", apperr.Fields([]apperr.FieldError{{Field: "format", Key: "err.invalid_choice"}})
}

// Render builds the report of incident id in lang ("zh-CN" or "en") and
// format, and records the download. The file is rendered in full first:
// a failure halfway (a database error while the timeline streams) then
// answers an error instead of a truncated file, and no file leaves
// without its audit record.
func (s *Service) Render(ctx context.Context, id int64, format, lang string) (File, error) {
	actor, err := auth.Require(ctx, auth.PermResponseReport)
	if err != nil {
		return File{}, err
	}
	if format, err = ParseFormat(format); err != nil {
		return File{}, err
	}
	b, err := s.build(ctx, id, lang)
	if err != nil {
		return File{}, err
	}
	var buf bytes.Buffer
	f := File{Name: b.inc.Number + "-" + b.t("report.incident.file") + "." + format}
	switch format {
	case FormatHTML:
		f.ContentType = "text/html; charset=utf-8"
		err = report.HTML(&buf, b.doc)
	default:
		f.ContentType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
		err = report.DOCX(&buf, b.doc)
	}
	if err == nil {
		err = b.streamErr
	}
	if err != nil {
		return File{}, apperr.Wrap(err, "render incident report")
	}
	f.Body = buf.Bytes()
	now := s.Clock.Now().UTC().Truncate(time.Microsecond)
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		return audit.Append(ctx, tx, now, actor.Audit("incident.report_download", "incident", strconv.FormatInt(id, 10), nil,
			map[string]any{"format": format, "lang": b.lang, "bytes": len(f.Body)}))
	})
	if err != nil {
		return File{}, apperr.Wrap(fmt.Errorf("audit report download: %w", err), "render incident report")
	}
	return f, nil
}
