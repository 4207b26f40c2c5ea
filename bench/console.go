package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/proc"
)

// Sizes and goals of part 11 (issue 16): the web console in Chromium.
const (
	consoleContacts  = 1_000_000
	consoleOpen      = 1_000 // open opportunities on the board
	consoleLoads     = 10    // timed navigations and page turns
	consoleRequests  = 20    // timed raw API calls
	goalConsoleJS    = 250_000
	goalConsoleFirst = time.Second
	goalConsoleNext  = 300 * time.Millisecond
	goalConsoleBoard = time.Second
)

// consoleRun holds the results of part 11.
type consoleRun struct {
	JSFiles            int
	JSGzip, JSRaw      int64 // bytes of JavaScript /signin loads: as sent, and unpacked
	Contacts           int   // contacts of the tenant
	Load               time.Duration
	Rows               int // rows of the contacts' first page
	Open, Cards        int // open opportunities, and the board's cards shown
	First, Next, Board latency
	FirstAPI, NextAPI  latency // the API call alone, replayed as the console sent it
	BoardAPI           latency
	FirstURL, NextURL  string // the console's calls, replayed
	BoardURL           string
}

// measureConsole starts the gateway (with the built console), contacts and
// sales, signs a tenant's administrator in, loads 1,000,000 contacts and
// 1,000 open opportunities into that tenant as the databases' owner, and
// times in Chromium: the JavaScript of /signin, /contacts until its first
// page shows and its next page, and the board; each beside the API call
// the page made, replayed alone.
func measureConsole(ctx context.Context, root string) (r consoleRun, err error) {
	if _, err := os.Stat(filepath.Join(root, "services/gateway/console/dist/index.html")); err != nil {
		return r, errors.New("the console is not built: run make console (scripts/console.sh) first")
	}
	st, err := startGatewayStack(ctx, root, true)
	defer st.Close()
	if err != nil {
		return r, err
	}
	tn, err := st.createTenant(ctx)
	if err != nil {
		return r, err
	}
	if r.Open, err = consoleSeed(ctx, st, tn, &r); err != nil {
		return r, err
	}
	b, err := startChromium(ctx)
	if err != nil {
		return r, err
	}
	defer b.close()
	if r.JSFiles, r.JSGzip, r.JSRaw, err = b.signinScripts(ctx, st.Gateway); err != nil {
		return r, fmt.Errorf("sign-in page: %w", err)
	}
	fmt.Fprintf(os.Stderr, "bench: console: /signin loads %d JavaScript files, %d bytes gzipped (%d unpacked)\n", r.JSFiles, r.JSGzip, r.JSRaw)
	p, err := b.signedIn(ctx, st.Gateway, tn)
	if err != nil {
		return r, err
	}
	defer p.close()
	if err := consoleContactsTimes(ctx, p, st.Gateway+"/contacts", &r); err != nil {
		return r, fmt.Errorf("contacts: %w", err)
	}
	if err := consoleBoardTimes(ctx, p, st.Gateway+"/board", &r); err != nil {
		return r, fmt.Errorf("board: %w", err)
	}
	token, err := st.login(ctx, tn)
	if err != nil {
		return r, err
	}
	client := &http.Client{Timeout: 30 * time.Second}
	for _, c := range []struct {
		url string
		out *latency
	}{{r.FirstURL, &r.FirstAPI}, {r.NextURL, &r.NextAPI}, {r.BoardURL, &r.BoardAPI}} {
		if *c.out, err = consoleReplay(ctx, client, token, c.url); err != nil {
			return r, err
		}
	}
	return r, nil
}

