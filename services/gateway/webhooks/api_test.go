package webhooks

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/pg"
)

// problem is what a test reads of a problem+json answer.
type problem struct {
	Errors []struct {
		Field string `json:"field"`
	} `json:"errors"`
}

// fields returns the fields a problem answer names.
func fields(t *testing.T, body string) []string {
	t.Helper()
	var p problem
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatalf("%v in %s", err, body)
	}
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Field)
	}
	return out
}

func TestWebhooksAPISubscriptionLifecycle(t *testing.T) {
	e := newEnv(t)
	srv := e.serve(t, e.tenantA, "webhooks:read", "webhooks:manage")
	var created Subscription
	call(t, srv, "POST", "/v1/webhooks/subscriptions", `{"url":"http://127.0.0.1:9/hooks","description":"deals",
		"eventTypes":["dev.rapport.sales.opportunity.*"],"filter":{"field":"data.probability","op":"gte","value":50}}`, 201, &created)
	if !strings.HasPrefix(created.Secret, "whsec_") || created.Status != StatusActive || created.Version != 1 || created.Filter == nil {
		t.Fatalf("created %+v", created)
	}
	var sealed []byte
	if err := e.admin.Get(&sealed, `SELECT secret_enc FROM webhook_subscriptions WHERE id = $1`, created.ID); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(sealed), created.Secret) {
		t.Error("the secret is stored in clear")
	}
	if plain, err := e.store.sealer.Open(sealed); err != nil || plain != created.Secret {
		t.Errorf("sealed secret opens to %q, %v", plain, err)
	}
	var got Subscription
	body := call(t, srv, "GET", "/v1/webhooks/subscriptions/"+created.ID, "", 200, &got)
	if strings.Contains(body, "whsec_") || got.URL != created.URL {
		t.Errorf("GET shows %s", body)
	}

	// If-Match: a stale version is refused, the current one applies; a
	// null filter removes it.
	call(t, srv, "PATCH", "/v1/webhooks/subscriptions/"+created.ID, `{"description":"x"}`, 412, nil, "If-Match", `"7"`)
	var updated Subscription
	call(t, srv, "PATCH", "/v1/webhooks/subscriptions/"+created.ID, `{"description":"all deals","filter":null}`, 200, &updated, "If-Match", `"1"`)
	if updated.Description != "all deals" || updated.Filter != nil || updated.Version != 2 {
		t.Errorf("updated %+v", updated)
	}
	var rotated Subscription
	call(t, srv, "POST", "/v1/webhooks/subscriptions/"+created.ID+"/rotate-secret", "", 200, &rotated)
	if !strings.HasPrefix(rotated.Secret, "whsec_") || rotated.Secret == created.Secret {
		t.Errorf("rotated secret %q", rotated.Secret)
	}

	// A ping is a pending delivery of its own type.
	var ping Delivery
	call(t, srv, "POST", "/v1/webhooks/subscriptions/"+created.ID+"/ping", "", 202, &ping)
	if ping.EventType != TypePing || ping.Status != DeliveryPending {
		t.Errorf("ping %+v", ping)
	}
	var page Page[Delivery]
	call(t, srv, "GET", "/v1/webhooks/subscriptions/"+created.ID+"/deliveries?status=pending", "", 200, &page)
	if len(page.Items) != 1 || page.Items[0].ID != ping.ID {
		t.Errorf("pending deliveries %+v", page.Items)
	}
	call(t, srv, "POST", "/v1/webhooks/deliveries/"+ping.ID+"/redeliver", "", 409, nil)
	e.admin.MustExec(`UPDATE webhook_deliveries SET status = 'failed', attempts = 8, last_error = 'refused' WHERE id = $1`, ping.ID)
	e.admin.MustExec(`INSERT INTO webhook_attempts (tenant_id, delivery_id, n, at, duration_ms, status, error)
		VALUES ($1, $2, 1, now(), 12, 500, 'answered 500')`, e.tenantA, ping.ID)
	var redelivered Delivery
	call(t, srv, "POST", "/v1/webhooks/deliveries/"+ping.ID+"/redeliver", "", 202, &redelivered)
	if redelivered.Status != DeliveryPending || redelivered.AttemptCount != 0 {
		t.Errorf("redelivered %+v", redelivered)
	}
	var detail DeliveryDetail
	call(t, srv, "GET", "/v1/webhooks/deliveries/"+ping.ID, "", 200, &detail)
	if detail.Delivery.ID != ping.ID || len(detail.Attempts) != 1 || detail.Attempts[0].Error != "answered 500" {
		t.Errorf("detail %+v", detail)
	}

	// Enabling a disabled one clears its failure.
	e.admin.MustExec(`UPDATE webhook_subscriptions SET status = 'disabled', disabled_reason = 'gone', disabled_at = now(), failing_since = now() WHERE id = $1`, created.ID)
	var enabled Subscription
	call(t, srv, "POST", "/v1/webhooks/subscriptions/"+created.ID+"/enable", "", 200, &enabled)
	if enabled.Status != StatusActive || enabled.DisabledReason != "" || enabled.FailingSince != nil {
		t.Errorf("enabled %+v", enabled)
	}

	var list Page[Subscription]
	call(t, srv, "GET", "/v1/webhooks/subscriptions?limit=10", "", 200, &list)
	if len(list.Items) != 1 {
		t.Errorf("list %+v", list)
	}
	call(t, srv, "DELETE", "/v1/webhooks/subscriptions/"+created.ID, "", 412, nil, "If-Match", `"1"`)
	call(t, srv, "DELETE", "/v1/webhooks/subscriptions/"+created.ID, "", 204, nil, "If-Match", `"`+strconv.FormatInt(enabled.Version, 10)+`"`)
	call(t, srv, "GET", "/v1/webhooks/subscriptions/"+created.ID, "", 404, nil)

	// Every change is an event in the outbox, for rapport.webhooks.v1.
	types := e.outboxEvents(t)
	want := []string{TypeCreated, TypeUpdated, TypeUpdated, TypeEnabled, TypeDeleted}
	if strings.Join(types, " ") != strings.Join(want, " ") {
		t.Errorf("outbox events %v, want %v", types, want)
	}
}

