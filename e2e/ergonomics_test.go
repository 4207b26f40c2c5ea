package e2e

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/rapport-crm/rapport/e2e/stack"
	"github.com/rapport-crm/rapport/libs/apiclient"
)

// TestErgonomicsThroughGateway checks the gateway's ergonomics through
// libs/apiclient against the real stack: a contact read twice with
// If-None-Match is a 304 the second time, a list with fields= carries only
// those members and id, an unknown field is a 400 naming it, and the
// RateLimit-* headers come with every signed-in answer.
func TestErgonomicsThroughGateway(t *testing.T) {
	st := stack.Start(t, bins)
	tn := st.CreateTenant(t, "e2e-ergonomics-"+letters(6))
	ctx := context.Background()
	c, err := apiclient.New(st.GatewayURL, apiclient.StaticToken(tn.Admin.Token), apiclient.WithUserAgent("rapport-e2e"))
	if err != nil {
		t.Fatal(err)
	}
	rateLimited := func(what string, h *http.Response) {
		t.Helper()
		for _, k := range []string{"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} {
			if h.Header.Get(k) == "" {
				t.Errorf("%s: no %s header", what, k)
			}
		}
	}

	first, email := "Ada", "ada@example.com"
	created, err := c.CreateContactWithResponse(ctx, nil, apiclient.ContactInput{FirstName: &first,
		Emails: &[]apiclient.Email{{Address: email}}})
	if err == nil {
		err = apiclient.Check(created.HTTPResponse, created.Body)
	}
	if err != nil || created.JSON201 == nil {
		t.Fatalf("create: %v", err)
	}
	rateLimited("POST /v1/contacts", created.HTTPResponse)
	id := created.JSON201.Id.String()

	got, err := c.GetContactWithResponse(ctx, id, nil)
	if err == nil {
		err = apiclient.Check(got.HTTPResponse, got.Body)
	}
	if err != nil || got.StatusCode() != http.StatusOK || got.Headers200 == nil || got.Headers200.ETag == nil {
		t.Fatalf("get: %v (status %d)", err, got.StatusCode())
	}
	etag := *got.Headers200.ETag
	if got.Headers200.RateLimitRemaining == nil {
		t.Errorf("get: RateLimit-Remaining not parsed from %v", got.HTTPResponse.Header)
	}
	again, err := c.GetContactWithResponse(ctx, id, &apiclient.GetContactParams{IfNoneMatch: &etag})
	if err != nil || again.StatusCode() != http.StatusNotModified || len(again.Body) != 0 ||
		again.HTTPResponse.Header.Get("ETag") != etag {
		t.Fatalf("get with If-None-Match %s: %v, status %d, body %q, ETag %q", etag, err, again.StatusCode(), again.Body,
			again.HTTPResponse.Header.Get("ETag"))
	}
	rateLimited("304", again.HTTPResponse)

	page, err := c.ListContactsWithResponse(ctx, &apiclient.ListContactsParams{Fields: &apiclient.Fields{"firstName", "emails"}})
	if err == nil {
		err = apiclient.Check(page.HTTPResponse, page.Body)
	}
	if err != nil {
		t.Fatalf("list with fields: %v", err)
	}
	var sparse struct {
		Items []map[string]any `json:"items"`
	}
	stack.Response{Body: page.Body}.Decode(t, &sparse)
	if len(sparse.Items) != 1 || len(sparse.Items[0]) != 3 || sparse.Items[0]["id"] != id || sparse.Items[0]["firstName"] != first ||
		sparse.Items[0]["emails"] == nil {
		t.Fatalf("list with fields=firstName,emails: %s", page.Body)
	}
	rateLimited("list", page.HTTPResponse)

	bad, err := c.ListContactsWithResponse(ctx, &apiclient.ListContactsParams{Fields: &apiclient.Fields{"firstName", "shoeSize"}})
	if err != nil {
		t.Fatal(err)
	}
	var p *apiclient.ProblemError
	if err := apiclient.Check(bad.HTTPResponse, bad.Body); !errors.As(err, &p) || p.Status != http.StatusBadRequest {
		t.Fatalf("unknown field: %v", err)
	}
	if reason, ok := p.Field("fields"); !ok || reason != "unknown field shoeSize" {
		t.Fatalf("unknown field: %+v", p)
	}
	rateLimited("400", bad.HTTPResponse)
}
