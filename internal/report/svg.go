package report

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"html/template"
	"io"
	"strings"
)

// The printable page inlines a figure's SVG so its text prints sharply and
// can be found and copied. The page is served to browsers, so the drawing
// is re-written from a parse rather than pasted: only drawing elements and
// presentation attributes survive; scripts, event handlers, links, styles,
// foreign content and external references cannot pass, whatever the SVG's
// author put in.

// svgElements are the elements kept; any other element is dropped with
// everything inside it.
var svgElements = map[string]bool{
	"svg": true, "g": true, "title": true, "desc": true, "rect": true, "circle": true, "ellipse": true,
	"line": true, "polyline": true, "polygon": true, "path": true, "text": true, "tspan": true,
}

// svgText are the elements whose character data is kept.
var svgText = map[string]bool{"title": true, "desc": true, "text": true, "tspan": true}

// svgAttrs are the attributes kept, on any kept element.
var svgAttrs = map[string]bool{
	"x": true, "y": true, "x1": true, "y1": true, "x2": true, "y2": true, "cx": true, "cy": true, "r": true,
	"rx": true, "ry": true, "dx": true, "dy": true, "width": true, "height": true, "d": true, "points": true,
	"viewBox": true, "transform": true, "fill": true, "stroke": true, "stroke-width": true,
	"stroke-dasharray": true, "stroke-linecap": true, "stroke-linejoin": true, "opacity": true,
	"fill-opacity": true, "stroke-opacity": true, "font-family": true, "font-size": true, "font-weight": true,
	"font-style": true, "text-anchor": true, "dominant-baseline": true, "class": true, "role": true,
	"aria-label": true, "preserveAspectRatio": true,
}

const (
	svgNS       = "http://www.w3.org/2000/svg"
	maxSVGBytes = 4 << 20
	maxSVGDepth = 64
)

// inlineSVG returns src reduced to its drawing, safe to place in HTML.
func inlineSVG(src []byte) (template.HTML, error) {
	if len(src) > maxSVGBytes {
		return "", fmt.Errorf("svg of %d bytes is larger than %d", len(src), maxSVGBytes)
	}
	dec := xml.NewDecoder(bytes.NewReader(src))
	var out strings.Builder
	// stack holds, per open element, whether it is kept; skip counts the
	// open elements inside a dropped one.
	var stack []string
	skip, roots := 0, 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("svg: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if skip > 0 || !svgElements[t.Name.Local] || (t.Name.Space != svgNS && t.Name.Space != "") ||
				(len(stack) == 0 && t.Name.Local != "svg") {
				skip++
				continue
			}
			if len(stack) == maxSVGDepth {
				return "", errors.New("svg: nested too deep")
			}
			if len(stack) == 0 {
				if roots++; roots > 1 {
					return "", errors.New("svg: more than one root element")
				}
			}
			stack = append(stack, t.Name.Local)
			out.WriteString("<" + t.Name.Local)
			if len(stack) == 1 {
				out.WriteString(` xmlns="` + svgNS + `"`)
			}
			for _, a := range t.Attr {
				if a.Name.Space != "" || !svgAttrs[a.Name.Local] || unsafeValue(a.Value) {
					continue
				}
				out.WriteString(" " + a.Name.Local + `="`)
				attrEscape(&out, a.Value)
				out.WriteString(`"`)
			}
			out.WriteString(">")
		case xml.EndElement:
			if skip > 0 {
				skip--
				continue
			}
			if len(stack) == 0 {
				continue
			}
			out.WriteString("</" + stack[len(stack)-1] + ">")
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if skip == 0 && len(stack) > 0 && svgText[stack[len(stack)-1]] {
				_ = xml.EscapeText(&out, t)
			}
		}
	}
	if roots == 0 {
		return "", errors.New("svg: no svg element")
	}
	// The template only ever receives text built above from escaped
	// pieces and a fixed set of names.
	return template.HTML(out.String()), nil
}

// unsafeValue refuses values that reach outside the drawing: references
// to other resources or script.
func unsafeValue(v string) bool {
	l := strings.ToLower(v)
	return strings.Contains(l, "url(") || strings.Contains(l, "javascript:") || strings.Contains(l, "expression(") ||
		strings.ContainsAny(l, "<>")
}

func attrEscape(b *strings.Builder, s string) {
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&#34;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		default:
			if r >= 0x20 { // the decoder has refused other control characters
				b.WriteRune(r)
			}
		}
	}
}