func TestWebhooksAPIValidationNamesTheField(t *testing.T) {
	e := newEnv(t)
	srv := e.serve(t, e.tenantA, "webhooks:manage")
	for _, tt := range []struct {
		name, body, field string
	}{
		{"no url", `{"eventTypes":["*"]}`, "url"},
		{"not https", `{"url":"ftp://example.com/h","eventTypes":["*"]}`, "url"},
		{"private address", `{"url":"http://10.0.0.1/h","eventTypes":["*"]}`, "url"},
		{"metadata address", `{"url":"http://169.254.169.254/latest","eventTypes":["*"]}`, "url"},
		{"no event types", `{"url":"http://127.0.0.1/h","eventTypes":[]}`, "eventTypes"},
		{"bad pattern", `{"url":"http://127.0.0.1/h","eventTypes":["*","dev.rapport.*.created"]}`, "eventTypes/1"},
		{"unknown type", `{"url":"http://127.0.0.1/h","eventTypes":["dev.rapport.sales.nothing.v1"]}`, "eventTypes/0"},
		{"unknown filter field", `{"url":"http://127.0.0.1/h","eventTypes":["dev.rapport.contacts.contact.created.v1"],
			"filter":{"and":[{"field":"type","op":"eq","value":"x"},{"field":"data.probability","op":"gt","value":1}]}}`, "filter/and/1/field"},
		{"wrong operator", `{"url":"http://127.0.0.1/h","eventTypes":["dev.rapport.contacts.contact.created.v1"],
			"filter":{"field":"data.tags","op":"eq","value":"x"}}`, "filter/op"},
		{"description too long", `{"url":"http://127.0.0.1/h","eventTypes":["*"],"description":"` + strings.Repeat("x", 501) + `"}`, "description"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body := call(t, srv, "POST", "/v1/webhooks/subscriptions", tt.body, 400, nil)
			if got := fields(t, body); len(got) != 1 || got[0] != tt.field {
				t.Errorf("fields %v, want [%s]: %s", got, tt.field, body)
			}
		})
	}
}

func TestWebhooksAPIPermissions(t *testing.T) {
	e := newEnv(t)
	reader := e.serve(t, e.tenantA, "webhooks:read")
	call(t, reader, "GET", "/v1/webhooks/subscriptions", "", 200, nil)
	call(t, reader, "POST", "/v1/webhooks/subscriptions", `{"url":"http://127.0.0.1/h","eventTypes":["*"]}`, 403, nil)
	none := e.serve(t, e.tenantA, "contacts:*")
	call(t, none, "GET", "/v1/webhooks/subscriptions", "", 403, nil)
}

func TestWebhooksAPITenantIsolation(t *testing.T) {
	e := newEnv(t)
	a := e.serve(t, e.tenantA, "*")
	b := e.serve(t, e.tenantB, "*")
	var sub Subscription
	call(t, a, "POST", "/v1/webhooks/subscriptions", `{"url":"http://127.0.0.1/h","eventTypes":["*"]}`, 201, &sub)
	var ping Delivery
	call(t, a, "POST", "/v1/webhooks/subscriptions/"+sub.ID+"/ping", "", 202, &ping)

	var list Page[Subscription]
	call(t, b, "GET", "/v1/webhooks/subscriptions", "", 200, &list)
	if len(list.Items) != 0 {
		t.Errorf("tenant B lists %+v", list.Items)
	}
	call(t, b, "GET", "/v1/webhooks/subscriptions/"+sub.ID, "", 404, nil)
	call(t, b, "PATCH", "/v1/webhooks/subscriptions/"+sub.ID, `{"description":"mine"}`, 404, nil)
	call(t, b, "DELETE", "/v1/webhooks/subscriptions/"+sub.ID, "", 404, nil)
	call(t, b, "POST", "/v1/webhooks/subscriptions/"+sub.ID+"/ping", "", 404, nil)
	call(t, b, "POST", "/v1/webhooks/subscriptions/"+sub.ID+"/rotate-secret", "", 404, nil)
	call(t, b, "GET", "/v1/webhooks/subscriptions/"+sub.ID+"/deliveries", "", 404, nil)
	call(t, b, "GET", "/v1/webhooks/deliveries/"+ping.ID, "", 404, nil)
	call(t, b, "POST", "/v1/webhooks/deliveries/"+ping.ID+"/redeliver", "", 404, nil)
	call(t, b, "GET", "/v1/webhooks/deliveries/"+ids.New(), "", 404, nil)

	// Under row-level security, B's transaction sees none of A's rows.
	var n int
	if err := pg.WithTenantTx(t.Context(), e.app, e.tenantB, func(tx *sqlx.Tx) error {
		return tx.Get(&n, `SELECT (SELECT count(*) FROM webhook_subscriptions) + (SELECT count(*) FROM webhook_deliveries)`)
	}); err != nil || n != 0 {
		t.Errorf("tenant B sees %d rows of A's (%v)", n, err)
	}
}
