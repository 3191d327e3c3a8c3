// Package e2e holds Sizerun's browser tests: the portal as dealers,
// planners and suppliers use it, driven in Debian's Chromium with chromedp
// against the real server (cmd/portal, built once per run) on a fresh copy of
// the demo database.
//
// The package has only tests. Run them with `make e2e` (the browser suite
// alone) or `make test` (everything); both make sure /usr/bin/chromium is
// installed first. Without it the tests fail, they never skip.
//
// Environment:
//
//	DATABASE_URL          the PostgreSQL server the test databases are made on (make provides it)
//	SIZERUN_SCREENSHOTS   a directory (relative paths are taken from the module root) for
//	                      TestScreenshots to write its PNGs to; unset, they go to a temporary
//	                      directory and are only checked
//	SIZERUN_E2E_PORTAL    a prebuilt portal binary to test instead of building ./cmd/portal
//	SIZERUN_E2E_ARTIFACTS a directory for a screenshot of the page a failing test was on
package e2e
