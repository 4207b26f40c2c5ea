package e2e

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/e2e/stack"
)

// testPeopleIsolation has every caller of attacker (each built-in role and
// the API key, which acts as its creator) read the people directory, GET
// /v1/people, which needs no permission: all of it, searched by the name
// and the email of the victim's users, and asked for their ids. Every
// answer is a 200 holding only active users of the attacker's own tenant
// (the ids its side invited) and none of the victim's ids, emails or
// names; the unfiltered directory holds the whole of its own tenant.
func testPeopleIsolation(t *testing.T, st *stack.Stack, attacker, victim *side) {
	victimSlug := victim.tenant.Slug
	paths := map[string]string{
		"all":                   "/v1/people?limit=200",
		"by the victim's name":  "/v1/people?q=" + victimSlug,
		"by the victim's email": "/v1/people?q=admin%40" + victimSlug,
		"by the victim's ids":   "/v1/people?ids=" + strings.Join(victim.userIDs, ","),
		"by an id of each":      "/v1/people?ids=" + victim.userIDs[0] + "," + attacker.userIDs[0],
	}
	for _, c := range attacker.callers {
		t.Run(c.name, func(t *testing.T) {
			for name, path := range paths {
				t.Run(name, func(t *testing.T) {
					res := stack.Do(t, stack.Request{Method: http.MethodGet, URL: st.GatewayURL + path, Token: c.token})
					if res.Status != http.StatusOK {
						t.Fatalf("status = %d, want 200; body %s", res.Status, res.Body)
					}
					var page struct {
						Items []struct {
							ID string `json:"id"`
						} `json:"items"`
					}
					if err := json.Unmarshal(res.Body, &page); err != nil {
						t.Fatalf("%v: %s", err, res.Body)
					}
					var got []string
					for _, p := range page.Items {
						if !slices.Contains(attacker.userIDs, p.ID) {
							t.Errorf("a person %s not of the caller's tenant", p.ID)
						}
						got = append(got, p.ID)
					}
					for _, s := range append([]string{victimSlug}, victim.userIDs...) {
						if strings.Contains(strings.ToLower(string(res.Body)), strings.ToLower(s)) {
							t.Errorf("answer leaks %q of the other tenant: %s", s, res.Body)
						}
					}
					switch name {
					case "all":
						if len(got) != len(attacker.userIDs) {
							t.Errorf("the directory holds %d people, want the %d of the caller's tenant", len(got), len(attacker.userIDs))
						}
					case "by an id of each":
						if !slices.Equal(got, attacker.userIDs[:1]) {
							t.Errorf("people %v, want the caller's own administrator alone", got)
						}
					}
				})
			}
		})
	}
}
