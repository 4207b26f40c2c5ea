package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/e2e/stack"
	"github.com/rapport-crm/rapport/libs/auth"
)

// webhookSub is a webhook subscription as the API answers it.
type webhookSub struct {
	ID             string   `json:"id"`
	URL            string   `json:"url"`
	EventTypes     []string `json:"eventTypes"`
	Status         string   `json:"status"`
	DisabledReason string   `json:"disabledReason"`
	Version        int      `json:"version"`
	Secret         string   `json:"secret"` // only in the answers of create and rotate-secret
}

// webhookDelivery is a delivery as the API answers it, with its attempts
// (AttemptList) when it is read alone.
type webhookDelivery struct {
	ID          string `json:"id"`
	EventID     string `json:"eventId"`
	EventType   string `json:"eventType"`
	Subject     string `json:"subject"`
	Status      string `json:"status"`
	Attempts    int    `json:"attempts"`
	LastStatus  *int   `json:"lastStatus"`
	AttemptList []webhookAttempt
}

// webhookAttempt is one try of a delivery.
type webhookAttempt struct {
	N               int               `json:"n"`
	Status          *int              `json:"status"`
	RequestHeaders  map[string]string `json:"requestHeaders"`
	RequestExcerpt  string            `json:"requestExcerpt"`
	ResponseExcerpt string            `json:"responseExcerpt"`
	Error           string            `json:"error"`
}

// hookSide is a tenant of the webhooks test: its administrator, an
// integration user with an API key, a read-only user, and the four as the
// isolation matrix's callers.
type hookSide struct {
	tenant  *stack.Tenant
	key     string // the integration user's API key
	callers []caller
}

// hookKeyScopes are the scopes of a hookSide's API key.
var hookKeyScopes = []string{webhooksRead, webhooksManage}

// newHookSide makes a tenant with its users and API key.
func newHookSide(t *testing.T, st *stack.Stack, name string) *hookSide {
	t.Helper()
	slug := "e2e-hooks-" + name + "-" + letters(6)
	tn := st.CreateTenant(t, slug)
	stack.Must(t, stack.Request{Method: http.MethodPost, URL: st.GatewayURL + "/v1/roles", Token: tn.Admin.Token,
		Body: map[string]any{"name": "key_issuer", "description": "issues API keys", "permissions": []string{"api-keys:manage"}, "recordScopes": map[string]string{}}},
		http.StatusCreated, nil)
	integration := st.Invite(t, tn, "integration@"+slug+".test", []string{"integration", "key_issuer"})
	readOnly := st.Invite(t, tn, "read@"+slug+".test", []string{"read_only"})
	s := &hookSide{tenant: tn, key: st.APIKey(t, integration, hookKeyScopes)}
	s.callers = []caller{
		{name: "admin", token: tn.Admin.Token, perms: auth.Principal{Permissions: []string{"*"}}},
		{name: "integration", token: integration.Token, perms: auth.Principal{Permissions: []string{webhooksRead, webhooksManage}}},
		{name: "read_only", token: readOnly.Token, perms: auth.Principal{Permissions: []string{"contacts:read"}}},
		{name: "api_key", token: s.key, perms: auth.Principal{Permissions: hookKeyScopes}},
	}
	return s
}

// subscribe makes a subscription with token, to r unless body names its
// url, and gives r its secret.
func subscribe(t *testing.T, st *stack.Stack, token string, r *receiver, body map[string]any) webhookSub {
	t.Helper()
	if _, ok := body["url"]; !ok {
		body["url"] = r.URL()
	}
	var sub webhookSub
	stack.Must(t, stack.Request{Method: http.MethodPost, URL: st.GatewayURL + "/v1/webhooks/subscriptions", Token: token, Body: body}, http.StatusCreated, &sub)
	if !strings.HasPrefix(sub.Secret, "whsec_") || sub.Status != "active" || sub.Version != 1 {
		t.Fatalf("new subscription %+v: want an active one at version 1 with a whsec_ secret", sub)
	}
	r.setSecret(sub.Secret)
	return sub
}

// jobTitleIs is a subscription filter: contacts whose job title is title.
func jobTitleIs(title string) map[string]any {
	return map[string]any{"field": "data.jobTitle", "op": "eq", "value": title}
}

// newContact creates a contact through the gateway and returns its id.
func newContact(t *testing.T, st *stack.Stack, token string, body map[string]any) string {
	t.Helper()
	var c struct {
		ID string `json:"id"`
	}
	stack.Must(t, stack.Request{Method: http.MethodPost, URL: st.GatewayURL + "/v1/contacts", Token: token, Body: body}, http.StatusCreated, &c)
	return c.ID
}

// patchContact changes contact id at version.
func patchContact(t *testing.T, st *stack.Stack, token, id string, version int, body map[string]any) {
	t.Helper()
	stack.Must(t, stack.Request{Method: http.MethodPatch, URL: st.GatewayURL + "/v1/contacts/" + id, Token: token,
		Header: map[string]string{"If-Match": fmt.Sprintf(`"%d"`, version)}, Body: body}, http.StatusOK, nil)
}

// deliveriesOf lists the deliveries of subscription id.
func deliveriesOf(t *testing.T, st *stack.Stack, token, id string) []webhookDelivery {
	t.Helper()
	var page struct {
		Items []webhookDelivery `json:"items"`
	}
	stack.Must(t, stack.Request{Method: http.MethodGet, URL: st.GatewayURL + "/v1/webhooks/subscriptions/" + id + "/deliveries?limit=100", Token: token}, http.StatusOK, &page)
	return page.Items
}

// delivery reads delivery id with its attempts.
func delivery(t *testing.T, st *stack.Stack, token, id string) webhookDelivery {
	t.Helper()
	var d struct {
		Delivery webhookDelivery  `json:"delivery"`
		Attempts []webhookAttempt `json:"attempts"`
	}
	stack.Must(t, stack.Request{Method: http.MethodGet, URL: st.GatewayURL + "/v1/webhooks/deliveries/" + id, Token: token}, http.StatusOK, &d)
	d.Delivery.AttemptList = d.Attempts
	return d.Delivery
}

// header returns the value of header key of an attempt's logged headers,
// whatever the case of its name.
func (a webhookAttempt) header(key string) string {
	for k, v := range a.RequestHeaders {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return ""
}

// subscription reads subscription id.
func subscription(t *testing.T, st *stack.Stack, token, id string) webhookSub {
	t.Helper()
	var s webhookSub
	stack.Must(t, stack.Request{Method: http.MethodGet, URL: st.GatewayURL + "/v1/webhooks/subscriptions/" + id, Token: token}, http.StatusOK, &s)
	return s
}

// eventually polls cond every 200 ms until it holds, failing the test
// with what() after within.
func eventually(t *testing.T, within time.Duration, cond func() bool, what func() string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", within, what())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// msgID is the webhook-id of delivery id: msg_ and the id without dashes.
func msgID(id string) string { return "msg_" + strings.ReplaceAll(id, "-", "") }
