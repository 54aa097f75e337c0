package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
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
		// objectName names the kind of object an approval or task is on
		// (approval.object.<type>), or shows the type itself for a module
		// that has no name in the catalogue yet.
		"objectName": func(typ string) string {
			if key := "approval.object." + typ; i18n.Has(key) {
				return i18n.T(lang, key)
			}
			return typ
		},
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
		// menu is the main navigation this user may see, section marked.
		"menu":        func(section string) []navGroup { return u.menu(actor, section) },
		"assetFields": func() []string { return assetFormFields },
		"assetFieldLabel": func(field string) string {
			if k := "asset.field." + field; i18n.Has(k) {
				return i18n.T(lang, k)
			}
			return field
		},
		"assetText": assetText,
		"subtypes":  func(t asset.Type) []string { return asset.Subtypes[t] },
		// historyValue shows a value of an asset's history as the form
		// shows it: type and status names, lists as lists, "(empty)".
		"historyValue": func(field, value string) string { return historyValue(lang, field, value) },
	}
}

// assetFormFields are the asset form's fields in the order it shows them,
// for the list of errors at its top.
var assetFormFields = []string{"name", "number", "type", "subtype", "status", "owner", "department",
	"business_system", "location", "ips", "hostnames", "os", "vendor_model",
	"confidentiality", "integrity", "availability", "tags", "notes"}

// assetText is the value of one of a's free-text fields, by form name.
func assetText(a asset.Asset, field string) string {
	switch field {
	case "owner":
		return a.Owner
	case "department":
		return a.Department
	case "business_system":
		return a.BusinessSystem
	case "location":
		return a.Location
	case "os":
		return a.OS
	case "vendor_model":
		return a.VendorModel
	}
	panic("web: assetText: no field " + field)
}

func historyValue(lang, field, value string) string {
	if value == "" || value == "[]" || value == "null" {
		return i18n.T(lang, "ui.empty_value")
	}
	switch field {
	case "type", "status":
		if k := "asset." + field + "." + value; i18n.Has(k) {
			return i18n.T(lang, k)
		}
	case "confidentiality", "integrity", "availability", "value":
		if n, err := strconv.Atoi(value); err == nil && n >= 1 && n <= 5 {
			return value + " " + i18n.T(lang, asset.LevelKey(n))
		}
	}
	if strings.HasPrefix(value, "[") {
		var l []string
		if json.Unmarshal([]byte(value), &l) == nil {
			return strings.Join(l, ", ")
		}
	}
	return value
}

// errorTitleKey is the catalogue key of the error page's heading for an
// HTTP status.
func errorTitleKey(status int) string {
	switch status {
	case http.StatusUnprocessableEntity, http.StatusForbidden, http.StatusNotFound, http.StatusConflict,
		http.StatusRequestEntityTooLarge, http.StatusTooManyRequests:
		return fmt.Sprintf("ui.error_title.%d", status)
	}
	return "page.error"
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
