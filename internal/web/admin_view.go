package web

import (
	"net/http"
	"sort"
	"strings"
	"time"

	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/i18n"
	"bulwark/internal/org"
)

// View data shared by the audit and administration pages. Templates get
// everything ready to print: labels are translated and links decided here,
// so the templates need no functions beyond the common ones.

// actionLabel is an action's name in lang, or the action itself when the
// catalogue has no entry (actions added by later modules stay readable).
func actionLabel(lang, action string) string {
	if key := "action." + action; i18n.Has(key) {
		return i18n.T(lang, key)
	}
	return action
}

// objectLabel names an object type in lang.
func objectLabel(lang, objectType string) string {
	if key := "audit.object." + objectType; i18n.Has(key) {
		return i18n.T(lang, key)
	}
	return objectType
}

// objectLink is the page of an audit record's object, when it has one and
// the actor may open it; "" otherwise.
func objectLink(a *auth.Actor, objectType, objectID string) string {
	if objectID == "" || objectID == "0" {
		return ""
	}
	switch {
	case objectType == "asset" && a.Can(auth.PermAssetRead):
		return "/assets/" + objectID
	case objectType == "user" && a.Can(auth.PermUserManage):
		return "/admin/users/" + objectID
	case objectType == "org" && a.Can(auth.PermOrgManage):
		return "/admin/orgs/" + objectID
	}
	return ""
}

// historyRow is one line of an object's history on its page.
type historyRow struct {
	Seq         int64
	At          time.Time
	Actor       string
	ActionLabel string
	Fields      []audit.FieldChange
}

func historyRows(lang string, changes []audit.Change) []historyRow {
	out := make([]historyRow, 0, len(changes))
	for _, c := range changes {
		out = append(out, historyRow{Seq: c.Seq, At: c.At, Actor: c.Actor, ActionLabel: actionLabel(lang, c.Action), Fields: c.Fields})
	}
	return out
}

// membership is the roles held in one organisation, for display.
type membership struct {
	Org   org.Org
	Roles []auth.Role
}

// memberships lists roles by organisation in the organisations' order.
func memberships(orgs []org.Org, roles map[int64][]auth.Role) []membership {
	var out []membership
	for _, o := range orgs {
		if rs := roles[o.ID]; len(rs) > 0 {
			out = append(out, membership{Org: o, Roles: rs})
		}
	}
	return out
}

// roleSet turns a role list into a set for checkboxes.
func roleSet(roles []auth.Role) map[auth.Role]bool {
	m := map[auth.Role]bool{}
	for _, r := range roles {
		m[r] = true
	}
	return m
}

// formRoles reads the checked roles of a form, in display order.
func formRoles(r *http.Request) []auth.Role {
	_ = r.ParseForm()
	var out []auth.Role
	for _, s := range r.PostForm["roles"] {
		out = append(out, auth.Role(strings.TrimSpace(s)))
	}
	order := map[auth.Role]int{}
	for i, role := range auth.OrgRoles {
		order[role] = i + 1
	}
	sort.SliceStable(out, func(i, j int) bool { return order[out[i]] < order[out[j]] })
	return out
}

// orgName finds an organisation's name in a list.
func orgName(orgs []org.Org, id int64) string {
	for _, o := range orgs {
		if o.ID == id {
			return o.Name
		}
	}
	return ""
}
