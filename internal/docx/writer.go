// Package docx writes Office Open XML word-processing documents (.docx)
// with the fonts Chinese readers expect, and reads their text back.
//
// No Go library fits (see docs/ARCHITECTURE.md): the open ones either do
// not set the East Asian font or are AGPL. The format subset needed for
// reports is small: paragraphs, runs, headings, tables, lists, page breaks
// and a header and footer. The Writer streams word/document.xml into the
// zip as blocks arrive, so a 10,000-row table is never one string.
package docx

import (
	"archive/zip"
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Properties are the package metadata and the page furniture.
type Properties struct {
	Title   string
	Subject string
	// Creator defaults to "Bulwark".
	Creator string
	// Created is written to docProps/core.xml and as the zip entries'
	// time. The caller passes the document's own date (never time.Now),
	// so the same input gives the same bytes.
	Created time.Time
	// Language of the Latin text, e.g. "zh-CN" or "en-US"; East Asian text
	// is always tagged zh-CN. Defaults to "zh-CN".
	Language string
	// Header is the text at the top of every page (usually the title).
	Header string
	// PageFormat is the footer line; {PAGE} and {PAGES} become the page
	// number and page count. Defaults to "第 {PAGE} 页 共 {PAGES} 页".
	PageFormat string
}

// DefaultPageFormat is the footer used when Properties.PageFormat is empty.
const DefaultPageFormat = "第 {PAGE} 页 共 {PAGES} 页"

// Run is a piece of text with one formatting. Newlines in Text become
// line breaks and tabs become tab stops.
type Run struct {
	Text      string
	Bold      bool
	Italic    bool
	Mono      bool
	Underline bool
}

// Writer writes one document. Methods record the first error and turn
// into no-ops after it; Close reports it.
type Writer struct {
	zw       *zip.Writer
	body     *bufio.Writer
	props    Properties
	modified time.Time
	ordered  int // ordered lists so far; each gets its own w:num
	table    *tableState
	err      error
}

// NewWriter starts a document on w. The fixed parts are written at once;
// the body follows as blocks are added; Close finishes the package.
func NewWriter(w io.Writer, p Properties) (*Writer, error) {
	if p.Creator == "" {
		p.Creator = "Bulwark"
	}
	if p.Language == "" {
		p.Language = "zh-CN"
	}
	if p.PageFormat == "" {
		p.PageFormat = DefaultPageFormat
	}
	dw := &Writer{zw: zip.NewWriter(w), props: p, modified: p.Created}
	parts := []struct{ name, content string }{
		{"[Content_Types].xml", contentTypesXML},
		{"_rels/.rels", packageRelsXML},
		{"docProps/core.xml", coreXML(p)},
		{"docProps/app.xml", appXML(p)},
		{"word/_rels/document.xml.rels", documentRelsXML},
		{"word/styles.xml", stylesXML(p.Language)},
		{"word/settings.xml", settingsXML()},
		{"word/fontTable.xml", fontTableXML()},
		{"word/header1.xml", headerXML(p.Header)},
		{"word/footer1.xml", footerXML(p.PageFormat)},
	}
	for _, part := range parts {
		if err := dw.writePart(part.name, part.content); err != nil {
			return nil, err
		}
	}
	// document.xml is the open entry from here until Close; numbering.xml
	// comes after it because only then is the number of lists known.
	fw, err := dw.create("word/document.xml")
	if err != nil {
		return nil, err
	}
	dw.body = bufio.NewWriterSize(fw, 64<<10)
	dw.raw(xmlHeader + `<w:document ` + nsW + ` ` + nsR + `><w:body>`)
	return dw, nil
}

func (w *Writer) create(name string) (io.Writer, error) {
	fh := &zip.FileHeader{Name: name, Method: zip.Deflate}
	if !w.modified.IsZero() {
		fh.Modified = w.modified.UTC()
	}
	fw, err := w.zw.CreateHeader(fh)
	if err != nil {
		return nil, fmt.Errorf("docx: create %s: %w", name, err)
	}
	return fw, nil
}

func (w *Writer) writePart(name, content string) error {
	fw, err := w.create(name)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(fw, content); err != nil {
		return fmt.Errorf("docx: write %s: %w", name, err)
	}
	return nil
}

// raw writes markup as is. bufio keeps the first write error and
// returns it from Flush, which Close checks.
func (w *Writer) raw(s string) {
	_, _ = w.body.WriteString(s)
}

// text writes character data for a w:t run, turning \n into w:br and \t
// into w:tab (XML would keep them but Word ignores them inside w:t).
func (w *Writer) text(s string) {
	s = Clean(s)
	for s != "" {
		i := strings.IndexAny(s, "\n\t")
		chunk := s
		if i >= 0 {
			chunk = s[:i]
		}
		if chunk != "" {
			w.raw(`<w:t xml:space="preserve">`)
			escape(w.body, chunk)
			w.raw(`</w:t>`)
		}
		if i < 0 {
			return
		}
		if s[i] == '\n' {
			w.raw(`<w:br/>`)
		} else {
			w.raw(`<w:tab/>`)
		}
		s = s[i+1:]
	}
}

func (w *Writer) run(r Run) {
	w.raw(`<w:r>`)
	if r.Bold || r.Italic || r.Mono || r.Underline {
		w.raw(`<w:rPr>`)
		if r.Mono {
			w.raw(`<w:rStyle w:val="Code"/>`)
		}
		if r.Bold {
			w.raw(`<w:b/><w:bCs/>`)
		}
		if r.Italic {
			w.raw(`<w:i/><w:iCs/>`)
		}
		if r.Underline {
			w.raw(`<w:u w:val="single"/>`)
		}
		w.raw(`</w:rPr>`)
	}
	w.text(r.Text)
	w.raw(`</w:r>`)
}

// paragraph writes one w:p; pPr is the paragraph properties' content.
func (w *Writer) paragraph(pPr string, runs []Run) {
	if w.table != nil {
		w.fail(errors.New("docx: paragraph inside an open table"))
		return
	}
	w.para(pPr, runs)
}

func (w *Writer) para(pPr string, runs []Run) {
	w.raw(`<w:p>`)
	if pPr != "" {
		w.raw(`<w:pPr>` + pPr + `</w:pPr>`)
	}
	for _, r := range runs {
		w.run(r)
	}
	w.raw(`</w:p>`)
}

func (w *Writer) fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

// Paragraph adds a body paragraph.
func (w *Writer) Paragraph(runs ...Run) { w.paragraph("", runs) }

// Title adds the document title (style Title, centred, 黑体).
func (w *Writer) Title(text string) { w.paragraph(`<w:pStyle w:val="Title"/>`, []Run{{Text: text}}) }

// Subtitle adds a line under the title.
func (w *Writer) Subtitle(text string) {
	w.paragraph(`<w:pStyle w:val="Subtitle"/>`, []Run{{Text: text}})
}

// Heading adds a heading of level 1 to 3 (deeper levels are shown as 3).
func (w *Writer) Heading(level int, text string) {
	level = max(1, min(level, 3))
	w.paragraph(fmt.Sprintf(`<w:pStyle w:val="Heading%d"/>`, level), []Run{{Text: text}})
}

// List adds a bulleted or numbered list, one item per element. Each
// numbered list starts again at 1.
func (w *Writer) List(ordered bool, items ...[]Run) {
	numID := 1
	if ordered {
		w.ordered++
		numID = w.ordered + 1
	}
	pPr := fmt.Sprintf(`<w:pStyle w:val="ListParagraph"/><w:numPr><w:ilvl w:val="0"/><w:numId w:val="%d"/></w:numPr>`, numID)
	for _, item := range items {
		w.paragraph(pPr, item)
	}
}

// PageBreak starts a new page.
func (w *Writer) PageBreak() {
	if w.table != nil {
		w.fail(errors.New("docx: page break inside an open table"))
		return
	}
	w.raw(`<w:p><w:r><w:br w:type="page"/></w:r></w:p>`)
}

// Close ends the body and the package. It reports the first error met
// while writing.
func (w *Writer) Close() error {
	if w.table != nil {
		w.fail(errors.New("docx: table not ended"))
	}
	w.raw(sectPrXML + `</w:body></w:document>`)
	if err := w.body.Flush(); err != nil {
		w.fail(fmt.Errorf("docx: write document.xml: %w", err))
	}
	if w.err == nil {
		if err := w.writePart("word/numbering.xml", numberingXML(w.ordered)); err != nil {
			w.fail(err)
		}
	}
	if err := w.zw.Close(); err != nil {
		w.fail(fmt.Errorf("docx: close: %w", err))
	}
	return w.err
}
