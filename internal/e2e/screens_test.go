package e2e_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"bulwark/internal/asset"
	"bulwark/internal/auth"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
)

// screen is a window size the UI must work at.
type screen struct {
	name          string
	width, height int
}

var screens = []screen{{"desktop", 1366, 768}, {"phone", 390, 844}}

// TestBrowserScreens shows every core page in both languages on a desktop
// and on a phone, and checks what no page may do: scroll the whole page
// sideways (wide tables scroll inside their frame instead), show a missing
// catalogue key, or use a style or script the CSP refuses. It keeps a
// screenshot of each page, for people to look at (BULWARK_E2E_SHOTS).
func TestBrowserScreens(t *testing.T) {
	chromiumPath(t)
	e := servertest.New(t, store.SQLite)
	users := map[string]string{"zh-CN": "zhang.wei", "en": "alice"}
	for lang, name := range users {
		u := e.CreateUser(name, e.Org, auth.RoleSecurityManager)
		if err := e.App.Accounts.SetLocale(e.Actor(u, e.Org), lang); err != nil {
			t.Fatalf("set %s's language: %v", name, err)
		}
	}
	mgr := e.CreateUser("seed", e.Org, auth.RoleSecurityManager)
	ctx := e.Actor(mgr, e.Org)

	// Each language has its own browser and user. Pages are shown first
	// with an empty register, then with a full one.
	browsers := map[string]*browser{}
	langs := []string{"zh-CN", "en"}
	for _, lang := range langs {
		b := newBrowser(t, e.HTTP.URL, "screens-"+lang, lang, 1366, 768)
		browsers[lang] = b
		b.open("/login")
		b.see("h1", map[string]string{"zh-CN": "登录", "en": "Log in"}[lang])
		look(b, "login")
		b.fill("username", users[lang])
		b.fill("password", servertest.Password)
		b.submit("login-submit")
		b.seePath("/assets")
		b.see(".empty", map[string]string{"zh-CN": "资产台账还是空的", "en": "The asset register is empty"}[lang])
		look(b, "assets-empty")
	}
	seedAssets(t, e, ctx, 30)
	for _, lang := range langs {
		b := browsers[lang]
		b.open("/assets")
		b.see(".count", map[string]string{"zh-CN": "共 30 条", "en": "30 in total"}[lang])
		look(b, "assets")
		b.open("/assets?q=no-such-asset-anywhere")
		b.see(".empty", map[string]string{"zh-CN": "没有符合条件的资产", "en": "No asset matches"}[lang])
		look(b, "assets-none-found")

		// The form with the server's field errors shown.
		b.open("/assets/new")
		b.fill("name", "边界防火墙")
		b.fill("number", "FW 01")
		b.fill("ips", "10.0.0.1\n300.1.1.1")
		b.submit("asset-save")
		b.see("#number-error", map[string]string{"zh-CN": "编号须为", "en": "letters, digits"}[lang])
		b.see("#ips-error", "300.1.1.1")
		look(b, "asset-form-errors")

		b.open("/assets?sort=number")
		b.clickCSS("table.list td.name a")
		b.see("table.history", map[string]string{"zh-CN": "修改资产", "en": "Asset changed"}[lang])
		look(b, "asset")
		// Delete asks once more, in a disclosure that needs no script.
		b.must("open the delete confirmation", chromedp.Click(chromedp.CSS("details.confirm > summary")))
		b.see(".confirm-box", map[string]string{"zh-CN": "确定删除“核心交换机-01”吗", "en": "Delete “核心交换机-01”?"}[lang])
		look(b, "asset-delete")

		b.open("/account")
		look(b, "account")

		b.open("/assets/999999")
		b.see("h1", map[string]string{"zh-CN": "找不到该页面或记录", "en": "Page or record not found"}[lang])
		look(b, "error")
	}
}

// look shows the current page at every screen size, checks it and keeps a
// screenshot of each.
func look(b *browser, page string) {
	b.t.Helper()
	for _, s := range screens {
		b.must("resize to "+s.name, chromedp.EmulateViewport(int64(s.width), int64(s.height), phoneOptions(s)...))
		b.noSidewaysScroll(s)
		b.shot(page + "-" + s.name)
	}
}

// phoneOptions makes a phone viewport behave as one (mobile layout rules,
// touch).
func phoneOptions(s screen) []chromedp.EmulateViewportOption {
	if s.width >= 800 {
		return nil
	}
	return []chromedp.EmulateViewportOption{chromedp.EmulateMobile, chromedp.EmulateTouch}
}

// noSidewaysScroll fails when the page is wider than the window.
func (b *browser) noSidewaysScroll(s screen) {
	b.t.Helper()
	ctx, cancel := b.stepContext()
	defer cancel()
	w, err := chromedp.Run(ctx, chromedp.Evaluate[int]("document.documentElement.scrollWidth"))
	if err != nil {
		b.fatalf("measure the page: %v", err)
	}
	if w > s.width {
		b.fatalf("page %s is %d px wide on a %d px %s: it scrolls sideways", b.path(), w, s.width, s.name)
	}
}

// seedAssets registers n assets of a plausible organisation, and edits the
// first one twice so it has a history.
func seedAssets(t *testing.T, e *servertest.Env, ctx context.Context, n int) {
	t.Helper()
	kinds := []struct {
		name string
		typ  asset.Type
		sub  string
	}{
		{"核心交换机", asset.TypeNetwork, "交换机"}, {"出口路由器", asset.TypeNetwork, "路由器"},
		{"边界防火墙", asset.TypeSecurity, "防火墙"}, {"财务数据库服务器", asset.TypeServer, "物理服务器"},
		{"OA办公系统", asset.TypeApplication, "Web服务"}, {"员工笔记本电脑", asset.TypeTerminal, "笔记本电脑"},
		{"核心业务数据", asset.TypeData, ""}, {"备份存储阵列", asset.TypeStorage, "NAS存储"},
	}
	depts := []string{"信息中心", "财务部", "人力资源部", "办公室", "市场部"}
	statuses := []asset.Status{asset.StatusInUse, asset.StatusInUse, asset.StatusInUse, asset.StatusPlanned, asset.StatusMaintenance, asset.StatusIdle, asset.StatusRetired}
	var first asset.Asset
	for i := 0; i < n; i++ {
		k := kinds[i%len(kinds)]
		a, err := e.App.Assets.Create(ctx, asset.Asset{
			Name: fmt.Sprintf("%s-%02d", k.name, i/len(kinds)+1), Type: k.typ, Subtype: k.sub,
			Department: depts[i%len(depts)], Owner: []string{"张伟", "李娜", "王强"}[i%3],
			IPs:    []string{fmt.Sprintf("10.%d.%d.%d", i%4, i%16, 10+i)},
			Status: statuses[i%len(statuses)], C: 1 + i%5, I: 1 + (i+2)%5, A: 1 + (i+4)%5,
			Tags: []string{"等保三级"},
		})
		if err != nil {
			t.Fatalf("seed asset %d: %v", i, err)
		}
		if i == 0 {
			first = a
		}
	}
	edit := first
	edit.Owner, edit.Location, edit.Status = "赵敏", "A座3楼机房", asset.StatusMaintenance
	edit.IPs = append(edit.IPs, "10.0.0.2")
	if _, err := e.App.Assets.Update(ctx, first.ID, edit); err != nil {
		t.Fatalf("edit seeded asset: %v", err)
	}
	edit.Status, edit.C = asset.StatusInUse, 5
	if _, err := e.App.Assets.Update(ctx, first.ID, edit); err != nil {
		t.Fatalf("edit seeded asset again: %v", err)
	}
}
