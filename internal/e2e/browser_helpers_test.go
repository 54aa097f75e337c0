package e2e_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"

	"bulwark/internal/storetest"
)

// stepTimeout bounds one browser step: a page load or a query that waits for
// an element. Generous, because the machines running tests are shared.
const stepTimeout = 30 * time.Second

// chromiumPath finds the browser. Without one the test skips on a laptop and
// fails in CI (BULWARK_TEST_REQUIRE_ALL), so CI cannot go green by skipping.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("BULWARK_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if storetest.RequireAll() {
		t.Fatal("chromium not found (install Debian's chromium), and BULWARK_TEST_REQUIRE_ALL says browser tests must run")
	}
	t.Skip("chromium not found; skipping the browser test")
	return ""
}

// browser is a headless chromium with a fresh profile, driving one tab
// against base. It takes a screenshot after each step it is told to.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
	name string // prefix of the screenshot files

	mu       sync.Mutex
	cspFails []string // Content-Security-Policy violations the page reported

	shots int
}

// newBrowser starts chromium whose Accept-Language is lang, with a window of
// width × height.
func newBrowser(t *testing.T, base, name, lang string, width, height int) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-sync", true),
		// What a browser set to Chinese sends; the UI picks its language
		// from it until the user chooses one.
		chromedp.Flag("lang", lang),
		chromedp.Flag("accept-lang", lang),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	)
	if os.Geteuid() == 0 {
		// chromium refuses to run as root inside its sandbox.
		opts = append(opts, chromedp.NoSandbox)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	b := &browser{t: t, ctx: ctx, base: base, name: name}
	// The first call starts the browser; it must have no timeout, which
	// would end the browser with it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*log.EventEntryAdded); ok && e.Entry != nil && strings.Contains(e.Entry.Text, "Content Security Policy") {
			b.mu.Lock()
			b.cspFails = append(b.cspFails, e.Entry.Text)
			b.mu.Unlock()
		}
	}); err != nil {
		t.Fatalf("listen to the browser log: %v", err)
	}
	if err := b.do(chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		t.Fatalf("set the viewport: %v", err)
	}
	return b
}

// do runs actions within stepTimeout.
func (b *browser) do(actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := b.stepContext()
	defer cancel()
	return chromedp.Do(ctx, actions...)
}

// stepContext bounds one step to stepTimeout.
func (b *browser) stepContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, stepTimeout)
}

// must runs actions and stops the test when one fails.
func (b *browser) must(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := b.do(actions...); err != nil {
		b.fatalf("%s: %v", what, err)
	}
}

// open loads path and waits for the page.
func (b *browser) open(path string) {
	b.t.Helper()
	b.must("open "+path, chromedp.Navigate(b.base+path))
}

// submit clicks the element with id (a submit button or a link) and waits
// for the page it leads to.
func (b *browser) submit(id string) {
	b.t.Helper()
	follow(b, chromedp.ID(id))
}

// clickCSS is submit for an element found by a CSS selector.
func (b *browser) clickCSS(sel string) {
	b.t.Helper()
	follow(b, chromedp.CSS(sel))
}

// follow clicks the element sel finds and waits for the page it leads to.
func follow[S chromedp.Selectable](b *browser, sel S) {
	b.t.Helper()
	ctx, cancel := b.stepContext()
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(sel)); err != nil {
		b.fatalf("follow %v: %v", sel, err)
	}
}

// fill types value into the field with id, after clearing it.
func (b *browser) fill(id, value string) {
	b.t.Helper()
	// chromedp.Clear fails on an empty textarea and SetValue cannot set "",
	// so the field is emptied by script; then the keys are typed as a
	// person would.
	clear := chromedp.Evaluate[chromedp.Void](fmt.Sprintf("document.getElementById(%q).value = ''", id))
	b.must("fill #"+id, chromedp.WaitVisible(chromedp.ID(id)), clear, chromedp.SendKeys(chromedp.ID(id), value))
}

// choose selects value in the <select> with id.
func (b *browser) choose(id, value string) {
	b.t.Helper()
	b.must("choose "+value+" in #"+id, chromedp.SetValue(chromedp.ID(id), value))
}

