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
		if rest, ok := strings.CutPrefix(line, b); ok && strings.TrimSpace(rest) != "" {
			return strings.TrimSpace(rest), true
		}
	}
	return "", false
}

// Parts splits a chapter body into its parts. The format is what people
// type in a plain text box: paragraphs are separated by blank lines
// (single newlines stay line breaks inside the paragraph); lines that
// start with "- " or "• " make a bulleted list, so "措施如下：" followed by
// bullet lines is a paragraph and then a list.
func Parts(body string) []Part {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	var out []Part
	var text []string
	var items []string
	flushText := func() {
		if len(text) > 0 {
			out = append(out, Part{Text: strings.Join(text, "\n")})
			text = nil
		}
	}
	flushItems := func() {
		if len(items) > 0 {
			out = append(out, Part{Items: items})
			items = nil
		}
	}
	for line := range strings.SplitSeq(body, "\n") {
		line = strings.TrimRight(line, " \t")
		if strings.TrimSpace(line) == "" {
			flushText()
			flushItems()
			continue
		}
		if it, ok := bulletItem(strings.TrimLeft(line, " \t")); ok {
			flushText()
			items = append(items, it)
			continue
		}
		flushItems()
		text = append(text, line)
	}
	flushText()
	flushItems()
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
