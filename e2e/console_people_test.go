package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/e2e/stack"
)

// TestConsolePeople walks the console as a sales rep, who may not list
// users (GET /v1/users is a 403) but reads the people directory: their
// contact, made by the administrator, shows its owner and the author of
// its note by name, no user id on the page; typing @Carl in the note box
// suggests their colleague Carla. A rep sees only their own contacts
// (record scope own), so the colleague's name shows through the
// administrator's note in the timeline and the mention.
func TestConsolePeople(t *testing.T) {
	s := stack.Start(t, bins)
	tn := s.CreateTenant(t, "console-people")
	rep := s.Invite(t, tn, "rita@console-people.test", []string{"sales_rep"})
	carla := s.Invite(t, tn, "carla@console-people.test", []string{"sales_rep"})
	admin := func(method, path string, body any, want int, out any) {
		t.Helper()
		stack.Must(t, stack.Request{Method: method, URL: s.GatewayURL + path, Token: tn.Admin.Token, Body: body}, want, out)
	}
	admin(http.MethodPatch, "/v1/users/"+rep.ID, map[string]any{"name": "Rita Rep"}, http.StatusOK, nil)
	admin(http.MethodPatch, "/v1/users/"+carla.ID, map[string]any{"name": "Carla Colleague"}, http.StatusOK, nil)
	var contact struct {
		ID string `json:"id"`
	}
	admin(http.MethodPost, "/v1/contacts", map[string]any{"firstName": "Owen", "lastName": "Owned", "ownerId": rep.ID}, http.StatusCreated, &contact)
	admin(http.MethodPost, "/v1/activities", map[string]any{"type": "note", "contactId": contact.ID, "body": "Welcome aboard", "assigneeId": rep.ID}, http.StatusCreated, nil)
	stack.Must(t, stack.Request{Method: http.MethodGet, URL: s.GatewayURL + "/v1/users", Token: rep.Token}, http.StatusForbidden, nil)

	p := signIn(t, s, tn, rep, desktop)
	p.Go(s.GatewayURL + "/contacts/" + contact.ID)
	p.WaitTestID("page-contact")
	p.WaitTestID("timeline")
	page := `document.querySelector('[data-testid="page-contact"]').textContent`
	var text string
	contactsWait(t, p, "the owner by name", page+`.includes("Rita Rep")`)
	contactsWait(t, p, "the note's author by name",
		`[...document.querySelectorAll('[data-testid="timeline-entry"]')].some(e => e.textContent.includes("Admin console-people"))`)
	p.Eval(page, &text)
	for _, id := range []string{rep.ID, tn.Admin.ID} {
		if strings.Contains(text, id) {
			t.Errorf("the contact's page shows the user id %s: %s", id, text)
		}
	}

	p.Fill("#qa-note-body", "Ask @Carl")
	// Every suggestion has its name (none is the loading one a late search
	// leaves, which has no text) and Carla is among them.
	contactsWait(t, p, "Carla among the mention's suggestions, all loaded",
		`((items) => items.length > 0 && items.every(o => o.textContent.trim() !== "") && items.some(o => o.textContent.includes("Carla Colleague")))([...document.querySelectorAll('.ant-mentions-dropdown .ant-mentions-dropdown-menu-item')])`)
	p.Axe("a rep's contact page with the mention's suggestions")
}
