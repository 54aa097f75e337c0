package incident

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"
)

// The dashboard's charts, drawn on the server as SVG like the response flow
// (flow.go) and the organisation chart: presentation attributes only, no
// script, no style element, no external font, so they pass the page's
// Content-Security-Policy inline and print as they show. Each chart names
// itself (<title>) and says what it shows in words (<desc>, and a <title>
// on every bar for pointer users); the page gives the same figures as
// tables. t translates catalogue keys; every text is escaped, so the result
// is well-formed XML whatever the names are.

// GradeColors are the fills of the grades I-IV and ungraded (0): the
// warning colours of the incident pages (红, 橙, 黄 a shade deeper to stand
// out on white, 蓝).
var GradeColors = map[int]string{GradeI: "#c62828", GradeII: "#e65100", GradeIII: "#e6b800", GradeIV: "#1565c0", 0: "#9ca3af"}

const (
	chartW      = 720
	chartFont   = `font-family="Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"`
	chartText   = "#1f2937"
	chartMuted  = "#6b7280"
	chartGrid   = "#e5e7eb"
	chartBar    = "#1d4ed8"
	barRowH     = 26
	barLabelW   = 210
	barCountPad = 56
)

// chartSVG builds one chart.
type chartSVG struct {
	b  bytes.Buffer
	id string
}

