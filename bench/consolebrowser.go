package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// consoleWait bounds one navigation or page turn of part 11.
const consoleWait = 60 * time.Second

// chromium is the headless Chromium of part 11: Debian's (scripts/chromium.sh
// installs it) or $CHROMIUM, with a fresh profile, flags as e2e/browser's.
type chromium struct {
	ctx    context.Context // the browser's first tab; tabs are its children
	cancel []context.CancelFunc
	dir    string
}

// startChromium launches the browser.
func startChromium(ctx context.Context) (*chromium, error) {
	path := os.Getenv("CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no Chromium (scripts/chromium.sh installs it): %w", err)
	}
	dir, err := os.MkdirTemp("", "rapport-bench-chromium-")
	if err != nil {
		return nil, err
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), chromedp.ExecPath(path),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(dir))
	b := &chromium{dir: dir}
	var cancel context.CancelFunc
	b.ctx, cancel = chromedp.NewContext(alloc)
	b.cancel = []context.CancelFunc{cancel, cancelAlloc}
	// The first Do binds the browser to b.ctx, which lives until close.
	if err := chromedp.Do(b.ctx); err != nil {
		b.close()
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	return b, nil
}

// close stops the browser and removes its profile.
func (b *chromium) close() {
	for _, c := range b.cancel {
		c()
	}
	_ = os.RemoveAll(b.dir)
}

// tab is a 1440×900 tab in a browser context of its own (no cookies, an
// empty cache).
type tab struct {
	ctx     context.Context
	cancel  context.CancelFunc
	nextURL string // the last next-page call of the contacts list
}

func (b *chromium) newTab() (*tab, error) {
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1440, 900)); err != nil {
		cancel()
		return nil, err
	}
	return &tab{ctx: ctx, cancel: cancel}, nil
}

func (p *tab) close() { p.cancel() }

// do runs steps within consoleWait or until ctx ends.
func (p *tab) do(ctx context.Context, steps ...chromedp.Action[chromedp.Void]) error {
	c, cancel := p.bounded(ctx)
	defer cancel()
	return chromedp.Do(c, steps...)
}

// eval evaluates expr (awaiting a promise) into out within consoleWait.
func (p *tab) eval(ctx context.Context, expr string, out any) error {
	c, cancel := p.bounded(ctx)
	defer cancel()
	raw, err := chromedp.Run(c, chromedp.Evaluate[[]byte](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, out)
}

// bounded is the tab's context ended by consoleWait or by ctx.
func (p *tab) bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	c, cancel := context.WithTimeout(p.ctx, consoleWait)
	stop := context.AfterFunc(ctx, cancel)
	return c, func() { stop(); cancel() }
}

// scriptBytes sums the JavaScript resources the document loaded: as sent
// (gzipped) and unpacked.
const scriptBytes = `(() => {
	const js = performance.getEntriesByType("resource").filter(e => /\.m?js$/.test(new URL(e.name).pathname));
	return {files: js.length, sent: js.reduce((s, e) => s + e.encodedBodySize, 0), raw: js.reduce((s, e) => s + e.decodedBodySize, 0)};
})()`

// networkQuiet is a promise that resolves once the document has loaded no new
// resource for 500 ms.
const networkQuiet = `new Promise(done => {
	let n = -1;
	const look = () => {
		const now = performance.getEntriesByType("resource").length;
		if (now === n) return done(true);
		n = now;
		setTimeout(look, 500);
	};
	look();
})`

// signinScripts loads /signin in a fresh tab and returns the JavaScript it
// loaded once the form shows and the network is quiet.
func (b *chromium) signinScripts(ctx context.Context, base string) (files int, sent, raw int64, err error) {
	p, err := b.newTab()
	if err != nil {
		return 0, 0, 0, err
	}
	defer p.close()
	if err := p.do(ctx, chromedp.Navigate(base+"/signin"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="page-signin"]`))); err != nil {
		return 0, 0, 0, err
	}
	var settled bool
	if err := p.eval(ctx, networkQuiet, &settled); err != nil {
		return 0, 0, 0, err
	}
	var js struct {
		Files     int
		Sent, Raw int64
	}
	if err := p.eval(ctx, scriptBytes, &js); err != nil {
		return 0, 0, 0, err
	}
	return js.Files, js.Sent, js.Raw, nil
}

// marks records, in every document of the tab from its start, each change
// of the contacts list's rows (their number, the first one's text) or the
// board's cards (their number), with its time since the navigation began.
const marks = `(() => {
	const marks = window.__marks = [];
	let last = "";
	const look = () => {
		const rows = document.querySelectorAll('[data-testid="row"]');
		const cards = document.querySelectorAll('[data-testid="board-card"]').length;
		const first = rows.length > 0 ? rows[0].textContent : "";
		const key = rows.length + "|" + first + "|" + cards;
		if (key === last) return;
		last = key;
		marks.push({t: performance.now(), rows: rows.length, first, cards});
	};
	new MutationObserver(look).observe(document, {childList: true, subtree: true, characterData: true});
})()`

// mark is one change marks recorded.
type mark struct {
	T     float64 `json:"t"` // ms since the navigation began
	Rows  int     `json:"rows"`
	First string  `json:"first"`
	Cards int     `json:"cards"`
}

func (m mark) at() time.Duration { return time.Duration(m.T * float64(time.Millisecond)) }

// signedIn opens a tab signed in to tn with the console's cookie session
// (the login call the sign-in form makes) and recording marks.
func (b *chromium) signedIn(ctx context.Context, base string, tn benchTenant) (*tab, error) {
	p, err := b.newTab()
	if err != nil {
		return nil, err
	}
	login, _ := json.Marshal(map[string]string{"tenant": tn.Slug, "email": tn.Email, "password": tn.Password, "session": "cookie"})
	var status int
	if err := p.do(ctx, chromedp.Navigate(base+"/signin"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="page-signin"]`))); err == nil {
		err = p.eval(ctx, fmt.Sprintf(`fetch("/v1/auth/login", {method: "POST", headers: {"Content-Type": "application/json"}, body: %q}).then(r => r.status)`, login), &status)
	}
	if err == nil && status != 200 {
		err = fmt.Errorf("cookie login answered %d", status)
	}
	if err == nil {
		_, err = chromedp.Call(p.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: marks})
	}
	if err != nil {
		p.close()
		return nil, fmt.Errorf("sign in: %w", err)
	}
	return p, nil
}

