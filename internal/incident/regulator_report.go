package incident

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/deadline"
	"bulwark/internal/store"
)

// Kinds of reports to the regulator.
const (
	ReportFirst         = "first"         // 首次报告 (art. 4, 7)
	ReportSupplementary = "supplementary" // 补充报告 (art. 7)
	ReportSummary       = "summary"       // 总结报告 (art. 8)
)

// ReportKinds lists the kinds in order.
var ReportKinds = []string{ReportFirst, ReportSupplementary, ReportSummary}

// How a report came to be recorded.
const (
	ViaForm     = "form"     // filled in Bulwark
	ViaShortcut = "shortcut" // only marked as sent; the content went out by other means
)

// DefaultFollowup is when the supplementary report is due after a partial
// first report, unless the person sets another time. The measures say
// "promptly" (及时补报) without a figure; a day gives the working group
// time to establish cause and impact while keeping the regulator informed
// within the working day that follows.
const DefaultFollowup = 24 * time.Hour

// maxFollowup bounds the due time a person may set for a supplementary
// report: beyond the summary report's 30 days it would be no follow-up.
const maxFollowup = 30 * 24 * time.Hour

// RegulatorReport is one report sent to the regulator. It is never changed
// once recorded.
type RegulatorReport struct {
	ID              int64             `json:"id"`
	IncidentID      int64             `json:"incident_id"`
	Seq             int               `json:"seq"`
	Kind            string            `json:"kind"`
	Partial         bool              `json:"partial"`
	Via             string            `json:"via"`
	Recipient       string            `json:"recipient"`
	Fields          map[string]string `json:"fields"`
	SentAt          time.Time         `json:"sent_at"`
	FollowupDueAt   *time.Time        `json:"followup_due_at"`
	SubmittedBy     int64             `json:"submitted_by"`
	SubmittedByName string            `json:"submitted_by_name"`
	CreatedAt       time.Time         `json:"created_at"`
}

// ReportInput is a report as a person sends it. SentAt is when it was
// actually sent (now when zero; it may be in the past, never in the
// future). FollowupDueAt is when the supplementary report is due: for a
// partial first report DefaultFollowup after SentAt when zero; for a
// supplementary report optional (another supplement is expected).
type ReportInput struct {
	Kind          string            `json:"kind"`
	Recipient     string            `json:"recipient"`
	SentAt        time.Time         `json:"sent_at"`
	Partial       bool              `json:"partial"`
	FollowupDueAt time.Time         `json:"followup_due_at"`
	Fields        map[string]string `json:"fields"`
}

// normalize trims the text and drops empty items.
func (in *ReportInput) normalize() {
	in.Kind = strings.TrimSpace(in.Kind)
	in.Recipient = strings.TrimSpace(in.Recipient)
	fields := map[string]string{}
	for k, v := range in.Fields {
		if v = strings.TrimSpace(strings.ReplaceAll(v, "\r\n", "\n")); v != "" {
			fields[k] = v
		}
	}
	in.Fields = fields
	if !in.SentAt.IsZero() {
		in.SentAt = in.SentAt.UTC().Truncate(time.Microsecond)
	}
	if !in.FollowupDueAt.IsZero() {
		in.FollowupDueAt = in.FollowupDueAt.UTC().Truncate(time.Microsecond)
	}
}

// validate checks what needs no database, adding to c.
func (in *ReportInput) validate(now time.Time, c *apperr.Collector) {
	if !slices.Contains(ReportKinds, in.Kind) {
		c.Add("kind", "err.invalid_choice")
	}
	switch n := utf8.RuneCountInString(in.Recipient); {
	case n == 0:
		c.Add("recipient", "err.required")
	case n > 200:
		c.Add("recipient", "err.too_long", 200)
	}
	if in.SentAt.After(now.Add(5 * time.Minute)) {
		c.Add("sent_at", "err.incident_reported_future")
	}
	if in.Partial && in.Kind != ReportFirst {
		c.Add("partial", "err.regulator_partial_first_only")
	}
	if !in.FollowupDueAt.IsZero() {
		switch {
		case in.Kind == ReportSummary:
			c.Add("followup_due_at", "err.regulator_followup_summary")
		case !in.FollowupDueAt.After(in.SentAt):
			c.Add("followup_due_at", "err.regulator_followup_before")
		case in.FollowupDueAt.After(in.SentAt.Add(maxFollowup)):
			c.Add("followup_due_at", "err.regulator_followup_far")
		}
	}
	keys := make([]string, 0, len(in.Fields))
	for k := range in.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f, ok := reportField(k)
		switch {
		case !ok:
			c.Add("fields."+k, "err.regulator_field_unknown")
		case f.SummaryOnly && in.Kind != ReportSummary:
			c.Add("fields."+k, "err.regulator_field_summary_only")
		case f.Choices != nil && !slices.Contains(f.Choices, in.Fields[k]):
			c.Add("fields."+k, "err.invalid_choice")
		case utf8.RuneCountInString(in.Fields[k]) > f.MaxLength:
			c.Add("fields."+k, "err.too_long", f.MaxLength)
		}
	}
}

