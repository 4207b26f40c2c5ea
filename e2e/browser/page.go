package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/inspector"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Timeout bounds each helper's action: a navigation, a wait, a click.
const Timeout = 20 * time.Second

// phoneWidth is the widest viewport NewPage emulates as a mobile device.
const phoneWidth = 767

// Page is one tab of the shared browser in a browser context of its own. Its
// helpers fail the test that made it; use it from that test's goroutine only.
type Page struct {
	t   testing.TB
	ctx context.Context

	mu       sync.Mutex
	problems []string // uncaught exceptions and dialogs: the test fails
	console  []string // console errors, logged when the test fails
}

// NewPage opens a tab of width × height CSS pixels in a new browser context
// (cookies and storage of its own) and closes it when the test ends. A width
// under 768 is emulated as a mobile device (the page's meta viewport
// applies). The test fails if the page throws an uncaught exception or opens
// an alert, confirm or prompt dialog at any time, even between helpers.
func NewPage(t testing.TB, width, height int) *Page {
	t.Helper()
	parent, err := start()
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	p := &Page{t: t}
	ctx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext(), chromedp.WithListener(p.listen))
	p.ctx = ctx
	t.Cleanup(func() {
		cancel()
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, msg := range p.problems {
			t.Errorf("browser: %s", msg)
		}
		if t.Failed() && len(p.console) > 0 {
			t.Logf("browser console errors:\n%s", strings.Join(p.console, "\n"))
		}
	})
	open(t, ctx, cancel)
	var opts []chromedp.EmulateViewportOption
	if width <= phoneWidth {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulatePortrait)
	}
	p.run("size the tab", chromedp.EmulateViewport(int64(width), int64(height), opts...))
	return p
}

// open opens the tab of ctx. Its first action binds the tab to the context
// it runs with, so that must be ctx itself, without a deadline: cancel
// bounds it instead.
func open(t testing.TB, ctx context.Context, cancel context.CancelFunc) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(ctx) }()
	timer := time.NewTimer(Timeout)
	defer timer.Stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("browser: open a tab: %v", err)
		}
	case <-timer.C:
		cancel()
		t.Fatalf("browser: open a tab: no tab after %s", Timeout)
	}
}

// listen records what fails the test. It runs in the tab's reading loop,
// so it only records and dismisses a dialog from another goroutine.
func (p *Page) listen(ev any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			text = d.Exception.Description
		}
		p.problems = append(p.problems, fmt.Sprintf("uncaught exception at %s:%d: %s", d.URL, d.LineNumber+1, text))
	case *page.EventJavascriptDialogOpening:
		p.problems = append(p.problems, fmt.Sprintf("the page opened a %s dialog: %q (at %s)", ev.Type, ev.Message, ev.URL))
		go func() {
			_, _ = chromedp.Call(p.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}()
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError {
			var args []string
			for _, a := range ev.Args {
				if a.Value != nil {
					args = append(args, string(a.Value))
				} else {
					args = append(args, a.Description)
				}
			}
			p.console = append(p.console, strings.Join(args, " "))
		}
	case *inspector.EventTargetCrashed:
		p.problems = append(p.problems, "the page's renderer crashed")
	case *cdplog.EventEntryAdded:
		if ev.Entry.Level == cdplog.EntryLevelError {
			p.console = append(p.console, ev.Entry.Text+" "+ev.Entry.URL)
		}
	}
}

// run runs steps within Timeout, failing the test with what was being done
// and where the page was.
func (p *Page) run(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, Timeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.fail(what, err)
	}
}

// get runs one action with a value within Timeout.
func get[T any](p *Page, what string, a chromedp.Action[T]) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, Timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		p.fail(what, err)
	}
	return v
}

// fail stops the test, saying where the page was and what it showed.
func (p *Page) fail(what string, err error) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	where, _ := chromedp.Run(ctx, chromedp.Location())
	text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	if len(text) > 1500 {
		text = text[:1500] + "…"
	}
	p.t.Fatalf("browser: %s: %v\nat %s, showing:\n%s", what, err, where, text)
}

// Go navigates to url and waits for its load event.
func (p *Page) Go(url string) {
	p.t.Helper()
	p.run("go to "+url, chromedp.Navigate(url))
}

// Reload reloads the page and waits for its load event.
func (p *Page) Reload() {
	p.t.Helper()
	p.run("reload", chromedp.Reload())
}

// URL is the page's address.
func (p *Page) URL() string {
	p.t.Helper()
	return get(p, "read the address", chromedp.Location())
}

// Wait waits until an element matching the CSS selector is visible.
func (p *Page) Wait(selector string) {
	p.t.Helper()
	p.run("wait for "+selector, chromedp.WaitVisible(chromedp.CSS(selector)))
}

// WaitTestID waits until the element whose data-testid is id is visible.
func (p *Page) WaitTestID(id string) {
	p.t.Helper()
	p.Wait(TestID(id))
}

// WaitGone waits until no element matches the CSS selector.
func (p *Page) WaitGone(selector string) {
	p.t.Helper()
	p.run("wait for "+selector+" to go", chromedp.WaitNotPresent(chromedp.CSS(selector)))
}

// Has reports whether an element matches the CSS selector now, without
// waiting.
func (p *Page) Has(selector string) bool {
	p.t.Helper()
	return get(p, "look for "+selector, chromedp.Evaluate[bool](fmt.Sprintf("document.querySelector(%s) !== null", jsString(selector))))
}

