package emergencyplan

import (
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestParts(t *testing.T) {
	cases := []struct {
		in   string
		want []Part
	}{
		{"", nil},
		{"  \n\n ", nil},
		{"第一段", []Part{{Text: "第一段"}}},
		{"一行\n二行\n\n第二段", []Part{{Text: "一行\n二行"}, {Text: "第二段"}}},
		{"- 甲\n- 乙\n\n尾", []Part{{Items: []string{"甲", "乙"}}, {Text: "尾"}}},
		{"  - 缩进\n• 圆点", []Part{{Items: []string{"缩进", "圆点"}}}},
		{"- 甲\n接着一段", []Part{{Items: []string{"甲"}}, {Text: "接着一段"}}},
		{"措施如下：\n- 隔离\n- 取证", []Part{{Text: "措施如下："}, {Items: []string{"隔离", "取证"}}}},
		{"- ", []Part{{Text: "-"}}},
		{"- \u00a0", []Part{{Text: "- \u00a0"}}},
		{"**加粗**\r\n\r\n*斜体*", []Part{{Text: "**加粗**"}, {Text: "*斜体*"}}},
		{"-没有空格", []Part{{Text: "-没有空格"}}},
	}
	for _, c := range cases {
		if got := Parts(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Parts(%q) = %#v, want %#v", c.in, got, c.want)
		}
	}
}

// FuzzParts: any body splits without panicking, keeps every non-space
// character that is not a bullet mark, and yields no empty part.
func FuzzParts(f *testing.F) {
	for _, s := range []string{"", "a\n\nb", "- x\n- y", "• 甲\r\n\r\n**b**", "\n\n\n-  \n", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		parts := Parts(s)
		var kept strings.Builder
		for _, p := range parts {
			if p.Items == nil && strings.TrimSpace(p.Text) == "" {
				t.Fatalf("empty paragraph from %q", s)
			}
			for _, it := range p.Items {
				if it == "" {
					t.Fatalf("empty list item from %q", s)
				}
			}
			kept.WriteString(p.Text)
			for _, it := range p.Items {
				kept.WriteString(it)
			}
		}
		count := func(s string) int {
			n := 0
			for _, r := range s {
				if !unicode.IsSpace(r) && !strings.ContainsRune("-•·", r) {
					n++
				}
			}
			return n
		}
		if utf8.ValidString(s) && count(kept.String()) != count(s) {
			t.Fatalf("Parts(%q) lost text: %#v", s, parts)
		}
		_ = Blocks(s)
	})
}
