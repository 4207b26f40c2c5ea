package support_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"

	"github.com/rapport-crm/rapport/services/support/cases"
)

// listCases lists every case of u's tenant the query selects, page by
// page of limit, and returns their subjects in order.
func (e *env) listCases(u user, query url.Values, limit int) []string {
	e.t.Helper()
	query.Set("limit", strconv.Itoa(limit))
	var out []string
	for range 50 {
		page := contracttest.Decode[cases.Page](e.want(e.do(u, "GET", "/v1/cases?"+query.Encode(), nil), http.StatusOK))
		for _, c := range page.Items {
			out = append(out, c.Subject)
		}
		if page.NextCursor == "" {
			return out
		}
		query.Set("cursor", page.NextCursor)
	}
	e.t.Fatal("more than 50 pages")
	return nil
}

func TestCaseListFiltersAndQueueView(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	queue, contact, account := uuid.NewString(), uuid.NewString(), uuid.NewString()
	mk := func(subject string, fields map[string]any) cases.Case {
		body := map[string]any{"subject": subject}
		for k, v := range fields {
			body[k] = v
		}
		return e.createCase(u, body)
	}
	mk("Printer jam", map[string]any{"queueId": queue, "priority": "high", "tags": []string{"Hardware"}, "contactId": contact})
	b := mk("Password reset", map[string]any{"queueId": queue, "assigneeId": u.id, "channel": "email", "accountId": account})
	mk("Invoice copy", map[string]any{"priority": "low", "status": "open"})
	d := mk("Printer toner", map[string]any{"queueId": queue, "tags": []string{"hardware", "supplies"}})
	s := mk("Solved thing", map[string]any{"queueId": queue, "status": "open"})
	e.patchCase(u, s, map[string]any{"status": "solved"}, http.StatusOK)
	// The SLA's due times (package sla writes them): d first, then b; a and c have none.
	for id, due := range map[string]string{d.ID: "1 hour", b.ID: "2 hours", s.ID: "1 minute"} {
		if _, err := e.admin.Exec("UPDATE cases SET sla_due_at = now() + $2::interval WHERE id = $1", id, due); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{"Solved thing", "Printer toner", "Invoice copy", "Password reset", "Printer jam"}},
		{"view=queue", []string{"Printer toner", "Password reset", "Printer jam", "Invoice copy"}},
		{"view=queue&queueId=" + queue, []string{"Printer toner", "Password reset", "Printer jam"}},
		{"status=new", []string{"Printer toner", "Password reset", "Printer jam"}},
		{"status=open,solved", []string{"Solved thing", "Invoice copy"}},
		{"status=open&status=solved", []string{"Solved thing", "Invoice copy"}},
		{"assigneeId=me", []string{"Password reset"}},
		{"assigneeId=" + u.id, []string{"Password reset"}},
		{"priority=high", []string{"Printer jam"}},
		{"channel=email", []string{"Password reset"}},
		{"contactId=" + contact, []string{"Printer jam"}},
		{"accountId=" + account, []string{"Password reset"}},
		{"tag=HARDWARE", []string{"Printer toner", "Printer jam"}},
		{"q=printer", []string{"Printer toner", "Printer jam"}},
		{"q=%232", []string{"Password reset"}},
		{"q=3", []string{"Invoice copy"}},
		{"q=printer&priority=high", []string{"Printer jam"}},
	} {
		q, err := url.ParseQuery(tc.query)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.listCases(u, q, 2); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.query, got, tc.want)
		}
	}
	// Another user's "me" is theirs.
	if got := e.listCases(u.scoped(u.scope), url.Values{"assigneeId": {"me"}}, 2); len(got) != 0 {
		t.Fatalf("another user's cases: %v", got)
	}
	e.want(e.do(u, "GET", "/v1/cases?cursor=forged", nil), http.StatusBadRequest)
}
