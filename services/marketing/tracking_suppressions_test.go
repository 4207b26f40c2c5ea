package marketing_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"

	"github.com/rapport-crm/rapport/services/marketing/tracking"
)

func TestTrackingSuppressionListAddListRemove(t *testing.T) {
	e := newEnv(t)
	admin := newUser(uuid.NewString())
	added := contracttest.Decode[tracking.Suppression](e.want(e.do(admin, "POST", "/v1/suppressions",
		map[string]any{"channel": "email", "address": " Grace@Example.COM ", "detail": "asked by phone"}), http.StatusCreated))
	if added.Address != "grace@example.com" || added.Reason != "manual" || added.CreatedBy != admin.id {
		t.Fatalf("added %+v", added)
	}
	e.want(e.do(admin, "POST", "/v1/suppressions", map[string]any{"channel": "email", "address": "grace@example.com"}), http.StatusConflict)
	e.want(e.do(admin, "POST", "/v1/suppressions", map[string]any{"channel": "sms", "address": "+14155550123"}), http.StatusCreated)
	e.want(e.do(admin, "POST", "/v1/suppressions", map[string]any{"channel": "email", "address": "a@example.com"}), http.StatusCreated)

	bad := e.want(e.do(admin, "POST", "/v1/suppressions", map[string]any{"channel": "sms", "address": "0207 946 0000"}), http.StatusBadRequest)
	if f := bad.fields(); !slices.Equal(f, []string{"address"}) {
		t.Fatalf("fields %v", f)
	}
	bad = e.want(e.do(admin, "POST", "/v1/suppressions", map[string]any{"channel": "fax", "address": "x", "reason": "bored"}), http.StatusBadRequest)
	if f := bad.fields(); !slices.Equal(f, []string{"channel", "reason"}) {
		t.Fatalf("fields %v", f)
	}
	e.want(e.do(admin, "POST", "/v1/suppressions", map[string]any{"channel": "email", "address": "b@example.com", "createdBy": "me"}), http.StatusBadRequest)

	var got []string
	cursor := ""
	for {
		page := contracttest.Decode[tracking.SuppressionPage](e.want(e.do(admin, "GET", "/v1/suppressions?limit=2&cursor="+cursor, nil), http.StatusOK))
		for _, s := range page.Items {
			got = append(got, s.Channel+":"+s.Address)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if want := []string{"email:a@example.com", "email:grace@example.com", "sms:+14155550123"}; !slices.Equal(got, want) {
		t.Fatalf("list %v, want %v", got, want)
	}
	e.want(e.do(admin, "GET", "/v1/suppressions?channel=fax", nil), http.StatusBadRequest)

	e.want(e.do(admin, "DELETE", "/v1/suppressions/email/Grace@example.com", nil), http.StatusNoContent)
	e.want(e.do(admin, "DELETE", "/v1/suppressions/email/grace@example.com", nil), http.StatusNotFound)
	// Another tenant sees none of it; a marketer without admin may not read it.
	other := contracttest.Decode[tracking.SuppressionPage](e.want(e.do(newUser(uuid.NewString()), "GET", "/v1/suppressions", nil), http.StatusOK))
	if len(other.Items) != 0 {
		t.Fatalf("another tenant sees %+v", other.Items)
	}
	e.want(e.do(admin.as("marketing:read", "marketing:write", "marketing:send"), "GET", "/v1/suppressions", nil), http.StatusForbidden)
}
