package identity

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/rapport-crm/rapport/libs/errs"
)

// wsRequest is a GET of the agents' chat socket with header; upgrade adds
// the WebSocket upgrade's Connection and Upgrade.
func wsRequest(upgrade bool, header http.Header) *http.Request {
	r := httptest.NewRequest("GET", "/v1/chats/0190c5e6-0000-7000-8000-000000000001/ws", nil)
	for name, values := range header {
		r.Header[name] = values
	}
	if upgrade {
		r.Header.Set("Connection", "keep-alive, Upgrade")
		r.Header.Set("Upgrade", "websocket")
		r.Header.Set("Sec-WebSocket-Version", "13")
		r.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	}
	return r
}

// protocols is a Sec-WebSocket-Protocol header of lines.
func protocols(lines ...string) http.Header { return http.Header{"Sec-Websocket-Protocol": lines} }

func TestAuthenticateWebSocketProtocolToken(t *testing.T) {
	e := setup(t)
	tenant, admin := e.tenant(t, "acme")
	var key CreatedAPIKey
	e.c.call(t, "POST", "/v1/api-keys", bearer(admin.AccessToken), map[string]any{
		"name": "sync", "scopes": []string{"contacts:read"}}, 201, &key)
	tok := BearerProtocolPrefix + admin.AccessToken

	accepted := []struct {
		name string
		r    *http.Request
	}{
		{"beside the chat protocol", wsRequest(true, protocols("rapport.chat.v1, "+tok))},
		{"first of its line", wsRequest(true, protocols(tok+",rapport.chat.v1"))},
		{"on a line of its own", wsRequest(true, protocols("rapport.chat.v1", tok))},
		{"alone", wsRequest(true, protocols(tok))},
	}
	for _, tt := range accepted {
		t.Run(tt.name, func(t *testing.T) {
			p, err := e.s.Authenticate(t.Context(), tt.r)
			if err != nil {
				t.Fatal(err)
			}
			if p.TenantID != tenant.ID || p.UserID == "" {
				t.Errorf("principal %+v, want the admin of %s", p, tenant.ID)
			}
		})
	}

	refused := []struct {
		name string
		r    *http.Request
		slug string // the problem's; "" for any 401
	}{
		{"a plain GET", wsRequest(false, protocols("rapport.chat.v1, "+tok)), ""},
		{"an upgrade to another protocol", func() *http.Request {
			r := wsRequest(true, protocols(tok))
			r.Header.Set("Upgrade", "h2c")
			return r
		}(), ""},
		{"a forged token", wsRequest(true, protocols("rapport.chat.v1, "+tok[:len(tok)-4]+"AAAA")), ""},
		{"an empty token", wsRequest(true, protocols("rapport.chat.v1, "+BearerProtocolPrefix)), ""},
		{"no token", wsRequest(true, protocols("rapport.chat.v1")), ""},
		{"two tokens", wsRequest(true, protocols(tok, tok)), "invalid-websocket-credentials"},
		{"an API key", wsRequest(true, protocols("rapport.chat.v1, "+BearerProtocolPrefix+key.Secret)), "invalid-websocket-credentials"},
		{"another Authorization scheme comes first", wsRequest(true, http.Header{
			"Authorization": {"Basic YWRtaW46c2VjcmV0"}, "Sec-Websocket-Protocol": {tok}}), ""},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.s.Authenticate(t.Context(), tt.r)
			if errs.KindOf(err) != errs.Unauthenticated {
				t.Fatalf("error %v, want one of kind Unauthenticated", err)
			}
			if e, _ := errs.As(err); tt.slug != "" && e.Slug != tt.slug {
				t.Errorf("slug %q, want %q", e.Slug, tt.slug)
			}
		})
	}

	t.Run("headers come first", func(t *testing.T) {
		r := wsRequest(true, http.Header{"X-Api-Key": {key.Secret}, "Sec-Websocket-Protocol": {BearerProtocolPrefix + "forged"}})
		p, err := e.s.Authenticate(t.Context(), r)
		if err != nil || p.TenantID != tenant.ID {
			t.Errorf("principal %+v, error %v: want the API key's", p, err)
		}
	})
}