// text returns the visible text of the first element matching the CSS
// selector.
func (b *browser) text(sel string) string {
	b.t.Helper()
	ctx, cancel := b.stepContext()
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.fatalf("read the text of %s: %v", sel, err)
	}
	return s
}

// title is the page's title, as the browser tab shows it.
func (b *browser) title() string {
	b.t.Helper()
	ctx, cancel := b.stepContext()
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		b.fatalf("read the title: %v", err)
	}
	return s
}

// path is the current URL's path and query.
func (b *browser) path() string {
	b.t.Helper()
	ctx, cancel := b.stepContext()
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		b.fatalf("read the location: %v", err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		b.fatalf("parse location %q: %v", loc, err)
	}
	return u.RequestURI()
}

// seePath checks the browser is on path (ignoring the query).
func (b *browser) seePath(path string) {
	b.t.Helper()
	got := b.path()
	if p, _, _ := strings.Cut(got, "?"); p != path {
		b.fatalf("on %s, want %s", got, path)
	}
}

// see checks the visible text of the element sel holds every want (white
// space folded, as a reader sees it).
func (b *browser) see(sel string, want ...string) {
	b.t.Helper()
	got := squeeze(b.text(sel))
	for _, w := range want {
		if !strings.Contains(got, w) {
			b.fatalf("%s shows %q, without %q", sel, got, w)
		}
	}
}

// notSee checks the visible text of sel holds none of unwanted.
func (b *browser) notSee(sel string, unwanted ...string) {
	b.t.Helper()
	got := b.text(sel)
	for _, w := range unwanted {
		if strings.Contains(got, w) {
			b.fatalf("%s shows %q, which should not be there", sel, w)
		}
	}
}

// checkPage fails on what no page may have: a message key missing from the
// catalogue (shown as !key!) or a style or script the CSP refused.
func (b *browser) checkPage() {
	b.t.Helper()
	if body := b.text("body"); missingKey.MatchString(body) {
		b.fatalf("page %s shows a missing catalogue key: %s", b.path(), missingKey.FindString(body))
	}
	b.mu.Lock()
	fails := b.cspFails
	b.cspFails = nil
	b.mu.Unlock()
	if len(fails) > 0 {
		b.fatalf("page %s broke the Content-Security-Policy: %s", b.path(), strings.Join(fails, "; "))
	}
}

var missingKey = regexp.MustCompile(`![a-z_]+\.[a-z_.]+!`)

// shot saves a full-page screenshot named after the step into the test's
// temporary folder and, when BULWARK_E2E_SHOTS names a folder, there too.
func (b *browser) shot(step string) {
	b.t.Helper()
	b.checkPage()
	ctx, cancel := b.stepContext()
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.fatalf("screenshot %s: %v", step, err)
	}
	b.shots++
	name := fmt.Sprintf("%s-%02d-%s.png", b.name, b.shots, step)
	dirs := []string{b.t.TempDir()}
	if d := os.Getenv("BULWARK_E2E_SHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			b.t.Fatalf("screenshot folder: %v", err)
		}
		dirs = append(dirs, d)
	}
	for _, d := range dirs {
		if err := os.WriteFile(filepath.Join(d, name), png, 0o644); err != nil {
			b.t.Fatalf("save screenshot: %v", err)
		}
	}
}

// fatalf stops the test, keeping a screenshot of the page that failed when
// BULWARK_E2E_SHOTS is set.
func (b *browser) fatalf(format string, args ...any) {
	b.t.Helper()
	msg := fmt.Sprintf(format, args...)
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	if dir := os.Getenv("BULWARK_E2E_SHOTS"); dir != "" {
		if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
			p := filepath.Join(dir, b.name+"-failed.png")
			if os.MkdirAll(dir, 0o755) == nil && os.WriteFile(p, png, 0o644) == nil {
				msg += " (screenshot: " + p + ")"
			}
		}
	}
	b.t.Fatal(msg)
}

// squeeze folds runs of white space so page text reads on one line.
func squeeze(s string) string { return strings.Join(strings.Fields(s), " ") }
