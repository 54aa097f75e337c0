package web

import (
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"time"

	"bulwark/internal/asset"
	"bulwark/internal/auth"
	"bulwark/internal/i18n"
)

// funcs are the template functions for one language and actor.
func (u *UI) funcs(lang string, actor *auth.Actor) template.FuncMap {
	loc := time.Local
	if u.Cfg != nil && u.Cfg.Location != nil {
		loc = u.Cfg.Location
	}
	return template.FuncMap{
		"T": func(key string, args ...any) string { return i18n.T(lang, key, args...) },
		"can": func(p string) bool {
			return actor.Can(auth.Perm(p))
		},
		"hasRole": func(r string) bool { return actor.HasRole(auth.Role(r)) },
		"datetime": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(loc).Format("2006-01-02 15:04:05")
		},
		"date": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(loc).Format("2006-01-02")
		},
		"join":       func(l []string, sep string) string { return strings.Join(l, sep) },
		"levelName":  func(v int) string { return i18n.T(lang, asset.LevelKey(v)) },
		"assetTypes": func() []asset.Type { return asset.Types },
		"statuses":   func() []asset.Status { return asset.Statuses },
		"ratings":    func() []int { return []int{1, 2, 3, 4, 5} },
		"roleNames":  func() []auth.Role { return auth.OrgRoles },
		"str":        func(v any) string { return fmt.Sprint(v) },
		"list":       func(items ...string) []string { return items },
		"add":        func(a, b int) int { return a + b },
		"sub":        func(a, b int) int { return a - b },
		// qset returns the URL query q with key set to value (and the page
		// reset unless the key is the page itself).
		"qset": qset,
		// sortLink sorts by key, or by key descending when already sorted by key.
		"sortLink": func(q url.Values, key string) string {
			if q.Get("sort") == key {
				return qset(q, "sort", "-"+key)
			}
			return qset(q, "sort", key)
		},
		"pageLink": func(q url.Values, page int) string { return qset(q, "page", fmt.Sprint(page)) },
	}
}

func qset(q url.Values, key, value string) string {
	c := url.Values{}
	for k, v := range q {
		c[k] = append([]string(nil), v...)
	}
	if value == "" {
		c.Del(key)
	} else {
		c.Set(key, value)
	}
	if key != "page" {
		c.Del("page")
	}
	return "?" + c.Encode()
}
