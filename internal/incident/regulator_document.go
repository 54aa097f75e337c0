package incident

import (
	"context"
	"strconv"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/i18n"
	"bulwark/internal/report"
	"bulwark/internal/store"
)

// ReportDocument is the report r as a document (DOCX and printable HTML)
// in lang: the items of r's kind, in the order of ReportFields, each with
// what was sent. A partial first report says the remaining items follow
// in a supplementary report; a shortcut record says its content went out
// by other means. Only the labels follow lang: the content is what was
// sent, as sent. loc is the installation's time zone.
func ReportDocument(i Incident, r RegulatorReport, lang string, loc *time.Location) report.Document {
	if loc == nil {
		loc = time.UTC
	}
	t := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
	at := func(v time.Time) string { return v.In(loc).Format("2006-01-02 15:04") }
	doc := report.Document{Title: t("escalation.doc.title"), Subtitle: t("escalation.kind." + r.Kind),
		Lang: lang, PageFormat: report.PageFormat(lang), Created: r.CreatedAt}
	if r.Kind == ReportSupplementary {
		doc.Subtitle = t("escalation.doc.supplementary_n", r.Seq)
	}
	doc.Meta = []report.KV{
		{Label: t("escalation.doc.incident"), Value: i.Number},
		{Label: t("escalation.doc.recipient"), Value: or(r.Recipient)},
		{Label: t("escalation.doc.sent_at"), Value: at(r.SentAt)},
		{Label: t("escalation.doc.submitted_by"), Value: or(r.SubmittedByName)},
	}
	switch {
	case r.Via == ViaShortcut:
		doc.Blocks = append(doc.Blocks, report.Paragraph(t("escalation.doc.shortcut")))
	case r.Partial:
		due := "—"
		if r.FollowupDueAt != nil {
			due = at(*r.FollowupDueAt)
		}
		doc.Blocks = append(doc.Blocks, report.Paragraph(t("escalation.doc.partial", due)))
	}
	for _, sec := range Sections {
		var pairs []report.KV
		for _, f := range FieldsFor(r.Kind, i.Category, r.Fields) {
			if f.Section != sec {
				continue
			}
			v := r.Fields[f.Key]
			switch {
			case v != "" && f.Choices != nil:
				v = t("escalation.choice." + v)
			case v == "" && r.Partial && f.Required:
				v = t("escalation.doc.to_follow")
			case v == "":
				v = "—"
			}
			pairs = append(pairs, report.KV{Label: t("escalation.field." + f.Key), Value: v})
		}
		if len(pairs) == 0 {
			continue
		}
		doc.Blocks = append(doc.Blocks, report.Heading(2, t("escalation.section."+itoa(sec))), report.KVTable(pairs...))
	}
	if r.Kind == ReportSupplementary || r.Kind == ReportSummary {
		doc.Blocks = append(doc.Blocks, report.Paragraph(t("escalation.doc.basis_"+r.Kind)))
	}
	return doc
}

func or(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func itoa(n int) string { return string(rune('0' + n)) }

// Document is report reportID of the incident as a document in lang, with
// the incident and the report record.
func (x *Escalation) Document(ctx context.Context, incidentID, reportID int64, lang string) (report.Document, Incident, RegulatorReport, error) {
	i, r, err := x.Report(ctx, incidentID, reportID)
	if err != nil {
		return report.Document{}, i, r, err
	}
	// A download is a copy of what went to the regulator leaving Bulwark:
	// recorded on the incident, as the incident report's download is.
	actor := auth.FromContext(ctx)
	err = x.DB.Tx(ctx, func(tx *store.Tx) error {
		return audit.Append(ctx, tx, x.now(), actor.Audit("incident.regulator_report_download", "incident", strconv.FormatInt(i.ID, 10), nil,
			map[string]any{"report_id": r.ID, "kind": r.Kind, "lang": lang}))
	})
	if err != nil {
		return report.Document{}, i, r, apperr.Wrap(err, "regulator report document")
	}
	return ReportDocument(i, r, lang, x.Location), i, r, nil
}
