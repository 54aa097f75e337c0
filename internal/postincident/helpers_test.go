package postincident_test

import (
	"context"
	"testing"
	"time"

	"bulwark/internal/account"
	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/incident"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
)

// bed is an incident in the summary phase and the people around it.
type bed struct {
	t                  *testing.T
	e                  *servertest.Env
	resp, mgr, leader  context.Context
	leader2, viewer    context.Context
	respU, mgrU, leadU account.User
	leader2U, viewerU  account.User
	inc                incident.Incident
}

func newBed(t *testing.T, db *store.DB) *bed {
	e := servertest.NewOn(t, db)
	b := &bed{t: t, e: e}
	b.respU = e.CreateUser("resp", e.Org, auth.RoleResponder)
	b.mgrU = e.CreateUser("mgr", e.Org, auth.RoleSecurityManager)
	b.leadU = e.CreateUser("leader", e.Org, auth.RoleLeadership)
	b.leader2U = e.CreateUser("leader2", e.Org, auth.RoleLeadership)
	b.viewerU = e.CreateUser("viewer", e.Org, auth.RoleViewer)
	b.resp, b.mgr, b.leader = e.Actor(b.respU, e.Org), e.Actor(b.mgrU, e.Org), e.Actor(b.leadU, e.Org)
	b.leader2, b.viewer = e.Actor(b.leader2U, e.Org), e.Actor(b.viewerU, e.Org)
	var err error
	b.inc, err = e.App.Incidents.Create(b.resp, incident.Input{Title: "门户网站被篡改", DiscoveredAt: e.Clock.Now(), Grade: 3})
	b.must(err)
	// Leadership waives the plan phases: the review is what is tested here.
	_, err = e.App.Lifecycle.Exception(b.leader, b.inc.ID, incident.PhaseSummary, "测试：直接进入总结阶段")
	b.must(err)
	return b
}

func (b *bed) must(err error) {
	b.t.Helper()
	if err != nil {
		b.t.Fatal(err)
	}
}

// refused checks err is an apperr of code and, when key is set, of key.
func refused(t *testing.T, what string, err error, code apperr.Code, key string) {
	t.Helper()
	ae := apperr.As(err)
	if err == nil || ae.Code != code || (key != "" && ae.Key != key) {
		t.Errorf("%s: got %v, want %s %s", what, err, code, key)
	}
}

// fields checks err is invalid input naming exactly the fields want.
func fields(t *testing.T, what string, err error, want ...string) {
	t.Helper()
	ae := apperr.As(err)
	if err == nil || ae.Code != apperr.Invalid {
		t.Errorf("%s: got %v, want invalid input", what, err)
		return
	}
	got := map[string]bool{}
	for _, f := range ae.Fields {
		got[f.Field] = true
	}
	for _, f := range want {
		if !got[f] {
			t.Errorf("%s: no error on %s (got %+v)", what, f, ae.Fields)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%s: errors on %v, want %v", what, got, want)
	}
}

func (b *bed) close(ctx context.Context) error {
	b.e.Clock.Advance(time.Minute)
	_, err := b.e.App.Lifecycle.Transition(ctx, b.inc.ID, incident.PhaseClosed, "")
	return err
}

func ptr[T any](v T) *T { return &v }
