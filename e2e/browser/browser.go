// Package browser drives a real headless Chromium over the DevTools protocol
// (chromedp) for the console's end-to-end tests.
//
// One browser runs per test binary: the first NewPage launches it
// (/usr/bin/chromium, or $CHROMIUM) with a fresh profile, and Close, which the
// binary's TestMain calls, stops it. Each Page is a tab in a browser context of
// its own, so pages share no cookies or storage. A Page fails its test on an
// uncaught JavaScript exception and on any alert, confirm or prompt dialog (the
// canary of an injected script), and each helper fails the test, with the
// page's address and text, when its action does not succeed in time.
//
//	p := browser.NewPage(t, 1440, 900)
//	p.Go(gatewayURL + "/signin")
//	p.Fill("#signin-email", "ann@acme.test")
//	p.Click(browser.TestID("signin-submit"))
//	p.WaitTestID("page-home")
//	p.Axe("home")
package browser

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/chromedp/chromedp"
)

// DefaultPath is the browser the package runs when $CHROMIUM is unset:
// Debian's chromium, which scripts/chromium.sh installs.
const DefaultPath = "/usr/bin/chromium"

// ErrNoBrowser is returned, wrapped, when the browser binary is not there.
var ErrNoBrowser = errors.New("no Chromium: run scripts/chromium.sh or set CHROMIUM")

// shared is the browser of the test binary, started by the first page.
var shared struct {
	mu     sync.Mutex
	ctx    context.Context // the browser's first tab; pages are its children
	cancel []context.CancelFunc
	dir    string // the profile directory
}

// start returns the context of the shared browser, launching it on the
// first call.
func start() (context.Context, error) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.ctx != nil {
		return shared.ctx, nil
	}
	path := os.Getenv("CHROMIUM")
	if path == "" {
		path = DefaultPath
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoBrowser, err)
	}
	dir, err := os.MkdirTemp("", "rapport-chromium-")
	if err != nil {
		return nil, fmt.Errorf("browser profile: %w", err)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(dir),
	)
	ctx, cancel := chromedp.NewContext(allocCtx)
	// The first Do starts the browser and binds it to ctx, which has no
	// deadline: the browser lives until Close.
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		cancelAlloc()
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	shared.ctx, shared.cancel, shared.dir = ctx, []context.CancelFunc{cancel, cancelAlloc}, dir
	return ctx, nil
}

// Close stops the shared browser, if one runs, and removes its profile. A
// test binary that uses pages calls it when its tests have run.
func Close() {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.ctx == nil {
		return
	}
	for _, cancel := range shared.cancel {
		cancel()
	}
	_ = os.RemoveAll(shared.dir)
	shared.ctx, shared.cancel, shared.dir = nil, nil, ""
}

// TestID is the CSS selector of the element whose data-testid is id.
func TestID(id string) string { return fmt.Sprintf("[data-testid=%q]", id) }
