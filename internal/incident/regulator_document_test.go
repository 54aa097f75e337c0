package incident_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bulwark/internal/docx"
	"bulwark/internal/incident"
	"bulwark/internal/report"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it after review):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// sampleReports are the three kinds of report as the regulator gets them:
// a partial first report of a defaced portal, a supplementary report of a
// ransomware incident (its ransom items shown), and a summary report.
func sampleReports() []struct {
	name string
	inc  incident.Incident
	rep  incident.RegulatorReport
} {
	at := time.Date(2026, 11, 25, 8, 30, 0, 0, time.UTC)
	g3, g2 := 3, 2
	portal := incident.Incident{ID: 1, Number: "SJ-2026-0001", Title: "门户首页被篡改", Category: "NA-09", Grade: &g3}
	ransom := incident.Incident{ID: 2, Number: "SJ-2026-0002", Title: "勒索软件加密文件服务器", Category: incident.RansomwareCategory, Grade: &g2}
	followup := at.Add(24 * time.Hour)
	basic := map[string]string{"unit_name": "某某市数据局", "facility": "SRV-0001 门户网站服务器（资产价值 5 很高）\n业务系统：门户网站",
		"discovered_at": "2026-11-25 16:00", "event_type": "网络攻击事件—网页篡改事件", "event_grade": "较大事件（Ⅲ级）"}
	full := map[string]string{"unit_name": "某某市数据局", "facility": "FS-0002 文件服务器", "discovered_at": "2026-11-25 09:10",
		"event_type": "恶意程序事件—勒索软件事件", "event_grade": "重大事件（Ⅱ级）", "impact": "约 12 万份公文被加密，<script>无</script> & 办公中断 6 小时",
		"measures": "抑制阶段：断开文件服务器网络（已判定）；效果：有效", "cause": "VPN 弱口令", "ransom_amount": "2 BTC",
		"ransom_method": "比特币，邮件联系", "ransom_date": "2026-11-25", "crime_suspected": "yes", "police_reported": "yes", "trend": "未见扩散"}
	summary := map[string]string{}
	for k, v := range full {
		summary[k] = v
	}
	summary["handling"] = "抑制、根除、恢复均已完成，备份恢复全部公文"
	summary["rectification"] = "VPN 启用双因素认证"
	return []struct {
		name string
		inc  incident.Incident
		rep  incident.RegulatorReport
	}{
		{"first-partial", portal, incident.RegulatorReport{ID: 1, IncidentID: 1, Seq: 1, Kind: incident.ReportFirst, Partial: true, Via: incident.ViaForm,
			Recipient: "属地省级网信部门", Fields: basic, SentAt: at, FollowupDueAt: &followup, SubmittedByName: "resp", CreatedAt: at}},
		{"supplementary-ransomware", ransom, incident.RegulatorReport{ID: 3, IncidentID: 2, Seq: 2, Kind: incident.ReportSupplementary, Via: incident.ViaForm,
			Recipient: "属地省级网信部门", Fields: full, SentAt: at.Add(3 * time.Hour), SubmittedByName: "mgr", CreatedAt: at.Add(3 * time.Hour)}},
		{"summary", ransom, incident.RegulatorReport{ID: 4, IncidentID: 2, Seq: 3, Kind: incident.ReportSummary, Via: incident.ViaForm,
			Recipient: "属地省级网信部门", Fields: summary, SentAt: at.Add(10 * 24 * time.Hour), SubmittedByName: "mgr", CreatedAt: at.Add(10 * 24 * time.Hour)}},
		{"first-shortcut", portal, incident.RegulatorReport{ID: 5, IncidentID: 1, Seq: 1, Kind: incident.ReportFirst, Via: incident.ViaShortcut,
			Recipient: "属地省级网信部门", Fields: map[string]string{"unit_name": "某某市数据局"}, SentAt: at, SubmittedByName: "resp", CreatedAt: at}},
	}
}

// The regulator report in both renderings and both languages, against
// golden files: exactly the items of its kind, the partial note, the
// ransom items only for ransomware, user text escaped.
func TestRegulatorReportDocument(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	for _, s := range sampleReports() {
		for _, lang := range []string{"zh-CN", "en"} {
			doc := incident.ReportDocument(s.inc, s.rep, lang, loc)
			var d bytes.Buffer
			if err := report.DOCX(&d, doc); err != nil {
				t.Fatal(err)
			}
			text, err := docx.Text(bytes.NewReader(d.Bytes()), int64(d.Len()))
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "regulator-"+s.name+"."+lang+".docx.txt", []byte(text))
			var h bytes.Buffer
			if err := report.HTML(&h, doc); err != nil {
				t.Fatal(err)
			}
			golden(t, "regulator-"+s.name+"."+lang+".html", h.Bytes())
			if strings.Contains(h.String(), "<script>") {
				t.Errorf("%s %s: user text not escaped", s.name, lang)
			}
		}
	}
}

// The document carries exactly the items of its kind: every one of the
// report's items has its label, none of another kind's.
func TestRegulatorReportDocumentItems(t *testing.T) {
	for _, s := range sampleReports() {
		doc := incident.ReportDocument(s.inc, s.rep, "zh-CN", time.UTC)
		var labels []string
		for _, b := range doc.Blocks {
			for _, kv := range b.Pairs {
				labels = append(labels, kv.Label)
			}
		}
		want := incident.FieldsFor(s.rep.Kind, s.inc.Category, s.rep.Fields)
		if len(labels) != len(want) {
			t.Errorf("%s: %d items, want %d: %v", s.name, len(labels), len(want), labels)
		}
		ransom := strings.Contains(strings.Join(labels, " "), "勒索金额")
		if ransom != (s.inc.Category == incident.RansomwareCategory) {
			t.Errorf("%s: ransom items shown %v", s.name, ransom)
		}
		summaryOnly := strings.Contains(strings.Join(labels, " "), "整改措施")
		if summaryOnly != (s.rep.Kind == incident.ReportSummary) {
			t.Errorf("%s: summary items shown %v", s.name, summaryOnly)
		}
	}
}
