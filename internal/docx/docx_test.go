package docx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"
)

var created = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)

// render builds a document with fn and returns the .docx bytes.
func render(t testing.TB, p Properties, fn func(w *Writer)) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, p)
	if err != nil {
		t.Fatal(err)
	}
	fn(w)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func text(t testing.TB, data []byte) string {
	t.Helper()
	s, err := Text(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func parts(t *testing.T, data []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		m[f.Name] = string(b)
	}
	return m
}

func sample(w *Writer) {
	w.Title("信息安全事件报告 <草稿>")
	w.Subtitle("SJ-2026-0001")
	w.Heading(1, "一、概述")
	w.Paragraph(Run{Text: "攻击者 "}, Run{Text: "10.0.0.1", Mono: true}, Run{Text: " 于 09:30 发起", Bold: true}, Run{Text: " R&D \"lab\" 'x'", Italic: true}, Run{Text: " u", Underline: true})
	w.Paragraph(Run{Text: "line one\nline two\ttabbed\x0bctl\x00"})
	w.List(false, []Run{{Text: "甲"}}, []Run{{Text: "乙"}})
	w.List(true, []Run{{Text: "first"}}, []Run{{Text: "second"}})
	w.List(true, []Run{{Text: "again"}})
	w.BeginTable(Table{Header: []string{"时间", "事件"}, Widths: []int{1, 3}})
	w.TextRow("09:30", "发现 <script>")
	w.Row(Cell{Runs: []Run{{Text: "10:00"}}, Shade: true})
	w.EndTable()
	w.PageBreak()
	w.Heading(4, "deep")
}

func TestWriterParts(t *testing.T) {
	data := render(t, Properties{Title: "报告 & <x>", Created: created, Header: "页眉", PageFormat: "Page {PAGE} of {PAGES}"}, sample)
	m := parts(t, data)
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "word/_rels/document.xml.rels", "word/document.xml",
		"word/styles.xml", "word/settings.xml", "word/fontTable.xml", "word/numbering.xml", "word/header1.xml", "word/footer1.xml",
		"docProps/core.xml", "docProps/app.xml"} {
		content, ok := m[name]
		if !ok {
			t.Fatalf("part %s missing", name)
		}
		// Every part must be well-formed XML.
		dec := xml.NewDecoder(strings.NewReader(content))
		for {
			_, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v\n%s", name, err, content)
			}
		}
	}
	checks := []struct{ part, want string }{
		{"word/styles.xml", `w:eastAsia="宋体"`},
		{"word/styles.xml", `w:eastAsia="黑体"`},
		{"word/styles.xml", `w:ascii="Times New Roman"`},
		{"word/styles.xml", `w:eastAsia="zh-CN"`},
		{"word/styles.xml", `w:styleId="Heading3"`},
		{"word/styles.xml", `w:styleId="Title"`},
		{"word/styles.xml", `w:styleId="BulwarkTable"`},
		{"docProps/core.xml", `<dc:title>报告 &amp; &lt;x&gt;</dc:title>`},
		{"docProps/core.xml", `<dc:creator>Bulwark</dc:creator>`},
		{"docProps/core.xml", `2026-11-20T09:30:00Z`},
		{"word/footer1.xml", `<w:t xml:space="preserve">Page </w:t>`},
		{"word/footer1.xml", ` NUMPAGES `},
		{"word/footer1.xml", ` PAGE `},
		{"word/header1.xml", `页眉`},
		{"word/document.xml", `<w:tblHeader/>`},
		{"word/document.xml", `<w:u w:val="single"/>`},
		{"word/document.xml", `<w:rStyle w:val="Code"/>`},
		{"word/document.xml", `<w:br w:type="page"/>`},
		{"word/document.xml", `<w:pStyle w:val="Heading3"/>`},
		{"word/document.xml", `&lt;script&gt;`},
		{"word/document.xml", `<w:numId w:val="3"/>`},
		{"word/numbering.xml", `<w:num w:numId="3">`},
	}
	for _, c := range checks {
		if !strings.Contains(m[c.part], c.want) {
			t.Errorf("%s lacks %s", c.part, c.want)
		}
	}
	if strings.Contains(m["word/document.xml"], "\x0b") || strings.Contains(m["word/document.xml"], "\x00") {
		t.Error("control characters reached document.xml")
	}
	if strings.Contains(m["docProps/core.xml"], "xmlns:dc") && strings.Contains(m["word/document.xml"], "w:numId w:val=\"4\"") {
		t.Error("more numbered lists than written")
	}
}

