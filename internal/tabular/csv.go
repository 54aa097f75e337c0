package tabular

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"bulwark/internal/apperr"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

func hasUTF16BOM(b []byte) bool {
	return bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.HasPrefix(b, []byte{0xFE, 0xFF})
}

// decodeText turns CSV bytes into UTF-8. Excel writes UTF-8 with a BOM
// ("CSV UTF-8"), the ANSI code page (GBK on Chinese Windows) for plain
// "CSV", and UTF-16 with a BOM for "Unicode text". Bytes that are not valid
// UTF-8 are read as GB18030, the superset of GBK and GB2312.
func decodeText(data []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, utf8BOM):
		return data[len(utf8BOM):], nil
	case hasUTF16BOM(data):
		out, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
		if err != nil {
			return nil, apperr.New(apperr.Invalid, "err.import_encoding")
		}
		return out, nil
	case utf8.Valid(data):
		return data, nil
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil || !utf8.Valid(out) {
		return nil, apperr.New(apperr.Invalid, "err.import_encoding")
	}
	return out, nil
}

// sniffDelimiter picks the separator of the first line: a comma unless a
// semicolon (Excel in many European locales) or a tab (Excel's "Unicode
// text") is more frequent.
func sniffDelimiter(text []byte) rune {
	line := text
	if i := bytes.IndexByte(text, '\n'); i >= 0 {
		line = text[:i]
	}
	best, n := ',', bytes.Count(line, []byte{','})
	for _, d := range []rune{';', '\t'} {
		if c := bytes.Count(line, []byte(string(d))); c > n {
			best, n = d, c
		}
	}
	return best
}

// ReadCSV reads CSV bytes. Quotes are strict (a stray quote is an error
// naming the line, rather than a silently merged row); rows may have any
// number of fields.
func ReadCSV(data []byte, lim Limits) (*Table, error) {
	text, err := decodeText(data)
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(bytes.NewReader(text))
	r.Comma = sniffDelimiter(text)
	r.FieldsPerRecord = -1
	r.LazyQuotes = false
	r.ReuseRecord = true
	c := collector{t: Table{Format: CSV}, lim: lim}
	// A record's row as Excel shows it is its first line minus the line
	// breaks held inside earlier quoted cells.
	extra := 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, apperr.New(apperr.Invalid, "err.import_bad_csv", pe.StartLine-extra)
			}
			return nil, apperr.New(apperr.Invalid, "err.import_bad_csv", 0)
		}
		line, _ := r.FieldPos(0)
		cells := make([]string, len(rec))
		breaks := 0
		for i, f := range rec {
			breaks += strings.Count(f, "\n")
			cells[i] = unescapeFormula(f)
		}
		if err := c.add(line-extra, cells); err != nil {
			return nil, err
		}
		extra += breaks
	}
	return c.table()
}

// formulaStart are the characters that make a spreadsheet read a cell as a
// formula. Exported CSV cells starting with one get a leading apostrophe
// (see escapeFormula), which reading removes again.
const formulaStart = "=+-@\t\r"

// escapeFormula defuses CSV injection: a cell that Excel would run as a
// formula is prefixed with an apostrophe. A value that already starts with
// an apostrophe followed by such a character (or another apostrophe) is
// prefixed too, so that unescapeFormula(escapeFormula(s)) == s for every s.
func escapeFormula(s string) string {
	if s == "" {
		return s
	}
	if strings.IndexByte(formulaStart, s[0]) >= 0 || (s[0] == '\'' && len(s) > 1 && strings.IndexByte(formulaStart+"'", s[1]) >= 0) {
		return "'" + s
	}
	return s
}

func unescapeFormula(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.IndexByte(formulaStart+"'", s[1]) >= 0 {
		return s[1:]
	}
	return s
}
