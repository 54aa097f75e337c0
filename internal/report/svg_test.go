package report

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestInlineSVG(t *testing.T) {
	cases := []struct {
		name, in, want, err string
	}{
		{name: "drawing kept",
			in:   `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="5" viewBox="0 0 10 5" role="img"><title>图</title><g class="unit"><rect x="1" y="1" width="8" height="3" fill="#fff"/><text x="5" y="3" text-anchor="middle">组长 &amp; 张三</text></g></svg>`,
			want: `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="5" viewBox="0 0 10 5" role="img"><title>图</title><g class="unit"><rect x="1" y="1" width="8" height="3" fill="#fff"></rect><text x="5" y="3" text-anchor="middle">组长 &amp; 张三</text></g></svg>`},
		{name: "script and handlers dropped",
			in:   `<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script><rect onclick="x()" width="1"/><foreignObject><div>hi</div></foreignObject><a href="javascript:x"><text>t</text></a></svg>`,
			want: `<svg xmlns="http://www.w3.org/2000/svg"><rect width="1"></rect></svg>`},
		{name: "external references dropped",
			in:   `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="http://x/y.png"/><rect fill="url(http://x/#p)" stroke="red" style="fill:red"/><use xlink:href="#a"/></svg>`,
			want: `<svg xmlns="http://www.w3.org/2000/svg"><rect stroke="red"></rect></svg>`},
		{name: "comments, entities, processing instructions",
			in:   `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "boom">]><!-- c --><svg xmlns="http://www.w3.org/2000/svg"><text>a&lt;b</text></svg>`,
			want: `<svg xmlns="http://www.w3.org/2000/svg"><text>a&lt;b</text></svg>`},
		{name: "quotes in values", in: `<svg xmlns="http://www.w3.org/2000/svg" font-family='a "b" c'></svg>`,
			want: `<svg xmlns="http://www.w3.org/2000/svg" font-family="a &#34;b&#34; c"></svg>`},
		{name: "not svg", in: `<html><body/></html>`, err: "no svg element"},
		{name: "broken", in: `<svg xmlns="http://www.w3.org/2000/svg"><rect>`, err: "svg:"},
		{name: "two roots", in: `<svg xmlns="http://www.w3.org/2000/svg"/><svg xmlns="http://www.w3.org/2000/svg"/>`, err: "more than one root"},
	}
	for _, c := range cases {
		got, err := inlineSVG([]byte(c.in))
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: error %v, want %q", c.name, err, c.err)
		case c.err == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.err == "" && string(got) != c.want:
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}

// FuzzInlineSVG: whatever comes in, what goes out is well-formed XML made
// of the kept elements and attributes only.
func FuzzInlineSVG(f *testing.F) {
	for _, s := range []string{
		`<svg xmlns="http://www.w3.org/2000/svg"><rect width="1"/></svg>`,
		`<svg><script>x</script><text onclick="y">t</text></svg>`,
		`<svg xmlns="http://www.w3.org/2000/svg" xmlns:a="urn:a"><a:rect/><g><g><path d="M0 0"/></g></g></svg>`,
		`<svg fill="url(#x)"><title>&amp;</title></svg>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := inlineSVG(in)
		if err != nil {
			return
		}
		dec := xml.NewDecoder(strings.NewReader(string(out)))
		for {
			tok, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("output is not XML: %v\n%s", err, out)
			}
			if st, ok := tok.(xml.StartElement); ok {
				if !svgElements[st.Name.Local] {
					t.Fatalf("element %s passed", st.Name.Local)
				}
				for _, a := range st.Attr {
					if a.Name.Local != "xmlns" && !svgAttrs[a.Name.Local] {
						t.Fatalf("attribute %s passed", a.Name.Local)
					}
					if unsafeValue(a.Value) {
						t.Fatalf("value %q passed", a.Value)
					}
				}
			}
		}
		if bytes.Contains(bytes.ToLower([]byte(out)), []byte("<script")) {
			t.Fatalf("script passed: %s", out)
		}
	})
}

func TestFigure(t *testing.T) {
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><script>x()</script><text x="1" y="10">架构图文字</text></svg>`)
	doc := Document{Title: "图", Blocks: []Block{Figure("附件1 组织架构图", svg, nil)}}
	var buf bytes.Buffer
	if err := HTML(&buf, doc); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{`<figure><svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><text x="1" y="10">架构图文字</text></svg><figcaption>附件1 组织架构图</figcaption></figure>`} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %s", want)
		}
	}
	if strings.Contains(html, "<script") {
		t.Error("the figure's script reached the page")
	}
	if err := HTML(&bytes.Buffer{}, Document{Blocks: []Block{Figure("x", []byte("<svg"), nil)}}); err == nil {
		t.Error("a broken SVG rendered")
	}
	// The DOCX has no SVG: without a grid it shows the caption.
	if text := docxText(t, renderDOCX(t, doc)); text != "图\n附件1 组织架构图\n" {
		t.Errorf("DOCX text %q", text)
	}
}
