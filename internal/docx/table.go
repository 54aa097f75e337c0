package docx

import (
	"errors"
	"fmt"
	"strconv"
)

// Table describes a table before its rows are streamed.
type Table struct {
	// Widths are relative column widths; nil means equal columns. Their
	// count is the number of columns when Header is empty.
	Widths []int
	// Header, when set, is the first row: bold, shaded and repeated at
	// the top of every page the table runs over.
	Header []string
	// Borderless drops the grid lines (used for signature lines).
	Borderless bool
}

// Cell is one table cell.
type Cell struct {
	Runs []Run
	// Shade gives the cell the header background (for the label column of
	// a key-value table).
	Shade bool
	// Line draws a rule under the cell: the blank to sign or date on
	// paper in a borderless signature table.
	Line bool
}

type tableState struct {
	grid []int // column widths in twips
}

const headerShade = "E7ECF3"

// TextCells makes plain cells from strings.
func TextCells(texts ...string) []Cell {
	cells := make([]Cell, len(texts))
	for i, t := range texts {
		cells[i] = Cell{Runs: []Run{{Text: t}}}
	}
	return cells
}

// BeginTable opens a table; add rows with Row and close it with EndTable.
// Nothing else may be written while it is open.
func (w *Writer) BeginTable(t Table) {
	if w.table != nil {
		w.fail(errors.New("docx: nested BeginTable"))
		return
	}
	cols := len(t.Header)
	if cols == 0 {
		cols = len(t.Widths)
	}
	if cols == 0 {
		w.fail(errors.New("docx: table without columns"))
		return
	}
	if len(t.Widths) != 0 && len(t.Widths) != cols {
		w.fail(fmt.Errorf("docx: %d widths for %d columns", len(t.Widths), cols))
		return
	}
	w.table = &tableState{grid: gridWidths(t.Widths, cols)}
	// Element order inside w:tblPr (and w:tcPr below) follows the
	// schema's sequence: Word rejects a file that is merely well-formed.
	w.raw(`<w:tbl><w:tblPr><w:tblStyle w:val="` + tableStyleID + `"/><w:tblW w:w="` + strconv.Itoa(textWidth) + `" w:type="dxa"/>`)
	if t.Borderless {
		w.raw(`<w:tblBorders><w:top w:val="nil"/><w:left w:val="nil"/><w:bottom w:val="nil"/><w:right w:val="nil"/><w:insideH w:val="nil"/><w:insideV w:val="nil"/></w:tblBorders>`)
	}
	w.raw(`<w:tblLayout w:type="fixed"/><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>`)
	for _, g := range w.table.grid {
		w.raw(`<w:gridCol w:w="` + strconv.Itoa(g) + `"/>`)
	}
	w.raw(`</w:tblGrid>`)
	if len(t.Header) > 0 {
		cells := make([]Cell, len(t.Header))
		for i, h := range t.Header {
			cells[i] = Cell{Runs: []Run{{Text: h, Bold: true}}, Shade: true}
		}
		w.row(`<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>`, cells)
	}
}

// gridWidths shares the text width among the columns by weight.
func gridWidths(weights []int, cols int) []int {
	total := 0
	for _, wt := range weights {
		total += max(wt, 1)
	}
	grid := make([]int, cols)
	for i := range grid {
		if total == 0 {
			grid[i] = textWidth / cols
		} else {
			grid[i] = textWidth * max(weights[i], 1) / total
		}
	}
	return grid
}

// Row adds a row. Missing cells are left empty; extra cells are an error.
func (w *Writer) Row(cells ...Cell) {
	if w.table == nil {
		w.fail(errors.New("docx: Row outside a table"))
		return
	}
	if len(cells) > len(w.table.grid) {
		w.fail(fmt.Errorf("docx: row of %d cells in a %d-column table", len(cells), len(w.table.grid)))
		return
	}
	w.row(`<w:trPr><w:cantSplit/></w:trPr>`, cells)
}

// TextRow adds a row of plain cells.
func (w *Writer) TextRow(cells ...string) { w.Row(TextCells(cells...)...) }

func (w *Writer) row(trPr string, cells []Cell) {
	w.raw(`<w:tr>` + trPr)
	for i, g := range w.table.grid {
		w.raw(`<w:tc><w:tcPr><w:tcW w:w="` + strconv.Itoa(g) + `" w:type="dxa"/>`)
		var c Cell
		if i < len(cells) {
			c = cells[i]
		}
		if c.Line {
			w.raw(`<w:tcBorders><w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/></w:tcBorders>`)
		}
		if c.Shade {
			w.raw(`<w:shd w:val="clear" w:color="auto" w:fill="` + headerShade + `"/>`)
		}
		w.raw(`</w:tcPr>`)
		// A cell must hold at least one paragraph, even when empty.
		w.para(`<w:pStyle w:val="TableText"/>`, c.Runs)
		w.raw(`</w:tc>`)
	}
	w.raw(`</w:tr>`)
}

// EndTable closes the open table. An empty paragraph follows it, since
// two adjacent tables would otherwise merge into one in Word.
func (w *Writer) EndTable() {
	if w.table == nil {
		w.fail(errors.New("docx: EndTable without BeginTable"))
		return
	}
	w.table = nil
	w.raw(`</w:tbl><w:p><w:pPr><w:spacing w:after="0"/></w:pPr></w:p>`)
}
