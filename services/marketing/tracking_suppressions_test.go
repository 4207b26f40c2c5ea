package marketing_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"

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

func TestTrackingTablesHaveRowLevelSecurity(t *testing.T) {
	e := newEnv(t)
	tables, err := pg.TablesWithoutRLS(context.Background(), e.admin.DB)
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"message_events", "feedback_reports", "suppressions"} {
		if slices.Contains(tables, table) {
			t.Errorf("%s has no row-level security", table)
		}
		if n := e.count(`SELECT count(*) FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
			WHERE c.relname = $1 AND p.polname = 'tenant_isolation'`, table); n != 1 {
			t.Errorf("%s: %d tenant_isolation policies", table, n)
		}
	}
	// The app role reads another tenant's messages only through
	// marketing_message_by_ref, which returns their tenant and id alone.
	m := e.seedMessage(uuid.NewString(), "email")
	app := testkit.Open(t, e.app)
	var n int
	if err := app.Get(&n, "SELECT count(*) FROM messages"); err != nil || n != 0 {
		t.Fatalf("the app role sees %d messages outside a tenant (%v)", n, err)
	}
	var tenant string
	if err := app.Get(&tenant, "SELECT tenant_id FROM marketing_message_by_ref(NULL, $1)", m.smtpID); err != nil || tenant != m.tenant {
		t.Fatalf("by reference: %q (%v), want %s", tenant, err, m.tenant)
	}
}
