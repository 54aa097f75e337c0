package docx

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ErrInvalid marks input that is not a readable .docx file; callers map
// it to an invalid-input error rather than an internal one.
var ErrInvalid = errors.New("docx: not a readable .docx file")

// MaxDocumentXML bounds the uncompressed word/document.xml Text will read,
// so a zip bomb costs at most this much work.
const MaxDocumentXML = 256 << 20

// Word's main namespace in the transitional and the strict flavour.
var wordNS = map[string]bool{
	"http://schemas.openxmlformats.org/wordprocessingml/2006/main": true,
	"http://purl.oclc.org/ooxml/wordprocessingml/main":             true,
}

// Text returns the text of a .docx body: one line per paragraph, in
// order; a table row is one line with its cells separated by " | " (the
// paragraphs of a cell joined by spaces, trailing spaces trimmed). Line breaks inside a paragraph
// are kept as newlines; field codes, deleted text, headers and footers
// are left out. Golden-file tests compare this text.
func Text(r io.ReaderAt, size int64) (string, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	var doc *zip.File
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			doc = f
			break
		}
	}
	if doc == nil {
		return "", fmt.Errorf("%w: no word/document.xml", ErrInvalid)
	}
	rc, err := doc.Open()
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	defer rc.Close()
	lr := &io.LimitedReader{R: rc, N: MaxDocumentXML + 1}
	text, err := extract(lr)
	if lr.N <= 0 {
		return "", fmt.Errorf("%w: word/document.xml larger than %d bytes", ErrInvalid, MaxDocumentXML)
	}
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return text, nil
}

// tableFrame is an open table: the cells of its current row and the text
// of the current cell.
type tableFrame struct {
	cells []string
	cell  strings.Builder
}

func (f *tableFrame) addToCell(s string) {
	if s == "" {
		return
	}
	if f.cell.Len() > 0 {
		f.cell.WriteByte(' ')
	}
	f.cell.WriteString(s)
}

func extract(r io.Reader) (string, error) {
	dec := xml.NewDecoder(r)
	var (
		out    strings.Builder
		paras  []*strings.Builder // paragraphs nest inside text boxes
		tables []*tableFrame
		inText int // depth inside w:t
	)
	para := func() *strings.Builder {
		if len(paras) == 0 {
			return nil
		}
		return paras[len(paras)-1]
	}
	table := func() *tableFrame {
		if len(tables) == 0 {
			return nil
		}
		return tables[len(tables)-1]
	}
	// emit places finished text: into the enclosing paragraph, else the
	// enclosing table cell, else the output as a line.
	emit := func(s string) {
		switch {
		case para() != nil:
			para().WriteString(s)
		case table() != nil:
			table().addToCell(s)
		default:
			out.WriteString(s)
			out.WriteByte('\n')
		}
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if !wordNS[t.Name.Space] {
				continue
			}
			switch t.Name.Local {
			case "p":
				paras = append(paras, &strings.Builder{})
			case "t":
				inText++
			case "tab":
				if p := para(); p != nil && inText == 0 {
					p.WriteByte('\t')
				}
			case "br", "cr":
				if p := para(); p != nil && inText == 0 && !isPageBreak(t) {
					if table() != nil {
						p.WriteByte(' ')
					} else {
						p.WriteByte('\n')
					}
				}
			case "tbl":
				tables = append(tables, &tableFrame{})
			case "tc":
				if tf := table(); tf != nil {
					tf.cell.Reset()
				}
			}
		case xml.EndElement:
			if !wordNS[t.Name.Space] {
				continue
			}
			switch t.Name.Local {
			case "p":
				if p := para(); p != nil {
					paras = paras[:len(paras)-1]
					emit(p.String())
				}
			case "t":
				inText = max(inText-1, 0)
			case "tc":
				if tf := table(); tf != nil {
					tf.cells = append(tf.cells, tf.cell.String())
					tf.cell.Reset()
				}
			case "tr":
				if tf := table(); tf != nil {
					// Trailing blanks (empty last cells) are trimmed so
					// golden files carry no trailing whitespace.
					row := strings.TrimRight(strings.Join(tf.cells, " | "), " ")
					tf.cells = tf.cells[:0]
					// A nested table's row lands in the outer cell.
					tables = tables[:len(tables)-1]
					emit(row)
					tables = append(tables, tf)
				}
			case "tbl":
				if len(tables) > 0 {
					tables = tables[:len(tables)-1]
				}
			}
		case xml.CharData:
			if p := para(); p != nil && inText > 0 {
				p.Write(t)
			}
		}
	}
	return out.String(), nil
}

func isPageBreak(t xml.StartElement) bool {
	for _, a := range t.Attr {
		if a.Name.Local == "type" && a.Value == "page" {
			return true
		}
	}
	return false
}
