// Package reconcile checks, after the load and its faults and once the
// platform is quiet, that every acknowledged write of the ledger is
// present exactly once through the API and every rejected one absent, that
// every outbox is empty, that every consumer applied every event exactly
// once (the contacts timeline, the marketing audience, reporting, the
// webhooks) and that no event but the poison one sits in a DLQ.
package reconcile

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/rapport-crm/rapport/chaos/load"
)

// Check is one reconciled figure: Want (what the ledger or the source
// says) against Got (what the platform holds). Lost and Duplicated count
// records or events missing or made twice; Detail names examples.
type Check struct {
	Tenant     string
	Name       string
	Want, Got  int
	Lost       int
	Duplicated int
	Extra      int // made though rejected, or held by a consumer but not at the source
	Detail     string
}

// OK reports a check with nothing lost, duplicated or extra.
func (c Check) OK() bool { return c.Lost == 0 && c.Duplicated == 0 && c.Extra == 0 }

// Report is the reconciliation of every tenant.
type Report struct {
	Checks []Check
}

// OK reports whether every check passed.
func (r Report) OK() bool {
	for _, c := range r.Checks {
		if !c.OK() {
			return false
		}
	}
	return true
}

// Totals sums the lost, duplicated and extra of every check.
func (r Report) Totals() (lost, duplicated, extra int) {
	for _, c := range r.Checks {
		lost += c.Lost
		duplicated += c.Duplicated
		extra += c.Extra
	}
	return
}

// api reads the platform as a tenant's administrator.
type api struct {
	cl *load.Client
	t  *load.Tenant
}

// get reads path into out; a 401 signs in again once.
func (a api) get(ctx context.Context, path string, out any) (int, error) {
	ans := a.cl.Do(ctx, "read", load.Call{Method: http.MethodGet, Path: path, Token: a.t.Token()})
	if ans.Status == http.StatusUnauthorized && a.t.Relogin(ctx, a.cl) == nil {
		ans = a.cl.Do(ctx, "read", load.Call{Method: http.MethodGet, Path: path, Token: a.t.Token()})
	}
	if !ans.OK() {
		return ans.Status, fmt.Errorf("GET %s: %d %.300s %v", path, ans.Status, ans.Body, ans.Err)
	}
	if out == nil {
		return ans.Status, nil
	}
	return ans.Status, json.Unmarshal(ans.Body, out)
}

// resolve follows the 301s of merged records: it returns path, or where
// its record ended up (the Location of a 301), at most five moves away.
func (a api) resolve(ctx context.Context, path string) string {
	for range 5 {
		ans := a.cl.Do(ctx, "read", load.Call{Method: http.MethodGet, Path: path, Token: a.t.Token()})
		loc := ans.Header.Get("Location")
		if ans.Status != http.StatusMovedPermanently || loc == "" {
			return path
		}
		if u, err := url.Parse(loc); err == nil {
			loc = u.Path
		}
		path = loc
	}
	return path
}

// list reads every page of the list at path (limit 200, following
// nextCursor), each item as raw JSON.
func (a api) list(ctx context.Context, path string) ([]json.RawMessage, error) {
	var all []json.RawMessage
	cursor := ""
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	for {
		p := path + sep + "limit=200"
		if cursor != "" {
			p += "&cursor=" + url.QueryEscape(cursor)
		}
		var page struct {
			Items      []json.RawMessage `json:"items"`
			NextCursor string            `json:"nextCursor"`
		}
		if _, err := a.get(ctx, p, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if page.NextCursor == "" || len(page.Items) == 0 {
			return all, nil
		}
		cursor = page.NextCursor
	}
}

// decodeAll unmarshals every item into a T.
func decodeAll[T any](items []json.RawMessage) ([]T, error) {
	out := make([]T, 0, len(items))
	for _, it := range items {
		var v T
		if err := json.Unmarshal(it, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// tally is a check counting records by key against the ledger: each key
// acknowledged must be held once, each rejected none; unknown ones may be
// held once.
type tally struct {
	c       Check
	samples []string
}

// want compares held (how many records the key has) with outcome o.
func (t *tally) want(key string, o load.Outcome, held int) {
	switch {
	case o == load.Acked:
		t.c.Want++
		if held == 0 {
			t.c.Lost++
			t.note("lost " + key)
		}
	case o == load.Rejected && held > 0:
		t.c.Extra++
		t.note("made though rejected " + key)
	}
	if held > 1 {
		t.c.Duplicated += held - 1
		t.note(fmt.Sprintf("%d of %s", held, key))
	}
	if held > 0 {
		t.c.Got++
	}
}

// wantEntry is want for the write e, its key key: a rejected write made
// is noted with its status and tries.
func (t *tally) wantEntry(e load.Entry, key string, held int) {
	t.want(key, e.Outcome, held)
	if e.Outcome == load.Rejected && held > 0 {
		t.note(fmt.Sprintf("(%s rejected with %d after %d tries)", key, e.Status, e.Tries))
	}
}

// note keeps a few examples for the detail.
func (t *tally) note(s string) {
	if len(t.samples) < 3 {
		t.samples = append(t.samples, s)
	}
}

// done returns the check.
func (t *tally) done() Check {
	t.c.Detail = strings.Join(t.samples, "; ")
	return t.c
}
