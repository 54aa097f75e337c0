// Package search splits text into the terms Bulwark indexes, so that both
// engines find Chinese by any two characters (交换 finds 核心交换机) and Latin
// words by prefix. SQLite's FTS5 and PostgreSQL's pg_trgm both need three
// characters and cannot split Chinese words, so Bulwark splits text itself:
// Chinese runs become single characters plus bigrams, everything else
// lower-cased words. The store indexes the terms verbatim (FTS5 on SQLite, a
// GIN tsvector on PostgreSQL); see store.Dialect.MatchTerms.
package search

import (
	"strings"
	"unicode"
)

const maxWordRunes = 64

func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r)
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }

// Term is one query term.
type Term struct {
	Text   string
	Prefix bool // match any indexed term starting with Text
}

// split calls emitWord for each Latin-like word and emitRun for each run of
// CJK characters in s.
func split(s string, emitWord func(string), emitRun func([]rune)) {
	var word []rune
	var run []rune
	flush := func() {
		if len(word) > 0 {
			if len(word) > maxWordRunes {
				word = word[:maxWordRunes]
			}
			emitWord(strings.ToLower(string(word)))
			word = word[:0]
		}
		if len(run) > 0 {
			emitRun(run)
			run = run[:0]
		}
	}
	for _, r := range s {
		switch {
		case isCJK(r):
			if len(word) > 0 {
				flush()
			}
			run = append(run, r)
		case isWordRune(r):
			if len(run) > 0 {
				flush()
			}
			word = append(word, unicode.ToLower(r))
		default:
			flush()
		}
	}
	flush()
}

// IndexTerms returns the space-separated, de-duplicated terms of texts.
func IndexTerms(texts ...string) string {
	seen := map[string]bool{}
	var out []string
	add := func(t string) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, text := range texts {
		split(text, add, func(run []rune) {
			for i := range run {
				add(string(run[i]))
				if i+1 < len(run) {
					add(string(run[i : i+2]))
				}
			}
		})
	}
	return strings.Join(out, " ")
}

// maxQueryTerms bounds the work one query can ask of the index.
const maxQueryTerms = 16

// ParseQuery turns what a user typed into terms that must all match: each
// Chinese run by its bigrams (a lone character as itself), each word as a
// prefix.
func ParseQuery(q string) []Term {
	seen := map[string]bool{}
	var out []Term
	add := func(t Term) {
		if len(out) < maxQueryTerms && !seen[t.Text] {
			seen[t.Text] = true
			out = append(out, t)
		}
	}
	split(q, func(w string) { add(Term{Text: w, Prefix: true}) }, func(run []rune) {
		if len(run) == 1 {
			add(Term{Text: string(run)})
			return
		}
		for i := 0; i+1 < len(run); i++ {
			add(Term{Text: string(run[i : i+2])})
		}
	})
	return out
}
