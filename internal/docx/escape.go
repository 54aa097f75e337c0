package docx

import (
	"encoding/xml"
	"io"
	"strings"
	"unicode/utf8"
)

// xmlChar reports whether r may appear in an XML 1.0 document. Word
// refuses to open a file with any other character (a stray \x0b pasted
// from a terminal is enough), so such characters are dropped, not escaped:
// XML 1.0 has no escape for them.
func xmlChar(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return true
	case r >= 0x20 && r <= 0xD7FF:
		return true
	case r >= 0xE000 && r <= 0xFFFD:
		return true
	case r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}

// Clean drops the characters XML 1.0 forbids and normalises line ends to
// \n. It returns s itself when nothing changes, which is the common case.
func Clean(s string) string {
	clean := true
	for _, r := range s {
		// RuneError also stands for invalid UTF-8, which must become a
		// valid U+FFFD here so the output is always well-formed.
		if r == '\r' || r == utf8.RuneError || !xmlChar(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return '\n'
		case !xmlChar(r):
			return -1
		}
		return r
	}, s)
}

// escape writes s as XML character data or attribute content. Invalid
// UTF-8 becomes U+FFFD (encoding/xml does that).
func escape(w io.Writer, s string) {
	_ = xml.EscapeText(w, []byte(Clean(s)))
}

// escaped returns s escaped, for the small static parts built with fmt.
func escaped(s string) string {
	var b strings.Builder
	escape(&b, s)
	return b.String()
}
