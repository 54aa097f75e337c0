package emergencyplan

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/emergency"
	"bulwark/internal/i18n"
	"bulwark/internal/incident"
	"bulwark/internal/org"
	"bulwark/internal/report"
	"bulwark/internal/store"
)

// Document builds the export of a revision in the reader's language: the
// cover with version and effective date, the revision record, the
// chapters (the generated ones drawn from the organisation's data now),
// 附件1 the emergency organisation with its chart and contacts, 附件2 the
// response flow by grade. report.DOCX and report.HTML render it.
func (s *Service) Document(ctx context.Context, id int64) (report.Document, error) {
	actor, err := auth.Require(ctx, auth.PermEmergencyRead)
	if err != nil {
		return report.Document{}, err
	}
	rev, err := loadRevision(ctx, s.DB.Read(), actor.OrgID, id)
	if err != nil {
		return report.Document{}, apperr.Wrap(err, "plan document")
	}
	d, err := s.gather(ctx, actor, rev)
	if err != nil {
		return report.Document{}, apperr.Wrap(err, "plan document")
	}
	// An export is a copy of the plan leaving Bulwark: recorded, as the
	// incident report's download and the asset export are.
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		return audit.Append(ctx, tx, s.now(), actor.Audit("emergency_plan.export", Object, revisionID(rev), nil,
			map[string]any{"version": rev.Version, "status": rev.Status, "lang": d.lang}))
	})
	if err != nil {
		return report.Document{}, apperr.Wrap(err, "plan document")
	}
	return d.document(), nil
}

// docData is everything a plan document shows.
type docData struct {
	lang      string
	t         func(string, ...any) string
	loc       *time.Location
	rev       Revision
	record    []Revision // the approved revisions up to rev, and rev itself when open
	orgName   string
	orgType   org.Type
	units     []emergency.Unit
	section   emergency.Section
	approvers map[incident.Phase][]auth.Role
	chart     []byte
}

func (s *Service) gather(ctx context.Context, actor *auth.Actor, rev Revision) (docData, error) {
	l := lang(actor)
	d := docData{lang: l, t: func(k string, a ...any) string { return i18n.T(l, k, a...) }, loc: s.loc(), rev: rev}
	q := s.DB.Read()
	if err := q.QueryRowContext(ctx, `SELECT name, org_type FROM organizations WHERE id = $1`, actor.OrgID).
		Scan(&d.orgName, &d.orgType); err != nil {
		return d, fmt.Errorf("read organisation: %w", err)
	}
	approved, err := listRevisions(ctx, q, actor.OrgID, ` AND status = 'approved'`, `major, minor`)
	if err != nil {
		return d, err
	}
	for _, r := range approved {
		if rev.Open() || r.Major < rev.Major || (r.Major == rev.Major && r.Minor <= rev.Minor) {
			d.record = append(d.record, r)
		}
	}
	if rev.Open() {
		d.record = append(d.record, rev)
	}
	if d.units, err = s.Emergency.Organisation(ctx); err != nil {
		return d, err
	}
	if d.section, err = s.Emergency.PlanSection(ctx); err != nil {
		return d, err
	}
	if d.approvers, err = s.Lifecycle.Approvers(ctx); err != nil {
		return d, err
	}
	d.chart = emergency.RenderChart(d.units, d.t)
	return d, nil
}

func (d docData) date(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(d.loc).Format(DateLayout)
}