func chartEsc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func chartNum(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func (s *chartSVG) open(id string, w, h int, title, desc string) {
	s.id = id
	fmt.Fprintf(&s.b, `<svg xmlns="http://www.w3.org/2000/svg" id="%s" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-title %s-desc" %s font-size="12">`+"\n",
		id, w, h, w, h, id, id, chartFont)
	fmt.Fprintf(&s.b, `<title id="%s-title">%s</title>`+"\n", id, chartEsc(title))
	fmt.Fprintf(&s.b, `<desc id="%s-desc">%s</desc>`+"\n", id, chartEsc(desc))
}

func (s *chartSVG) text(x, y float64, anchor, fill, body string, extra string) {
	fmt.Fprintf(&s.b, `<text x="%s" y="%s" text-anchor="%s" fill="%s"%s>%s</text>`+"\n", chartNum(x), chartNum(y), anchor, fill, extra, chartEsc(body))
}

// bar is a rectangle with its own tooltip.
func (s *chartSVG) bar(x, y, w, h float64, fill, class, tip string) {
	fmt.Fprintf(&s.b, `<rect class="%s" x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s</title></rect>`+"\n",
		class, chartNum(x), chartNum(y), chartNum(w), chartNum(h), fill, chartEsc(tip))
}

func (s *chartSVG) line(x1, y1, x2, y2 float64, stroke string) {
	fmt.Fprintf(&s.b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1"/>`+"\n", chartNum(x1), chartNum(y1), chartNum(x2), chartNum(y2), stroke)
}

func (s *chartSVG) close() []byte {
	s.b.WriteString("</svg>\n")
	return s.b.Bytes()
}

// chartNiceMax rounds v up to 1, 2 or 5 times a power of ten, and gives the tick
// step that divides it in four or five.
func chartNiceMax(v int64) (top, step int64) {
	if v <= 0 {
		return 4, 1
	}
	step = 1
	for {
		for _, m := range []int64{1, 2, 5} {
			if s := step * m; s*5 >= v {
				return (v + s - 1) / s * s, s
			}
		}
		step *= 10
	}
}

// chartGradeName is the grade's short name (I级 特别重大, ..., 未定级).
func chartGradeName(t func(string, ...any) string, g int) string {
	return t(fmt.Sprintf("metrics.grade.%d", g))
}

// MonthChart draws the incidents per month, each bar stacked by grade.
func (m Metrics) MonthChart(t func(string, ...any) string) []byte {
	const h, left, right, top, bottom = 300, 48, 16, 44, 40
	var busiest MonthCount
	for _, mc := range m.ByMonth {
		if mc.Total > busiest.Total {
			busiest = mc
		}
	}
	desc := t("metrics.chart.month_desc", m.From, m.To, m.Incidents)
	if busiest.Total > 0 {
		desc += t("metrics.chart.month_peak", busiest.Month, busiest.Total)
	}
	var s chartSVG
	s.open("chart-month", chartW, h, t("metrics.chart.month_title"), desc)
	// Legend: the grades in stacking order, bottom first.
	lx := float64(left)
	for _, g := range m.ByGrade {
		fmt.Fprintf(&s.b, `<rect x="%s" y="14" width="12" height="12" fill="%s"/>`+"\n", chartNum(lx), GradeColors[g.Grade])
		name := chartGradeName(t, g.Grade)
		s.text(lx+16, 24, "start", chartText, name, "")
		lx += 16 + chartTextW(name, 12) + 18
	}
	var maxTotal int64
	for _, mc := range m.ByMonth {
		maxTotal = max(maxTotal, mc.Total)
	}
	topV, step := chartNiceMax(maxTotal)
	plotH := float64(h - top - bottom)
	plotW := float64(chartW - left - right)
	y := func(v int64) float64 { return float64(top) + plotH - plotH*float64(v)/float64(topV) }
	for v := int64(0); v <= topV; v += step {
		s.line(left, y(v), float64(chartW-right), y(v), chartGrid)
		s.text(left-6, y(v)+4, "end", chartMuted, strconv.FormatInt(v, 10), "")
	}
	n := max(1, len(m.ByMonth))
	slot := plotW / float64(n)
	barW := max(2, slot*0.7)
	// Label every month while they fit, else every k-th.
	every := 1
	for float64(every)*slot < 52 {
		every++
	}
	for k, mc := range m.ByMonth {
		x := float64(left) + float64(k)*slot + (slot-barW)/2
		var acc int64
		for _, g := range mc.ByGrade {
			if g.Count == 0 {
				continue
			}
			y0, y1 := y(acc), y(acc+g.Count)
			s.bar(x, y1, barW, y0-y1, GradeColors[g.Grade], "seg g"+strconv.Itoa(g.Grade),
				t("metrics.chart.month_tip", mc.Month, chartGradeName(t, g.Grade), g.Count))
			acc += g.Count
		}
		if mc.Total > 0 && slot >= 22 {
			s.text(x+barW/2, y(mc.Total)-4, "middle", chartText, strconv.FormatInt(mc.Total, 10), ` font-size="11"`)
		}
		if k%every == 0 {
			s.text(x+barW/2, float64(h-bottom)+16, "middle", chartMuted, mc.Month, ` font-size="11"`)
		}
	}
	s.line(left, float64(h-bottom), float64(chartW-right), float64(h-bottom), chartMuted)
	if m.Incidents == 0 {
		s.text(float64(chartW)/2, float64(top)+plotH/2, "middle", chartMuted, t("metrics.none"), ` font-size="14"`)
	}
	return s.close()
}

// chartHBars draws labelled horizontal bars, one row per item.
func chartHBars(id, title, desc string, labels []string, counts []int64, fills []string, tips []string, t func(string, ...any) string) []byte {
	const top, bottom = 12, 12
	h := top + bottom + barRowH*max(1, len(labels))
	var s chartSVG
	s.open(id, chartW, h, title, desc)
	var maxV int64
	for _, c := range counts {
		maxV = max(maxV, c)
	}
	plotW := float64(chartW - barLabelW - barCountPad)
	for k, label := range labels {
		y := float64(top + k*barRowH)
		s.text(barLabelW-8, y+barRowH/2+4, "end", chartText, chartClip(label, barLabelW-16, 12), "")
		w := 0.0
		if maxV > 0 {
			w = plotW * float64(counts[k]) / float64(maxV)
		}
		if counts[k] > 0 {
			s.bar(barLabelW, y+4, max(1, w), barRowH-8, fills[k], "bar", tips[k])
		}
		s.text(barLabelW+w+6, y+barRowH/2+4, "start", chartText, strconv.FormatInt(counts[k], 10), "")
	}
	s.line(barLabelW, top, barLabelW, float64(h-bottom), chartMuted)
	if maxV == 0 {
		s.text(barLabelW+plotW/2, float64(h)/2+4, "middle", chartMuted, t("metrics.none"), "")
	}
	return s.close()
}

// CategoryChart draws the incidents per first-level category.
func (m Metrics) CategoryChart(lang string, t func(string, ...any) string) []byte {
	var labels, fills, tips []string
	var counts []int64
	for _, c := range m.ByCategory {
		name := c.Name(lang)
		if c.Code == "" {
			name = t("incident.category.none")
		}
		labels, counts, fills = append(labels, name), append(counts, c.Count), append(fills, chartBar)
		tips = append(tips, t("metrics.chart.count_tip", name, c.Count))
	}
	return chartHBars("chart-category", t("metrics.chart.category_title"), t("metrics.chart.category_desc", m.From, m.To, m.Incidents),
		labels, counts, fills, tips, t)
}

// GradeChart draws the incidents per grade.
func (m Metrics) GradeChart(t func(string, ...any) string) []byte {
	var labels, fills, tips []string
	var counts []int64
	for _, g := range m.ByGrade {
		name := chartGradeName(t, g.Grade)
		labels, counts, fills = append(labels, name), append(counts, g.Count), append(fills, GradeColors[g.Grade])
		tips = append(tips, t("metrics.chart.count_tip", name, g.Count))
	}
	return chartHBars("chart-grade", t("metrics.chart.grade_title"), t("metrics.chart.grade_desc", m.From, m.To, m.Incidents),
		labels, counts, fills, tips, t)
}

// chartTextW estimates a text's width in px (CJK about 1 em, the rest 0.55 em),
// as the organisation chart does.
func chartTextW(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		if r >= 0x2E80 {
			w += 1
		} else {
			w += 0.55
		}
	}
	return w * size
}

// chartClip cuts s to fit width px, ending it with an ellipsis.
func chartClip(s string, width, size float64) string {
	if chartTextW(s, size) <= width {
		return s
	}
	w := chartTextW("…", size)
	for i, r := range s {
		if r >= 0x2E80 {
			w += size
		} else {
			w += 0.55 * size
		}
		if w > width {
			return s[:i] + "…"
		}
	}
	return s
}