// consoleSeed loads the contacts (scale.go's generator, bulk-loaded as part
// 5 does) and the opportunities (sales.go's) and returns how many of
// these are open.
func consoleSeed(ctx context.Context, st *gatewayStack, tn benchTenant, r *consoleRun) (int, error) {
	began := time.Now()
	contacts, err := pg.Open(st.ContactsDB, pg.Options{})
	if err != nil {
		return 0, err
	}
	defer contacts.Close()
	rebuild, err := dropSecondaryIndexes(ctx, contacts, scaleTables)
	if err != nil {
		return 0, err
	}
	if err := loadTenant(ctx, contacts, tn.ID, 0, consoleContacts, true); err != nil {
		return 0, err
	}
	if err := rebuild(); err != nil {
		return 0, err
	}
	r.Contacts = consoleContacts
	token, err := st.login(ctx, tn)
	if err != nil {
		return 0, err
	}
	client := &http.Client{Timeout: 30 * time.Second}
	pipeline, err := defaultPipeline(ctx, client, func() (string, error) { return token, nil }, st.Gateway)
	if err != nil {
		return 0, err
	}
	sales, err := pg.Open(st.SalesDB, pg.Options{})
	if err != nil {
		return 0, err
	}
	defer sales.Close()
	var stages, open int
	if err := sales.QueryRowxContext(ctx, `SELECT count(*), count(*) FILTER (WHERE kind = 'open') FROM pipeline_stages WHERE pipeline_id = $1`,
		pipeline).Scan(&stages, &open); err != nil {
		return 0, err
	}
	// loadOpportunities puts the g-th in stage g mod stages: a whole
	// number of rounds gives each open stage the same share.
	n := int(math.Ceil(float64(consoleOpen)/float64(open))) * stages
	if err := loadOpportunities(ctx, sales, tn.ID, pipeline, n); err != nil {
		return 0, err
	}
	var opened int
	if err := sales.GetContext(ctx, &opened, `SELECT count(*) FROM opportunities WHERE tenant_id = $1 AND status = 'open'`, tn.ID); err != nil {
		return 0, err
	}
	for _, db := range []*sqlx.DB{contacts, sales} {
		if _, err := db.ExecContext(ctx, `VACUUM ANALYZE`); err != nil {
			return 0, err
		}
		if _, err := db.ExecContext(ctx, `CHECKPOINT`); err != nil {
			return 0, err
		}
	}
	r.Load = time.Since(began)
	fmt.Fprintf(os.Stderr, "bench: console: %d contacts and %d opportunities (%d open) loaded in %s\n", consoleContacts, n, opened, r.Load.Round(time.Second))
	return opened, nil
}

// consoleContactsTimes navigates to the contacts list consoleLoads times,
// timing each from the navigation's start until its first rows show, then
// turns consoleLoads pages, timing each from the click until the next
// page's rows show.
func consoleContactsTimes(ctx context.Context, p *tab, url string, r *consoleRun) error {
	var firsts, nexts []time.Duration
	for range consoleLoads {
		m, err := p.load(ctx, url, func(m mark) bool { return m.Rows > 0 })
		if err != nil {
			return err
		}
		firsts = append(firsts, m.at())
		r.Rows = m.Rows
	}
	calls, err := p.calls(ctx, `^/v1/contacts$`)
	if err != nil || len(calls) == 0 {
		return fmt.Errorf("the list's API call: %v %v", calls, err)
	}
	r.FirstURL = calls[len(calls)-1]
	for range consoleLoads {
		took, err := p.nextPage(ctx)
		if err != nil {
			return err
		}
		nexts = append(nexts, took)
	}
	r.NextURL = p.nextURL
	r.First, r.Next = summary(firsts), summary(nexts)
	return nil
}

// consoleBoardTimes navigates to the board consoleLoads times, timing each
// from the navigation's start until its cards stop changing.
func consoleBoardTimes(ctx context.Context, p *tab, url string, r *consoleRun) error {
	var took []time.Duration
	for range consoleLoads {
		m, err := p.settled(ctx, url)
		if err != nil {
			return err
		}
		took = append(took, m.at())
		r.Cards = m.Cards
	}
	calls, err := p.calls(ctx, `^/v1/pipelines/[^/]+/board$`)
	if err != nil || len(calls) == 0 {
		return fmt.Errorf("the board's API call: %v %v", calls, err)
	}
	r.BoardURL = calls[len(calls)-1]
	r.Board = summary(took)
	return nil
}

