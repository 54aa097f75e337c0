package docx

import (
	"errors"
	"fmt"
	"strconv"
)

// Grid is a drawing made of table cells, for diagrams that must look the
// same in every word processor: a box is a cell with a border and a
// fill, a connecting line is one edge of an otherwise empty cell, and
// spacing is empty cells. Word, WPS and LibreOffice lay tables out alike,
// while floating shapes and SVG images are drawn (or dropped) differently
// by each; and the text stays text, found by search and by Text.
type Grid struct {
	// Widths are the relative widths of the grid's columns; the grid is
	// as wide as the text.
	Widths []int
	Rows   []GridRow
}

// GridRow is one row of a grid. Height 0 lets the row grow with its
// text (a row of boxes); a positive height, in twentieths of a point, is
// exact (a row of lines, whose empty cells must not add a line of text).
type GridRow struct {
	Height int
	Cells  []GridCell
}

// GridCell is one cell: Span columns wide (1 when 0), with centred
// paragraphs, a fill and the edges to draw.
type GridCell struct {
	Span int
	// Paragraphs are the cell's lines, each centred.
	Paragraphs [][]Run
	// Fill is the background as RRGGBB, empty for none.
	Fill string
	// Edges to draw, in Color (RRGGBB, default black), Size eighths of a
	// point thick (default 8, 1 pt).
	Top, Left, Bottom, Right bool
	Color                    string
	Size                     int
}

// Box makes a cell drawn as a box: all four edges, a fill, one centred
// paragraph per line with the first in bold.
func Box(span int, fill, color string, lines ...string) GridCell {
	c := GridCell{Span: span, Fill: fill, Color: color, Top: true, Left: true, Bottom: true, Right: true, Size: 12}
	for i, l := range lines {
		c.Paragraphs = append(c.Paragraphs, []Run{{Text: l, Bold: i == 0}})
	}
	return c
}

// Grid writes g. Each row's spans must add up to the number of columns,
// short rows being filled with empty cells.
func (w *Writer) Grid(g Grid) {
	if w.table != nil {
		w.fail(errors.New("docx: grid inside an open table"))
		return
	}
	if len(g.Widths) == 0 {
		w.fail(errors.New("docx: grid without columns"))
		return
	}
	grid := gridWidths(g.Widths, len(g.Widths))
	// The grid is a table without a style or borders of its own: only
	// the edges its cells ask for are drawn. Rows keep with the next so
	// a diagram that fits on a page is not split across two.
	w.raw(`<w:tbl><w:tblPr><w:tblW w:w="` + strconv.Itoa(textWidth) + `" w:type="dxa"/><w:jc w:val="center"/>` +
		`<w:tblBorders><w:top w:val="nil"/><w:left w:val="nil"/><w:bottom w:val="nil"/><w:right w:val="nil"/><w:insideH w:val="nil"/><w:insideV w:val="nil"/></w:tblBorders>` +
		`<w:tblLayout w:type="fixed"/><w:tblCellMar><w:top w:w="40" w:type="dxa"/><w:left w:w="60" w:type="dxa"/><w:bottom w:w="40" w:type="dxa"/><w:right w:w="60" w:type="dxa"/></w:tblCellMar>` +
		`<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>`)
	for _, gw := range grid {
		w.raw(`<w:gridCol w:w="` + strconv.Itoa(gw) + `"/>`)
	}
	w.raw(`</w:tblGrid>`)
	for i, row := range g.Rows {
		if err := w.gridRow(grid, row, i < len(g.Rows)-1); err != nil {
			w.fail(fmt.Errorf("docx: grid row %d: %w", i+1, err))
			return
		}
	}
	w.raw(`</w:tbl><w:p><w:pPr><w:spacing w:after="0"/></w:pPr></w:p>`)
}

func (w *Writer) gridRow(grid []int, row GridRow, keepNext bool) error {
	cells := row.Cells
	used := 0
	for _, c := range cells {
		used += max(c.Span, 1)
	}
	if used > len(grid) {
		return fmt.Errorf("cells span %d of %d columns", used, len(grid))
	}
	for ; used < len(grid); used++ {
		cells = append(cells[:len(cells):len(cells)], GridCell{})
	}
	w.raw(`<w:tr><w:trPr><w:cantSplit/>`)
	if row.Height > 0 {
		w.raw(`<w:trHeight w:val="` + strconv.Itoa(row.Height) + `" w:hRule="exact"/>`)
	}
	w.raw(`</w:trPr>`)
	col := 0
	for _, c := range cells {
		span := max(c.Span, 1)
		width := 0
		for _, gw := range grid[col : col+span] {
			width += gw
		}
		col += span
		w.raw(`<w:tc><w:tcPr><w:tcW w:w="` + strconv.Itoa(width) + `" w:type="dxa"/>`)
		if span > 1 {
			w.raw(`<w:gridSpan w:val="` + strconv.Itoa(span) + `"/>`)
		}
		if c.Top || c.Left || c.Bottom || c.Right {
			w.raw(`<w:tcBorders>` + edge("top", c.Top, c) + edge("left", c.Left, c) + edge("bottom", c.Bottom, c) + edge("right", c.Right, c) + `</w:tcBorders>`)
		}
		if c.Fill != "" {
			w.raw(`<w:shd w:val="clear" w:color="auto" w:fill="` + escaped(c.Fill) + `"/>`)
		}
		w.raw(`<w:vAlign w:val="center"/></w:tcPr>`)
		pPr := `<w:pStyle w:val="TableText"/>`
		if keepNext {
			pPr += `<w:keepNext/>`
		}
		pPr += `<w:jc w:val="center"/>`
		if len(c.Paragraphs) == 0 {
			// An empty cell still holds a paragraph; in an exact-height
			// row of lines it is made tiny so it cannot push the row.
			w.para(pPr+`<w:rPr><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr>`, nil)
		}
		for _, p := range c.Paragraphs {
			w.para(pPr, p)
		}
		w.raw(`</w:tc>`)
	}
	w.raw(`</w:tr>`)
	return nil
}

func edge(side string, on bool, c GridCell) string {
	if !on {
		return ""
	}
	color, size := c.Color, c.Size
	if color == "" {
		color = "000000"
	}
	if size <= 0 {
		size = 8
	}
	return `<w:` + side + ` w:val="single" w:sz="` + strconv.Itoa(size) + `" w:space="0" w:color="` + escaped(color) + `"/>`
}

// Caption adds a centred caption line, under a figure or a grid.
func (w *Writer) Caption(text string) {
	w.paragraph(`<w:spacing w:before="60" w:after="160"/><w:jc w:val="center"/>`, []Run{{Text: text, Bold: true}})
}
