// Package tabular reads and writes the spreadsheets people exchange
// registers in: .xlsx workbooks and .csv files as Excel writes them (UTF-8
// with or without a byte-order mark, GBK/GB18030 from Chinese Windows,
// UTF-16 "Unicode text"). It knows nothing about assets: it turns bytes into
// numbered rows of cell strings, and rows of values back into a file.
//
// Reading is defensive, because the bytes come from uploads: the format is
// taken from the content, not the name; rows, columns and the unzipped size
// of a workbook are capped; and a library panic on a malformed file becomes
// an error instead of taking the server down.
package tabular

import (
	"bytes"
	"strings"

	"bulwark/internal/apperr"
)

// Format is a spreadsheet file format.
type Format string

const (
	XLSX Format = "xlsx"
	CSV  Format = "csv"
)

// Row is one non-empty row: its number as the spreadsheet shows it
// (1-based; a CSV cell holding a line break does not shift later rows) and
// its cells, without trailing empty ones.
type Row struct {
	Num   int
	Cells []string
}

// Cell returns cell i, or "" past the end.
func (r Row) Cell(i int) string {
	if i < len(r.Cells) {
		return r.Cells[i]
	}
	return ""
}

// Table is a sheet read from a file: the first non-empty row is the header,
// empty rows are left out.
type Table struct {
	Format Format
	Header Row
	Rows   []Row
}

// Limits bound what a file may hold.
type Limits struct {
	MaxRows    int // data rows after the header
	MaxColumns int
	// Workbooks are zip files: their unzipped size is capped separately,
	// against zip bombs. UnzipXML is the size above which excelize moves
	// a sheet to a temporary file instead of memory.
	MaxUnzipped int64
	MaxUnzipXML int64
}

// DefaultLimits suit a register of up to 100,000 entries.
var DefaultLimits = Limits{MaxRows: 100_000, MaxColumns: 200, MaxUnzipped: 512 << 20, MaxUnzipXML: 16 << 20}

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// Detect tells the format of data from its first bytes. Old binary .xls
// workbooks (and password-protected .xlsx, which are OLE files too) and
// other binary content are refused.
func Detect(data []byte) (Format, error) {
	switch {
	case bytes.HasPrefix(data, zipMagic):
		return XLSX, nil
	case bytes.HasPrefix(data, oleMagic):
		return "", apperr.New(apperr.Invalid, "err.import_xls")
	case len(bytes.TrimSpace(data)) == 0:
		return "", apperr.New(apperr.Invalid, "err.import_empty")
	}
	head := data[:min(len(data), 8192)]
	// UTF-16 text has NUL bytes by nature; anything else with NUL is binary.
	if bytes.IndexByte(head, 0) >= 0 && !hasUTF16BOM(head) {
		return "", apperr.New(apperr.Invalid, "err.import_format")
	}
	return CSV, nil
}

// Read detects data's format and reads its first sheet.
func Read(data []byte, lim Limits) (*Table, error) {
	f, err := Detect(data)
	if err != nil {
		return nil, err
	}
	if f == XLSX {
		return ReadXLSX(data, lim)
	}
	return ReadCSV(data, lim)
}

// collector builds a Table row by row, applying the limits.
type collector struct {
	t   Table
	lim Limits
}

// add takes one row; it returns an error once a limit is passed.
func (c *collector) add(num int, cells []string) error {
	end := len(cells)
	for end > 0 && strings.TrimSpace(cells[end-1]) == "" {
		end--
	}
	if end == 0 {
		return nil // empty rows are skipped, wherever they are
	}
	if end > c.lim.MaxColumns {
		return apperr.New(apperr.Invalid, "err.import_too_many_columns", c.lim.MaxColumns)
	}
	row := Row{Num: num, Cells: cells[:end:end]}
	if c.t.Header.Num == 0 {
		c.t.Header = row
		return nil
	}
	if len(c.t.Rows) >= c.lim.MaxRows {
		return apperr.New(apperr.Invalid, "err.import_too_many_rows", c.lim.MaxRows)
	}
	c.t.Rows = append(c.t.Rows, row)
	return nil
}

func (c *collector) table() (*Table, error) {
	if c.t.Header.Num == 0 {
		return nil, apperr.New(apperr.Invalid, "err.import_empty")
	}
	return &c.t, nil
}
