// Package report is a small document model for the reports Bulwark hands
// out (incident report, regulator report, later risk and MLPS reports),
// rendered to DOCX and to a printable HTML page from the same value so
// the two never drift apart.
//
// The model is language-neutral: callers pass text already translated
// through the catalogue, including labels such as "编制" or the footer's
// page format.
package report

import (
	"iter"
	"time"

	"bulwark/internal/docx"
)

// Document is one report.
type Document struct {
	Title    string
	Subtitle string
	// Meta is shown under the title as a label/value table (number,
	// organisation, classification level, date...).
	Meta   []KV
	Blocks []Block
	// Created is the document's own date, written into the DOCX
	// properties. The caller sets it (e.g. from when the incident was
	// closed or the report was requested) so rendering is deterministic.
	Created time.Time
	// Lang is the BCP 47 language of the text: "zh-CN" (default) or "en".
	Lang string
	// PageFormat is the page footer; {PAGE} and {PAGES} are replaced by
	// the page number and count. Defaults to "第 {PAGE} 页 共 {PAGES} 页".
	PageFormat string
}

// KV is a label and its value.
type KV struct{ Label, Value string }

// Signature is a sign-off line: the role (编制/审核/批准 or their
// translation), and the name and date when known; blank ones are drawn as
// lines to sign on paper.
type Signature struct{ Role, Name, Date string }

// Kind says what a Block is.
type Kind int

const (
	KindHeading Kind = iota + 1
	KindParagraph
	KindKV
	KindTable
	KindList
	KindPageBreak
	KindSignatures
	KindFigure
)

// Block is one element of the body. Use the constructors; only the fields
// of the block's kind are read.
type Block struct {
	Kind  Kind
	Level int    // heading: 1-3
	Text  string // heading, paragraph
	// Markup makes a paragraph's Text parse **bold**, *italic* and `code`.
	Markup bool
	Pairs  []KV // key-value table
	// Table: Header and rows. Rows come first, then RowSeq, which lets a
	// caller stream a long table (an incident timeline) from the database.
	Header  []string
	Widths  []int // relative column widths, optional
	Rows    [][]string
	RowSeq  iter.Seq[[]string]
	Items   []string // list
	Ordered bool     // list
	// Signatures, with optional column captions (e.g. "", "签字", "日期").
	Signatures []Signature
	// Figure: the drawing as SVG for the HTML page, as a grid of table
	// cells for the DOCX (see docx.Grid for why), and Text as its caption.
	SVG  []byte
	Grid *docx.Grid
}

// Heading is a section heading of level 1 to 3.
func Heading(level int, text string) Block {
	return Block{Kind: KindHeading, Level: max(1, min(level, 3)), Text: text}
}

// Paragraph is literal text: nothing in it is interpreted, so it is the
// one to use for what users typed. Newlines are kept.
func Paragraph(text string) Block { return Block{Kind: KindParagraph, Text: text} }

// Marked is a paragraph with simple emphasis: **bold**, *italic*, `code`.
// Put user text into it through Escape.
func Marked(text string) Block { return Block{Kind: KindParagraph, Text: text, Markup: true} }

// KVTable is a two-column table of labels and values.
func KVTable(pairs ...KV) Block { return Block{Kind: KindKV, Pairs: pairs} }

// Table is a table with a header row, repeated on every printed page.
func Table(header []string, rows [][]string) Block {
	return Block{Kind: KindTable, Header: header, Rows: rows}
}

// StreamTable is a table whose rows come from seq as it is rendered.
func StreamTable(header []string, seq iter.Seq[[]string]) Block {
	return Block{Kind: KindTable, Header: header, RowSeq: seq}
}

// List is a bulleted (ordered false) or numbered list.
func List(ordered bool, items ...string) Block {
	return Block{Kind: KindList, Ordered: ordered, Items: items}
}

// PageBreak starts a new page.
func PageBreak() Block { return Block{Kind: KindPageBreak} }

// Signatures is the sign-off block.
func Signatures(captions []string, sigs ...Signature) Block {
	return Block{Kind: KindSignatures, Header: captions, Signatures: sigs}
}

// Figure is a drawing with a caption: svg is inlined in the HTML page
// (reduced to drawing elements, see inlineSVG), grid is drawn in the DOCX.
// Either may be nil: the DOCX then shows the caption alone.
func Figure(caption string, svg []byte, grid *docx.Grid) Block {
	return Block{Kind: KindFigure, Text: caption, SVG: svg, Grid: grid}
}

// WithWidths sets a table's relative column widths.
func (b Block) WithWidths(widths ...int) Block {
	b.Widths = widths
	return b
}

// AllRows yields Rows and then RowSeq.
func (b Block) AllRows() iter.Seq[[]string] {
	return func(yield func([]string) bool) {
		for _, r := range b.Rows {
			if !yield(r) {
				return
			}
		}
		if b.RowSeq != nil {
			b.RowSeq(yield)
		}
	}
}

// columns is the table's column count.
func (b Block) columns() int {
	if len(b.Header) > 0 {
		return len(b.Header)
	}
	if len(b.Widths) > 0 {
		return len(b.Widths)
	}
	n := 0
	for _, r := range b.Rows {
		n = max(n, len(r))
	}
	return max(n, 1)
}

func (d Document) lang() string {
	if d.Lang == "" {
		return "zh-CN"
	}
	return d.Lang
}
