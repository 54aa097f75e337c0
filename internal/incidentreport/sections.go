package incidentreport

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"bulwark/internal/asset"
	"bulwark/internal/evidence"
	"bulwark/internal/i18n"
	"bulwark/internal/incident"
	"bulwark/internal/report"
	"bulwark/internal/task"
	"bulwark/internal/workflow"
)

// zhNumerals number the sections in Chinese (一、二、...), as the seed's
// documents do.
var zhNumerals = []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五"}

// heading is the next numbered section heading.
func (b *builder) heading(key string) report.Block {
	b.section++
	title := b.t(key)
	if b.lang == "en" || b.section > len(zhNumerals) {
		return report.Heading(1, fmt.Sprintf("%d. %s", b.section, title))
	}
	return report.Heading(1, zhNumerals[b.section-1]+"、"+title)
}

func (b *builder) add(blocks ...report.Block) { b.doc.Blocks = append(b.doc.Blocks, blocks...) }

// Punctuation differs between the languages: full-width in Chinese.
func (b *builder) colon() string {
	if b.lang == "en" {
		return ": "
	}
	return "："
}

// list joins items as the language lists them.
func (b *builder) list(items []string) string {
	if b.lang == "en" {
		return strings.Join(items, ", ")
	}
	return strings.Join(items, "、")
}

// paren puts s in brackets after text.
func (b *builder) paren(text, s string) string {
	if b.lang == "en" {
		return text + " (" + s + ")"
	}
	return text + "（" + s + "）"
}

// assemble lays out the document in the order of the point 10.
func (b *builder) assemble() {
	i := b.inc
	b.doc = report.Document{
		Title:      b.t("report.incident.title"),
		Subtitle:   i.Number + " " + i.Title,
		Lang:       b.lang,
		PageFormat: report.PageFormat(b.lang),
		Created:    b.s.Clock.Now().UTC(),
		Meta: []report.KV{
			{Label: b.t("report.incident.number"), Value: i.Number},
			{Label: b.t("report.incident.org"), Value: b.orgName},
			{Label: b.t("incident.field.grade"), Value: b.t(fmt.Sprintf("incident.grade.%d", i.GradeValue()))},
			{Label: b.t("report.incident.phase"), Value: b.t("incident.phase." + string(i.Phase))},
			{Label: b.t("report.incident.date"), Value: b.when(b.s.Clock.Now())},
		},
	}
	b.overview()
	b.classification()
	b.timeline()
	b.phases()
	b.add(b.heading("report.incident.impact"), report.Paragraph(or(b.review.Impact)))
	b.figures()
	b.add(b.heading("report.incident.cause"), report.Paragraph(or(b.review.RootCause)))
	b.evidence()
	b.indicators()
	b.summary()
	b.corrective()
	if b.sanctions != nil {
		b.rewards()
	}
	b.add(b.heading("report.incident.signoff"),
		report.SignOff(b.lang, report.Signature{}, report.Signature{}, report.Signature{}))
}

func (b *builder) overview() {
	i := b.inc
	source := b.t("incident.source." + string(i.Source))
	if i.AlertRef != "" {
		source += " (" + i.AlertRef + ")"
	}
	var assets []string
	for _, a := range b.assets {
		assets = append(assets, b.paren(a.Number+" "+a.Name, fmt.Sprintf("%s %d %s", b.t("report.incident.asset_value"), a.Value,
			b.t(asset.LevelKey(a.Value)))))
	}
	b.add(b.heading("report.incident.overview"), report.KVTable(
		report.KV{Label: b.t("report.incident.number"), Value: i.Number},
		report.KV{Label: b.t("incident.field.title"), Value: i.Title},
		report.KV{Label: b.t("report.incident.org"), Value: b.orgName},
		report.KV{Label: b.t("incident.field.discovered_at"), Value: b.when(i.DiscoveredAt)},
		report.KV{Label: b.t("incident.field.source"), Value: source},
		report.KV{Label: b.t("incident.field.reporter_name"), Value: or(i.ReporterName)},
		report.KV{Label: b.t("incident.field.created_at"), Value: b.when(i.CreatedAt)},
		report.KV{Label: b.t("incident.field.assets"), Value: or(strings.Join(assets, "\n"))},
		report.KV{Label: b.t("incident.field.business_systems"), Value: or(b.list(i.BusinessSystems))},
		report.KV{Label: b.t("report.incident.handling_ended"), Value: b.whenPtr(i.HandlingEndedAt)},
	))
	if i.Description != "" {
		b.add(report.Heading(2, b.t("incident.field.description")), report.Paragraph(i.Description))
	}
}

