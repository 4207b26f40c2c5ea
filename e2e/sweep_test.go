package e2e

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/e2e/stack"
)

// TestSweep is the security sweep through the gateway (issue 22): over
// every operation of the merged OpenAPI document, on one stack with two
// tenants holding records, tenant isolation (B with A's ids, B's lists),
// the function-level matrix (every built-in role against every proxied
// operation), bounded list limits, mass assignment of server-owned fields,
// the security headers of every answer, and CORS refused when not
// configured. The stack's log scan (stack.ScanLog) runs at its end.
func TestSweep(t *testing.T) {
	w := newWorld(t)
	// Records of A its fixture lacks: a team, and a webhook subscription
	// (to a closed port: its deliveries fail, and their log must hold no
	// secret either).
	for path, body := range map[string]map[string]any{
		"/v1/teams":                  {"name": "Sweep team " + letters(6)},
		"/v1/webhooks/subscriptions": {"url": "http://127.0.0.1:9/hooks", "eventTypes": []string{"dev.rapport.contacts.contact.*"}},
	} {
		stack.Must(t, stack.Request{Method: http.MethodPost, URL: w.st.GatewayURL + path, Token: w.a.tenant.Admin.Token, Body: body}, http.StatusCreated, nil)
	}
	ops := sweepOps(t, w.st.GatewayURL)
	t.Logf("sweep: %d operations in the merged OpenAPI", len(ops))
	a := newHarvest(w.st.GatewayURL, w.a.tenant.Admin.Token, ops)
	t.Run("isolation", func(t *testing.T) { testSweepIsolation(t, w, ops, a) })
	t.Run("functions", func(t *testing.T) { testSweepFunctions(t, w, ops) })
	t.Run("limits", func(t *testing.T) { testSweepLimits(t, w, ops, a) })
	t.Run("mass assignment", func(t *testing.T) { testSweepMassAssignment(t, w, ops, a) })
	t.Run("headers", func(t *testing.T) { testSweepHeaders(t, w) })
	t.Run("cors", func(t *testing.T) { testSweepCORS(t, w) })
}

// sweepDo sends r and checks the security headers every answer carries.
func sweepDo(t *testing.T, r stack.Request) stack.Response {
	t.Helper()
	res := stack.Do(t, r)
	checkSecurityHeaders(t, r.Method+" "+r.URL, res)
	return res
}

// checkSecurityHeaders fails t unless res says nosniff and names no
// server software.
func checkSecurityHeaders(t *testing.T, what string, res stack.Response) {
	t.Helper()
	if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options = %q, want nosniff", what, got)
	}
	for _, name := range []string{"Server", "X-Powered-By"} {
		if v := res.Header.Get(name); v != "" {
			t.Errorf("%s: %s = %q, want none", what, name, v)
		}
	}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") && res.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("%s: an HTML answer without Content-Security-Policy", what)
	}
}

// writeBody is what the sweep sends to an operation that takes a body: an
// empty JSON object, and If-Match for the versioned writes.
func writeRequest(method, url, token string) stack.Request {
	r := stack.Request{Method: method, URL: url, Token: token}
	if method != http.MethodGet && method != http.MethodHead && method != http.MethodDelete {
		r.Body = map[string]any{}
	}
	if method != http.MethodGet && method != http.MethodHead {
		r.Header = map[string]string{"If-Match": `"1"`}
	}
	return r
}

// testSweepIsolation has tenant B's administrator call every operation
// with a path parameter with A's ids (reads first, deletes last): never a
// 2xx, a 404 for every read, and none of A's markers or other ids in the
// answer; then every list (a GET without path parameters) as B, which must
// hold none of A's ids. It logs the cross-tenant reads (the goal is 0).
func testSweepIsolation(t *testing.T, w *world, ops []sweepOp, a *harvest) {
	gw, b := w.st.GatewayURL, w.b.tenant.Admin.Token
	// Every list of A first, so every id of A is known.
	for _, o := range ops {
		if o.method == http.MethodGet && len(o.params) == 0 && !o.platform() {
			a.list(t, o.path)
		}
	}
	crossReads, aimed, unaimed := 0, 0, []string{}
	statuses := map[int]int{}
	leaks := func(t *testing.T, what, url string, body []byte) bool {
		leaked := false
		for id := range a.allIDs {
			if strings.Contains(string(body), id) && !strings.Contains(url, id) {
				t.Errorf("%s: the answer holds A's id %s: %.400s", what, id, body)
				leaked = true
			}
		}
		for _, m := range w.a.fixture.Markers {
			if strings.Contains(strings.ToLower(string(body)), strings.ToLower(m)) {
				t.Errorf("%s: the answer holds A's marker %q: %.400s", what, m, body)
				leaked = true
			}
		}
		return leaked
	}
	// B's lists first: B's audit log then holds no path naming A's ids.
	lists := 0
	for _, o := range ops {
		if o.method != http.MethodGet || len(o.params) > 0 || o.platform() {
			continue
		}
		url := gw + o.path
		if o.limit {
			url += "?limit=200"
		}
		res := sweepDo(t, stack.Request{Method: http.MethodGet, URL: url, Token: b})
		lists++
		if leaks(t, o.String()+" as B", url, res.Body) {
			crossReads++
		}
	}
	for _, o := range ops {
		if len(o.params) == 0 || o.platform() {
			continue
		}
		values, records, _ := a.values(t, o)
		if !records {
			unaimed = append(unaimed, o.String())
			continue
		}
		aimed++
		url := o.concrete(values)
		res := sweepDo(t, writeRequest(o.method, gw+url, b))
		statuses[res.Status]++
		bad := res.Status >= 200 && res.Status < 300 || o.method == http.MethodGet && res.Status != http.StatusNotFound
		if bad {
			t.Errorf("%s as B with A's ids (%s) = %d, want 404: %.400s", o, url, res.Status, res.Body)
		}
		if leaks(t, o.String()+" as B with A's ids", url, res.Body) || res.Status >= 200 && res.Status < 300 {
			crossReads++
		}
	}
	slices.Sort(unaimed)
	t.Logf("isolation: %d operations called by B with A's ids (statuses %v), %d lists of B read, %d ids of A known; "+
		"cross-tenant reads: %d; %d operations with a parameter that is no record of A: %s",
		aimed, statuses, lists, len(a.allIDs), crossReads, len(unaimed), strings.Join(unaimed, ", "))
	if crossReads != 0 {
		t.Errorf("cross-tenant reads: %d, want 0", crossReads)
	}
}