func (d docData) document() report.Document {
	t, rev := d.t, d.rev
	created := rev.UpdatedAt
	if rev.ApprovedAt != nil {
		created = *rev.ApprovedAt
	}
	doc := report.Document{Title: rev.Title, Subtitle: t("eplan.doc.subtitle", rev.Version), Lang: d.lang,
		PageFormat: report.PageFormat(d.lang), Created: created}
	effective := d.date(rev.EffectiveAt)
	if rev.Open() {
		effective = t("eplan.doc.on_approval")
		if rev.EffectiveFrom != nil {
			effective = t("eplan.doc.from_pending", d.date(rev.EffectiveFrom))
		}
	}
	doc.Meta = []report.KV{
		{Label: t("eplan.doc.org"), Value: d.orgName},
		{Label: t("eplan.field.version"), Value: rev.Version},
		{Label: t("eplan.field.status"), Value: t("eplan.status." + rev.Status)},
		{Label: t("eplan.field.effective_at"), Value: effective},
		{Label: t("eplan.field.author"), Value: rev.AuthorName},
		{Label: t("eplan.field.approved_by"), Value: orDash(rev.ApprovedByName)},
	}
	b := &doc.Blocks
	*b = append(*b, report.SignOff(d.lang, report.Signature{Name: rev.AuthorName}, report.Signature{},
		report.Signature{Name: rev.ApprovedByName, Date: d.date(rev.ApprovedAt)}), report.PageBreak())
	*b = append(*b, report.Heading(1, t("eplan.doc.record")), d.recordTable(), report.PageBreak())
	for i, ch := range rev.Chapters {
		*b = append(*b, report.Heading(1, chapterHeading(d.lang, i+1, ch.Title)))
		*b = append(*b, Blocks(ch.Body)...)
		switch ch.Source {
		case SourceOrganisation:
			*b = append(*b, d.organisationChapter()...)
		case SourceResponse:
			*b = append(*b, d.responseChapter()...)
		}
	}
	*b = append(*b, report.PageBreak())
	*b = append(*b, d.annexOrganisation()...)
	*b = append(*b, report.PageBreak())
	*b = append(*b, d.annexFlow()...)
	return doc
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// chapterHeading numbers a chapter as Chinese plans do (第一章 总则), or
// "Chapter 1 General provisions" in English.
func chapterHeading(lang string, n int, title string) string {
	num := strconv.Itoa(n)
	if lang == "zh-CN" {
		num = chineseNumeral(n)
	}
	return i18n.T(lang, "eplan.doc.chapter", num, title)
}

// chineseNumeral writes 1-99 as 一 … 九十九 (larger numbers in digits).
func chineseNumeral(n int) string {
	digits := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	switch {
	case n <= 0 || n >= 100:
		return strconv.Itoa(n)
	case n < 10:
		return digits[n]
	}
	s := "十"
	if n >= 20 {
		s = digits[n/10] + s
	}
	if n%10 != 0 {
		s += digits[n%10]
	}
	return s
}

// recordTable is the 文件制修订记录: one row per approved revision (and
// the open one, marked as pending).
func (d docData) recordTable() report.Block {
	t := d.t
	var rows [][]string
	for _, r := range d.record {
		reason := r.Reason
		if len(r.Incidents) > 0 {
			nums := make([]string, len(r.Incidents))
			for i, inc := range r.Incidents {
				nums[i] = inc.Number
			}
			reason += t("eplan.doc.reason_incidents", strings.Join(nums, t("eplan.doc.list_sep")))
		}
		approver, effective := orDash(r.ApprovedByName), d.date(r.EffectiveAt)
		if r.Open() {
			approver, effective = t("eplan.status."+r.Status), "—"
		}
		rows = append(rows, []string{r.Version, r.Summary, reason, r.AuthorName, approver, effective})
	}
	return report.Table([]string{t("eplan.field.version"), t("eplan.field.summary"), t("eplan.field.reason"),
		t("eplan.field.author"), t("eplan.field.approved_by"), t("eplan.field.effective_at")}, rows).WithWidths(2, 5, 5, 2, 2, 3)
}

// people lists a group's members by position: 组长：张三（董事长）；成员：李四、王五.
func (d docData) people(u emergency.Unit) string {
	var parts []string
	for _, pos := range emergency.Positions {
		var names []string
		for _, m := range u.Members {
			if m.Position != pos {
				continue
			}
			n := m.Name
			if m.Title != "" {
				n += d.t("emergency.chart.title_suffix", m.Title)
			}
			names = append(names, n)
		}
		if len(names) > 0 {
			parts = append(parts, d.t("eplan.doc.people", d.t("emergency.position."+pos), strings.Join(names, d.t("eplan.doc.list_sep"))))
		}
	}
	if len(parts) == 0 {
		return d.t("eplan.doc.nobody")
	}
	return strings.Join(parts, d.t("eplan.doc.people_sep"))
}

// organisationChapter is the data part of 组织机构与职责: each group with
// who leads it, where it sits and its duties (the organisation's own, or
// the plan's default duties for the group).
func (d docData) organisationChapter() []report.Block {
	t := d.t
	var out, support []report.Block
	for _, u := range d.units {
		duties := u.Duties
		if duties == "" && u.Kind != emergency.GroupSupport {
			duties = t("eplan.duty." + u.Kind)
		}
		if u.Kind == emergency.GroupSupport {
			item := emergency.UnitName(u, t) + t("emergency.chart.title_suffix", t("emergency.category."+u.Category))
			if duties != "" {
				item += t("eplan.doc.colon") + duties
			}
			support = append(support, report.Paragraph(item))
			continue
		}
		out = append(out, report.Heading(2, emergency.UnitName(u, t)))
		if u.Location != "" {
			out = append(out, report.Paragraph(t("eplan.doc.location", u.Location)))
		}
		out = append(out, report.Paragraph(d.people(u)), report.Paragraph(duties))
	}
	out = append(out, report.Heading(2, t("emergency.group.support")), report.Paragraph(t("eplan.duty.support")))
	if len(support) == 0 {
		support = []report.Block{report.Paragraph(t("eplan.doc.no_support"))}
	}
	out = append(out, support...)
	return append(out, report.Paragraph(t("eplan.doc.see_annex1")))
}

// reportLine says when and to whom the first report of a 较大 or graver
// incident is due for this organisation, and the summary report.
func (d docData) reportLine() string {
	hours := int(incident.ReportWindow(d.orgType) / time.Hour)
	return d.t("eplan.doc.report_rule", d.t("orgtype."+string(d.orgType)), hours, d.t("eplan.regulator."+string(d.orgType)),
		int(incident.SummaryWindow/(24*time.Hour)))
}

// responseChapter is the data part of 事件分级与应急响应: the grades with
// what makes them, and the reporting duty of the organisation's type.
func (d docData) responseChapter() []report.Block {
	t := d.t
	var rows [][]string
	for g := incident.GradeI; g <= incident.GradeIV; g++ {
		rows = append(rows, []string{t(fmt.Sprintf("incident.grade.%d", g)), t(fmt.Sprintf("eplan.grade_rule.%d", g))})
	}
	return []report.Block{
		report.Table([]string{t("eplan.col.grade"), t("eplan.col.grade_rule")}, rows).WithWidths(3, 9),
		report.Paragraph(d.reportLine()),
		report.Paragraph(t("eplan.doc.see_annex2")),
	}
}

// leaderOf is the 组长 of a group, "" when none.
func (d docData) leaderOf(kind string) string {
	for _, u := range d.units {
		if u.Kind != kind {
			continue
		}
		for _, m := range u.Members {
			if m.Position == emergency.PositionLeader {
				return m.Name
			}
		}
	}
	return ""
}

// annexOrganisation is 附件1: the chart, each group's contacts, the
// coming week's duty roster.
func (d docData) annexOrganisation() []report.Block {
	t := d.t
	grid := ChartGrid(d.units, t)
	out := []report.Block{report.Heading(1, t("eplan.doc.annex1")),
		report.Figure(t("emergency.chart.heading"), d.chart, &grid)}
	header := []string{t("emergency.field.position"), t("emergency.field.name"), t("emergency.field.title"),
		t("emergency.field.phone"), t("emergency.field.email"), t("emergency.field.im")}
	for _, g := range d.section.Groups {
		out = append(out, report.Heading(2, g.Name))
		if len(g.Members) == 0 {
			out = append(out, report.Paragraph(t("eplan.doc.nobody")))
			continue
		}
		var rows [][]string
		for _, m := range g.Members {
			rows = append(rows, []string{m.Position, m.Name, m.Title, m.Phone, m.Email, m.IM})
		}
		out = append(out, report.Table(header, rows).WithWidths(2, 2, 3, 3, 4, 3))
	}
	r := d.section.Roster
	out = append(out, report.Heading(2, t("eplan.doc.roster", d.stamp(r.From), d.stamp(r.To))))
	if len(r.Shifts) == 0 {
		out = append(out, report.Paragraph(t("eplan.doc.roster_empty")))
	} else {
		var rows [][]string
		for _, sh := range r.Shifts {
			rows = append(rows, []string{sh.DutyRole, sh.Member, d.stamp(sh.StartsAt), d.stamp(sh.EndsAt), sh.Contact})
		}
		out = append(out, report.Table([]string{t("emergency.field.duty_role"), t("emergency.field.member_id"),
			t("emergency.field.starts_at"), t("emergency.field.ends_at"), t("emergency.field.contact")}, rows).WithWidths(2, 3, 3, 3, 3))
	}
	if len(r.Uncovered) > 0 {
		var gaps []string
		for _, sp := range r.Uncovered {
			gaps = append(gaps, d.stamp(sp.From)+" – "+d.stamp(sp.To))
		}
		out = append(out, report.Paragraph(t("eplan.doc.roster_gaps")), report.List(false, gaps...))
	}
	return out
}

func (d docData) stamp(t time.Time) string { return t.In(d.loc).Format("2006-01-02 15:04") }

// annexFlow is 附件2: the response flow by grade (the seed's 响应流程图 as
// a table), its steps, and who approves the phases' plans.
func (d docData) annexFlow() []report.Block {
	t := d.t
	lead, work := d.leaderOf(emergency.GroupLeadership), d.leaderOf(emergency.GroupWorkingGroup)
	named := func(key, leader string) string {
		if leader == "" {
			return t(key)
		}
		return t(key) + t("eplan.doc.led_by", leader)
	}
	hours := int(incident.ReportWindow(d.orgType) / time.Hour)
	window := t("eplan.flow.window", hours, t("eplan.regulator."+string(d.orgType)))
	rows := [][]string{
		{t("incident.grade.1"), named("eplan.flow.start.high", lead), t("eplan.flow.engaged.high"), window},
		{t("incident.grade.2"), named("eplan.flow.start.high", lead), t("eplan.flow.engaged.high"), window},
		{t("incident.grade.3"), named("eplan.flow.start.medium", work), t("eplan.flow.engaged.medium"), window},
		{t("incident.grade.4"), t("eplan.flow.start.low"), t("eplan.flow.engaged.low"), t("eplan.flow.no_report")},
	}
	out := []report.Block{report.Heading(1, t("eplan.doc.annex2")),
		report.Table([]string{t("eplan.col.grade"), t("eplan.col.start"), t("eplan.col.engaged"), t("eplan.col.report")}, rows).WithWidths(3, 5, 5, 4),
		report.Heading(2, t("eplan.doc.flow_steps"))}
	steps := []string{t("eplan.flow.step.1"), t("eplan.flow.step.2"), t("eplan.flow.step.3"), t("eplan.flow.step.4"),
		t("eplan.flow.step.5", hours, t("eplan.regulator."+string(d.orgType))), t("eplan.flow.step.6"), t("eplan.flow.step.7")}
	out = append(out, report.List(true, steps...), report.Heading(2, t("eplan.doc.plan_approvers")))
	var arows [][]string
	for _, ph := range incident.PlanPhases {
		var names []string
		for _, r := range d.approvers[ph] {
			names = append(names, t("role."+string(r)))
		}
		arows = append(arows, []string{t("incident.phase." + string(ph)), strings.Join(names, t("eplan.doc.list_sep"))})
	}
	return append(out, report.Table([]string{t("eplan.col.phase"), t("eplan.col.approvers")}, arows).WithWidths(1, 3))
}