const reportColumns = `id, incident_id, seq, kind, partial, via, recipient, fields, sent_at, followup_due_at,
	submitted_by, submitted_by_name, created_at`

func scanReport(row interface{ Scan(...any) error }) (RegulatorReport, error) {
	var r RegulatorReport
	var fields string
	var sent, followup, created int64
	if err := row.Scan(&r.ID, &r.IncidentID, &r.Seq, &r.Kind, &r.Partial, &r.Via, &r.Recipient, &fields, &sent, &followup,
		&r.SubmittedBy, &r.SubmittedByName, &created); err != nil {
		return r, err
	}
	r.SentAt, r.CreatedAt = store.FromMicros(sent), store.FromMicros(created)
	if followup != 0 {
		t := store.FromMicros(followup)
		r.FollowupDueAt = &t
	}
	r.Fields = map[string]string{}
	if err := json.Unmarshal([]byte(fields), &r.Fields); err != nil {
		return r, fmt.Errorf("report %d: fields: %w", r.ID, err)
	}
	return r, nil
}

func reportsOf(ctx context.Context, q store.Querier, orgID, incidentID int64) ([]RegulatorReport, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+reportColumns+` FROM incident_reports WHERE org_id = $1 AND incident_id = $2
		ORDER BY seq`, orgID, incidentID)
	if err != nil {
		return nil, fmt.Errorf("read reports of incident %d: %w", incidentID, err)
	}
	defer rows.Close()
	out := []RegulatorReport{}
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, fmt.Errorf("read reports of incident %d: %w", incidentID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Reports returns the incident's reports to the regulator, in the order
// they were recorded.
func (x *Escalation) Reports(ctx context.Context, incidentID int64) ([]RegulatorReport, error) {
	actor, err := auth.Require(ctx, auth.PermIncidentRead)
	if err != nil {
		return nil, err
	}
	if _, err := get(ctx, x.DB.Read(), actor.OrgID, incidentID); err != nil {
		return nil, apperr.Wrap(err, "regulator reports")
	}
	out, err := reportsOf(ctx, x.DB.Read(), actor.OrgID, incidentID)
	return out, apperr.Wrap(err, "regulator reports")
}

// Report returns one report of an incident, with the incident.
func (x *Escalation) Report(ctx context.Context, incidentID, reportID int64) (Incident, RegulatorReport, error) {
	actor, err := auth.Require(ctx, auth.PermIncidentRead)
	if err != nil {
		return Incident{}, RegulatorReport{}, err
	}
	i, err := get(ctx, x.DB.Read(), actor.OrgID, incidentID)
	if err != nil {
		return Incident{}, RegulatorReport{}, apperr.Wrap(err, "regulator report")
	}
	r, err := scanReport(x.DB.Read().QueryRowContext(ctx, `SELECT `+reportColumns+` FROM incident_reports
		WHERE org_id = $1 AND incident_id = $2 AND id = $3`, actor.OrgID, incidentID, reportID))
	if errors.Is(err, sql.ErrNoRows) {
		return i, r, apperr.New(apperr.NotFound, "err.not_found")
	}
	return i, r, apperr.Wrap(err, "regulator report")
}

// checkKind refuses a report of kind that i does not owe (now, or any
// more): a first report only when one is due and none was made; a
// supplementary one after the first; the summary once handling ended for
// an incident that was reported, and once.
func checkKind(i Incident, kind string) error {
	switch kind {
	case ReportFirst:
		if i.ReportedAt != nil {
			return apperr.New(apperr.Conflict, "err.incident_already_reported")
		}
		if i.ReportDueAt == nil {
			return apperr.New(apperr.Conflict, "err.incident_no_report_due")
		}
	case ReportSupplementary:
		if i.ReportedAt == nil {
			return apperr.New(apperr.Conflict, "err.regulator_first_missing")
		}
	case ReportSummary:
		if i.SummaryReportedAt != nil {
			return apperr.New(apperr.Conflict, "err.regulator_summary_done")
		}
		if i.SummaryDueAt == nil {
			return apperr.New(apperr.Conflict, "err.regulator_no_summary_due")
		}
	}
	return nil
}

// Submit records a report sent to the regulator: the record, its
// deadline met (and a supplementary report's deadline set when the report
// asks for one), the incident's reported time, the audit record and the
// announcement, all in one transaction.
func (x *Escalation) Submit(ctx context.Context, incidentID int64, in ReportInput) (RegulatorReport, error) {
	actor, err := auth.Require(ctx, auth.PermIncidentReport)
	if err != nil {
		return RegulatorReport{}, err
	}
	now := x.now()
	in.normalize()
	if in.SentAt.IsZero() {
		in.SentAt = now
	}
	if in.Partial && in.FollowupDueAt.IsZero() {
		in.FollowupDueAt = in.SentAt.Add(DefaultFollowup)
	}
	var c apperr.Collector
	in.validate(now, &c)
	var out RegulatorReport
	err = x.DB.Tx(ctx, func(tx *store.Tx) error {
		i, err := get(ctx, tx, actor.OrgID, incidentID)
		if err != nil {
			return err
		}
		if in.SentAt.Before(i.DiscoveredAt) {
			c.Add("sent_at", "err.regulator_sent_before_discovery")
		}
		for _, f := range FieldsFor(in.Kind, i.Category, in.Fields) {
			if f.needed(in.Partial) && in.Fields[f.Key] == "" {
				c.Add("fields."+f.Key, "err.required")
			}
		}
		if err := c.Err(); err != nil {
			return err
		}
		if err := checkKind(i, in.Kind); err != nil {
			return err
		}
		out, err = x.record(ctx, tx, actor, i, in, ViaForm, now)
		return err
	})
	return out, apperr.Wrap(err, "submit regulator report")
}

// record writes a checked report and everything that follows from it.
func (x *Escalation) record(ctx context.Context, tx *store.Tx, actor *auth.Actor, i Incident, in ReportInput, via string, now time.Time) (RegulatorReport, error) {
	r := RegulatorReport{IncidentID: i.ID, Kind: in.Kind, Partial: in.Partial, Via: via, Recipient: in.Recipient,
		Fields: in.Fields, SentAt: in.SentAt, SubmittedBy: actor.UserID, SubmittedByName: actor.Username, CreatedAt: now}
	if !in.FollowupDueAt.IsZero() {
		f := in.FollowupDueAt
		r.FollowupDueAt = &f
	}
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM incident_reports WHERE org_id = $1 AND incident_id = $2`,
		actor.OrgID, i.ID).Scan(&r.Seq); err != nil {
		return r, fmt.Errorf("number report of incident %d: %w", i.ID, err)
	}
	fields, err := json.Marshal(r.Fields)
	if err != nil {
		return r, fmt.Errorf("encode report fields: %w", err)
	}
	var followup int64
	if r.FollowupDueAt != nil {
		followup = store.Micros(*r.FollowupDueAt)
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO incident_reports (org_id, incident_id, seq, kind, partial, via, recipient,
		fields, sent_at, followup_due_at, submitted_by, submitted_by_name, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
		actor.OrgID, i.ID, r.Seq, r.Kind, r.Partial, r.Via, r.Recipient, string(fields), store.Micros(r.SentAt), followup,
		r.SubmittedBy, r.SubmittedByName, store.Micros(now)).Scan(&r.ID); err != nil {
		return r, fmt.Errorf("insert report of incident %d: %w", i.ID, err)
	}
	after := i
	after.UpdatedAt = now
	switch r.Kind {
	case ReportFirst:
		after.ReportedAt = &r.SentAt
		_, err = tx.ExecContext(ctx, `UPDATE incidents SET reported_at = $1, updated_at = $2 WHERE org_id = $3 AND id = $4`,
			store.Micros(r.SentAt), store.Micros(now), actor.OrgID, i.ID)
	case ReportSummary:
		after.SummaryReportedAt = &r.SentAt
		_, err = tx.ExecContext(ctx, `UPDATE incidents SET summary_reported_at = $1, updated_at = $2 WHERE org_id = $3 AND id = $4`,
			store.Micros(r.SentAt), store.Micros(now), actor.OrgID, i.ID)
	}
	if err != nil {
		return r, fmt.Errorf("record report on incident %d: %w", i.ID, err)
	}
	if err := x.syncDeadlines(ctx, tx, &i, after); err != nil {
		return r, err
	}
	if err := x.followup(ctx, tx, i, r); err != nil {
		return r, err
	}
	action := "incident.regulator_report"
	if via == ViaShortcut {
		action = "incident.reported" // the audit action the shortcut always had
	}
	if err := audit.Append(ctx, tx, now, actor.Audit(action, "incident", strconv.FormatInt(i.ID, 10), nil, r)); err != nil {
		return r, err
	}
	if x.Notify == nil {
		return r, nil
	}
	return r, x.publish(ctx, tx, after, KindReportSubmitted, []auth.Role{auth.RoleSecurityManager, auth.RoleLeadership},
		"escalation.notify.report_"+r.Kind, "escalation.notify.report_body")
}

// followup keeps the supplementary report's deadline: a supplementary
// report meets it; a report that asks for a supplement (re)sets it.
func (x *Escalation) followup(ctx context.Context, tx *store.Tx, i Incident, r RegulatorReport) error {
	if x.Deadlines == nil {
		return nil
	}
	id := strconv.FormatInt(i.ID, 10)
	if r.Kind == ReportSupplementary {
		d, ok, err := x.Deadlines.Get(ctx, tx, "incident", id, DeadlineFollowup)
		if err != nil {
			return err
		}
		if ok && d.MetAt.IsZero() {
			if _, err := x.Deadlines.Met(ctx, tx, "incident", id, DeadlineFollowup, r.SentAt); err != nil {
				return fmt.Errorf("supplementary report of incident %d met: %w", i.ID, err)
			}
		}
	}
	if r.FollowupDueAt == nil {
		return nil
	}
	if _, err := x.Deadlines.Set(ctx, tx, deadline.Deadline{ObjectType: "incident", ObjectID: id, Kind: DeadlineFollowup,
		StartAt: r.SentAt, DueAt: *r.FollowupDueAt}); err != nil {
		return fmt.Errorf("set supplementary report deadline of incident %d: %w", i.ID, err)
	}
	return nil
}

// MarkReported records that the first report went to the regulator at at
// (now when zero) without its content: the shortcut of scripts and of the
// old button. The record carries the basic items as the incident stood.
func (x *Escalation) MarkReported(ctx context.Context, incidentID int64, at time.Time) (Incident, error) {
	actor, err := auth.Require(ctx, auth.PermIncidentReport)
	if err != nil {
		return Incident{}, err
	}
	now := x.now()
	if at.IsZero() {
		at = now
	}
	at = at.UTC().Truncate(time.Microsecond)
	if at.After(now.Add(5 * time.Minute)) {
		return Incident{}, apperr.Fields([]apperr.FieldError{{Field: "reported_at", Key: "err.incident_reported_future"}})
	}
	var out Incident
	err = x.DB.Tx(ctx, func(tx *store.Tx) error {
		i, err := get(ctx, tx, actor.OrgID, incidentID)
		if err != nil {
			return err
		}
		if i.ReportedAt != nil {
			return apperr.New(apperr.Conflict, "err.incident_already_reported")
		}
		if i.ReportDueAt == nil {
			return apperr.New(apperr.Conflict, "err.incident_no_report_due")
		}
		in, err := x.prefill(ctx, tx, i, ReportFirst)
		if err != nil {
			return err
		}
		basic := map[string]string{}
		for _, f := range ReportFields {
			if f.Basic && in.Fields[f.Key] != "" {
				basic[f.Key] = in.Fields[f.Key]
			}
		}
		in.Fields, in.SentAt = basic, at
		if _, err := x.record(ctx, tx, actor, i, in, ViaShortcut, now); err != nil {
			return err
		}
		out, err = get(ctx, tx, actor.OrgID, incidentID)
		return err
	})
	return out, apperr.Wrap(err, "mark incident reported")
}
