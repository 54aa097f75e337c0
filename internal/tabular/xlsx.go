package tabular

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"

	"github.com/xuri/excelize/v2"

	"bulwark/internal/apperr"
)

// ReadXLSX reads the first sheet of a workbook, row by row through
// excelize's streaming iterator, with the unzip limits set so a small file
// cannot expand into gigabytes. Cells come as Excel displays them (number
// formats applied), which is what the person typed and saw.
func ReadXLSX(data []byte, lim Limits) (t *Table, err error) {
	// excelize is a large parser of untrusted XML and zip structures: a
	// panic on a malformed file must not take the request (or the
	// server) down. It is reported as an unreadable workbook.
	defer func() {
		if p := recover(); p != nil {
			slog.Warn("xlsx reader panicked on an upload", "panic", fmt.Sprint(p))
			t, err = nil, apperr.New(apperr.Invalid, "err.import_bad_xlsx")
		}
	}()
	if !bytes.HasPrefix(data, zipMagic) {
		return nil, apperr.New(apperr.Invalid, "err.import_bad_xlsx")
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    lim.MaxUnzipped,
		UnzipXMLSizeLimit: min(lim.MaxUnzipXML, lim.MaxUnzipped),
	})
	if err != nil {
		if strings.Contains(err.Error(), "unzip size exceeds") {
			return nil, &apperr.Error{Code: apperr.Invalid, Key: "err.import_unzip_limit", Args: []any{lim.MaxUnzipped >> 20}, Err: err}
		}
		return nil, &apperr.Error{Code: apperr.Invalid, Key: "err.import_bad_xlsx", Err: err}
	}
	defer f.Close() // removes excelize's temporary files
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, apperr.New(apperr.Invalid, "err.import_empty")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, &apperr.Error{Code: apperr.Invalid, Key: "err.import_bad_xlsx", Err: err}
	}
	defer rows.Close()
	c := collector{t: Table{Format: XLSX}, lim: lim}
	// The iterator yields every row number in turn, empty rows between
	// stored ones included, so counting calls gives the row number.
	num := 0
	for rows.Next() {
		num++
		cells, err := rows.Columns()
		if err != nil {
			return nil, &apperr.Error{Code: apperr.Invalid, Key: "err.import_bad_xlsx", Err: err}
		}
		if err := c.add(num, cells); err != nil {
			return nil, err
		}
	}
	if err := rows.Error(); err != nil {
		return nil, &apperr.Error{Code: apperr.Invalid, Key: "err.import_bad_xlsx", Err: err}
	}
	return c.table()
}
