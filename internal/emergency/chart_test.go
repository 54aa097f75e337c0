package emergency_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"bulwark/internal/auth"
	"bulwark/internal/emergency"
	"bulwark/internal/i18n"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// chartOrg is the seed's organisation: the chairman leads, the head of the
// technology department deputises, the office sits in 技术部, and the
// support units of the seed's chart answer the phone.
func chartOrg() []emergency.Unit {
	return []emergency.Unit{
		{Kind: "leadership", Members: []emergency.Member{
			{Name: "张建国", Position: "leader", Title: "董事长"},
			{Name: "李明", Position: "deputy", Title: "技术部负责人"},
			{Name: "王芳", Position: "member", Title: "财务部经理"},
		}},
		{Kind: "working_group", Name: "网络与信息安全应急处置组", Members: []emergency.Member{
			{Name: "赵强", Position: "leader", Title: "信息安全经理"},
			{Name: "Alice <Ops> & Co", Position: "member", Title: "SOC analyst"},
		}},
		{Kind: "office", Location: "技术部", Members: []emergency.Member{{Name: "孙丽", Position: "member"}}},
		{ID: 4, Kind: "support", Name: "网络设备维护单位", Members: []emergency.Member{{Name: "周工", Position: "contact", Title: "13800138000"}}},
		{ID: 5, Kind: "support", Name: "线路维护单位", Members: []emergency.Member{{Name: "吴工", Position: "contact"}}},
		{ID: 6, Kind: "support", Name: "区公安网安大队", Members: []emergency.Member{{Name: "郑警官", Position: "contact"}}},
	}
}

