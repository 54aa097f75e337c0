package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"iter"
	"strings"

	"bulwark/internal/docx"
)

//go:embed html.tmpl
var htmlSource string

// htmlTemplate is the printable page: one self-contained file (CSS
// inline, no scripts, no external fonts) so it can be saved, mailed and
// printed to PDF from any browser. html/template escapes every value.
var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"spans": func(b Block) []Span { return b.spans() },
	"rows":  htmlRows,
	"colgroup": func(b Block) []string {
		if len(b.Widths) != b.columns() {
			return nil
		}
		return percentages(b.Widths)
	},
	"fit3": func(h []string) []string { return fit(h, 3) },
	// svg is only given figures' SVG as cleaned rewrote it (inlineSVG).
	"svg": func(b Block) template.HTML { return template.HTML(b.SVG) },
}).Parse(htmlSource))

// footerPart is a piece of the CSS page footer: literal text or a counter.
type footerPart struct{ Text, Counter string }

type htmlData struct {
	Doc    Document
	Lang   string
	Footer []footerPart
}

// HTML writes doc as a standalone printable HTML page to w.
func HTML(w io.Writer, doc Document) error {
	clean, err := cleaned(doc)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	data := htmlData{Doc: clean, Lang: doc.lang(), Footer: footerParts(doc.PageFormat)}
	if err := htmlTemplate.Execute(w, data); err != nil {
		return fmt.Errorf("report: render html: %w", err)
	}
	return nil
}

// cleaned is a copy of doc without the control characters the DOCX drops,
// so both renderings carry the same text, and with figures' SVG reduced
// to drawing elements (inlineSVG). (Table rows are cleaned as they
// stream, in htmlRows.) The caller's slices are not touched.
func cleaned(doc Document) (Document, error) {
	doc.Title, doc.Subtitle = docx.Clean(doc.Title), docx.Clean(doc.Subtitle)
	doc.Meta = cleanKV(doc.Meta)
	blocks := make([]Block, len(doc.Blocks))
	for i, b := range doc.Blocks {
		b.Text = docx.Clean(b.Text)
		b.Level = max(1, min(b.Level, 3)) // as docx.Writer.Heading does
		b.Pairs = cleanKV(b.Pairs)
		b.Header = cleanAll(b.Header)
		b.Items = cleanAll(b.Items)
		sigs := make([]Signature, len(b.Signatures))
		for j, sg := range b.Signatures {
			sigs[j] = Signature{Role: docx.Clean(sg.Role), Name: docx.Clean(sg.Name), Date: docx.Clean(sg.Date)}
		}
		b.Signatures = sigs
		if b.Kind == KindFigure && len(b.SVG) > 0 {
			svg, err := inlineSVG(b.SVG)
			if err != nil {
				return doc, fmt.Errorf("figure %q: %w", b.Text, err)
			}
			b.SVG = []byte(svg)
		}
		blocks[i] = b
	}
	doc.Blocks = blocks
	return doc, nil
}

func cleanKV(kvs []KV) []KV {
	out := make([]KV, len(kvs))
	for i, kv := range kvs {
		out[i] = KV{Label: docx.Clean(kv.Label), Value: docx.Clean(kv.Value)}
	}
	return out
}

func cleanAll(ss []string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = docx.Clean(s)
	}
	return out
}

// htmlRows yields the table's rows fitted to its width, with the
// characters HTML may not carry dropped as in the DOCX.
func htmlRows(b Block) iter.Seq[[]string] {
	cols := b.columns()
	return func(yield func([]string) bool) {
		for row := range b.AllRows() {
			row = fit(row, cols)
			clean := make([]string, len(row))
			for i, c := range row {
				clean[i] = docx.Clean(c)
			}
			if !yield(clean) {
				return
			}
		}
	}
}

func percentages(widths []int) []string {
	total := 0
	for _, w := range widths {
		total += max(w, 1)
	}
	out := make([]string, len(widths))
	for i, w := range widths {
		out[i] = fmt.Sprintf("%.2f", float64(max(w, 1))*100/float64(total))
	}
	return out
}

// footerParts turns "第 {PAGE} 页 共 {PAGES} 页" into CSS content parts.
func footerParts(format string) []footerPart {
	if format == "" {
		format = docx.DefaultPageFormat
	}
	var parts []footerPart
	for format != "" {
		i := strings.Index(format, "{PAGE")
		var tok, counter string
		switch {
		case i < 0:
		case strings.HasPrefix(format[i:], "{PAGES}"):
			tok, counter = "{PAGES}", "pages"
		case strings.HasPrefix(format[i:], "{PAGE}"):
			tok, counter = "{PAGE}", "page"
		}
		if tok == "" {
			parts = append(parts, footerPart{Text: format})
			break
		}
		if i > 0 {
			parts = append(parts, footerPart{Text: format[:i]})
		}
		parts = append(parts, footerPart{Counter: counter})
		format = format[i+len(tok):]
	}
	return parts
}
