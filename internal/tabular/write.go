package tabular

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// Writer writes rows of a spreadsheet. Values are strings or ints.
type Writer interface {
	WriteRow(values []any) error
	// Close finishes the file (an .xlsx is only written out here).
	Close() error
}

// CSVWriter writes UTF-8 CSV with a byte-order mark, which is what makes
// Excel open Chinese text correctly instead of guessing the ANSI code page.
type CSVWriter struct {
	w   *csv.Writer
	rec []string
}

// NewCSVWriter starts a CSV file on w.
func NewCSVWriter(w io.Writer) (*CSVWriter, error) {
	if _, err := w.Write(utf8BOM); err != nil {
		return nil, fmt.Errorf("write csv: %w", err)
	}
	return &CSVWriter{w: csv.NewWriter(w)}, nil
}

// WriteRow writes one record; text that Excel would take for a formula is
// escaped (see escapeFormula).
func (c *CSVWriter) WriteRow(values []any) error {
	c.rec = c.rec[:0]
	for _, v := range values {
		switch x := v.(type) {
		case string:
			c.rec = append(c.rec, escapeFormula(x))
		case int:
			c.rec = append(c.rec, strconv.Itoa(x))
		default:
			c.rec = append(c.rec, escapeFormula(fmt.Sprint(x)))
		}
	}
	if err := c.w.Write(c.rec); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// Close flushes buffered records.
func (c *CSVWriter) Close() error {
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// XLSXWriter writes a workbook through excelize's stream writer, which
// keeps memory flat however many rows there are. The first row written to
// each sheet is its header: bold and frozen. Strings are always written as
// text cells, never as formulas, so nothing in the data runs in Excel.
type XLSXWriter struct {
	out    io.Writer
	f      *excelize.File
	sw     *excelize.StreamWriter
	row    int
	bold   int
	sheets int
	widths []float64
}

// NewXLSXWriter starts a workbook whose first sheet is called sheet; widths
// (optional) are the column widths in characters.
func NewXLSXWriter(w io.Writer, sheet string, widths []float64) (*XLSXWriter, error) {
	f := excelize.NewFile()
	x := &XLSXWriter{out: w, f: f}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("write xlsx: %w", err)
	}
	x.bold = bold
	if err := f.SetSheetName(f.GetSheetName(0), sheet); err != nil {
		f.Close()
		return nil, fmt.Errorf("write xlsx: %w", err)
	}
	if err := x.start(sheet, widths); err != nil {
		f.Close()
		return nil, err
	}
	return x, nil
}

func (x *XLSXWriter) start(sheet string, widths []float64) error {
	sw, err := x.f.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("write xlsx: sheet %s: %w", sheet, err)
	}
	for i, wd := range widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return fmt.Errorf("write xlsx: %w", err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	x.sw, x.row = sw, 0
	x.sheets++
	return nil
}

// NewSheet finishes the current sheet and starts another.
func (x *XLSXWriter) NewSheet(sheet string, widths []float64) error {
	if err := x.sw.Flush(); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	if _, err := x.f.NewSheet(sheet); err != nil {
		return fmt.Errorf("write xlsx: sheet %s: %w", sheet, err)
	}
	return x.start(sheet, widths)
}

// WriteRow appends a row to the current sheet.
func (x *XLSXWriter) WriteRow(values []any) error {
	x.row++
	cell, err := excelize.CoordinatesToCellName(1, x.row)
	if err != nil {
		return fmt.Errorf("write xlsx: row %d: %w", x.row, err)
	}
	if x.row == 1 {
		err = x.sw.SetRow(cell, values, excelize.RowOpts{StyleID: x.bold})
	} else {
		err = x.sw.SetRow(cell, values)
	}
	if err != nil {
		return fmt.Errorf("write xlsx: row %d: %w", x.row, err)
	}
	return nil
}

// Close writes the workbook to the writer and releases temporary files.
func (x *XLSXWriter) Close() error {
	defer x.f.Close()
	if err := x.sw.Flush(); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	if x.sheets > 1 {
		x.f.SetActiveSheet(0)
	}
	if err := x.f.Write(x.out); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return nil
}