func (b *builder) classification() {
	i := b.inc
	label, annexB := incident.CategoryLabel(b.tree, i.Category, b.lang)
	category := b.t("incident.category.none")
	if i.Category != "" {
		category = strings.TrimSpace(i.Category + " " + label)
	}
	confirmed := b.t("report.incident.grade_unconfirmed")
	if i.GradeConfirmed {
		confirmed = b.t("report.incident.grade_confirmed")
	}
	b.add(b.heading("report.incident.classification"), report.KVTable(
		report.KV{Label: b.t("incident.field.category"), Value: category},
		report.KV{Label: b.t("incident.field.annex_b_code"), Value: or(annexB)},
		report.KV{Label: b.t("incident.field.grade"), Value: b.t(fmt.Sprintf("incident.grade.%d", i.GradeValue())) + " · " + confirmed},
		report.KV{Label: b.t("incident.field.grade_rule"), Value: or(incident.RuleText(b.lang, i, b.criteria))},
		report.KV{Label: b.t("report.incident.graded_by"), Value: or(b.graderName)},
		report.KV{Label: b.t("incident.field.graded_at"), Value: b.whenPtr(i.GradedAt)},
		report.KV{Label: b.t("incident.field.report_due_at"), Value: b.whenPtr(i.ReportDueAt)},
		report.KV{Label: b.t("incident.field.reported_at"), Value: b.whenPtr(i.ReportedAt)},
	))
}

// timeline streams every event as the table is rendered; a database error
// halfway is kept in streamErr and fails the rendering.
func (b *builder) timeline() {
	events := b.s.Lifecycle.AllEvents(b.ctx, b.inc.ID, b.related)
	rows := func(yield func([]string) bool) {
		for ev, err := range events {
			if err != nil {
				b.streamErr = err
				return
			}
			action := ev.Action
			if k := "action." + ev.Action; i18n.Has(k) {
				action = b.t(k)
			}
			if !yield([]string{b.when(ev.At), ev.Actor, action, ev.Text}) {
				return
			}
		}
	}
	b.add(b.heading("report.incident.timeline"),
		report.StreamTable([]string{b.t("lifecycle.timeline.when"), b.t("lifecycle.timeline.who"),
			b.t("lifecycle.timeline.what"), b.t("lifecycle.timeline.detail")}, rows).WithWidths(3, 2, 3, 7))
}

// phases describes each plan phase's plans with their approvals,
// execution and effect, and every phase's tasks.
func (b *builder) phases() {
	b.add(b.heading("report.incident.phases"))
	byGroup := map[string][]task.Task{}
	for _, t := range b.tasks {
		byGroup[t.Group] = append(byGroup[t.Group], t)
	}
	for _, ph := range incident.Phases {
		var plans []incident.Plan
		for _, p := range b.plans {
			if p.Phase == ph {
				plans = append(plans, p)
			}
		}
		tasks := byGroup[string(ph)]
		delete(byGroup, string(ph))
		if !incident.NeedsPlan(ph) && len(tasks) == 0 {
			continue
		}
		b.add(report.Heading(2, b.t("incident.phase."+string(ph))))
		if incident.NeedsPlan(ph) && len(plans) == 0 {
			b.add(report.Paragraph(b.t("report.incident.no_plan")))
		}
		for k, p := range plans {
			b.plan(k+1, p)
		}
		b.taskTable(tasks)
	}
	var rest []string
	for g := range byGroup {
		rest = append(rest, g)
	}
	slices.Sort(rest)
	for _, g := range rest {
		b.add(report.Heading(2, or(g)))
		b.taskTable(byGroup[g])
	}
}

