package docx

import (
	"archive/zip"
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"unicode/utf8"
)

// Text parses files people upload or that come back from other tools, so
// it is fuzzed: no input may panic, every failure is ErrInvalid, and what
// it returns is valid UTF-8. Seeds live in testdata/fuzz/FuzzText.

func FuzzText(f *testing.F) {
	f.Add(zipOf(f, map[string]string{"word/document.xml": `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>x</w:t></w:r></w:p></w:body></w:document>`}))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Text(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error is not ErrInvalid: %v", err)
			}
			if s != "" {
				t.Fatal("text returned with an error")
			}
			return
		}
		if !utf8.ValidString(s) {
			t.Fatalf("invalid UTF-8 out: %q", s)
		}
	})
}

// FuzzRoundTrip writes arbitrary text as a paragraph and a table cell and
// reads it back: whatever the input, the file is well-formed and the text
// survives, less only the characters XML cannot carry.
func FuzzRoundTrip(f *testing.F) {
	for _, s := range []string{"", "中文 & <tag> \"q\" 'a'", "a\nb\tc\r\nd", "\x00\x0b\xff\uFFFE", "]]><!--"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		data := render(t, Properties{Title: s, Header: s, PageFormat: s}, func(w *Writer) {
			w.Paragraph(Run{Text: s, Bold: true})
			w.BeginTable(Table{Widths: []int{1}})
			w.TextRow("cell")
			w.EndTable()
		})
		got := text(t, data)
		if want := Clean(s) + "\ncell\n\n"; got != want {
			t.Fatalf("round trip of %q: got %q want %q", s, got, want)
		}
	})
}

func zipOf(t testing.TB, files map[string]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var updateCorpus = flag.Bool("update-corpus", false, "rewrite the committed fuzz seed corpus in testdata/fuzz")

const docOpen = `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`

// TestSeedCorpus writes the FuzzText seeds (with -update-corpus) and
// checks they are present, so fuzzing starts from small real files as
// well as broken ones.
func TestSeedCorpus(t *testing.T) {
	full := render(t, Properties{Created: created}, sample)
	seeds := map[string][]byte{
		"sample":     full,
		"truncated":  full[:len(full)/2],
		"minimal":    zipOf(t, map[string]string{"word/document.xml": docOpen + `<w:p><w:r><w:t>hi</w:t><w:tab/><w:br/></w:r></w:p></w:body></w:document>`}),
		"nested":     zipOf(t, map[string]string{"word/document.xml": docOpen + `<w:tbl><w:tr><w:tc><w:tbl><w:tr><w:tc><w:p><w:r><w:t>in</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:tc></w:tr></w:tbl></w:body></w:document>`}),
		"unbalanced": zipOf(t, map[string]string{"word/document.xml": docOpen + `<w:p><w:t>a</w:p></w:body>`}),
		"strict_ns":  zipOf(t, map[string]string{"word/document.xml": `<w:document xmlns:w="http://purl.oclc.org/ooxml/wordprocessingml/main"><w:body><w:p><w:r><w:t>strict</w:t></w:r></w:p></w:body></w:document>`}),
		"no_doc":     zipOf(t, map[string]string{"hello.txt": "hi"}),
		"entities":   zipOf(t, map[string]string{"word/document.xml": `<!DOCTYPE d [<!ENTITY a "aaaa">]>` + docOpen + `<w:p><w:r><w:t>&a;&amp;</w:t></w:r></w:p></w:body></w:document>`}),
		"not_zip":    []byte("PK\x03\x04garbage"),
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzText")
	for name, data := range seeds {
		path := filepath.Join(dir, name)
		content := "go test fuzz v1\n[]byte(" + strconv.Quote(string(data)) + ")\n"
		if *updateCorpus {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("seed %s missing (run go test -run TestSeedCorpus -update-corpus): %v", path, err)
		}
	}
}

func TestTextRejects(t *testing.T) {
	cases := map[string][]byte{
		"not a zip":   []byte("hello"),
		"no document": zipOf(t, map[string]string{"a.xml": "<a/>"}),
		"bad xml":     zipOf(t, map[string]string{"word/document.xml": docOpen + `<w:p>`}),
		"entity":      zipOf(t, map[string]string{"word/document.xml": `<!DOCTYPE d [<!ENTITY a "x">]>` + docOpen + `<w:p><w:r><w:t>&a;</w:t></w:r></w:p></w:body></w:document>`}),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := Text(bytes.NewReader(data), int64(len(data))); !errors.Is(err, ErrInvalid) {
				t.Fatalf("got %v, want ErrInvalid", err)
			}
		})
	}
}

func TestTextNested(t *testing.T) {
	data := zipOf(t, map[string]string{"word/document.xml": docOpen +
		`<w:p><w:r><w:t>before</w:t></w:r></w:p>` +
		`<w:tbl><w:tr><w:tc><w:p><w:r><w:t>a</w:t></w:r></w:p><w:p><w:r><w:t>b</w:t></w:r></w:p></w:tc>` +
		`<w:tc><w:tbl><w:tr><w:tc><w:p><w:r><w:t>x</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>y</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p/></w:tc></w:tr></w:tbl>` +
		`<w:p><w:r><w:instrText> PAGE </w:instrText><w:t>after</w:t></w:r></w:p></w:body></w:document>`})
	want := "before\na b | x | y\nafter\n"
	if got := text(t, data); got != want {
		t.Errorf("got %q want %q", got, want)
	}
}
