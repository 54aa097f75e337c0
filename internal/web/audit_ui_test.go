package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"bulwark/internal/asset"
	"bulwark/internal/auth"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// admRows returns the seq of every row of an audit list page, in order.
func admRows(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<tr id="audit-(\d+)">`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestAuditListFiltersPagingAndDetails(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		mgr := e.CreateUser("mgr", e.Org, auth.RoleSecurityManager)
		ctx := e.Actor(mgr, e.Org)
		// 55 assets on 25 November, then one change on 26 November (Beijing time).
		var ids []int64
		for i := range 55 {
			a, err := e.App.Assets.Create(ctx, asset.Asset{Name: fmt.Sprintf("srv-%02d", i), Type: asset.TypeServer, C: 2, I: 2, A: 2})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, a.ID)
		}
		e.Clock.Advance(12 * time.Hour) // 08:00 UTC + 12 h = 04:00 on the 26th in Beijing
		if _, err := e.App.Assets.Update(ctx, ids[0], asset.Asset{Name: "srv-00-renamed", Type: asset.TypeServer, C: 2, I: 2, A: 3}); err != nil {
			t.Fatal(err)
		}
		aud := e.Login(e.CreateUser("aud", e.Org, auth.RoleAuditor).Username)

		// Newest first, 50 a page, with a cursor to the older ones.
		first := admWant(t, aud.Get("/audit?group=asset."), 200, "first page")
		rows := admRows(first.Body)
		if len(rows) != 50 {
			t.Fatalf("first page has %d rows", len(rows))
		}
		next := strings.ReplaceAll(admFind(t, first.Body, `href="([^"]+)" id="audit-next"`), "&amp;", "&")
		if !strings.Contains(next, "before="+rows[49]) || !strings.Contains(next, "group=asset.") {
			t.Fatalf("next link %q, last row %s", next, rows[49])
		}
		second := admWant(t, aud.Get(next), 200, "second page")
		rows2 := admRows(second.Body)
		if len(rows2) != 6 || strings.Contains(second.Body, `id="audit-next"`) || !strings.Contains(second.Body, `id="audit-newest"`) {
			t.Fatalf("second page: %d rows\n%s", len(rows2), second.Body)
		}
		// The newest row is the change, labelled, linked and with its fields.
		if !strings.Contains(first.Body, fmt.Sprintf(`<a href="/assets/%d">资产 %d</a>`, ids[0], ids[0])) ||
			!strings.Contains(first.Body, "<b>name</b>: <del>srv-00</del> → <ins>srv-00-renamed</ins>") ||
			!strings.Contains(first.Body, "<td>修改资产</td>") {
			t.Fatalf("change row:\n%s", first.Body)
		}

		for _, tc := range []struct {
			name  string
			query url.Values
			rows  int
		}{
			{"one day, inclusive", url.Values{"from": {"2026-11-26"}, "to": {"2026-11-26"}, "group": {"asset."}}, 1},
			{"day before", url.Values{"to": {"2026-11-25"}, "group": {"asset."}}, 50},
			{"free prefix beats the group", url.Values{"group": {"login."}, "action": {"asset.update"}}, 1},
			{"actor", url.Values{"actor": {"aud"}}, 1}, // aud's own login
			{"object", url.Values{"object_type": {"asset"}, "object_id": {fmt.Sprint(ids[0])}}, 2},
			{"nobody", url.Values{"actor": {"nobody"}}, 0},
		} {
			res := admWant(t, aud.Get("/audit?"+tc.query.Encode()), 200, tc.name)
			if got := len(admRows(res.Body)); got != tc.rows {
				t.Errorf("%s: %d rows, want %d", tc.name, got, tc.rows)
			}
		}
		bad := admWant(t, aud.Get("/audit?from=26/11/2026"), 422, "bad date")
		if !strings.Contains(bad.Body, "请输入日期") {
			t.Fatalf("bad date page:\n%s", bad.Body)
		}
		admWant(t, aud.Get("/audit?from=2026-11-27&to=2026-11-26"), 422, "reversed dates")

		// The record's page: before and after, hash and previous hash.
		upd := admRows(admWant(t, aud.Get("/audit?action=asset.update"), 200, "update").Body)[0]
		show := admWant(t, aud.Get("/audit/"+upd), 200, "record")
		hash := admFind(t, show.Body, `id="audit-hash">([0-9a-f]{64})<`)
		prev := admFind(t, show.Body, `id="audit-prev-hash">([0-9a-f]{64})<`)
		if hash == prev || !strings.Contains(show.Body, `&#34;name&#34;: &#34;srv-00&#34;`) ||
			!strings.Contains(show.Body, `&#34;name&#34;: &#34;srv-00-renamed&#34;`) {
			t.Fatalf("record page:\n%s", show.Body)
		}
		admWant(t, aud.Get("/audit/999999"), 404, "no such record")
		admWant(t, aud.Get("/audit/x"), 404, "not a number")
		admWant(t, aud.Get("/audit?scope=installation"), 403, "auditor on installation records")
		// Only platform admins get the scope switch.
		if strings.Contains(first.Body, `name="scope"`) {
			t.Error("an auditor is offered the installation scope")
		}
		admWant(t, e.Login("mgr").Get("/audit/"+upd), 200, "security manager")
		admWant(t, e.Login(e.CreateUser("viewer", e.Org, auth.RoleViewer).Username).Get("/audit/"+upd), 403, "viewer")
	})
}