func TestDefaultFooterChinese(t *testing.T) {
	m := parts(t, render(t, Properties{}, func(w *Writer) {}))
	f := m["word/footer1.xml"]
	for _, want := range []string{`>第 </w:t>`, ` PAGE `, `> 页 共 </w:t>`, ` NUMPAGES `, `> 页</w:t>`} {
		if !strings.Contains(f, want) {
			t.Errorf("footer lacks %q:\n%s", want, f)
		}
	}
	if strings.Contains(m["docProps/core.xml"], "dcterms:created") {
		t.Error("a zero Created date was written")
	}
}

func TestTextOfSample(t *testing.T) {
	got := text(t, render(t, Properties{Created: created}, sample))
	want := strings.Join([]string{
		"信息安全事件报告 <草稿>",
		"SJ-2026-0001",
		"一、概述",
		"攻击者 10.0.0.1 于 09:30 发起 R&D \"lab\" 'x' u",
		"line one\nline two\ttabbedctl",
		"甲", "乙", "first", "second", "again",
		"时间 | 事件",
		"09:30 | 发现 <script>",
		"10:00 |",
		"",
		"",
		"deep",
	}, "\n") + "\n"
	if got != want {
		t.Errorf("text:\n%q\nwant\n%q", got, want)
	}
}

func TestDeterministic(t *testing.T) {
	a := render(t, Properties{Created: created}, sample)
	b := render(t, Properties{Created: created}, sample)
	if !bytes.Equal(a, b) {
		t.Fatal("same input gave different bytes")
	}
}

func TestWriterMisuse(t *testing.T) {
	cases := map[string]func(w *Writer){
		"row outside table":   func(w *Writer) { w.TextRow("x") },
		"paragraph in table":  func(w *Writer) { w.BeginTable(Table{Widths: []int{1}}); w.Paragraph(); w.EndTable() },
		"too many cells":      func(w *Writer) { w.BeginTable(Table{Header: []string{"a"}}); w.TextRow("1", "2"); w.EndTable() },
		"table not ended":     func(w *Writer) { w.BeginTable(Table{Header: []string{"a"}}) },
		"no columns":          func(w *Writer) { w.BeginTable(Table{}) },
		"widths mismatch":     func(w *Writer) { w.BeginTable(Table{Header: []string{"a"}, Widths: []int{1, 2}}) },
		"end without begin":   func(w *Writer) { w.EndTable() },
		"nested tables":       func(w *Writer) { w.BeginTable(Table{Widths: []int{1}}); w.BeginTable(Table{Widths: []int{1}}) },
		"page break in table": func(w *Writer) { w.BeginTable(Table{Widths: []int{1}}); w.PageBreak(); w.EndTable() },
	}
	for name, fn := range cases {
		t.Run(name, func(t *testing.T) {
			w, err := NewWriter(io.Discard, Properties{})
			if err != nil {
				t.Fatal(err)
			}
			fn(w)
			if err := w.Close(); err == nil {
				t.Fatal("misuse not reported")
			}
		})
	}
}

type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.n -= len(p); f.n < 0 {
		return 0, io.ErrShortWrite
	}
	return len(p), nil
}

func TestWriteErrorReported(t *testing.T) {
	w, err := NewWriter(&failWriter{n: 6000}, Properties{})
	if err != nil {
		return // failed already while writing the fixed parts: fine
	}
	w.BeginTable(Table{Header: []string{"a", "b"}})
	for i := 0; i < 5000; i++ {
		w.TextRow("行", strings.Repeat("x", 40))
	}
	w.EndTable()
	if err := w.Close(); err == nil {
		t.Fatal("write error swallowed")
	}
}

func TestClean(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain 中文", "plain 中文"},
		{"a\r\nb\rc", "a\nb\nc"},
		{"x\x00\x01\x0b\x0c\x1fy", "xy"},
		{"bad\xffutf8", "bad\uFFFDutf8"},
		{"\uFFFE\uFFFFok\U0001F600", "ok\U0001F600"},
		{"tab\tkept", "tab\tkept"},
	}
	for _, c := range cases {
		if got := Clean(c.in); got != c.want {
			t.Errorf("Clean(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSplitPageFormat(t *testing.T) {
	got := strings.Join(splitPageFormat("第 {PAGE} 页 共 {PAGES} 页{PAGEX}"), "|")
	if want := "第 |{PAGE}| 页 共 |{PAGES}| 页{PAGE|X}"; got != want {
		t.Errorf("got %q want %q", got, want)
	}
}
