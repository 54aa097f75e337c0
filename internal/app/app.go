// Package app wires the services together over one database. The CLI, the
// web server and the tests all build the application here, so they run the
// same code.
package app

import (
	"context"
	"fmt"
	"time"

	"bulwark/internal/account"
	"bulwark/internal/asset"
	"bulwark/internal/clock"
	"bulwark/internal/deadline"
	"bulwark/internal/emergency"
	"bulwark/internal/emergencyplan"
	"bulwark/internal/evidence"
	"bulwark/internal/incident"
	"bulwark/internal/incidentreport"
	"bulwark/internal/notify"
	"bulwark/internal/org"
	"bulwark/internal/playbook"
	"bulwark/internal/postincident"
	"bulwark/internal/store"
	"bulwark/internal/task"
	"bulwark/internal/workflow"
)

// Options are the settings the services need.
type Options struct {
	Account     account.Config
	ValueMethod asset.ValueMethod
	DefaultOrg  string // name of the organisation created on first run
	// Location is the installation's time zone: incident numbers take
	// their year from it. Nil means UTC.
	Location *time.Location
}

// DefaultOptions are used when nothing is configured.
func DefaultOptions() Options {
	return Options{Account: account.DefaultConfig(), ValueMethod: asset.ValueFormula, DefaultOrg: "本单位"}
}

// App holds the services.
type App struct {
	DB       *store.DB
	Clock    clock.Clock
	Options  Options
	Orgs     *org.Service
	Accounts *account.Service
	Assets   *asset.Service

	// Shared workflow mechanisms (issue 3): approvals, tasks, deadlines.
	Approvals *workflow.Service
	Tasks     *task.Service
	Deadlines *deadline.Service
	Notify    *notify.Service
	// Emergency is the emergency organisation (应急组织) and duty roster.
	Emergency *emergency.Service
	Incidents *incident.Service
	// Evidence holds incidents' evidence files, IOCs and intel notes.
	Evidence *evidence.Service
	// Lifecycle is the PDCERF lifecycle: phases, plans, timeline.
	Lifecycle *incident.Lifecycle
	// EmergencyPlan is the emergency plan (应急预案): revisions, export.
	EmergencyPlan *emergencyplan.Service
	// Reviews is the post-incident review: summary meeting, CAPA,
	// reward and penalty recommendations, the close gate.
	Reviews *postincident.Service
	// Reports renders the incident report (应急处置报告).
	Reports *incidentreport.Service
	// Playbooks are the procedures that generate an incident's phase
	// tasks, and those tasks.
	Playbooks *playbook.Service
	// Escalation: plan activation by leadership, regulator reports and
	// their deadlines, incident notifications (escalation.go).
	Escalation *incident.Escalation
}

// New builds the services over db.
func New(db *store.DB, c clock.Clock, opt Options) *App {
	if opt.ValueMethod == "" {
		opt.ValueMethod = asset.ValueFormula
	}
	a := &App{
		DB: db, Clock: c, Options: opt,
		Orgs:     &org.Service{DB: db, Clock: c},
		Accounts: account.New(db, c, opt.Account),
		Assets:   &asset.Service{DB: db, Clock: c, ValueMethod: opt.ValueMethod},

		Approvals: &workflow.Service{DB: db, Clock: c},
		Tasks:     &task.Service{DB: db, Clock: c},
		Deadlines: &deadline.Service{DB: db, Clock: c},
		Notify:    &notify.Service{DB: db, Clock: c},
		Incidents: &incident.Service{DB: db, Clock: c, Location: opt.Location},
	}
	// Feature services are set one per line, so adding one does not
	// realign the others (parallel branches merge cleanly).
	a.Emergency = &emergency.Service{DB: db, Clock: c}
	a.Evidence = &evidence.Service{DB: db, Clock: c}
	a.Lifecycle = incident.NewLifecycle(db, c, a.Approvals)
	a.EmergencyPlan = emergencyplan.New(db, c, a.Approvals, a.Emergency, a.Lifecycle, opt.Location)
	a.Reviews = postincident.New(db, c, a.Approvals, a.Deadlines, a.Lifecycle)
	a.Reviews.Location = opt.Location
	a.Reports = &incidentreport.Service{DB: db, Clock: c, Location: opt.Location, Incidents: a.Incidents, Lifecycle: a.Lifecycle,
		Assets: a.Assets, Orgs: a.Orgs, Evidence: a.Evidence, Tasks: a.Tasks, Approvals: a.Approvals, Reviews: a.Reviews, Plans: a.EmergencyPlan}
	a.Playbooks = playbook.New(db, c, a.Tasks, a.Incidents, a.Emergency, opt.Location)
	a.wireEscalation()
	return a
}

// Bootstrap makes sure the default organisation exists. When there is no
// user at all it creates "admin" with a random one-time password, which it
// returns (empty otherwise) for the console; the admin must change it at
// first login.
func (a *App) Bootstrap(ctx context.Context) (orgID int64, adminPassword string, err error) {
	orgID, err = a.Orgs.EnsureDefault(ctx, a.Options.DefaultOrg)
	if err != nil {
		return 0, "", err
	}
	n, err := a.Accounts.Count(ctx)
	if err != nil {
		return 0, "", err
	}
	if n > 0 {
		return orgID, "", nil
	}
	pw := "Bw-" + randomPassword()
	_, err = a.Accounts.Create(sysCtx(ctx, orgID), account.NewUser{
		Username: "admin", DisplayName: "平台管理员", Password: pw, PlatformAdmin: true, MustChange: true,
	})
	if err != nil {
		return 0, "", fmt.Errorf("create first admin: %w", err)
	}
	return orgID, pw, nil
}
