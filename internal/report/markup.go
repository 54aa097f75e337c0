package report

import "strings"

// Span is a piece of paragraph text with its emphasis.
type Span struct {
	Text         string
	Bold, Italic bool
	Code         bool
}

// Spans splits marked-up text into spans. The syntax is deliberately
// tiny: **bold**, *italic*, `code`, and a backslash before any of * ` \
// for the character itself. An opening mark without its closing mark is
// plain text, so a stray asterisk never swallows the rest of a paragraph.
func Spans(text string) []Span {
	var (
		spans []Span
		plain strings.Builder
	)
	flush := func() {
		if plain.Len() > 0 {
			spans = append(spans, Span{Text: plain.String()})
			plain.Reset()
		}
	}
	for i := 0; i < len(text); {
		c := text[i]
		switch {
		case c == '\\' && i+1 < len(text) && strings.IndexByte("*`\\", text[i+1]) >= 0:
			plain.WriteByte(text[i+1])
			i += 2
			continue
		case c == '`':
			if j := strings.IndexByte(text[i+1:], '`'); j > 0 {
				flush()
				spans = append(spans, Span{Text: text[i+1 : i+1+j], Code: true})
				i += j + 2
				continue
			}
		case strings.HasPrefix(text[i:], "**"):
			if j := closing(text[i+2:], "**"); j > 0 {
				flush()
				spans = append(spans, Span{Text: unescape(text[i+2 : i+2+j]), Bold: true})
				i += j + 4
				continue
			}
			// An unclosed ** is two literal stars, not the start of *italic*.
			plain.WriteString("**")
			i += 2
			continue
		case c == '*':
			if j := closing(text[i+1:], "*"); j > 0 {
				flush()
				spans = append(spans, Span{Text: unescape(text[i+1 : i+1+j]), Italic: true})
				i += j + 2
				continue
			}
		}
		plain.WriteByte(c)
		i++
	}
	flush()
	return spans
}

// closing finds the unescaped closing mark in s.
func closing(s, mark string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if strings.HasPrefix(s[i:], mark) {
			return i
		}
	}
	return -1
}

func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("*`\\", s[i+1]) >= 0 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Escape makes text safe to embed in a Marked paragraph: its marks are
// shown as typed.
func Escape(text string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, "`", "\\`")
	return r.Replace(text)
}

// spans is the paragraph's spans, parsed only when it asks for markup.
func (b Block) spans() []Span {
	if !b.Markup {
		if b.Text == "" {
			return nil
		}
		return []Span{{Text: b.Text}}
	}
	return Spans(b.Text)
}