func (b *builder) plan(n int, p incident.Plan) {
	title := b.t("report.incident.plan", n)
	if p.Round > 0 {
		title += " · " + b.t("lifecycle.round") + " " + strconv.Itoa(p.Round)
	}
	pairs := []report.KV{
		{Label: b.t("lifecycle.plan.status"), Value: b.t("lifecycle.status." + p.Status)},
		{Label: b.t("lifecycle.plan.measures"), Value: p.Measures},
		{Label: b.t("lifecycle.plan.scope"), Value: or(p.Scope)},
		{Label: b.t("lifecycle.plan.risks"), Value: or(p.Risks)},
		{Label: b.t("lifecycle.plan.resources"), Value: or(p.Resources)},
		{Label: b.t("lifecycle.plan.author"), Value: p.AuthorName + " · " + b.when(p.CreatedAt)},
		{Label: b.t("report.incident.approval"), Value: b.approvals(b.planAppr[p.ID])},
	}
	if p.ExecutedBy != "" {
		pairs = append(pairs, report.KV{Label: b.t("lifecycle.plan.execution_notes"),
			Value: p.ExecutionNotes + "\n" + p.ExecutedBy + " · " + b.when(p.ExecutedAt)})
	}
	if p.JudgedBy != "" {
		pairs = append(pairs, report.KV{Label: b.t("lifecycle.plan.effect"),
			Value: b.t("lifecycle.effect."+p.Effect) + b.colon() + p.EffectNotes + "\n" + p.JudgedBy + " · " + b.when(p.JudgedAt)})
	}
	b.add(report.Heading(3, title), report.KVTable(pairs...))
}

// approvals writes each decision as "who · when · status: reason", one a
// line, oldest first; pending ones name the roles they wait for.
func (b *builder) approvals(list []workflow.Approval) string {
	var lines []string
	for _, a := range list {
		status := b.t("approval.status." + a.Status)
		if a.Status == workflow.StatusPending {
			var roles []string
			for _, r := range a.Roles {
				roles = append(roles, b.t("role."+string(r)))
			}
			lines = append(lines, status+" · "+b.list(roles))
			continue
		}
		line := a.DecidedByName + " · " + b.when(a.DecidedAt) + " · " + status
		if a.Reason != "" {
			line += b.colon() + a.Reason
		}
		lines = append(lines, line)
	}
	return or(strings.Join(lines, "\n"))
}

func (b *builder) taskTable(tasks []task.Task) {
	if len(tasks) == 0 {
		return
	}
	var rows [][]string
	for _, t := range tasks {
		rows = append(rows, []string{t.Title, or(t.AssigneeName), b.when(t.DueAt), b.t("task.status." + string(t.Status)), or(t.Notes)})
	}
	b.add(report.Table([]string{b.t("report.incident.task"), b.t("report.incident.assignee"), b.t("report.incident.due"),
		b.t("report.incident.status"), b.t("report.incident.notes")}, rows).WithWidths(4, 2, 2, 2, 4))
}

// figures lists the grading data entered (people affected, records
// leaked...), which the impact section rests on.
func (b *builder) figures() {
	if len(b.inc.Figures) == 0 {
		return
	}
	var pairs []report.KV
	for _, c := range b.criteria {
		if v, ok := b.inc.Figures[c.Key]; ok {
			pairs = append(pairs, report.KV{Label: c.Name(b.lang), Value: fmt.Sprintf("%d %s", v, b.t("incident.unit."+c.Unit))})
		}
	}
	if len(pairs) > 0 {
		b.add(report.Heading(2, b.t("report.incident.figures")), report.KVTable(pairs...))
	}
}

func (b *builder) evidence() {
	b.add(b.heading("report.incident.evidence"))
	if len(b.files) == 0 {
		b.add(report.Paragraph(b.t("report.incident.none")))
		return
	}
	var rows [][]string
	for _, e := range b.files {
		collected := or(e.CollectedBy)
		if e.CollectedAt != nil {
			collected += " · " + b.when(*e.CollectedAt)
		}
		rows = append(rows, []string{e.Filename, e.SHA256, strconv.FormatInt(e.Size, 10), collected, or(e.CollectedFrom)})
	}
	b.add(report.Table([]string{b.t("report.incident.file_name"), "SHA-256", b.t("report.incident.bytes"),
		b.t("report.incident.collected"), b.t("report.incident.collected_from")}, rows).WithWidths(3, 6, 2, 3, 3))
}

func (b *builder) indicators() {
	b.add(b.heading("report.incident.iocs"))
	if len(b.iocs) == 0 {
		b.add(report.Paragraph(b.t("report.incident.none")))
	} else {
		var rows [][]string
		for _, i := range b.iocs {
			typ := b.t("evidence.ioc_type." + string(i.Type))
			if i.HashKind != "" {
				typ += " (" + i.HashKind + ")"
			}
			rows = append(rows, []string{typ, i.Value, or(i.Description), b.whenPtr(i.FirstSeen)})
		}
		b.add(report.Table([]string{b.t("report.incident.ioc_type"), b.t("report.incident.ioc_value"),
			b.t("report.incident.notes"), b.t("report.incident.first_seen")}, rows).WithWidths(2, 6, 4, 3))
	}
	if len(b.notes) == 0 {
		return
	}
	var items []string
	for _, n := range b.notes {
		item := n.Body
		var techs []string
		for _, t := range n.Techniques {
			techs = append(techs, t+" "+evidence.TechniqueName(t, b.lang))
		}
		if len(techs) > 0 {
			item = b.paren(item, "ATT&CK"+b.colon()+b.list(techs))
		}
		items = append(items, item+" — "+n.Author+" · "+b.when(n.CreatedAt))
	}
	b.add(report.Heading(2, b.t("report.incident.intel")), report.List(false, items...))
}

