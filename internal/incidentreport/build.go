package incidentreport

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/asset"
	"bulwark/internal/auth"
	"bulwark/internal/emergencyplan"
	"bulwark/internal/evidence"
	"bulwark/internal/i18n"
	"bulwark/internal/incident"
	"bulwark/internal/postincident"
	"bulwark/internal/report"
	"bulwark/internal/task"
	"bulwark/internal/workflow"
)

// builder gathers one report. Everything is read before the document is
// assembled, except the timeline, which streams while it is rendered.
type builder struct {
	s     *Service
	ctx   context.Context
	actor *auth.Actor
	lang  string
	loc   *time.Location

	inc        incident.Incident
	orgName    string
	tree       []incident.Category
	criteria   []incident.Criterion
	assets     []asset.Asset
	graderName string
	revisions  []emergencyplan.Revision // plan revisions naming the incident
	plans      []incident.Plan
	planAppr   map[int64][]workflow.Approval
	tasks      []task.Task
	files      []evidence.Evidence
	iocs       []evidence.IOC
	notes      []evidence.IntelNote
	review     postincident.Review
	capas      []postincident.CAPA
	capaAppr   []workflow.Approval
	sanctions  []postincident.Sanction // nil when the reader may not read them
	related    []incident.Objects

	doc       report.Document
	section   int
	streamErr error
}

func (b *builder) t(key string, args ...any) string { return i18n.T(b.lang, key, args...) }

// when writes a time in the installation's zone, "—" when unset.
func (b *builder) when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(b.loc).Format("2006-01-02 15:04")
}

func (b *builder) whenPtr(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return b.when(*t)
}

// or is s, or "—" when empty: a table cell is never blank by accident.
func or(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

func (s *Service) build(ctx context.Context, id int64, lang string) (*builder, error) {
	if lang != "en" {
		lang = "zh-CN"
	}
	loc := s.Location
	if loc == nil {
		loc = time.UTC
	}
	b := &builder{s: s, ctx: ctx, actor: auth.FromContext(ctx), lang: lang, loc: loc}
	if err := b.gather(id); err != nil {
		return nil, err
	}
	b.assemble()
	return b, nil
}

// gather reads everything but the timeline, each through its module's
// service (and so its permission and organisation checks).
func (b *builder) gather(id int64) error {
	s, ctx := b.s, b.ctx
	var err error
	if b.inc, err = s.Incidents.Get(ctx, id); err != nil {
		return err
	}
	o, err := s.Orgs.Get(ctx, b.actor.OrgID)
	if err != nil {
		return err
	}
	b.orgName = o.Name
	if b.tree, err = s.Incidents.Categories(ctx, false); err != nil {
		return err
	}
	if b.criteria, err = s.Incidents.Criteria(ctx); err != nil {
		return err
	}
	for _, aid := range b.inc.AssetIDs {
		// Assets deleted since stay out, as on the incident page.
		a, err := s.Assets.Get(ctx, aid)
		switch {
		case err == nil:
			b.assets = append(b.assets, a)
		case !apperr.Is(err, apperr.NotFound):
			return err
		}
	}
	if b.graderName, err = b.userName(b.inc.GradedBy); err != nil {
		return err
	}
	if b.plans, err = s.Lifecycle.Plans(ctx, id); err != nil {
		return err
	}
	b.planAppr = map[int64][]workflow.Approval{}
	for _, p := range b.plans {
		if b.planAppr[p.ID], err = s.Approvals.ForObject(ctx, incident.PlanObject, strconv.FormatInt(p.ID, 10)); err != nil {
			return err
		}
	}
	if b.tasks, err = s.Tasks.ForObject(ctx, "incident", strconv.FormatInt(id, 10)); err != nil {
		return err
	}
	if b.files, err = s.Evidence.List(ctx, id); err != nil {
		return err
	}
	if b.iocs, err = s.Evidence.IOCs(ctx, id); err != nil {
		return err
	}
	if b.notes, err = s.Evidence.Notes(ctx, id); err != nil {
		return err
	}
	if b.review, err = s.Reviews.Review(ctx, id); err != nil {
		return err
	}
	if s.Plans != nil && b.actor.Can(auth.PermEmergencyRead) {
		if b.revisions, err = s.Plans.RevisionsForIncident(ctx, id); err != nil {
			return err
		}
	}
	if b.capas, err = s.Reviews.CAPAs(ctx, id); err != nil {
		return err
	}
	idText := strconv.FormatInt(id, 10)
	if b.capaAppr, err = s.Approvals.ForObject(ctx, postincident.CAPASetObject, idText); err != nil {
		return err
	}
	if b.actor.Can(auth.PermSanctionRead) {
		if b.sanctions, err = s.Reviews.Sanctions(ctx, id); err != nil {
			return err
		}
	}
	// The lifecycle puts the incident, its plans and their approvals on
	// the timeline, and the review's objects through its registered
	// source; these are the incident's other objects.
	rel := map[string][]string{}
	for _, e := range b.files {
		rel["evidence"] = append(rel["evidence"], strconv.FormatInt(e.ID, 10))
	}
	for _, i := range b.iocs {
		rel["ioc"] = append(rel["ioc"], strconv.FormatInt(i.ID, 10))
	}
	for _, n := range b.notes {
		rel["intel_note"] = append(rel["intel_note"], strconv.FormatInt(n.ID, 10))
	}
	for _, t := range b.tasks {
		rel["task"] = append(rel["task"], strconv.FormatInt(t.ID, 10))
	}
	for _, typ := range []string{"evidence", "ioc", "intel_note", "task"} {
		if len(rel[typ]) > 0 {
			b.related = append(b.related, incident.Objects{Type: typ, IDs: rel[typ]})
		}
	}
	return nil
}

// userName is the display name (else username) of the account that
// graded the incident, "" when none did. Accounts are installation-wide,
// and the incident names the account itself, so there is no other
// organisation's data to guard here.
func (b *builder) userName(id int64) (string, error) {
	if id == 0 {
		return "", nil
	}
	var name string
	err := b.s.DB.Read().QueryRowContext(b.ctx, `SELECT COALESCE(NULLIF(display_name, ''), username) FROM users WHERE id = $1`, id).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read name of user %d: %w", id, err)
	}
	return name, nil
}
