package incidentreport_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/docx"
	"bulwark/internal/incidentreport"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		must(t, os.MkdirAll("testdata", 0o755))
		must(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it after review):\n--- got\n%s", path, got)
	}
}

func docxText(t testing.TB, data []byte) string {
	t.Helper()
	s, err := docx.Text(bytes.NewReader(data), int64(len(data)))
	must(t, err)
	return s
}

// TestReportGolden renders the report of a fully handled incident in both
// languages and formats on both engines; every engine gives the same text,
// so one golden file per language and format serves both.
func TestReportGolden(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		w := seed(t, e)
		for _, lang := range []string{"zh-CN", "en"} {
			f, err := e.App.Reports.Render(w.mgr, w.inc.ID, incidentreport.FormatDOCX, lang)
			must(t, err)
			text := docxText(t, f.Body)
			golden(t, "report."+lang+".docx.txt", []byte(text))
			h, err := e.App.Reports.Render(w.mgr, w.inc.ID, incidentreport.FormatHTML, lang)
			must(t, err)
			golden(t, "report."+lang+".html", h.Body)
			if !strings.HasPrefix(h.ContentType, "text/html") || !strings.HasSuffix(f.Name, ".docx") ||
				!strings.HasPrefix(f.Name, w.inc.Number) {
				t.Errorf("%s: file %q %q", lang, f.Name, h.ContentType)
			}
		}
	})
}

// TestReportContents checks what the golden files are meant to show, so a
// careless -update cannot hide a lost section.
func TestReportContents(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		w := seed(t, e)
		f, err := e.App.Reports.Render(w.mgr, w.inc.ID, incidentreport.FormatDOCX, "zh-CN")
		must(t, err)
		text := docxText(t, f.Body)
		for _, want := range []string{
			"信息安全事件应急处置报告", "一、事件概述", w.inc.Number, "门户网站首页被篡改 <b>&", "ZC-0001 门户网站服务器",
			"门户网站、信息公开", "NA-09 网络攻击事件 / 网页篡改", "较大", "首页被篡改或出现违法信息时长", "lisi",
			"三、处置时间线", "电话通知网信办值班室", "事件定级", "批准",
			"四、各阶段处置情况", "清除 webshell", "lisi · 2026-11-25", "无复发", "断开门户服务器外网",
			"门户首页被篡改 2 小时", "CMS 插件存在任意文件上传漏洞", "access.log", "203.0.113.7", "T1190",
			"厂商 王工", "补充网页篡改处置步骤", "升级插件并禁止上传目录执行脚本", "已验证关闭", "复测通过", "同意整改",
			"通报表扬", "外包运维 李某", "更新职责不在外包方", "签字确认", "编制", "批准",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("report lacks %q", want)
			}
		}
		ev, err := e.App.Evidence.List(w.mgr, w.inc.ID)
		must(t, err)
		if !strings.Contains(text, ev[0].SHA256) {
			t.Error("report lacks the evidence hash")
		}
		en, err := e.App.Reports.Render(w.mgr, w.inc.ID, incidentreport.FormatDOCX, "en")
		must(t, err)
		for _, want := range []string{"Information Security Incident Response Report", "1. Overview", "Grade III",
			"Corrective and preventive actions", "Rewards and penalties", "Prepared by"} {
			if !strings.Contains(docxText(t, en.Body), want) {
				t.Errorf("English report lacks %q", want)
			}
		}
	})
}

// TestReportAccess: the report is refused to viewers, leaves out the
// recommendations for readers who may not see them, and every download is
// in the audit trail.
func TestReportAccess(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		w := seed(t, e)
		_, err := e.App.Reports.Render(w.viewer, w.inc.ID, incidentreport.FormatDOCX, "zh-CN")
		if !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("viewer: %v", err)
		}
		_, err = e.App.Reports.Render(w.mgr, w.inc.ID, "pdf", "zh-CN")
		if !apperr.Is(err, apperr.Invalid) {
			t.Errorf("pdf: %v", err)
		}
		it, err := e.App.Reports.Render(w.itMgr, w.inc.ID, incidentreport.FormatDOCX, "zh-CN")
		must(t, err)
		text := docxText(t, it.Body)
		if strings.Contains(text, "奖惩意见") || strings.Contains(text, "外包运维 李某") || strings.Contains(text, "通报表扬") {
			t.Error("an IT manager's report shows the recommendations")
		}
		if !strings.Contains(text, "十一、签字确认") {
			t.Error("sections are not renumbered without the recommendations")
		}
		au, err := e.App.Reports.Render(w.auditor, w.inc.ID, incidentreport.FormatHTML, "en")
		must(t, err)
		if !strings.Contains(string(au.Body), "Rewards and penalties") {
			t.Error("the auditor's report lacks the recommendations")
		}
		list, _, err := audit.List(context.Background(), db.Read(), audit.Filter{OrgID: e.Org, Action: "incident.report_download"})
		must(t, err)
		if len(list) != 2 || list[0].Actor != "auditor" || !strings.Contains(list[0].After, `"format":"html"`) ||
			list[1].Actor != "itmgr" || list[0].ObjectID != fmt.Sprint(w.inc.ID) {
			t.Errorf("download records %+v", list)
		}
	})
}

// TestReportWholeTimeline: the report's timeline is the whole timeline,
// not the page's newest 500.
func TestReportWholeTimeline(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		w := seed(t, e)
		addEntries(t, e, w.inc.ID, 700)
		f, err := e.App.Reports.Render(w.mgr, w.inc.ID, incidentreport.FormatDOCX, "zh-CN")
		must(t, err)
		text := docxText(t, f.Body)
		for _, want := range []string{"批量记录 0 ", "批量记录 350 ", "批量记录 699 "} {
			if !strings.Contains(text, want) {
				t.Errorf("report lacks %q", want)
			}
		}
		if n := strings.Count(text, "批量记录 "); n != 700 {
			t.Errorf("%d bulk entries in the report, want 700", n)
		}
		page, err := e.App.Lifecycle.Timeline(w.mgr, w.inc.ID)
		must(t, err)
		if len(page) != 500 {
			t.Errorf("the page's timeline has %d entries", len(page))
		}
	})
}

// addEntries inserts n manual timeline entries directly, a minute apart,
// as a long response would have added them over days.
func addEntries(t testing.TB, e *servertest.Env, incidentID int64, n int) {
	t.Helper()
	start := store.Micros(e.Clock.Now().Add(-48 * 60 * 60 * 1e9))
	must(t, e.DB.Tx(context.Background(), func(tx *store.Tx) error {
		for k := 0; k < n; k += 500 {
			var b strings.Builder
			args := []any{e.Org, incidentID}
			b.WriteString(`INSERT INTO incident_timeline (org_id, incident_id, kind, body, happened_at, author_id, author_name, created_at) VALUES `)
			for j := k; j < min(n, k+500); j++ {
				if j > k {
					b.WriteString(", ")
				}
				args = append(args, fmt.Sprintf("批量记录 %d ：隔离主机 10.0.%d.%d 并保全内存镜像", j, j/256%256, j%256), start+int64(j)*60e6)
				fmt.Fprintf(&b, "($1, $2, 'manual', $%d, $%d, 0, 'zhangsan', $%d)", len(args)-1, len(args), len(args))
			}
			if _, err := tx.ExecContext(context.Background(), b.String(), args...); err != nil {
				return err
			}
		}
		return nil
	}))
}
