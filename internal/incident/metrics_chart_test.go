package incident_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"

	"bulwark/internal/i18n"
	"bulwark/internal/incident"
)

// chartMetrics is a year of an organisation's incidents, with a category
// whose name needs escaping and one too long for its label.
func chartMetrics() incident.Metrics {
	m := incident.Metrics{From: "2025-12", To: "2026-11", TimeZone: "Asia/Shanghai"}
	for k, mo := range []string{"2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07",
		"2026-08", "2026-09", "2026-10", "2026-11"} {
		mc := incident.MonthCount{Month: mo}
		for _, g := range []int{1, 2, 3, 4, 0} {
			n := map[int]int64{1: int64(k % 2), 2: int64(k % 3), 3: int64(2 + k%4), 4: int64(5 + k), 0: int64(k % 2)}[g]
			if k == 4 {
				n = 0 // a quiet month
			}
			mc.ByGrade = append(mc.ByGrade, incident.GradeCount{Grade: g, Count: n})
			mc.Total += n
		}
		m.ByMonth = append(m.ByMonth, mc)
		m.Incidents += mc.Total
	}
	for _, g := range []int{1, 2, 3, 4, 0} {
		var n int64
		for _, mc := range m.ByMonth {
			for _, x := range mc.ByGrade {
				if x.Grade == g {
					n += x.Count
				}
			}
		}
		m.ByGrade = append(m.ByGrade, incident.GradeCount{Grade: g, Count: n})
	}
	m.ByCategory = []incident.CategoryCount{
		{Code: "MP", NameZh: "恶意程序事件", NameEn: "Malicious program event", Count: 31},
		{Code: "NA", NameZh: "网络攻击事件", NameEn: "Network attack event", Count: 77},
		{Code: "DS", NameZh: "数据<安全>&事件", NameEn: "Data <security> & event", Count: 12},
		{Code: "IC", NameZh: "信息内容安全事件（含不当言论、虚假信息传播及其他）", NameEn: "Information content security event, including improper speech and false information", Count: 3},
		{Code: "DE", NameZh: "设备设施故障事件", NameEn: "Equipment and facility failure event", Count: 0},
		{Code: "", Count: 5},
	}
	return m
}

// checkSVG parses an SVG, fails on anything that could run or restyle it,
// and returns its text.
func checkSVG(t *testing.T, svg []byte) string {
	t.Helper()
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
			switch v.Name.Local {
			case "script", "style", "foreignObject", "image", "a":
				t.Errorf("chart contains <%s>", v.Name.Local)
			}
			for _, a := range v.Attr {
				if a.Name.Local == "style" || strings.HasPrefix(a.Name.Local, "on") || a.Name.Local == "href" {
					t.Errorf("chart has attribute %s", a.Name.Local)
				}
			}
		case xml.CharData:
			text.Write(v)
			text.WriteByte(' ')
		}
	}
	if root != "http://www.w3.org/2000/svg svg" {
		t.Errorf("root element %q", root)
	}
	return text.String()
}

func TestMetricsCharts(t *testing.T) {
	m := chartMetrics()
	for _, lang := range i18n.Languages {
		t.Run(lang, func(t *testing.T) {
			tr := func(k string, a ...any) string { return i18n.T(lang, k, a...) }
			charts := map[string][]byte{
				"month": m.MonthChart(tr), "category": m.CategoryChart(lang, tr), "grade": m.GradeChart(tr),
			}
			for name, svg := range charts {
				text := checkSVG(t, svg)
				golden(t, "metrics-"+name+"."+lang+".svg", svg)
				if !strings.Contains(string(svg), `role="img"`) || !strings.Contains(string(svg), `<desc id="chart-`+name+`-desc">`) {
					t.Errorf("%s chart has no accessible name and description", name)
				}
				if strings.Contains(text, "incident.") || strings.Contains(text, "metrics.") {
					t.Errorf("%s chart shows a catalogue key: %s", name, text)
				}
			}
			month := checkSVG(t, charts["month"])
			for _, want := range []string{"2025-12", "2026-11", tr("metrics.grade.1"), tr("metrics.grade.0")} {
				if !strings.Contains(month, want) {
					t.Errorf("month chart lacks %q", want)
				}
			}
			cat := checkSVG(t, charts["category"])
			for _, want := range []string{"77", tr("incident.category.none"), m.ByCategory[2].Name(lang), "…"} {
				if !strings.Contains(cat, want) {
					t.Errorf("category chart lacks %q: %s", want, cat)
				}
			}
		})
	}
	// No incidents: the charts say so instead of drawing nothing.
	empty := incident.Metrics{From: "2026-01", To: "2026-01", ByMonth: []incident.MonthCount{{Month: "2026-01"}},
		ByGrade: []incident.GradeCount{{Grade: 1}}}
	tr := func(k string, a ...any) string { return i18n.T("zh-CN", k, a...) }
	for name, svg := range map[string][]byte{"month": empty.MonthChart(tr), "grade": empty.GradeChart(tr)} {
		if text := checkSVG(t, svg); !strings.Contains(text, tr("metrics.none")) {
			t.Errorf("empty %s chart: %s", name, text)
		}
	}
}
