package emergency

import (
	"bytes"
	"context"
	"encoding/xml"
	"strconv"
	"unicode"

	"bulwark/internal/i18n"
)

// The organisation chart (应急处置组织架构图) is drawn on the server as
// SVG from the data: no script, no external font or style, so the image is
// safe under the page's Content-Security-Policy and prints as it shows.
// Its layout is a simple tidy tree: the leadership group on top; under it
// the working group (with its office below) and the support units'
// heading (with each unit below). Text widths are estimated (CJK ≈ 1 em,
// other characters ≈ 0.55 em), which is close enough for boxes sized with
// padding in any CJK-capable sans-serif font.

const (
	titleSize  = 15.0 // px, a box's heading
	lineSize   = 13.0 // px, a member's line
	lineHeight = 20.0
	padX       = 14.0
	padY       = 10.0
	minBoxW    = 120.0
	maxLineEm  = 26.0 // longer lines are cut with an ellipsis
	gapX       = 24.0
	gapY       = 40.0
	margin     = 20.0
	gridCols   = 4    // support units per row: more wrap to the next row
	headerH    = 36.0 // the chart's own title
)

// Chart renders the actor's organisation chart in lang.
func (s *Service) Chart(ctx context.Context, lang string) ([]byte, error) {
	units, err := s.Organisation(ctx) // checks emergency.read
	if err != nil {
		return nil, err
	}
	return RenderChart(units, func(key string, args ...any) string { return i18n.T(lang, key, args...) }), nil
}

// box is one node of the chart.
type box struct {
	lines []string // heading, then members
	kind  string
	w, h  float64
	sub   float64 // width of the subtree
	x, y  float64 // top-left
	depth int
	kids  []*box
	// grid lays the kids out gridCols to a row, joined by a trunk on the
	// left, instead of in one row: a plan with eight support units would
	// otherwise be a chart too wide to print.
	grid bool
	colW float64 // width of a grid column
}

// UnitName is the group's own name, or its kind's name from the catalogue.
func UnitName(u Unit, t func(string, ...any) string) string {
	if u.Name != "" {
		return u.Name
	}
	return t("emergency.group." + u.Kind)
}

// memberLine is how a member shows in a box: 组长 张三（董事长）.
func memberLine(m Member, t func(string, ...any) string) string {
	s := t("emergency.position."+m.Position) + " " + m.Name
	if m.Title != "" {
		s += t("emergency.chart.title_suffix", m.Title)
	}
	return s
}

func newBox(u Unit, t func(string, ...any) string) *box {
	b := &box{kind: u.Kind, lines: ChartLines(u, t)}
	b.size()
	return b
}

func (b *box) size() {
	for i, l := range b.lines {
		size := lineSize
		if i == 0 {
			size = titleSize
		}
		l = clip(l)
		b.lines[i] = l
		b.w = max(b.w, textWidth(l, size)+2*padX)
	}
	b.w = max(b.w, minBoxW)
	b.h = 2*padY + lineHeight*float64(len(b.lines))
}

// emWidth estimates a rune's advance in em.
func emWidth(r rune) float64 {
	if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		(r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xff60) || (r >= 0xffe0 && r <= 0xffe6) {
		return 1
	}
	return 0.55
}

func textWidth(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		w += emWidth(r)
	}
	return w * size
}

// clip cuts s to maxLineEm, ending it with an ellipsis.
func clip(s string) string {
	w := 0.0
	for i, r := range s {
		w += emWidth(r)
		if w > maxLineEm-1 {
			return s[:i] + "…"
		}
	}
	return s
}

