package e2e_test

import (
	"fmt"
	"testing"

	"bulwark/internal/account"
	"bulwark/internal/auth"
	"bulwark/internal/incident"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
)

// TestPlaybookScreens walks the playbook pages and the response page with
// phase tasks in both languages, on a desktop and a phone: the list, a
// default, the form with a row's error shown by the server, the import
// form, and a ransomware incident with its playbook applied through the
// page. Every page passes look's checks (no sideways scroll, no missing
// key, CSP kept).
func TestPlaybookScreens(t *testing.T) {
	chromiumPath(t)
	e := servertest.New(t, store.SQLite)
	for _, lang := range []string{"zh-CN", "en"} {
		mgr := e.CreateUser("pb-mgr-"+lang, e.Org, auth.RoleSecurityManager)
		resp := e.CreateUser("pb-resp-"+lang, e.Org, auth.RoleResponder)
		for _, u := range []account.User{mgr, resp} {
			if err := e.App.Accounts.SetLocale(e.Actor(u, e.Org), lang); err != nil {
				t.Fatal(err)
			}
		}
		b := newBrowser(t, e.HTTP.URL, "playbooks-"+lang, lang, 1366, 768)
		login(b, mgr.Username)
		b.open("/playbooks")
		b.see("#playbooks", "ransomware")
		look(b, "playbooks")
		b.open("/playbooks/ransomware")
		b.see("#steps", map[string]string{"zh-CN": "断网隔离受感染主机", "en": "断网隔离受感染主机"}[lang])
		look(b, "playbook-show")
		b.open("/playbooks/new")
		b.fill("key", "phishing-"+map[string]string{"zh-CN": "zh", "en": "en"}[lang])
		b.fill("name_zh", "钓鱼邮件处置")
		b.choose("categories", "NA-02")
		b.fill("step-title-0", "收集邮件样本")
		b.fill("step-due-0", "soon")
		b.submit("playbook-save")
		b.see("#step-due-0-error", map[string]string{"zh-CN": "30m", "en": "30m"}[lang])
		look(b, "playbook-form-errors")
		b.fill("step-due-0", "90m")
		b.submit("playbook-save")
		b.see("#steps", "+1h30m")
		b.open("/playbooks/import")
		look(b, "playbook-import")

		inc, err := e.App.Incidents.Create(e.Actor(resp, e.Org), incident.Input{Title: "文件被加密 " + lang, DiscoveredAt: e.Clock.Now(), Category: "MP-07"})
		if err != nil {
			t.Fatal(err)
		}
		r := newBrowser(t, e.HTTP.URL, "phase-tasks-"+lang, lang, 1366, 768)
		login(r, resp.Username)
		r.open(fmt.Sprintf("/incidents/%d/response", inc.ID))
		r.see("#playbooks", map[string]string{"zh-CN": "勒索软件处置", "en": "Ransomware response"}[lang])
		look(r, "response-suggestions")
		r.submit("apply-ransomware")
		r.see("#phase-tasks", "断网隔离受感染主机")
		look(r, "response-tasks")
	}
}
