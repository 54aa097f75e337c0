// Package e2e holds the tests that drive the whole application through a
// real browser (chromedp and Debian's chromium): what a person does in the
// UI, checked on the text they see. The package has no code of its own.
//
// Without chromium the tests skip, unless BULWARK_TEST_REQUIRE_ALL is set
// (CI), where they fail. BULWARK_E2E_SHOTS=<dir> keeps the screenshots.
package e2e
