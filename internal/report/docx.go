package report

import (
	"fmt"
	"io"

	"bulwark/internal/docx"
)

// DOCX writes doc as a Word document to w.
func DOCX(w io.Writer, doc Document) error {
	lang := doc.lang()
	if lang == "en" {
		lang = "en-US"
	}
	dw, err := docx.NewWriter(w, docx.Properties{
		Title:      doc.Title,
		Subject:    doc.Subtitle,
		Created:    doc.Created,
		Language:   lang,
		Header:     doc.Title,
		PageFormat: doc.PageFormat,
	})
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if doc.Title != "" {
		dw.Title(doc.Title)
	}
	if doc.Subtitle != "" {
		dw.Subtitle(doc.Subtitle)
	}
	if len(doc.Meta) > 0 {
		kvTable(dw, doc.Meta)
	}
	for _, b := range doc.Blocks {
		docxBlock(dw, b)
	}
	if err := dw.Close(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

func docxBlock(dw *docx.Writer, b Block) {
	switch b.Kind {
	case KindHeading:
		dw.Heading(b.Level, b.Text)
	case KindParagraph:
		dw.Paragraph(runs(b.spans())...)
	case KindKV:
		kvTable(dw, b.Pairs)
	case KindTable:
		cols := b.columns()
		widths := b.Widths
		if len(widths) != cols {
			// Equal columns; the count also tells a header-less table
			// how wide it is.
			widths = make([]int, cols)
			for i := range widths {
				widths[i] = 1
			}
		}
		dw.BeginTable(docx.Table{Header: b.Header, Widths: widths})
		for row := range b.AllRows() {
			dw.TextRow(fit(row, cols)...)
		}
		dw.EndTable()
	case KindList:
		items := make([][]docx.Run, len(b.Items))
		for i, it := range b.Items {
			items[i] = []docx.Run{{Text: it}}
		}
		dw.List(b.Ordered, items...)
	case KindPageBreak:
		dw.PageBreak()
	case KindSignatures:
		signatures(dw, b)
	case KindFigure:
		if b.Grid != nil {
			dw.Grid(*b.Grid)
		}
		if b.Text != "" {
			dw.Caption(b.Text)
		}
	}
}

// fit pads or cuts a row to the table's width, so a short row from a
// caller does not fail the whole report.
func fit(row []string, cols int) []string {
	if len(row) == cols {
		return row
	}
	out := make([]string, cols)
	copy(out, row)
	return out
}

func runs(spans []Span) []docx.Run {
	out := make([]docx.Run, len(spans))
	for i, s := range spans {
		out[i] = docx.Run{Text: s.Text, Bold: s.Bold, Italic: s.Italic, Mono: s.Code}
	}
	return out
}

func kvTable(dw *docx.Writer, pairs []KV) {
	dw.BeginTable(docx.Table{Widths: []int{3, 7}})
	for _, p := range pairs {
		dw.Row(docx.Cell{Runs: []docx.Run{{Text: p.Label, Bold: true}}, Shade: true}, docx.Cell{Runs: []docx.Run{{Text: p.Value}}})
	}
	dw.EndTable()
}

func signatures(dw *docx.Writer, b Block) {
	dw.BeginTable(docx.Table{Widths: []int{2, 4, 4}, Borderless: true})
	if len(b.Header) > 0 {
		cells := make([]docx.Cell, 0, 3)
		for _, h := range fit(b.Header, 3) {
			cells = append(cells, docx.Cell{Runs: []docx.Run{{Text: h, Bold: true}}})
		}
		dw.Row(cells...)
	}
	for _, s := range b.Signatures {
		cell := func(v string) docx.Cell {
			if v == "" {
				return docx.Cell{Line: true} // a rule to write on by hand
			}
			return docx.Cell{Runs: []docx.Run{{Text: v}}}
		}
		dw.Row(docx.Cell{Runs: []docx.Run{{Text: s.Role, Bold: true}}}, cell(s.Name), cell(s.Date))
	}
	dw.EndTable()
}