// shown is what the document has recorded by now.
type shown struct {
	Now   float64 `json:"now"`
	Marks []mark  `json:"marks"`
}

// load navigates to url and returns the first mark that ok accepts.
func (p *tab) load(ctx context.Context, url string, ok func(mark) bool) (mark, error) {
	if err := p.do(ctx, chromedp.Navigate(url)); err != nil {
		return mark{}, err
	}
	var found mark
	err := p.poll(ctx, url, func(s shown) bool {
		for _, m := range s.Marks {
			if ok(m) {
				found = m
				return true
			}
		}
		return false
	})
	return found, err
}

// settled navigates to url and returns the last mark once the board has
// cards and they have not changed for a second.
func (p *tab) settled(ctx context.Context, url string) (mark, error) {
	if err := p.do(ctx, chromedp.Navigate(url)); err != nil {
		return mark{}, err
	}
	var last mark
	err := p.poll(ctx, url, func(s shown) bool {
		if len(s.Marks) == 0 {
			return false
		}
		last = s.Marks[len(s.Marks)-1]
		return last.Cards > 0 && s.Now-last.T > 1000
	})
	return last, err
}

// poll reads the marks every 50 ms until done accepts them.
func (p *tab) poll(ctx context.Context, url string, done func(shown) bool) error {
	deadline := time.Now().Add(consoleWait)
	for time.Now().Before(deadline) {
		var s shown
		if err := p.eval(ctx, `({now: performance.now(), marks: window.__marks || []})`, &s); err != nil {
			return err
		}
		if done(s) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s: not shown after %s", url, consoleWait)
}

// nextTurn waits until the list's next-page button is enabled (the list
// is not fetching), clicks it and resolves with the ms from the click until
// rows other than the page's show.
const nextTurn = `new Promise((done, fail) => {
	const began = performance.now();
	const turn = () => {
		const button = document.querySelector('[data-testid="next-page"]');
		if (!button || button.disabled) {
			if (performance.now() - began > 15000) return fail(new Error("no enabled next-page button"));
			return setTimeout(turn, 10);
		}
		const marks = window.__marks, from = marks.length;
		const before = from > 0 ? marks[from - 1].first : "";
		const at = performance.now();
		button.click();
		const look = () => {
			const m = window.__marks.slice(from).find(m => m.rows > 0 && m.first !== before);
			if (m) return done(m.t - at);
			if (performance.now() - at > 30000) return fail(new Error("the next page did not show"));
			setTimeout(look, 10);
		};
		look();
	};
	turn();
})`

// nextPage turns the contacts list's page and returns how long the next
// page took to show.
func (p *tab) nextPage(ctx context.Context) (time.Duration, error) {
	var took float64
	if err := p.eval(ctx, nextTurn, &took); err != nil {
		return 0, err
	}
	calls, err := p.calls(ctx, `^/v1/contacts$`)
	if err != nil || len(calls) == 0 {
		return 0, errors.Join(errors.New("no list call after a page turn"), err)
	}
	p.nextURL = calls[len(calls)-1]
	return time.Duration(took * float64(time.Millisecond)), nil
}

// calls are the URLs of the document's requests whose path matches the
// regular expression path, in order.
func (p *tab) calls(ctx context.Context, path string) ([]string, error) {
	var urls []string
	err := p.eval(ctx, fmt.Sprintf(`performance.getEntriesByType("resource").map(e => e.name).filter(n => new RegExp(%q).test(new URL(n).pathname))`, path), &urls)
	return urls, err
}