// summary is the summary meeting and its lessons (事后总结).
func (b *builder) summary() {
	r := b.review
	var names []string
	for _, a := range r.Attendees {
		names = append(names, a.Name)
	}
	revision := b.t("report.incident.revision_no")
	if r.PlanRevisionNeeded {
		revision = b.t("report.incident.revision_yes")
		if r.PlanRevisionNotes != "" {
			revision += b.colon() + r.PlanRevisionNotes
		}
	}
	var revs []string
	for _, rv := range b.revisions {
		revs = append(revs, rv.Version+" "+b.t("eplan.status."+rv.Status))
	}
	recorded := "—"
	if r.Recorded() {
		recorded = r.RecordedByName + " · " + b.when(r.UpdatedAt)
	}
	b.add(b.heading("report.incident.summary"), report.KVTable(
		report.KV{Label: b.t("review.field.held_at"), Value: b.whenPtr(r.HeldAt)},
		report.KV{Label: b.t("review.field.place"), Value: or(r.Place)},
		report.KV{Label: b.t("review.field.attendees"), Value: or(b.list(names))},
		report.KV{Label: b.t("review.field.minutes"), Value: or(r.Minutes)},
		report.KV{Label: b.t("review.field.lessons"), Value: or(r.Lessons)},
		report.KV{Label: b.t("review.field.plan_revision"), Value: revision},
		report.KV{Label: b.t("review.plan_revisions.title"), Value: or(b.list(revs))},
		report.KV{Label: b.t("report.incident.recorded_by"), Value: recorded},
	))
}

// corrective lists the CAPA with their owners, due dates, status and
// verification, and leadership's decisions on the sets.
func (b *builder) corrective() {
	b.add(b.heading("report.incident.capa"))
	if len(b.capas) == 0 {
		b.add(report.Paragraph(b.t("report.incident.none")))
		return
	}
	now := b.s.Clock.Now()
	var rows [][]string
	for _, c := range b.capas {
		status := b.t("capa.status." + c.Status)
		if c.OverdueAt(now) {
			status += " · " + b.t("capa.overdue")
		}
		verification := "—"
		if c.VerifiedByName != "" {
			verification = c.VerifiedByName + " · " + b.when(c.VerifiedAt) + b.colon() + c.VerificationNotes
		}
		rows = append(rows, []string{b.t("capa.kind." + c.Kind), c.Description, or(c.OwnerName), b.when(c.DueAt), status, verification})
	}
	b.add(report.Table([]string{b.t("capa.field.kind"), b.t("capa.field.description"), b.t("capa.field.owner"),
		b.t("capa.field.due_at"), b.t("capa.field.status"), b.t("capa.field.verification")}, rows).WithWidths(2, 6, 2, 2, 2, 4))
	if len(b.capaAppr) > 0 {
		b.add(report.Paragraph(b.t("report.incident.capa_approval") + "\n" + b.approvals(b.capaAppr)))
	}
}

// rewards lists the reward and penalty recommendations with leadership's
// decisions.
func (b *builder) rewards() {
	b.add(b.heading("report.incident.sanctions"))
	if len(b.sanctions) == 0 {
		b.add(report.Paragraph(b.t("report.incident.none")))
		return
	}
	var rows [][]string
	for _, x := range b.sanctions {
		decision := b.t("sanction.status." + x.Status)
		if x.DecidedByName != "" {
			decision += " · " + x.DecidedByName + " · " + b.when(x.DecidedAt)
		}
		if x.DecisionReason != "" {
			decision += b.colon() + x.DecisionReason
		}
		rows = append(rows, []string{x.PersonName, b.t("sanction.kind." + x.Kind), x.Reason, or(x.Measure), decision})
	}
	b.add(report.Table([]string{b.t("sanction.field.person"), b.t("sanction.field.kind"), b.t("sanction.field.reason"),
		b.t("sanction.field.measure"), b.t("sanction.field.decision")}, rows).WithWidths(2, 2, 5, 3, 4))
}