// consoleReplay times consoleRequests GETs of url with the bearer token,
// after a few untimed ones.
func consoleReplay(ctx context.Context, c *http.Client, token, url string) (latency, error) {
	var took []time.Duration
	for i := range consoleRequests + 3 {
		t := time.Now()
		if _, err := benchRequest(ctx, c, func() (string, error) { return token, nil }, http.MethodGet, url, ""); err != nil {
			return latency{}, err
		}
		if i >= 3 {
			took = append(took, time.Since(t))
		}
	}
	return summary(took), nil
}

// summary is the median and the slowest of ds.
func summary(ds []time.Duration) latency {
	slices.Sort(ds)
	return latency{P50: quantile(ds, 0.5), P99: quantile(ds, 0.99), Max: ds[len(ds)-1], Samples: len(ds)}
}

// runConsoleOnly measures part 11 alone and prints its section; results.md
// is left as it is.
func runConsoleOnly(ctx context.Context) error {
	root, err := proc.RepoRoot()
	if err != nil {
		return err
	}
	r, err := measureConsole(ctx, root)
	if err != nil {
		return err
	}
	writeConsoleSection(os.Stdout, r)
	return nil
}

// writeConsoleSection renders part 11.
func writeConsoleSection(w io.Writer, r consoleRun) {
	fmt.Fprintf(w, "## 11. The web console in Chromium\n\n")
	fmt.Fprintf(w, "Headless Chromium (chromedp) against the gateway serving the built console, with contacts and sales behind it, as one tenant's administrator signed in with the console's cookie session, in a 1440×900 tab. The tenant holds %d contacts (part 5's generator, loaded as the database owner) and %d open opportunities in its default pipeline (part 10's), loaded in %s. Times run from the navigation's start (`performance.now()` in the page) until the page shows what it is for, recorded by a MutationObserver the browser adds to every document; each is the median and the slowest of %d. The first navigation of each kind runs with an empty cache, the others with the assets cached, as a returning user's. The raw baseline is the same API call the page made, replayed alone through the gateway with a bearer token (%d times).\n\n",
		r.Contacts, r.Open, r.Load.Round(time.Second), consoleLoads, consoleRequests)
	fmt.Fprintf(w, "| measurement | console | raw API call | goal |\n|---|---:|---:|---|\n")
	fmt.Fprintf(w, "| JavaScript loaded by /signin (%d files), gzipped as sent (unpacked %.0f kB) | %.1f kB | | ≤ %.0f kB %s |\n",
		r.JSFiles, float64(r.JSRaw)/1000, float64(r.JSGzip)/1000, float64(goalConsoleJS)/1000, verdict(r.JSGzip <= goalConsoleJS))
	rows := []struct {
		name    string
		ui, api latency
		goal    time.Duration
	}{
		{fmt.Sprintf("/contacts: navigation → first page shown (%d rows), p50 / max", r.Rows), r.First, r.FirstAPI, goalConsoleFirst},
		{"/contacts: next page click → its rows shown, p50 / max", r.Next, r.NextAPI, goalConsoleNext},
		{fmt.Sprintf("/board: navigation → %d cards rendered, p50 / max", r.Cards), r.Board, r.BoardAPI, goalConsoleBoard},
	}
	for _, row := range rows {
		fmt.Fprintf(w, "| %s | %s / %s | %s / %s | ≤ %s %s |\n", row.name, ms(row.ui.P50), ms(row.ui.Max), ms(row.api.P50), ms(row.api.Max),
			ms(row.goal), verdict(row.ui.P50 <= row.goal))
	}
	fmt.Fprintf(w, "\nThe calls replayed: `%s` (first page), `%s` (a later page) and `%s`.\n\n", pathOf(r.FirstURL), pathOf(r.NextURL), pathOf(r.BoardURL))
}

// pathOf is u without its scheme and host.
func pathOf(u string) string {
	if p, err := url.Parse(u); err == nil {
		return p.RequestURI()
	}
	return u
}
