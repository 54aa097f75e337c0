package emergencyplan

import (
	"bulwark/internal/docx"
	"bulwark/internal/emergency"
)

// The organisation chart in the DOCX is drawn as a grid of table cells
// (see docs/ARCHITECTURE.md, "The plan's chart in Word"): boxes are
// bordered, filled cells; lines are single cell edges in thin rows. The
// grid has 24 equal columns, so a box spanning an even number of columns
// has its centre on a column edge, where a line can be drawn:
//
//	            [ 领导小组 4-18 ]
//	                    |            (edge 11)
//	      +-------------+------+     (4 .. 17)
//	[工作组 0-8]      [ 支援单位 10-24 ]
//	      |                    |
//	      |          +---------+---------+   (13 .. 21)
//	[办公室 0-8]   [单位 10-16]   |   [单位 18-24]
//	                              |  (the trunk at 17 runs on to the
//	                 +------------+------+    next row of units)
//	               [单位 10-16]       [单位 18-24]
const (
	gridCols   = 24
	lineHeight = 200 // twips: the rows that only carry lines
	lineColor  = "6B7280"
)

// Fill and border colours, as in the SVG chart (emergency.RenderChart).
var boxColors = map[string][2]string{
	emergency.GroupLeadership:   {"FDE8E8", "B91C1C"},
	emergency.GroupWorkingGroup: {"E8F0FE", "1D4ED8"},
	emergency.GroupOffice:       {"E8F0FE", "1D4ED8"},
	"support_head":              {"ECFDF5", "047857"},
	emergency.GroupSupport:      {"F9FAFB", "6B7280"},
}

// placed is a cell at a column.
type placed struct {
	at   int
	cell docx.GridCell
}

// gridRow lays cells out at their columns (in order, not overlapping),
// filling the gaps with empty cells. A cell's span runs to the next cell
// or the end when it is 0.
func gridRow(height int, cells ...placed) docx.GridRow {
	row := docx.GridRow{Height: height}
	col := 0
	for i, p := range cells {
		if p.at > col {
			row.Cells = append(row.Cells, docx.GridCell{Span: p.at - col})
		}
		if p.cell.Span == 0 {
			end := gridCols
			if i+1 < len(cells) {
				end = cells[i+1].at
			}
			p.cell.Span = end - p.at
		}
		row.Cells = append(row.Cells, p.cell)
		col = p.at + p.cell.Span
	}
	return row
}

// edge is a line cell: left and/or top edge drawn.
func edge(left, top bool) docx.GridCell {
	return docx.GridCell{Left: left, Top: top, Color: lineColor}
}

func box(kind string, span int, lines []string) docx.GridCell {
	c := boxColors[kind]
	return docx.Box(span, c[0], c[1], lines...)
}

// ChartGrid draws units (as emergency.Organisation returns them) as a grid
// of table cells, with labels from t.
func ChartGrid(units []emergency.Unit, t func(string, ...any) string) docx.Grid {
	var lead, working, office emergency.Unit
	lead.Kind, working.Kind, office.Kind = emergency.GroupLeadership, emergency.GroupWorkingGroup, emergency.GroupOffice
	var support []emergency.Unit
	for _, u := range units {
		switch u.Kind {
		case emergency.GroupLeadership:
			lead = u
		case emergency.GroupWorkingGroup:
			working = u
		case emergency.GroupOffice:
			office = u
		case emergency.GroupSupport:
			support = append(support, u)
		}
	}
	head := []string{t("emergency.group.support")}
	if len(support) == 0 {
		head = append(head, t("emergency.chart.none"))
	}
	g := docx.Grid{Widths: make([]int, gridCols)}
	for i := range g.Widths {
		g.Widths[i] = 1
	}
	add := func(r docx.GridRow) { g.Rows = append(g.Rows, r) }
	add(gridRow(0, placed{4, box(lead.Kind, 14, emergency.ChartLines(lead, t))}))
	add(gridRow(lineHeight, placed{11, edge(true, false)}))
	add(gridRow(lineHeight, placed{4, edge(true, true)}, placed{17, edge(true, false)}))
	add(gridRow(0, placed{0, box(working.Kind, 8, emergency.ChartLines(working, t))}, placed{10, box("support_head", 14, head)}))
	stub := []placed{{4, edge(true, false)}}
	if len(support) > 0 {
		stub = append(stub, placed{17, edge(true, false)})
	}
	add(gridRow(lineHeight, stub...))
	officeBox := placed{0, box(office.Kind, 8, emergency.ChartLines(office, t))}
	if len(support) == 0 {
		add(gridRow(lineHeight, placed{4, edge(true, false)}))
		add(gridRow(0, officeBox))
		return g
	}
	for r := 0; r*2 < len(support); r++ {
		pair := support[r*2 : min(r*2+2, len(support))]
		more := r*2+2 < len(support) // another row of units follows
		// The bus: from the trunk at 17 to the centres of the row's
		// units (13 and 21); the trunk goes on down when more follow.
		var bus []placed
		if r == 0 {
			bus = append(bus, placed{4, edge(true, false)}) // the line to the office
		} else {
			// The trunk alone first, so the bus is not drawn on the
			// bottom edge of the boxes above.
			add(gridRow(lineHeight, placed{17, edge(true, false)}))
		}
		bus = append(bus, placed{13, edge(true, true)})
		switch {
		case len(pair) == 2:
			bus = append(bus, placed{17, edge(more, true)}, placed{21, edge(true, false)})
		case more:
			bus = append(bus, placed{17, edge(true, false)})
		default:
			bus = append(bus, placed{17, docx.GridCell{}})
		}
		add(gridRow(lineHeight, bus...))
		var boxes []placed
		if r == 0 {
			boxes = append(boxes, officeBox)
		}
		boxes = append(boxes, placed{10, box(emergency.GroupSupport, 6, emergency.ChartLines(pair[0], t))})
		if more {
			boxes = append(boxes, placed{17, docx.GridCell{Span: 1, Left: true, Color: lineColor}})
		}
		if len(pair) == 2 {
			boxes = append(boxes, placed{18, box(emergency.GroupSupport, 6, emergency.ChartLines(pair[1], t))})
		}
		add(gridRow(0, boxes...))
	}
	return g
}