// testSweepLimits checks every list's limit (as A's administrator, on A's
// own records): 100000 is a 400 naming limit or a page of at most 200
// items; 0, -1 and abc are 400s naming limit.
func testSweepLimits(t *testing.T, w *world, ops []sweepOp, a *harvest) {
	gw := w.st.GatewayURL
	n := 0
	for _, o := range ops {
		if o.method != http.MethodGet || !o.limit {
			continue
		}
		token := w.a.tenant.Admin.Token
		if o.platform() {
			token = w.st.PlatformToken
		}
		values, _, found := a.values(t, o)
		url := gw + o.concrete(values)
		n++
		res := sweepDo(t, stack.Request{Method: http.MethodGet, URL: url + "?limit=100000", Token: token})
		switch {
		case res.Status == http.StatusBadRequest && strings.Contains(string(res.Body), "limit"):
		case res.Status == http.StatusOK && listItems(res.Body) <= 200:
		case res.Status == http.StatusNotFound && found:
			t.Errorf("%s?limit=100000 = 404 on A's own record: %.300s", o, res.Body)
		case res.Status == http.StatusNotFound: // no record of A under it
		default:
			t.Errorf("%s?limit=100000 = %d with %d items, want 400 naming limit or at most 200: %.300s", o, res.Status, listItems(res.Body), res.Body)
		}
		for _, bad := range []string{"0", "-1", "abc"} {
			res := sweepDo(t, stack.Request{Method: http.MethodGet, URL: url + "?limit=" + bad, Token: token})
			if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "limit") {
				t.Errorf("%s?limit=%s = %d, want 400 naming limit: %.300s", o, bad, res.Status, res.Body)
			}
		}
	}
	t.Logf("limits: %d list operations checked", n)
}

// testSweepCORS checks the stack's gateway, which has no
// GATEWAY_CORS_ORIGINS, allows no origin: neither a preflight nor a call
// gets Access-Control-Allow-Origin (websec's unit tests cover a configured
// list).
func testSweepCORS(t *testing.T, w *world) {
	gw := w.st.GatewayURL
	for _, r := range []stack.Request{
		{Method: http.MethodOptions, URL: gw + "/", Header: map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}},
		{Method: http.MethodOptions, URL: gw + "/v1/contacts", Header: map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}},
		{Method: http.MethodGet, URL: gw + "/v1/contacts", Token: w.a.tenant.Admin.Token, Header: map[string]string{"Origin": "https://evil.example"}},
		{Method: http.MethodGet, URL: gw + "/", Header: map[string]string{"Origin": "null"}},
	} {
		res := sweepDo(t, r)
		for name := range res.Header {
			if strings.HasPrefix(strings.ToLower(name), "access-control-allow-") {
				t.Errorf("%s %s from %s: %s = %q, want no CORS header", r.Method, r.URL, r.Header["Origin"], name, res.Header.Get(name))
			}
		}
	}
}

// testSweepHeaders checks the answers the API sweeps do not reach: the
// console's pages, the documents, errors and 404s, without and with a
// token; HSTS is absent, the stack's gateway being published over http.
func testSweepHeaders(t *testing.T, w *world) {
	gw := w.st.GatewayURL
	pages := 0
	for _, r := range []stack.Request{
		{Method: http.MethodGet, URL: gw + "/"},
		{Method: http.MethodGet, URL: gw + "/contacts"},
		{Method: http.MethodGet, URL: gw + "/sign-in"},
		{Method: http.MethodGet, URL: gw + "/openapi.json"},
		{Method: http.MethodGet, URL: gw + "/asyncapi.json"},
		{Method: http.MethodGet, URL: gw + "/events"},
		{Method: http.MethodGet, URL: gw + "/.well-known/jwks.json"},
		{Method: http.MethodGet, URL: gw + "/v1/no-such-thing"},
		{Method: http.MethodGet, URL: gw + "/v1/contacts"},
		{Method: http.MethodGet, URL: gw + "/v1/contacts/not-an-id", Token: w.a.tenant.Admin.Token},
		{Method: http.MethodPost, URL: gw + "/v1/contacts", Token: w.a.tenant.Admin.Token, Body: stack.Raw{ContentType: "application/json", Data: []byte("{")}},
		{Method: http.MethodDelete, URL: gw + "/no-such-page"},
		{Method: http.MethodGet, URL: gw + "/portal/" + w.a.tenant.Slug},
		{Method: http.MethodGet, URL: gw + "/m/f/" + w.a.fixture.Marketing.FormID},
	} {
		res := sweepDo(t, r)
		if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			pages++
		}
		if v := res.Header.Get("Strict-Transport-Security"); v != "" {
			t.Errorf("%s %s over http: Strict-Transport-Security = %q", r.Method, r.URL, v)
		}
	}
	if pages == 0 {
		t.Error("no HTML page answered: the CSP check checked nothing")
	}
	t.Logf("headers: %d HTML pages among the extra answers", pages)
}
