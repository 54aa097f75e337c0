package i18n

import (
	"strings"
	"testing"
)

// Every key exists in every language, and no message is empty.
func TestCataloguesComplete(t *testing.T) {
	base := catalog[Languages[0]]
	for _, lang := range Languages[1:] {
		for k := range base {
			if _, ok := catalog[lang][k]; !ok {
				t.Errorf("%s lacks %q", lang, k)
			}
		}
		for k := range catalog[lang] {
			if _, ok := base[k]; !ok {
				t.Errorf("%s has %q, which %s lacks", lang, k, Languages[0])
			}
		}
	}
	for lang, m := range catalog {
		for k, v := range m {
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s: %q is empty", lang, k)
			}
			if strings.Count(v, "%") != strings.Count(base[k], "%") {
				t.Errorf("%s: %q has other format verbs than %s", lang, k, Languages[0])
			}
		}
	}
}

func TestMatch(t *testing.T) {
	for in, want := range map[string]string{
		"": "zh-CN", "zh-CN,zh;q=0.9": "zh-CN", "en-US,en;q=0.9": "en", "fr": "zh-CN", "zh-TW": "zh-CN", "garbage;;": "zh-CN",
	} {
		if got := Match(in); got != want {
			t.Errorf("Match(%q) = %q, want %q", in, got, want)
		}
	}
	if T("en", "no.such.key") != "!no.such.key!" {
		t.Error("missing key not marked")
	}
}