func TestAuditInstallationScope(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		e.CreateUser("root", e.Org, auth.RoleAdmin)
		if _, res := admLogin(e, "who-is-this", "guess"); res.StatusCode == http.StatusSeeOther {
			t.Fatal("unknown user logged in")
		}
		admin := e.Login("root")
		regular := admWant(t, admin.Get("/audit"), 200, "regular")
		if !strings.Contains(regular.Body, `name="scope"`) || strings.Contains(regular.Body, "who-is-this") {
			t.Fatalf("regular scope:\n%s", regular.Body)
		}
		inst := admWant(t, admin.Get("/audit?scope=installation"), 200, "installation")
		if !strings.Contains(inst.Body, "<td>who-is-this</td>") || len(admRows(inst.Body)) != 1 {
			t.Fatalf("installation scope:\n%s", inst.Body)
		}
	})
}

// A provider's staff member works for two customers: they see the switcher,
// and each organisation's assets and records only while working in it.
func TestProviderStaffSwitchesOrganisations(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		orgB := e.CreateOrg("客户B")
		staff := e.CreateUser("staff", e.Org, auth.RoleSecurityManager)
		if err := e.App.Accounts.SetRoles(e.System(e.Org), staff.ID, orgB, []auth.Role{auth.RoleSecurityManager}); err != nil {
			t.Fatal(err)
		}
		assetA, err := e.App.Assets.Create(e.Actor(staff, e.Org), asset.Asset{Name: "甲方-核心交换机", Type: asset.TypeNetwork, C: 3, I: 3, A: 3})
		if err != nil {
			t.Fatal(err)
		}
		assetB, err := e.App.Assets.Create(e.Actor(staff, orgB), asset.Asset{Name: "乙方-数据库", Type: asset.TypeData, C: 3, I: 3, A: 3})
		if err != nil {
			t.Fatal(err)
		}
		linkA, linkB := fmt.Sprintf(`href="/assets/%d"`, assetA.ID), fmt.Sprintf(`href="/assets/%d"`, assetB.ID)

		c := e.Login("staff")
		assets := admWant(t, c.Get("/assets"), 200, "assets in A")
		if !strings.Contains(assets.Body, `action="/org/switch"`) || !strings.Contains(assets.Body, "客户B") {
			t.Fatalf("no switcher for a member of two organisations:\n%s", assets.Body)
		}
		trailA := admWant(t, c.Get("/audit?group=asset."), 200, "audit in A")
		if !strings.Contains(assets.Body, "甲方-核心交换机") || strings.Contains(assets.Body, "乙方") ||
			!strings.Contains(trailA.Body, linkA) || strings.Contains(trailA.Body, linkB) || strings.Contains(trailA.Body, "乙方") {
			t.Fatalf("organisation A shows B's data")
		}

		admWant(t, c.PostForm("/org/switch", url.Values{"org": {fmt.Sprint(orgB)}}), http.StatusSeeOther, "switch")
		assets = admWant(t, c.Get("/assets"), 200, "assets in B")
		trailB := admWant(t, c.Get("/audit?group=asset."), 200, "audit in B")
		if !strings.Contains(assets.Body, "乙方-数据库") || strings.Contains(assets.Body, "甲方") ||
			!strings.Contains(trailB.Body, linkB) || strings.Contains(trailB.Body, linkA) || strings.Contains(trailB.Body, "甲方") {
			t.Fatalf("organisation B shows A's data:\n%s", trailB.Body)
		}
		// Records of A are not reachable from B either.
		seqA := admRows(trailA.Body)[0]
		admWant(t, c.Get("/audit/"+seqA), 404, "A's record from B")

		// A member of one organisation sees no switcher.
		single := e.Login(e.CreateUser("local", orgB, auth.RoleViewer).Username)
		if page := admWant(t, single.Get("/assets"), 200, "single member"); strings.Contains(page.Body, `action="/org/switch"`) {
			t.Fatal("a member of one organisation sees the switcher")
		}
	})
}

// With one organisation, no page but the organisations' admin page speaks
// of organisations.
func TestSingleOrganisationShowsNoOrganisationControls(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		root := e.CreateUser("root", e.Org, auth.RoleAdmin)
		u := e.CreateUser("hal", e.Org, auth.RoleAuditor)
		admin := e.Login("root")
		const orgName = "本单位"
		for _, path := range []string{"/assets", "/audit", "/account", "/admin/users", "/admin/users/new",
			fmt.Sprintf("/admin/users/%d", u.ID), fmt.Sprintf("/admin/users/%d/edit", u.ID), fmt.Sprintf("/admin/users/%d", root.ID)} {
			page := admWant(t, admin.Get(path), 200, path)
			markers := []string{`action="/org/switch"`, `class="org-name"`, "在“", `value="org."`, `value="org"`}
			if path != "/audit" { // the trail itself records the organisation's creation
				markers = append(markers, orgName)
			}
			for _, marker := range markers {
				if strings.Contains(page.Body, marker) {
					t.Errorf("%s shows %q with a single organisation", path, marker)
				}
			}
		}
		if page := admWant(t, admin.Get("/admin/orgs"), 200, "organisations"); !strings.Contains(page.Body, orgName) {
			t.Fatal("the organisations page hides the only organisation")
		}

		// With a second one, organisation names appear.
		e.CreateOrg("客户B")
		for _, path := range []string{"/admin/users", fmt.Sprintf("/admin/users/%d", u.ID), "/admin/users/new"} {
			if page := admWant(t, admin.Get(path), 200, path); !strings.Contains(page.Body, orgName) {
				t.Errorf("%s does not name the organisation with two of them", path)
			}
		}
		if page := admWant(t, admin.Get("/audit"), 200, "audit"); !strings.Contains(page.Body, `<option value="org."`) {
			t.Error("the audit filter does not offer organisation records with two organisations")
		}
	})
}
