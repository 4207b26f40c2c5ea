package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/e2e/stack"
)

// savedView is the part of a saved view the tests read.
type savedView struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Version int    `json:"version"`
}

// testOwnViews: every caller, a reader too, creates, renames and deletes a
// saved view of its own through the gateway (a view is a saved query, which
// the service lets its owner change with contacts:read), while a caller
// without contacts:admin may change neither the administrator's shared view
// nor delete it.
func testOwnViews(t *testing.T, w *world) {
	for _, s := range []*side{w.a, w.b} {
		t.Run(s.name, func(t *testing.T) {
			for _, c := range s.callers {
				t.Run(c.name, func(t *testing.T) { testOwnView(t, w.st, s, c) })
			}
		})
	}
}

// testOwnView is testOwnViews for one caller c of side s.
func testOwnView(t *testing.T, st *stack.Stack, s *side, c caller) {
	base, ifMatch := st.GatewayURL+"/v1/saved-views", map[string]string{"If-Match": `"1"`}
	var v savedView
	stack.Must(t, stack.Request{Method: http.MethodPost, URL: base, Token: c.token,
		Body: map[string]any{"entity": "contact", "name": "Mine " + letters(6), "q": "ada"}}, http.StatusCreated, &v) // no filter: stored as NULL
	renamed := "Renamed " + letters(6)
	var got savedView
	stack.Must(t, stack.Request{Method: http.MethodPatch, URL: base + "/" + v.ID, Token: c.token, Header: ifMatch,
		Body: map[string]any{"name": renamed}}, http.StatusOK, &got)
	if got.Name != renamed || got.Version != 2 {
		t.Errorf("renamed view: %+v, want name %q at version 2", got, renamed)
	}
	stack.Must(t, stack.Request{Method: http.MethodDelete, URL: base + "/" + v.ID, Token: c.token}, http.StatusNoContent, nil)
	stack.Must(t, stack.Request{Method: http.MethodGet, URL: base + "/" + v.ID, Token: c.token}, http.StatusNotFound, nil)

	if c.perms.Can(admin) {
		return // it may change the shared view, which testIntact expects unchanged
	}
	shared := base + "/" + s.fixture.ViewID
	for _, r := range []stack.Request{
		{Method: http.MethodPatch, URL: shared, Token: c.token, Header: ifMatch, Body: map[string]any{"name": "pwned"}},
		{Method: http.MethodDelete, URL: shared, Token: c.token},
	} {
		if res := stack.Do(t, r); res.Status != http.StatusForbidden || !strings.Contains(string(res.Body), "saved-view-read-only") {
			t.Errorf("%s of the administrator's shared view = %d %s, want the service's 403 saved-view-read-only", r.Method, res.Status, res.Body)
		}
	}
}
