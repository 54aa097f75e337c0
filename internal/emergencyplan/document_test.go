package emergencyplan_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"bulwark/internal/auth"
	"bulwark/internal/docx"
	"bulwark/internal/emergency"
	"bulwark/internal/emergencyplan"
	"bulwark/internal/incident"
	"bulwark/internal/org"
	"bulwark/internal/report"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
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
		t.Errorf("%s differs from the golden file (go test -update rewrites it after review):\n--- got\n%s", path, got)
	}
}

// planFixture is an organisation with its emergency organisation filled
// in, V1.0 approved and V1.1 drafted after an incident.
type planFixture struct {
	e        *servertest.Env
	mgr      context.Context
	v10, v11 emergencyplan.Revision
}

func newPlanFixture(t *testing.T, db *store.DB) planFixture {
	e := servertest.NewOn(t, db)
	mgr := e.Actor(e.CreateUser("zhao.qiang", e.Org, auth.RoleSecurityManager), e.Org)
	boss := e.Actor(e.CreateUser("zhang.jianguo", e.Org, auth.RoleLeadership), e.Org)
	em := e.App.Emergency
	add := func(m emergency.Member) emergency.Member {
		t.Helper()
		out, err := em.CreateMember(mgr, m)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	add(emergency.Member{Group: "leadership", Name: "张建国", Position: "leader", Title: "董事长", Phone: "13800138000"})
	add(emergency.Member{Group: "leadership", Name: "李明", Position: "deputy", Title: "技术部负责人", Email: "li.ming@example.com"})
	add(emergency.Member{Group: "leadership", Name: "王芳", Position: "member", Title: "财务部经理"})
	duty := add(emergency.Member{Group: "working_group", Name: "赵强", Position: "leader", Title: "信息安全经理", IM: "wx_zhaoqiang"})
	add(emergency.Member{Group: "working_group", Name: "陈杰", Position: "member", Title: "系统管理员"})
	add(emergency.Member{Group: "office", Name: "孙丽", Position: "member", Phone: "010-12345678"})
	if _, err := em.SaveGroup(mgr, "office", emergency.Unit{Location: "技术部"}); err != nil {
		t.Fatal(err)
	}
	for i, u := range []emergency.Unit{{Name: "网络设备维护单位", Category: "network"}, {Name: "线路维护单位", Category: "line"},
		{Name: "安全厂商应急小组", Category: "security_vendor", Duties: "7×24 小时远程支持，4 小时内到场"}} {
		unit, err := em.CreateUnit(mgr, u)
		if err != nil {
			t.Fatal(err)
		}
		add(emergency.Member{Group: "support", UnitID: unit.ID, Name: []string{"周工", "吴工", "郑工"}[i], Position: "contact", Phone: "010-8888666" + string(rune('1'+i))})
	}
	now := e.Clock.Now()
	if _, err := em.CreateShift(mgr, emergency.Shift{MemberID: duty.ID, DutyRole: "lead", StartsAt: now, EndsAt: now.Add(72 * time.Hour), Contact: "010-12345678"}); err != nil {
		t.Fatal(err)
	}
	inc, err := e.App.Incidents.Create(mgr, incident.Input{Title: "官网首页被篡改", DiscoveredAt: now.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	svc := e.App.EmergencyPlan
	okR := mustOf[emergencyplan.Revision](t)
	v10 := okR(svc.StartDraft(mgr))
	v10 = okR(svc.Submit(mgr, v10.ID))
	e.Clock.Advance(2 * time.Hour)
	if err := decide(boss, e, v10, true, "同意"); err != nil {
		t.Fatal(err)
	}
	v10 = okR(svc.Get(mgr, v10.ID))
	e.Clock.Advance(24 * time.Hour)
	v11 := okR(svc.StartDraft(mgr, inc.ID))
	in := input(v11)
	in.Summary, in.Reason = "补充网页篡改的**取证**要求。", "事件复盘发现取证步骤不清。"
	in.EffectiveFrom = "2026-12-15"
	in.Chapters[6].Body += "\n\n网页被篡改时：\n- 先下线页面；\n- 保存页面快照和访问日志。"
	v11 = okR(svc.SaveDraft(mgr, v11.ID, in))
	return planFixture{e: e, mgr: mgr, v10: v10, v11: v11}
}

func english(ctx context.Context) context.Context {
	a := *auth.FromContext(ctx)
	a.Locale = "en"
	return auth.WithActor(context.Background(), &a)
}

func render(t *testing.T, doc report.Document) (docxBytes, html []byte) {
	t.Helper()
	var d, h bytes.Buffer
	if err := report.DOCX(&d, doc); err != nil {
		t.Fatal(err)
	}
	if err := report.HTML(&h, doc); err != nil {
		t.Fatal(err)
	}
	return d.Bytes(), h.Bytes()
}

// TestPlanExportGolden: the approved V1.0 in Chinese and the V1.1 draft in
// English, as DOCX text and printable HTML.
func TestPlanExportGolden(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newPlanFixture(t, db)
		svc := f.e.App.EmergencyPlan
		zh, err := svc.Document(f.mgr, f.v10.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.e.App.Orgs.Update(f.e.System(f.e.Org), f.e.Org, "本单位", org.TypeCII); err != nil {
			t.Fatal(err)
		}
		en, err := svc.Document(english(f.mgr), f.v11.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name string
			doc  report.Document
		}{{"plan_v1.0.zh-CN", zh}, {"plan_v1.1.en", en}} {
			d, h := render(t, c.doc)
			text, err := docx.Text(bytes.NewReader(d), int64(len(d)))
			if err != nil {
				t.Fatalf("%s: the DOCX does not read back: %v", c.name, err)
			}
			if db.Dialect == store.SQLite { // one engine writes the golden files; both compare
				golden(t, c.name+".docx.txt", []byte(text))
				golden(t, c.name+".html", h)
			} else {
				for _, ext := range []string{".docx.txt", ".html"} {
					want, _ := os.ReadFile(filepath.Join("testdata", c.name+ext))
					got := map[string][]byte{".docx.txt": []byte(text), ".html": h}[ext]
					if !bytes.Equal(got, want) {
						t.Errorf("%s%s on PostgreSQL differs from the golden file", c.name, ext)
					}
				}
			}
			if again, _ := render(t, c.doc); !bytes.Equal(again, d) {
				t.Errorf("%s: the same document rendered to different bytes", c.name)
			}
		}
	})
}

// TestPlanExportContent names what the export must carry, so a golden
// file rewritten by mistake is still caught.
func TestPlanExportContent(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newPlanFixture(t, db)
		doc, err := f.e.App.EmergencyPlan.Document(f.mgr, f.v11.ID)
		if err != nil {
			t.Fatal(err)
		}
		d, h := render(t, doc)
		text, _ := docx.Text(bytes.NewReader(d), int64(len(d)))
		for _, want := range []string{
			"信息安全应急预案", "版本 V1.1",
			"文件制修订记录", "V1.0 | 首次编制并发布。", "V1.1 | 补充网页篡改的**取证**要求。 | 事件复盘发现取证步骤不清。（相关事件：SJ-2026-0001）",
			"第一章 总则", "第十章 附则", "第四章 组织机构与职责", "组长：张建国（董事长）；副组长：李明（技术部负责人）；成员：王芳（财务部经理）",
			"安全厂商应急小组（安全厂商）：7×24 小时远程支持", "发现后 4 小时内向属地省级网信部门报告",
			"附件1 应急处置组织架构", "应急处置组织架构图", "组长 张建国（董事长）", "工作组办公室（设在技术部）",
			"组长 | 张建国 | 董事长 | 13800138000", "值班长 | 赵强",
			"附件2 应急响应流程（按事件级别）", "立即报告应急领导小组，由领导小组批准启动本预案（组长：张建国）",
			"抑制 | 信息安全经理", "2026-12-15（待批准）",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("DOCX text lacks %q", want)
			}
		}
		html := string(h)
		for _, want := range []string{`<figure><svg xmlns="http://www.w3.org/2000/svg"`, `<figcaption>应急处置组织架构图</figcaption>`,
			"<li>先下线页面；</li>", "<strong>监测与报告。</strong>"} {
			if !strings.Contains(html, want) {
				t.Errorf("HTML lacks %s", want)
			}
		}
		if strings.Contains(html, "<script") {
			t.Error("HTML carries a script")
		}
		// The export is recorded on the revision's trail.
		var n int
		if err := db.Read().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'emergency_plan.export' AND object_id = $1`,
			strconv.FormatInt(f.v11.ID, 10)).Scan(&n); err != nil || n != 1 {
			t.Errorf("%d export records (%v), want 1", n, err)
		}
	})
}

// TestLibreOfficeShowsPlan converts the plan to PDF with LibreOffice when
// it is installed (not in CI): the chart drawn as a grid must come out as
// text on the page. BULWARK_KEEP_PDF=dir keeps the PDF to look at.
func TestLibreOfficeShowsPlan(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("LibreOffice (soffice) not installed")
	}
	if testing.Short() {
		t.Skip("slow: starts LibreOffice")
	}
	db := storetest.Open(t, store.SQLite)
	f := newPlanFixture(t, db)
	doc, err := f.e.App.EmergencyPlan.Document(f.mgr, f.v11.ID)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := render(t, doc)
	dir := t.TempDir()
	src := filepath.Join(dir, "plan.docx")
	if err := os.WriteFile(src, d, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, soffice, "--headless", "--norestore", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--convert-to", "pdf", "--outdir", dir, src).CombinedOutput()
	if err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	pdf := filepath.Join(dir, "plan.pdf")
	if keep := os.Getenv("BULWARK_KEEP_PDF"); keep != "" {
		data, _ := os.ReadFile(pdf)
		_ = os.WriteFile(filepath.Join(keep, "plan.pdf"), data, 0o644)
	}
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Log("pdftotext not installed: PDF produced, text not checked")
		return
	}
	txt, err := exec.CommandContext(ctx, pdftotext, pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	flat := strings.Join(strings.Fields(string(txt)), "")
	for _, want := range []string{"应急处置组织架构图", "组长张建国（董事长）", "安全厂商应急小组", "文件制修订记录", "附件2"} {
		if !strings.Contains(flat, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
}
