package docx

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestGrid(t *testing.T) {
	line := GridCell{Span: 2, Left: true, Color: "6B7280"}
	g := Grid{Widths: []int{1, 1, 1, 1}, Rows: []GridRow{
		{Cells: []GridCell{{Span: 1}, Box(2, "FDE8E8", "B91C1C", "领导小组", "组长 张三")}},
		{Height: 200, Cells: []GridCell{{Span: 2}, line}},
		{Cells: []GridCell{Box(2, "E8F0FE", "1D4ED8", "工作组"), Box(2, "", "", "支援单位 <A&B>")}},
	}}
	data := render(t, Properties{Created: created}, func(w *Writer) {
		w.Grid(g)
		w.Caption("图 1 组织架构")
	})
	got := text(t, data)
	want := " | 领导小组 组长 张三 |\n |\n工作组 | 支援单位 <A&B>\n\n图 1 组织架构\n"
	if got != want {
		t.Errorf("text:\n%q\nwant\n%q", got, want)
	}
	doc := parts(t, data)["word/document.xml"]
	dec := xml.NewDecoder(strings.NewReader(doc))
	for {
		if _, err := dec.Token(); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("document.xml is not XML: %v", err)
		}
	}
	for _, want := range []string{
		`<w:gridSpan w:val="2"/>`,
		`<w:trHeight w:val="200" w:hRule="exact"/>`,
		`<w:left w:val="single" w:sz="8" w:space="0" w:color="6B7280"/>`,
		`<w:shd w:val="clear" w:color="auto" w:fill="FDE8E8"/>`,
		`<w:top w:val="single" w:sz="12" w:space="0" w:color="B91C1C"/>`,
		`<w:keepNext/><w:jc w:val="center"/>`,
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("document.xml lacks %s", want)
		}
	}
	// The grid only uses parts every document has: nothing to add to the
	// package's content types or relationships.
	if p := parts(t, data); len(p) != len(parts(t, render(t, Properties{Created: created}, func(*Writer) {}))) {
		t.Error("a grid added package parts")
	}
}

func TestGridRefusesOverfullRow(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, Properties{})
	if err != nil {
		t.Fatal(err)
	}
	w.Grid(Grid{Widths: []int{1, 1}, Rows: []GridRow{{Cells: []GridCell{{Span: 2}, {Span: 1}}}}})
	if err := w.Close(); err == nil || !strings.Contains(err.Error(), "grid row 1") {
		t.Errorf("overfull row: %v", err)
	}
	w, _ = NewWriter(&bytes.Buffer{}, Properties{})
	w.Grid(Grid{})
	if err := w.Close(); err == nil {
		t.Error("a grid without columns was written")
	}
}