// Fill replaces the text of the input or textarea matching the CSS selector
// with text, typed as real key events (so React's controlled inputs see
// every change), and checks that the field then holds it, typing again
// when something wrote over it meanwhile (fillAttempts).
func (p *Page) Fill(selector, text string) {
	p.t.Helper()
	sel := chromedp.CSS(selector)
	selectAll := fmt.Sprintf("(() => { const el = document.querySelector(%s); el.focus(); el.select(); })()", jsString(selector))
	var got string
	for attempt := 0; attempt < fillAttempts && got != text; attempt++ {
		p.run("fill "+selector,
			chromedp.WaitVisible(sel),
			chromedp.Evaluate[chromedp.Void](selectAll),
			chromedp.SendKeys(sel, kb.Backspace+text),
		)
		got = get(p, "read "+selector, chromedp.Value(sel))
	}
	if got != text {
		p.t.Fatalf("browser: fill %s: the field holds %q, want %q", selector, got, text)
	}
}

// fillAttempts is how often Fill types its text before it gives up. A date
// picker that opens its panel on focus writes its current value back into
// the field when the panel has opened; on a busy machine that lands after
// the first keys, as it never does under a person's hands (CI saw the
// calendar's "Move…" field so).
const fillAttempts = 3

// Value is the current value of the input matching the CSS selector.
func (p *Page) Value(selector string) string {
	p.t.Helper()
	return get(p, "read "+selector, chromedp.Value(chromedp.CSS(selector)))
}

// Click clicks, with the mouse, the middle of the first visible element
// matching the CSS selector once it has stopped moving (a menu that opens
// with an animation, say).
func (p *Page) Click(selector string) {
	p.t.Helper()
	click(p, "click "+selector, chromedp.CSS(selector), "document.querySelector("+jsString(selector)+")")
}

// ClickText is Click on the first element matching the CSS selector whose
// visible text, trimmed, is text: a menu item or a button by its label.
func (p *Page) ClickText(selector, text string) {
	p.t.Helper()
	elem := fmt.Sprintf("[...document.querySelectorAll(%s)].find(e => e.innerText.trim() === %s)", jsString(selector), jsString(text))
	click(p, fmt.Sprintf("click %s %q", selector, text), chromedp.JSPath(elem), elem)
}

// click waits until sel is visible and elem (a JavaScript expression of the
// same element) has stopped moving and is what a click at its centre hits,
// then clicks it.
func click[S chromedp.Selectable](p *Page, what string, sel S, elem string) {
	p.t.Helper()
	p.run(what,
		chromedp.WaitVisible(sel),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(settled, elem), chromedp.EvalAwaitPromise),
		chromedp.Click(sel),
	)
}

// settled is a promise that resolves once the element (%s, an expression),
// scrolled into view, has the same box in two looks 50 ms apart with no
// finite animation running on the page (a drawer sliding in, a menu
// opening) and a click at its centre lands on it or inside it. On a busy
// machine a frame can take longer than 50 ms, so a box alone can look still
// while a drawer is moving. After 3 s it resolves anyway (an element under
// a tooltip is still clicked).
const settled = `new Promise(done => {
	const el = %s;
	el.scrollIntoView({block: "nearest", inline: "nearest"});
	const until = Date.now() + 3000;
	let last = "";
	const moving = () => document.getAnimations().some(a => a.playState === "running" && a.effect && a.effect.getComputedTiming().iterations !== Infinity);
	const look = () => {
		const r = el.getBoundingClientRect();
		const box = [r.x, r.y, r.width, r.height].join();
		const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
		const onIt = hit !== null && (hit === el || el.contains(hit) || hit.contains(el));
		if ((box === last && onIt && !moving()) || Date.now() > until) return done();
		last = box;
		setTimeout(look, 50);
	};
	look();
})`

// Text is the visible text of the first element matching the CSS selector,
// waiting until one is visible.
func (p *Page) Text(selector string) string {
	p.t.Helper()
	return get(p, "read the text of "+selector, chromedp.Text(chromedp.CSS(selector)))
}

// Eval evaluates the JavaScript expression in the page, awaiting it if it
// is a promise, and decodes its JSON value into out (nil to ignore it).
func (p *Page) Eval(expr string, out any) {
	p.t.Helper()
	raw := get(p, "evaluate "+expr, chromedp.Evaluate[[]byte](expr, chromedp.EvalAwaitPromise))
	if out == nil {
		return
	}
	if err := json.Unmarshal(raw, out); err != nil {
		p.t.Fatalf("browser: evaluate %s: decode %s: %v", expr, raw, err)
	}
}

// Cookies are every cookie of the page's browser context, whatever their
// path, with their attributes as the browser keeps them.
func (p *Page) Cookies() []*network.Cookie {
	p.t.Helper()
	id := chromedp.FromContext(p.ctx).BrowserContextID
	res, err := chromedp.CallBrowser(p.ctx, storage.GetCookies, storage.GetCookiesParams{BrowserContextID: id})
	if err != nil {
		p.fail("read the cookies", err)
	}
	return res.Cookies
}

// Screenshot writes a PNG of the viewport to file, creating its directory.
func (p *Page) Screenshot(file string) {
	p.t.Helper()
	png := get(p, "take a screenshot", chromedp.CaptureScreenshot())
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(file, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// Context is the chromedp context of the page's tab, for what the helpers
// do not cover (timings, network events); actions run on it need their own
// deadline.
func (p *Page) Context() context.Context { return p.ctx }

// jsString is s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
