package e2e_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"bulwark/internal/docx"

	"bulwark/internal/auth"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// TestIncidentResponseInBrowser is issue 3's point 14, on both engines: a
// responder reports an incident, grades it 较大, sees the reporting
// countdown of the organisation's type, moves it to containment and drafts
// the containment plan; a security manager approves it; the responder
// records that it was carried out and judges its effect, after which the
// phase may be left; the incident report then downloads as DOCX and holds
// what was done.
func TestIncidentResponseInBrowser(t *testing.T) {
	chromiumPath(t)
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		resp := e.CreateUser("resp", e.Org, auth.RoleResponder)
		mgr := e.CreateUser("mgr", e.Org, auth.RoleSecurityManager)

		r := newBrowser(t, e.HTTP.URL, "response-"+string(db.Dialect), "zh-CN", 1366, 900)
		login(r, resp.Username)
		r.open("/incidents/new")
		r.fill("title", "门户网站首页被篡改")
		r.choose("category", "NA-09")
		r.choose("grade", "3")
		r.submit("incident-save")
		// A new organisation is an "other operator": 4 hours from discovery.
		r.see("#incident-grade-badge", "较大")
		r.see("#incident-countdown", "剩余 4 小时 0 分")
		incidentPath := r.path()

		r.submit("response-link")
		r.see("#current-phase", "检测")
		r.submit("transition-submit")
		r.see("#current-phase", "抑制")
		r.fill("plan-measures", "断开被篡改服务器的外网连接，切换至静态维护页")
		r.fill("plan-scope", "门户网站 web01")
		r.submit("plan-save")
		r.see("#plan-status", "草稿")
		r.submit("plan-submit")
		r.see("#plan-status", "待审批")
		responsePath := r.path()

		m := newBrowser(t, e.HTTP.URL, "response-mgr-"+string(db.Dialect), "zh-CN", 1366, 900)
		login(m, mgr.Username)
		m.open("/approvals")
		m.see("#content", "SJ-2026-0001", "抑制方案")
		m.open(responsePath)
		m.clickCSS(`button[id^="approve-"]`)
		m.see("#plan-status", "已认可")

		r.open(responsePath)
		r.see("#plan-status", "已认可")
		r.fill("exec-notes", "已断网并切换维护页，保留现场镜像")
		r.submit("plan-executed")
		r.see("#plan-status", "已实施")
		r.choose("effect", "effective")
		r.fill("effect-notes", "篡改页面不再对外可见")
		r.submit("plan-judge")
		r.see("#plan-status", "已判定", "有效")
		r.notSee("#transition", "还需")
		look(r, "incident-response-judged")

		r.open(incidentPath)
		r.see("#incident-countdown", "剩余")
		text := downloadDOCX(r, "report-link")
		for _, want := range []string{"应急处置报告", "SJ-2026-0001", "门户网站首页被篡改", "较大", "断开被篡改服务器的外网连接", "mgr"} {
			if !strings.Contains(text, want) {
				t.Errorf("the downloaded report lacks %q", want)
			}
		}
	})
}

// downloadDOCX clicks the link with id, lets the browser save the file it
// answers with, and returns the text of that .docx.
func downloadDOCX(b *browser, id string) string {
	b.t.Helper()
	dir := b.t.TempDir()
	ctx, cancel := b.stepContext()
	defer cancel()
	progress := chromedp.Events(ctx, cdpbrowser.DownloadProgress)
	events := true
	b.must("allow downloads", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &events})
		return err
	}), chromedp.Click(chromedp.ID(id)))
	for ev, err := range progress {
		if err != nil {
			b.fatalf("wait for the download of #%s: %v", id, err)
		}
		if ev.State == cdpbrowser.DownloadProgressStateCanceled {
			b.fatalf("the download of #%s was cancelled", id)
		}
		if ev.State != cdpbrowser.DownloadProgressStateCompleted {
			continue
		}
		path := filepath.Join(dir, ev.GUID)
		// The file may be renamed into place a moment after the event.
		for range 50 {
			if _, err := os.Stat(path); err == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		f, err := os.Open(path)
		if err != nil {
			b.fatalf("open the downloaded file: %v", err)
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			b.fatalf("stat the downloaded file: %v", err)
		}
		text, err := docx.Text(f, st.Size())
		if err != nil {
			b.fatalf("the download of #%s is no .docx: %v", id, err)
		}
		return text
	}
	b.fatalf("no download came from #%s", id)
	return ""
}
