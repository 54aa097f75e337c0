// Package e2e holds the tests that drive the whole application through a
// real browser (chromedp and Debian's chromium) and check the text a person
// sees: TestBrowserFirstDay walks a security manager's first day on SQLite
// and PostgreSQL; TestBrowserScreens shows every core page in both languages
// on a desktop and a phone. The package has no code of its own.
//
// Environment:
//
//	BULWARK_TEST_REQUIRE_ALL   set in CI: no chromium is a failure, not a skip
//	BULWARK_CHROMIUM           the browser to run, when not chromium on PATH
//	BULWARK_E2E_SHOTS=<dir>    also keep the screenshots of every step there
//	BULWARK_E2E_SKIP_IMPORT=1  leave out the spreadsheet import step
package e2e
