package e2e_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"bulwark/internal/servertest"
	"bulwark/internal/store"
)

// newPassword is what the first admin changes the one-time password to.
const newPassword = "Qiang-Mima-2026!"

// TestBrowserFirstDay is a security manager's first day with Bulwark, in a
// real browser set to Chinese: log in with the console's one-time password,
// change it, register a switch by hand, import a spreadsheet, find the
// switches by search, read one asset's page and history, switch the UI to
// English, log out. It checks what the person sees at each step, and keeps a
// screenshot of each.
func TestBrowserFirstDay(t *testing.T) {
	chromiumPath(t) // skip (or, in CI, fail) before starting anything
	for _, engine := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			e := servertest.New(t, engine)
			b := newBrowser(t, e.HTTP.URL, "first-day-"+string(engine), "zh-CN", 1366, 768)
			firstDay(t, e, b)
		})
	}
}

func firstDay(t *testing.T, e *servertest.Env, b *browser) {
	if e.AdminPassword == "" {
		t.Fatal("the first run made no admin with a one-time password")
	}

	// The page's own scripts are off for the whole day: the core forms
	// must work without JavaScript. (The test's probes still run.)
	b.must("turn the page's JavaScript off", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))

	// Anyone arriving is sent to the login page, in Chinese.
	b.open("/")
	b.seePath("/login")
	b.see("main", "Bulwark 信息安全管理平台", "用户名", "密码")
	b.shot("login")

	// A mistyped password says so, and keeps the username.
	b.fill("username", "admin")
	b.fill("password", "wrong-password")
	b.submit("login-submit")
	b.see(".error", "用户名或密码不正确")
	b.shot("login-failed")

	// The one-time password works, and leads straight to changing it.
	b.fill("password", e.AdminPassword)
	b.submit("login-submit")
	b.seePath("/account/password")
	b.see("main", "修改密码", "您正在使用初始密码")
	b.shot("must-change-password")

	// Two different new passwords are refused next to the field.
	b.fill("old_password", e.AdminPassword)
	b.fill("password", newPassword)
	b.fill("confirm", newPassword+"x")
	b.submit("password-submit")
	b.see("main", "两次输入的密码不一致")
	b.fill("old_password", e.AdminPassword)
	b.fill("password", newPassword)
	b.fill("confirm", newPassword)
	b.submit("password-submit")
	b.seePath("/assets")
	b.see(".flash", "密码已修改")
	b.see("main", "资产台账")
	if title := b.title(); title != "资产台账 - Bulwark 信息安全管理平台" {
		b.fatalf("the asset register's title is %q", title)
	}
	b.shot("password-changed")

	createSwitch(b)
	if os.Getenv("BULWARK_E2E_SKIP_IMPORT") == "" {
		importAssets(t, b)
	} else {
		t.Log("BULWARK_E2E_SKIP_IMPORT is set: the import step is skipped")
	}
	imported := os.Getenv("BULWARK_E2E_SKIP_IMPORT") == ""

	// Search by two Chinese characters finds both switches and not the
	// server.
	b.clickCSS(`nav.side a[href="/assets"]`)
	b.fill("asset-search", "交换")
	b.submit("search-submit")
	b.seePath("/assets")
	b.see("table.list", "核心交换机")
	if imported {
		b.see("table.list", "接入交换机-01")
		b.notSee("table.list", "财务数据库服务器")
	}
	b.shot("search")

	// The asset's own page shows its facts and who created it.
	follow(b, chromedp.Search(`//table[contains(@class,"list")]//a[text()="核心交换机"]`))
	b.see("h1", "核心交换机")
	b.see("main", "网络设备", "变更记录", "新建资产", "admin")
	b.shot("asset")

	// The account page switches the interface to English.
	b.clickCSS(`header a[href="/account"]`)
	b.see("h1", "我的账户")
	b.choose("locale", "en")
	b.submit("language-save")
	b.see("h1", "My account")
	b.see("nav.side", "Asset register")
	b.see(".flash", "Saved")
	b.notSee("main", "我的账户")
	b.shot("account-english")

	// Logging out ends the session; the login page keeps the language.
	b.submit("logout")
	b.seePath("/login")
	b.see("main", "Log in", "Username")
	b.see(".flash", "You have logged out")
	b.shot("logged-out")
	b.open("/assets")
	b.seePath("/login")
}

// createSwitch registers the core switch through the asset form: first with
// a mistyped IP address, which the form explains, then corrected.
func createSwitch(b *browser) {
	b.t.Helper()
	b.submit("new-asset")
	b.seePath("/assets/new")
	b.see("h1", "新建资产")
	b.fill("name", "核心交换机")
	b.choose("type", "network_device")
	b.choose("confidentiality", "4")
	b.choose("integrity", "4")
	b.choose("availability", "5")
	b.fill("department", "信息中心")
	b.fill("ips", "10.0.0.300")
	b.submit("asset-save")
	b.see(".error", "请按提示修改标红的内容", "IP地址：“10.0.0.300”不是有效的IP地址或网段")
	b.see("#ips-error", "“10.0.0.300”不是有效的IP地址或网段")
	b.shot("asset-form-errors")
	b.fill("ips", "10.0.0.1")
	b.submit("asset-save")
	b.see(".flash", "已保存")
	b.see("h1", "核心交换机")
	b.see("main", "网络设备", "信息中心", "10.0.0.1")
	b.shot("asset-created")
}

// importAssets imports a spreadsheet through the import pages. They follow
// the import contract: GET /assets/import has a file input #import-file and
// a button #import-preview; the preview has #import-confirm, which redirects
// to /assets?flash=flash.imported; the list links to /assets/import.
func importAssets(t *testing.T, b *browser) {
	t.Helper()
	file := writeImportFile(t)
	b.clickCSS(`nav.side a[href="/assets"]`)
	b.clickCSS(`main a[href="/assets/import"]`)
	b.seePath("/assets/import")
	b.shot("import")
	b.must("choose the spreadsheet in #import-file of the import page", chromedp.SetUploadFiles(chromedp.ID("import-file"), []string{file}))
	b.submit("import-preview")
	b.see("main", "接入交换机-01", "财务数据库服务器")
	b.shot("import-preview")
	b.submit("import-confirm")
	b.seePath("/assets")
	if p := b.path(); !strings.Contains(p, "flash=flash.imported") {
		b.fatalf("after the import the browser is on %s, want the flash flash.imported", p)
	}
	b.see("table.list", "接入交换机-01", "财务数据库服务器", "核心交换机")
	b.shot("imported")
}

// writeImportFile makes the spreadsheet a Chinese team would have: Chinese
// headers, Chinese type names, one switch and one server.
func writeImportFile(t *testing.T) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	rows := [][]any{
		{"资产名称", "资产类型", "IP地址", "所属部门", "保密性", "完整性", "可用性"},
		{"接入交换机-01", "网络设备", "10.0.1.1", "信息中心", 3, 3, 4},
		{"财务数据库服务器", "服务器", "10.0.2.10", "财务部", 5, 5, 4},
	}
	for i, row := range rows {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.SetSheetRow(sheet, cell, &row); err != nil {
			t.Fatalf("write import row %d: %v", i+1, err)
		}
	}
	p := filepath.Join(t.TempDir(), "资产清单.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatalf("save import file: %v", err)
	}
	return p
}
