package search

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestIndexTerms(t *testing.T) {
	for in, want := range map[string]string{
		"核心交换机":                   "核 核心 心 心交 交 交换 换 换机 机",
		"Cisco C9300 核心":          "cisco c9300 核 核心 心",
		"10.0.1.5":                "10 0 1 5",
		"web01.example.cn, Web01": "web01 example cn",
		"":                        "",
		"——!!":                    "",
	} {
		if got := IndexTerms(in); got != want {
			t.Errorf("IndexTerms(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseQuery(t *testing.T) {
	for in, want := range map[string][]Term{
		"交换":     {{Text: "交换"}},
		"交":      {{Text: "交"}},
		"核心交换机":  {{Text: "核心"}, {Text: "心交"}, {Text: "交换"}, {Text: "换机"}},
		"CentOS": {{Text: "centos", Prefix: true}},
		"10.0.1": {{Text: "10", Prefix: true}, {Text: "0", Prefix: true}, {Text: "1", Prefix: true}},
		"\"*'&|": nil,
	} {
		if got := ParseQuery(in); !slices.Equal(got, want) {
			t.Errorf("ParseQuery(%q) = %v, want %v", in, got, want)
		}
	}
	if n := len(ParseQuery("一二三四五六七八九十甲乙丙丁戊己庚辛壬癸子丑寅卯")); n != maxQueryTerms {
		t.Errorf("long query gave %d terms, want the cap %d", n, maxQueryTerms)
	}
}

// Every term a query asks for is among the terms of the text it was typed
// from, so searching for any part of a stored text finds it.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"核心交换机", "Cisco C9300", "10.0.1.5", "a\"b'c", "", "交", "\xff\xfe", "ＡＢＣ全角"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		terms := ParseQuery(s)
		if len(terms) > maxQueryTerms {
			t.Fatalf("%d terms", len(terms))
		}
		index := strings.Fields(IndexTerms(s))
		for _, term := range terms {
			if term.Text == "" || strings.ContainsAny(term.Text, " \"'") {
				t.Fatalf("bad term %q from %q", term.Text, s)
			}
			if !utf8.ValidString(term.Text) && utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 term from valid input %q", s)
			}
			found := slices.ContainsFunc(index, func(x string) bool {
				if term.Prefix {
					return strings.HasPrefix(x, term.Text)
				}
				return x == term.Text
			})
			if !found {
				t.Fatalf("query term %q of %q not among its index terms %v", term.Text, s, index)
			}
		}
	})
}
