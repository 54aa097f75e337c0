package emergencyplan

import (
	"strings"

	"bulwark/internal/report"
)

// Part is one piece of a chapter's body: a paragraph with the report
// package's light markup (**bold**, *italic*, `code`), or a bulleted list.
type Part struct {
	Text  string   // a paragraph, newlines kept
	Items []string // a list, when not empty
}

// bullets are the line starts that make a bulleted list item.
var bullets = []string{"- ", "• ", "· "}

func bulletItem(line string) (string, bool) {
	for _, b := range bullets {
		if rest, ok := strings.CutPrefix(line, b); ok {
			return strings.TrimSpace(rest), true
		}
	}
	return "", false
}

// Parts splits a chapter body into its parts. The format is what people
// type in a plain text box: paragraphs are separated by blank lines
// (single newlines stay line breaks inside the paragraph); a paragraph
// whose every line starts with "- " or "• " is a bulleted list.
func Parts(body string) []Part {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	var out []Part
	var para []string
	flush := func() {
		if len(para) == 0 {
			return
		}
		items := make([]string, 0, len(para))
		for _, l := range para {
			it, ok := bulletItem(strings.TrimLeft(l, " \t"))
			if !ok {
				items = nil
				break
			}
			items = append(items, it)
		}
		if items != nil {
			out = append(out, Part{Items: items})
		} else {
			out = append(out, Part{Text: strings.Join(para, "\n")})
		}
		para = para[:0]
	}
	for line := range strings.SplitSeq(body, "\n") {
		line = strings.TrimRight(line, " \t")
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		para = append(para, line)
	}
	flush()
	return out
}

// Blocks turns a chapter body into report blocks: marked-up paragraphs
// and lists.
func Blocks(body string) []report.Block {
	var out []report.Block
	for _, p := range Parts(body) {
		if p.Items != nil {
			out = append(out, report.List(false, p.Items...))
		} else {
			out = append(out, report.Marked(p.Text))
		}
	}
	return out
}
