// Package i18n is the message catalogue. Every string a person reads goes
// through T. Catalogues are flat JSON files per language under locales/<lang>/,
// one file per area (core.json, asset.json, ...), merged at start; a key
// defined twice, or present in one language and missing in another, fails
// the tests. We keep a flat map instead of go-i18n: Chinese and English need
// no plural rules, and a map with a completeness test is all that is used.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"golang.org/x/text/language"

	"bulwark/internal/apperr"
)

//go:embed locales
var files embed.FS

// Languages are the UI languages; the first is the default.
var Languages = []string{"zh-CN", "en"}

var catalog = mustLoad()

func mustLoad() map[string]map[string]string {
	c, err := load(files)
	if err != nil {
		panic(err)
	}
	return c
}

func load(fsys fs.FS) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for _, lang := range Languages {
		out[lang] = map[string]string{}
		dir := path.Join("locales", lang)
		entries, err := fs.ReadDir(fsys, dir)
		if err != nil {
			return nil, fmt.Errorf("i18n: read %s: %w", dir, err)
		}
		for _, e := range entries {
			b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
			if err != nil {
				return nil, fmt.Errorf("i18n: read %s: %w", e.Name(), err)
			}
			var m map[string]string
			if err := json.Unmarshal(b, &m); err != nil {
				return nil, fmt.Errorf("i18n: %s/%s: %w", lang, e.Name(), err)
			}
			for k, v := range m {
				if _, dup := out[lang][k]; dup {
					return nil, fmt.Errorf("i18n: %s: key %q defined twice", lang, k)
				}
				out[lang][k] = v
			}
		}
	}
	return out, nil
}

// T returns the message key in lang, formatted with args. A missing key
// shows as !key! so tests and people notice.
func T(lang, key string, args ...any) string {
	m, ok := catalog[lang]
	if !ok {
		m = catalog[Languages[0]]
	}
	s, ok := m[key]
	if !ok {
		return "!" + key + "!"
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Has reports whether key exists (in the default language).
func Has(key string) bool {
	_, ok := catalog[Languages[0]][key]
	return ok
}

// Keys returns the sorted keys of lang.
func Keys(lang string) []string {
	var out []string
	for k := range catalog[lang] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var matcher = language.NewMatcher([]language.Tag{language.SimplifiedChinese, language.English})

// Match picks the UI language for an Accept-Language header.
func Match(acceptLanguage string) string {
	if strings.TrimSpace(acceptLanguage) == "" {
		return Languages[0]
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Languages[0]
	}
	_, idx, conf := matcher.Match(tags...)
	if conf == language.No {
		return Languages[0]
	}
	return Languages[idx]
}

// Valid reports whether lang is a UI language.
func Valid(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// Message is an error's text in lang.
func Message(lang string, e *apperr.Error) string { return T(lang, e.Key, e.Args...) }

// Field is a field error's text in lang.
func Field(lang string, f apperr.FieldError) string { return T(lang, f.Key, f.Args...) }
