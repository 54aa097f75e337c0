package web_test

import (
	"net/http"
	"regexp"
	"testing"

	"bulwark/internal/auth"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
)

var (
	sideNav  = regexp.MustCompile(`(?s)<nav class="side".*?</nav>`)
	navHrefs = regexp.MustCompile(`href="([^"]+)"`)
)

// Every link of the menu, as the most privileged user sees it, opens a page:
// the menu never shows a module that is not built.
func TestMenuLinksOpen(t *testing.T) {
	e := servertest.New(t, store.SQLite)
	admin := e.CreateUser("root", e.Org, auth.RoleAdmin)
	c := e.SessionClient(admin, e.Org)
	page := c.Get("/assets")
	nav := sideNav.FindString(page.Body)
	if nav == "" {
		t.Fatalf("GET /assets: no side navigation in the page:\n%s", page.Body)
	}
	links := navHrefs.FindAllStringSubmatch(nav, -1)
	if len(links) == 0 {
		t.Fatal("the menu is empty")
	}
	for _, l := range links {
		if res := c.Get(l[1]); res.StatusCode != http.StatusOK {
			t.Errorf("menu link %s answers %d", l[1], res.StatusCode)
		}
	}
}

// The start page leads to the first module of the menu and keeps a flash
// message (the password change lands there).
func TestHomeKeepsFlash(t *testing.T) {
	e := servertest.New(t, store.SQLite)
	u := e.CreateUser("viewer", e.Org, auth.RoleViewer)
	res := e.SessionClient(u, e.Org).Get("/?flash=flash.password_changed")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/assets?flash=flash.password_changed" {
		t.Fatalf("GET / = %d to %q, want 303 to the asset register with the flash", res.StatusCode, res.Header.Get("Location"))
	}
}