// RenderChart draws units (as Organisation returns them) with labels from t.
func RenderChart(units []Unit, t func(string, ...any) string) []byte {
	var root, working, office *box
	var supports []*box
	for _, u := range units {
		switch u.Kind {
		case GroupLeadership:
			root = newBox(u, t)
		case GroupWorkingGroup:
			working = newBox(u, t)
		case GroupOffice:
			office = newBox(u, t)
		case GroupSupport:
			supports = append(supports, newBox(u, t))
		}
	}
	if root == nil {
		root = newBox(Unit{Kind: GroupLeadership}, t)
	}
	if working == nil {
		working = newBox(Unit{Kind: GroupWorkingGroup}, t)
	}
	if office != nil {
		working.kids = append(working.kids, office)
	}
	support := &box{kind: "support_head", lines: []string{t("emergency.group.support")}, kids: supports, grid: len(supports) > gridCols}
	if len(supports) == 0 {
		support.lines = append(support.lines, t("emergency.chart.none"))
	}
	support.size()
	root.kids = []*box{working, support}

	// Row heights: every box of a depth starts at the same y.
	rows := map[int]float64{}
	var measure func(b *box, depth int)
	measure = func(b *box, depth int) {
		b.depth = depth
		rows[depth] = max(rows[depth], b.h)
		if b.grid {
			for i, k := range b.kids {
				measure(k, depth+1+i/gridCols)
				b.colW = max(b.colW, k.sub)
			}
			for _, k := range b.kids {
				k.sub = b.colW
			}
			b.sub = max(b.w, gridCols*b.colW+(gridCols-1)*gapX)
			return
		}
		kw := 0.0
		for i, k := range b.kids {
			measure(k, depth+1)
			if i > 0 {
				kw += gapX
			}
			kw += k.sub
		}
		b.sub = max(b.w, kw)
	}
	measure(root, 0)
	rowY := map[int]float64{0: margin + headerH}
	for d := 1; d < len(rows); d++ {
		rowY[d] = rowY[d-1] + rows[d-1] + gapY
	}
	var place func(b *box, left float64)
	place = func(b *box, left float64) {
		b.x = left + (b.sub-b.w)/2
		b.y = rowY[b.depth]
		if b.grid {
			gridW := gridCols*b.colW + (gridCols-1)*gapX
			x0 := left + (b.sub-gridW)/2
			for i, k := range b.kids {
				place(k, x0+float64(i%gridCols)*(b.colW+gapX))
			}
			return
		}
		kw := -gapX
		for _, k := range b.kids {
			kw += k.sub + gapX
		}
		x := left + (b.sub-kw)/2
		for _, k := range b.kids {
			place(k, x)
			x += k.sub + gapX
		}
	}
	place(root, margin)
	width := root.sub + 2*margin
	height := rowY[len(rows)-1] + rows[len(rows)-1] + margin
	title := t("emergency.chart.heading")
	width = max(width, textWidth(title, 18)+2*margin)

	var buf bytes.Buffer
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
	buf.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" width="` + f(width) + `" height="` + f(height) +
		`" viewBox="0 0 ` + f(width) + " " + f(height) + `" font-family="Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif" role="img">` + "\n")
	buf.WriteString("<title>")
	esc(&buf, title)
	buf.WriteString("</title>\n")
	buf.WriteString(`<rect width="100%" height="100%" fill="#ffffff"/>` + "\n")
	buf.WriteString(`<text x="` + f(width/2) + `" y="` + f(margin+18) + `" text-anchor="middle" font-size="18" font-weight="bold" fill="#1f2937">`)
	esc(&buf, title)
	buf.WriteString("</text>\n")
	var draw func(b *box)
	line := func(d string) {
		buf.WriteString(`<path d="` + d + `" fill="none" stroke="#6b7280" stroke-width="1.2"/>` + "\n")
	}
	draw = func(b *box) {
		px, py := b.x+b.w/2, b.y+b.h
		if b.grid && len(b.kids) > 0 {
			// A trunk left of the grid joins each row's bus; each unit
			// hangs from its row's bus.
			trunk := b.kids[0].x - gapX/2
			last := b.kids[len(b.kids)-1]
			busFirst := b.kids[0].y - gapY/2
			line("M" + f(px) + " " + f(py) + " V" + f(busFirst))
			line("M" + f(trunk) + " " + f(busFirst) + " V" + f(last.y-gapY/2))
			for i := 0; i < len(b.kids); i += gridCols {
				row := b.kids[i:min(i+gridCols, len(b.kids))]
				bus := row[0].y - gapY/2
				line("M" + f(trunk) + " " + f(bus) + " H" + f(max(px, row[len(row)-1].x+row[len(row)-1].w/2)))
				for _, k := range row {
					line("M" + f(k.x+k.w/2) + " " + f(bus) + " V" + f(k.y))
				}
			}
		} else {
			for _, k := range b.kids {
				// Elbow connector: down from the parent, across, down to the child.
				cx, cy := k.x+k.w/2, k.y
				my := py + (cy-py)/2
				line("M" + f(px) + " " + f(py) + " V" + f(my) + " H" + f(cx) + " V" + f(cy))
			}
		}
		fill, stroke := "#f9fafb", "#6b7280"
		switch b.kind {
		case GroupLeadership:
			fill, stroke = "#fde8e8", "#b91c1c"
		case GroupWorkingGroup, GroupOffice:
			fill, stroke = "#e8f0fe", "#1d4ed8"
		case "support_head":
			fill, stroke = "#ecfdf5", "#047857"
		}
		buf.WriteString(`<g class="unit unit-` + b.kind + `">` + "\n")
		buf.WriteString(`<rect x="` + f(b.x) + `" y="` + f(b.y) + `" width="` + f(b.w) + `" height="` + f(b.h) +
			`" rx="6" fill="` + fill + `" stroke="` + stroke + `" stroke-width="1.5"/>` + "\n")
		for i, l := range b.lines {
			y := b.y + padY + lineHeight*float64(i) + 15
			attrs := `font-size="13" fill="#111827"`
			if i == 0 {
				attrs = `font-size="15" font-weight="bold" fill="#111827"`
			}
			buf.WriteString(`<text x="` + f(b.x+b.w/2) + `" y="` + f(y) + `" text-anchor="middle" ` + attrs + `>`)
			esc(&buf, l)
			buf.WriteString("</text>\n")
		}
		buf.WriteString("</g>\n")
		for _, k := range b.kids {
			draw(k)
		}
	}
	draw(root)
	buf.WriteString("</svg>\n")
	return buf.Bytes()
}

func esc(buf *bytes.Buffer, s string) { _ = xml.EscapeText(buf, []byte(s)) }
