package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bulwark/internal/docx"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it after review):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func renderDOCX(t testing.TB, doc Document) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := DOCX(&buf, doc); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func docxText(t testing.TB, data []byte) string {
	t.Helper()
	s, err := docx.Text(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDOCXGolden(t *testing.T) {
	data := renderDOCX(t, sampleDoc())
	text := docxText(t, data)
	golden(t, "sample.docx.txt", []byte(text))
	if strings.ContainsRune(text, '\x07') {
		t.Error("control character survived")
	}
	if again := renderDOCX(t, sampleDoc()); !bytes.Equal(data, again) {
		t.Error("the same document rendered to different bytes")
	}
}

func TestHTMLGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := HTML(&buf, sampleDoc()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	golden(t, "sample.html", buf.Bytes())
	for _, want := range []string{
		`<html lang="zh-CN">`,
		`size: A4`,
		`@media print`,
		`"SimSun", "宋体"`,
		`counter(page)`,
		`&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; a bell.`,
		`<strong>已恢复</strong>`,
		`<em>弱口令</em>`,
		`<code>10.0.0.8</code>`,
		`原文 *不是强调* ` + "`也不是代码`",
		`<thead><tr><th>时间</th>`,
		`处置步骤 3 &lt;step&gt;`,
		`class="page-break"`,
		`<span class="blank"></span>`,
		`Acme &amp; Sons &#34;Ltd&#34; &lt;CII&gt;`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	for _, bad := range []string{"<script>", "\x07", "http://", "https://", "src="} {
		if strings.Contains(out, bad) {
			t.Errorf("HTML contains %q: it must be standalone and escaped", bad)
		}
	}
}

// TestHTMLFooterLanguage: the printed footer follows the caller's format.
func TestHTMLFooterLanguage(t *testing.T) {
	cases := []struct{ format, want string }{
		{"", `content: "第 " counter(page) " 页 共 " counter(pages) " 页" ;`},
		{"Page {PAGE} of {PAGES}", `content: "Page " counter(page) " of " counter(pages) ;`},
		{`"quoted" {PAGE}`, `content: "\22quoted\22  " counter(page) ;`},
	}
	for _, c := range cases {
		var buf bytes.Buffer
		if err := HTML(&buf, Document{Title: "t", Lang: "en", PageFormat: c.format}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), c.want) {
			i := strings.Index(buf.String(), "content:")
			t.Errorf("format %q: want %s, got %s", c.format, c.want, buf.String()[i:i+80])
		}
	}
}

func TestDOCXEnglish(t *testing.T) {
	doc := Document{Title: "Incident report", Lang: "en", PageFormat: "Page {PAGE} of {PAGES}",
		Blocks: []Block{Paragraph("Hello")}}
	text := docxText(t, renderDOCX(t, doc))
	if text != "Incident report\nHello\n" {
		t.Errorf("text %q", text)
	}
}

func TestHTMLDoesNotTouchCaller(t *testing.T) {
	doc := Document{Blocks: []Block{Paragraph("a\x01b")}}
	if err := HTML(&bytes.Buffer{}, doc); err != nil {
		t.Fatal(err)
	}
	if doc.Blocks[0].Text != "a\x01b" {
		t.Error("HTML changed the caller's document")
	}
}

func TestSpans(t *testing.T) {
	cases := []struct {
		in   string
		want []Span
	}{
		{"plain", []Span{{Text: "plain"}}},
		{"a **b** c", []Span{{Text: "a "}, {Text: "b", Bold: true}, {Text: " c"}}},
		{"*i* and `x*y`", []Span{{Text: "i", Italic: true}, {Text: " and "}, {Text: "x*y", Code: true}}},
		{"**a*b**", []Span{{Text: "a*b", Bold: true}}},
		{"unclosed **bold and *it", []Span{{Text: "unclosed **bold and *it"}}},
		{`esc \*x\* \\ \` + "`", []Span{{Text: "esc *x* \\ `"}}},
		{"**" + `a\*` + "**", []Span{{Text: "a*", Bold: true}}},
		{"``", []Span{{Text: "``"}}},
		{"", nil},
		{"中文**加粗**", []Span{{Text: "中文"}, {Text: "加粗", Bold: true}}},
	}
	for _, c := range cases {
		got := Spans(c.in)
		if len(got) != len(c.want) {
			t.Errorf("Spans(%q) = %+v, want %+v", c.in, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("Spans(%q)[%d] = %+v, want %+v", c.in, i, got[i], c.want[i])
			}
		}
	}
}

// FuzzEscape: whatever a user typed, escaped into a Marked paragraph it
// comes back as one plain span with the same text.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"*a*", "**b**", "`c`", `\`, "中文 * ` \\*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spans := Spans(Escape(s))
		var b strings.Builder
		for _, sp := range spans {
			if sp.Bold || sp.Italic || sp.Code {
				t.Fatalf("escaped %q gave emphasis %+v", s, spans)
			}
			b.WriteString(sp.Text)
		}
		if b.String() != s {
			t.Fatalf("escaped %q came back as %q", s, b.String())
		}
	})
}

func TestLocalized(t *testing.T) {
	cases := []struct {
		lang, format string
		roles        []string
		captions     []string
	}{
		{"zh-CN", "第 {PAGE} 页 共 {PAGES} 页", []string{"编制", "审核", "批准"}, []string{"", "签字", "日期"}},
		{"en", "Page {PAGE} of {PAGES}", []string{"Prepared by", "Reviewed by", "Approved by"}, []string{"", "Signature", "Date"}},
	}
	for _, c := range cases {
		t.Run(c.lang, func(t *testing.T) {
			if got := PageFormat(c.lang); got != c.format {
				t.Errorf("PageFormat = %q", got)
			}
			b := SignOff(c.lang, Signature{Name: "王五", Date: "2026-11-20"}, Signature{}, Signature{Role: "会签"})
			want := []string{c.roles[0], c.roles[1], "会签"}
			for i, s := range b.Signatures {
				if s.Role != want[i] {
					t.Errorf("role %d = %q, want %q", i, s.Role, want[i])
				}
			}
			if strings.Join(b.Header, "|") != strings.Join(c.captions, "|") {
				t.Errorf("captions %q", b.Header)
			}
			text := docxText(t, renderDOCX(t, Document{Lang: c.lang, PageFormat: PageFormat(c.lang), Blocks: []Block{b}}))
			if !strings.Contains(text, c.roles[0]+" | 王五 | 2026-11-20") {
				t.Errorf("text %q", text)
			}
		})
	}
}

// FuzzRender: any text in any block renders to both formats, and the
// DOCX reads back.
func FuzzRender(f *testing.F) {
	f.Add("标题 <&>", "**粗** *斜* `码`\n第二行\x01", 2)
	f.Add("", "", 0)
	f.Fuzz(func(t *testing.T, a, b string, level int) {
		doc := Document{Title: a, Subtitle: b, Meta: []KV{{a, b}}, Blocks: []Block{
			Heading(level, a), Paragraph(b), Marked(b), KVTable(KV{b, a}),
			Table([]string{a, b}, [][]string{{b}, {a, b, a}}), Table(nil, nil),
			List(level%2 == 0, a, b), PageBreak(), Signatures([]string{a}, Signature{Role: a, Date: b}),
			{Kind: KindHeading, Level: level, Text: b},
		}}
		text := docxText(t, renderDOCX(t, doc))
		if !strings.Contains(text, strings.TrimRight(docx.Clean(a), " ")) {
			t.Fatalf("title %q missing from %q", a, text)
		}
		if err := HTML(&bytes.Buffer{}, doc); err != nil {
			t.Fatal(err)
		}
	})
}
