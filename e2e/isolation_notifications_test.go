package e2e

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/e2e/stack"
	"github.com/rapport-crm/rapport/libs/ids"
)

// notificationFixture is a notification of one user of a tenant: its
// manager, mentioned in a note of its administrator on a contact of its
// own, the notification's excerpt carrying Marker.
type notificationFixture struct {
	UserID, Token string // the recipient and their token
	ID            string // the notification
	Marker        string
	Preferences   string // the recipient's preferences (the answer of GET), before the probes
}

// newNotificationFixture writes the note and waits until the gateway's
// consumer has made the manager's notification of it (the contacts event
// through Kafka).
func newNotificationFixture(t *testing.T, st *stack.Stack, s *side) notificationFixture {
	t.Helper()
	i := slices.IndexFunc(s.callers, func(c caller) bool { return c.name == "manager" }) // callers and userIDs go by builtinRoles
	f := notificationFixture{UserID: s.userIDs[i], Token: s.callers[i].token, Marker: "Mention" + letters(10)}
	admin := s.tenant.Admin.Token
	var contact struct {
		ID string `json:"id"`
	}
	stack.Must(t, stack.Request{Method: http.MethodPost, URL: st.GatewayURL + "/v1/contacts", Token: admin,
		Body: map[string]any{"firstName": "Noted", "lastName": f.Marker}}, http.StatusCreated, &contact)
	stack.Must(t, stack.Request{Method: http.MethodPost, URL: st.GatewayURL + "/v1/activities", Token: admin,
		Body: map[string]any{"type": "note", "subject": "Note " + f.Marker, "contactId": contact.ID,
			"body": "Ask @[Boss](user:" + f.UserID + ") about " + f.Marker}}, http.StatusCreated, nil)
	deadline := time.Now().Add(30 * time.Second)
	for {
		list := notificationsOf(t, st, f.Token)
		if len(list) == 1 && list[0].Kind == "note.mention" && strings.Contains(list[0].Params["excerpt"], f.Marker) {
			f.ID = list[0].ID
			f.Preferences = preferencesOf(t, st, f.Token)
			return f
		}
		if time.Now().After(deadline) {
			t.Fatalf("the manager's notifications 30 s after the note: %+v, want its mention", list)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// notification is what the matrix reads of a notification.
type notification struct {
	ID     string            `json:"id"`
	Kind   string            `json:"kind"`
	Params map[string]string `json:"params"`
	ReadAt *string           `json:"readAt"`
}

// preferencesOf returns the notification preferences of token's user, as
// the gateway answers them.
func preferencesOf(t *testing.T, st *stack.Stack, token string) string {
	t.Helper()
	return string(stack.Must(t, stack.Request{Method: http.MethodGet, URL: st.GatewayURL + "/v1/notification-preferences", Token: token}, http.StatusOK, nil).Body)
}

// notificationsOf lists the notifications of token's user.
func notificationsOf(t *testing.T, st *stack.Stack, token string) []notification {
	t.Helper()
	var page struct {
		Items []notification `json:"items"`
	}
	stack.Must(t, stack.Request{Method: http.MethodGet, URL: st.GatewayURL + "/v1/notifications?limit=100", Token: token}, http.StatusOK, &page)
	return page.Items
}

// notificationProbe is a probe of a notifications route; a stream's is
// read for a while, then hung up on.
type notificationProbe struct {
	probe
	stream bool
}

// notificationProbes lists what a caller tries on victim v's notification:
// every operation of /v1/notifications* and /v1/notification-preferences
// (TestNotificationProbesCoverRoutes). They need no permission, only a
// user: each answers the caller's own notifications (an API key's, its
// creator's), so another tenant's user and another user of the same
// tenant get want, and none sees or changes v's.
func notificationProbes(v notificationFixture) []notificationProbe {
	return []notificationProbe{
		{probe: probe{name: "list notifications", method: "GET", path: "/v1/notifications?limit=100", want: 200}},
		{probe: probe{name: "list unread notifications", method: "GET", path: "/v1/notifications?unread=true&limit=100", want: 200}},
		{probe: probe{name: "count unread notifications", method: "GET", path: "/v1/notifications/unread-count", want: 200}},
		{probe: probe{name: "mark the victim's notification read", method: "POST", path: "/v1/notifications/" + v.ID + "/read", want: 404, echoes: true}},
		{probe: probe{name: "mark all read", method: "POST", path: "/v1/notifications/read-all", want: 200}},
		{probe: probe{name: "get notification preferences", method: "GET", path: "/v1/notification-preferences", want: 200}},
		{probe: probe{name: "set notification preferences", method: "PUT", path: "/v1/notification-preferences",
			body: map[string]any{"items": []map[string]any{{"kind": "task.reminder", "inApp": false, "email": false}}}, want: 200}},
		{probe: probe{name: "stream after the victim's notification", method: "GET", path: "/v1/notifications/stream",
			header: map[string]string{"Last-Event-ID": v.ID}, want: 200, echoes: true}, stream: true},
	}
}

// testNotificationIsolation runs every notification probe as every caller
// of attacker (another tenant) and every other caller of victim (the same
// tenant, another user) against the victim's manager's notification: the
// status wanted, and neither its marker nor (where the request did not
// name it) its id in any answer. Then the manager's notification is still
// theirs, unread, and their preferences unchanged.
func testNotificationIsolation(t *testing.T, st *stack.Stack, attacker, victim *side) {
	v := newNotificationFixture(t, st, victim)
	callers := map[string][]caller{"other tenant": attacker.callers}
	for _, c := range victim.callers {
		if c.token != v.Token {
			callers["same tenant"] = append(callers["same tenant"], c)
		}
	}
	for who, list := range callers {
		t.Run(who, func(t *testing.T) {
			for _, c := range list {
				t.Run(c.name, func(t *testing.T) {
					for _, p := range notificationProbes(v) {
						t.Run(p.name, func(t *testing.T) {
							status, body := p.do(t, st, c.token)
							if status != p.want {
								t.Errorf("status = %d, want %d; body %s", status, p.want, body)
							}
							for _, s := range []string{v.Marker, v.ID} {
								if (s != v.ID || !p.echoes) && strings.Contains(strings.ToLower(string(body)), strings.ToLower(s)) {
									t.Errorf("answer leaks %q of the victim's notification: %s", s, body)
								}
							}
						})
					}
				})
			}
		})
	}
	t.Run("intact", func(t *testing.T) {
		list := notificationsOf(t, st, v.Token)
		if i := slices.IndexFunc(list, func(n notification) bool { return n.ID == v.ID }); i < 0 || list[i].ReadAt != nil {
			t.Errorf("the manager's notifications %+v, want %s among them unread", list, v.ID)
		}
		if prefs := preferencesOf(t, st, v.Token); prefs != v.Preferences {
			t.Errorf("the manager's preferences changed from %s to %s", v.Preferences, prefs)
		}
	})
}

// do sends p with token and returns the status and the answer; a stream's
// answer is what arrived in its first two seconds.
func (p notificationProbe) do(t *testing.T, st *stack.Stack, token string) (int, []byte) {
	t.Helper()
	if !p.stream {
		res := stack.Do(t, stack.Request{Method: p.method, URL: st.GatewayURL + p.path, Token: token, Body: p.body, Header: p.header})
		return res.Status, res.Body
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, p.method, st.GatewayURL+p.path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	for k, v := range p.header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", p.method, p.path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%s %s: read: %v", p.method, p.path, err)
	}
	return res.StatusCode, body
}

// TestNotificationProbesCoverRoutes holds the notification probes to the
// gateway's contract: every operation of /v1/notifications* and
// /v1/notification-preferences in its api/openapi.yaml is exercised by a
// probe, and every probe reaches one. No stack is needed.
func TestNotificationProbesCoverRoutes(t *testing.T) {
	var probes []probe
	for _, p := range notificationProbes(notificationFixture{ID: ids.New()}) {
		probes = append(probes, p.probe)
	}
	gatewayProbeOps(t, "notifications", "/v1/notification", probes)
}