func TestChartIsWellFormedAndShowsEveryone(t *testing.T) {
	units := chartOrg()
	for _, lang := range i18n.Languages {
		t.Run(lang, func(t *testing.T) {
			svg := emergency.RenderChart(units, func(k string, a ...any) string { return i18n.T(lang, k, a...) })
			var text strings.Builder
			dec := xml.NewDecoder(bytes.NewReader(svg))
			root := ""
			for {
				tok, err := dec.Token()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatalf("not well-formed XML: %v\n%s", err, svg)
				}
				switch v := tok.(type) {
				case xml.StartElement:
					if root == "" {
						root = v.Name.Space + " " + v.Name.Local
					}
					if v.Name.Local == "script" || v.Name.Local == "foreignObject" {
						t.Errorf("chart contains <%s>", v.Name.Local)
					}
				case xml.CharData:
					text.Write(v)
				}
			}
			if root != "http://www.w3.org/2000/svg svg" {
				t.Errorf("root element %q", root)
			}
			for _, u := range units {
				for _, m := range u.Members {
					if !strings.Contains(text.String(), m.Name) {
						t.Errorf("chart misses %q", m.Name)
					}
				}
				if u.Name != "" && !strings.Contains(text.String(), u.Name) {
					t.Errorf("chart misses unit %q", u.Name)
				}
			}
			if strings.Contains(string(svg), "<Ops>") {
				t.Error("a name's markup is not escaped")
			}
			golden := filepath.Join("testdata", "chart."+lang+".svg")
			if *update {
				if err := os.WriteFile(golden, svg, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(svg, want) {
				t.Errorf("chart differs from %s (go test ./internal/emergency -run Chart -update after checking it by eye)", golden)
			}
		})
	}
}

// The seed's chart has eight support units: they wrap four to a row, the
// chart stays printable, and everyone is still drawn.
func TestChartWrapsManySupportUnits(t *testing.T) {
	units := chartOrg()[:3]
	for i, name := range []string{"网络设备维护单位", "教务系统维护单位", "其余系统维护单位", "区应急支援小组",
		"区网信办", "其它安全厂商", "公安网安部门", "线路维护单位"} {
		units = append(units, emergency.Unit{ID: int64(10 + i), Kind: "support", Name: name,
			Members: []emergency.Member{{Name: fmt.Sprintf("联络人%d", i+1), Position: "contact"}}})
	}
	svg := emergency.RenderChart(units, func(k string, a ...any) string { return i18n.T("zh-CN", k, a...) })
	var root struct {
		Width string `xml:"width,attr"`
	}
	if err := xml.Unmarshal(svg, &root); err != nil {
		t.Fatal(err)
	}
	if w, _ := strconv.ParseFloat(root.Width, 64); w <= 0 || w > 1100 { // one row would be about 1,700 px
		t.Errorf("chart is %s px wide with eight support units", root.Width)
	}
	for i := 1; i <= 8; i++ {
		if !strings.Contains(string(svg), fmt.Sprintf("联络人%d", i)) {
			t.Errorf("联络人%d missing", i)
		}
	}
	golden := filepath.Join("testdata", "chart-wrapped.zh-CN.svg")
	if *update {
		if err := os.WriteFile(golden, svg, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if want, err := os.ReadFile(golden); err != nil || !bytes.Equal(svg, want) {
		t.Errorf("chart differs from %s (%v)", golden, err)
	}
}

// Boxes are wide enough for their text: CJK at 1 em, Latin at 0.55 em.
func TestChartSizesBoxesToText(t *testing.T) {
	long := strings.Repeat("长", 20)
	units := []emergency.Unit{{Kind: "leadership", Members: []emergency.Member{{Name: long, Position: "member"}}}}
	svg := string(emergency.RenderChart(units, func(k string, a ...any) string { return i18n.T("zh-CN", k, a...) }))
	// "成员 " + 20 CJK characters at 13 px: at least 22 em + 0.55 em ≈ 293 px plus padding.
	i := strings.Index(svg, `class="unit unit-leadership"`)
	if i < 0 {
		t.Fatal("no leadership box")
	}
	box := svg[i:]
	w := box[strings.Index(box, `width="`)+7:]
	w = w[:strings.Index(w, `"`)]
	if px, err := strconv.ParseFloat(w, 64); err != nil || px < 22.55*13+2*14 {
		t.Errorf("leadership box %s px wide for a 22-em line", w)
	}
}

func TestPlanSectionAndServedChart(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		svc := e.App.Emergency
		mgr := e.Actor(e.CreateUser("mgr", e.Org, auth.RoleSecurityManager), e.Org)
		if _, err := svc.SaveGroup(mgr, "office", emergency.Unit{Location: "技术部"}); err != nil {
			t.Fatal(err)
		}
		m, err := svc.CreateMember(mgr, emergency.Member{Group: "working_group", Name: "赵强", Position: "leader", Phone: "13800138000", IM: "dd_zhao"})
		if err != nil {
			t.Fatal(err)
		}
		now := e.Clock.Now()
		if _, err := svc.CreateShift(mgr, emergency.Shift{MemberID: m.ID, DutyRole: "lead", StartsAt: now.Add(2 * 3600e9), EndsAt: now.Add(14 * 3600e9)}); err != nil {
			t.Fatal(err)
		}
		sec, err := svc.PlanSection(mgr)
		if err != nil {
			t.Fatal(err)
		}
		if sec.Title != "应急组织" || len(sec.Groups) != 3 {
			t.Fatalf("section %q with %d groups", sec.Title, len(sec.Groups))
		}
		wg := sec.Groups[1]
		if wg.Name != "应急响应工作组" || len(wg.Members) != 1 || wg.Members[0].Position != "组长" || wg.Members[0].IM != "dd_zhao" {
			t.Errorf("working group: %+v", wg)
		}
		if sec.Groups[2].Location != "技术部" {
			t.Errorf("office: %+v", sec.Groups[2])
		}
		r := sec.Roster
		if len(r.Shifts) != 1 || r.Shifts[0].DutyRole != "值班长" || len(r.Uncovered) != 2 {
			t.Errorf("roster: %+v", r)
		}
		svg, err := svc.Chart(mgr, "zh-CN")
		if err != nil || !strings.Contains(string(svg), "赵强") || !strings.Contains(string(svg), "设在技术部") {
			t.Errorf("served chart: %v\n%s", err, svg)
		}
	})
}

// BenchmarkRenderChart draws an organisation of 12 support units and 100
// people.
func BenchmarkRenderChart(b *testing.B) {
	units := chartOrg()[:3]
	for i := range 12 {
		u := emergency.Unit{ID: int64(10 + i), Kind: "support", Name: fmt.Sprintf("支援单位%d", i)}
		for j := range 8 {
			u.Members = append(u.Members, emergency.Member{Name: fmt.Sprintf("联络人%d-%d", i, j), Position: "contact", Title: "13800138000"})
		}
		units = append(units, u)
	}
	t := func(k string, a ...any) string { return i18n.T("zh-CN", k, a...) }
	for b.Loop() {
		emergency.RenderChart(units, t)
	}
}
