package support_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/kitx"

	"github.com/rapport-crm/rapport/services/support/cases"
)

// createCase opens a case as u from body and returns it.
func (e *env) createCase(u user, body map[string]any) cases.Case {
	e.t.Helper()
	return contracttest.Decode[cases.Case](e.want(e.do(u, "POST", "/v1/cases", body), http.StatusCreated))
}

// patchCase patches the case c (at its version) as u, wanting status.
func (e *env) patchCase(u user, c cases.Case, patch map[string]any, status int) reply {
	e.t.Helper()
	return e.want(e.do(u, "PATCH", "/v1/cases/"+c.ID, patch, "If-Match", kitx.ETag(c.Version)), status)
}

// eventTypes returns the types of the events published of subject, in
// order.
func (e *env) eventTypes(subject string) []string {
	e.t.Helper()
	var out []string
	for _, ev := range e.published() {
		if ev.Subject == subject {
			out = append(out, strings.TrimSuffix(strings.TrimPrefix(ev.Type, "dev.rapport.support."), ".v1"))
		}
	}
	return out
}

func TestCasesCRUD(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	contact := uuid.NewString()
	c := e.createCase(u, map[string]any{"subject": "  Printer on fire ", "contactId": contact, "tags": []string{"Hardware", "hardware", "urgent"},
		"links": []map[string]any{{"type": "asset", "id": uuid.NewString()}}})
	if c.Number != 1 || c.Subject != "Printer on fire" || c.Status != cases.StatusNew || c.Channel != "api" || c.Priority != "normal" ||
		c.CreatedBy != u.id || c.ContactID != contact || !slices.Equal(c.Tags, []string{"Hardware", "urgent"}) || c.Version != 1 {
		t.Fatalf("created %+v", c)
	}
	got := contracttest.Decode[cases.Case](e.want(e.do(u, "GET", "/v1/cases/"+c.ID, nil), http.StatusOK))
	if got.ID != c.ID || got.Number != 1 {
		t.Fatalf("got %+v", got)
	}
	byNumber := contracttest.Decode[cases.Case](e.want(e.do(u, "GET", "/v1/cases/by-number?number=%231", nil), http.StatusOK))
	if byNumber.ID != c.ID {
		t.Fatalf("by number %+v", byNumber)
	}
	e.want(e.do(u, "GET", "/v1/cases/by-number?number=2", nil), http.StatusNotFound)

	// PATCH needs If-Match, the current one.
	e.want(e.do(u, "PATCH", "/v1/cases/"+c.ID, map[string]any{"priority": "high"}), http.StatusPreconditionRequired)
	stale := c
	stale.Version = 7
	e.patchCase(u, stale, map[string]any{"priority": "high"}, http.StatusPreconditionFailed)
	r := e.patchCase(u, c, map[string]any{"priority": "high", "assigneeId": u.id, "contactId": nil}, http.StatusOK)
	c = contracttest.Decode[cases.Case](r)
	if c.Priority != "high" || c.AssigneeID != u.id || c.ContactID != "" || c.Version != 2 {
		t.Fatalf("patched %+v", c)
	}
	if ch := kitx.ChangedFields(r.Header); !slices.Equal(ch, []string{"assigneeId", "contactId", "priority"}) {
		t.Fatalf("changed %v", ch)
	}
	// A patch that changes nothing keeps the version.
	if same := contracttest.Decode[cases.Case](e.patchCase(u, c, map[string]any{"priority": "high"}, http.StatusOK)); same.Version != 2 {
		t.Fatalf("unchanged patch moved the version to %d", same.Version)
	}

	// Another tenant sees nothing of it.
	other := newUser(uuid.NewString())
	e.want(e.do(other, "GET", "/v1/cases/"+c.ID, nil), http.StatusNotFound)
	e.patchCase(other, c, map[string]any{"priority": "low"}, http.StatusNotFound)
	e.want(e.do(other, "DELETE", "/v1/cases/"+c.ID, nil), http.StatusNotFound)
	if page := contracttest.Decode[cases.Page](e.want(e.do(other, "GET", "/v1/cases", nil), http.StatusOK)); len(page.Items) != 0 {
		t.Fatalf("another tenant lists %d cases", len(page.Items))
	}

	// Deleting needs support:admin; a deleted case is not found, its number stays taken.
	e.want(e.do(u.as("support:read", "support:write"), "DELETE", "/v1/cases/"+c.ID, nil), http.StatusForbidden)
	e.want(e.do(u, "DELETE", "/v1/cases/"+c.ID, nil, "If-Match", kitx.ETag(1)), http.StatusPreconditionFailed)
	e.want(e.do(u, "DELETE", "/v1/cases/"+c.ID, nil), http.StatusNoContent)
	e.want(e.do(u, "GET", "/v1/cases/"+c.ID, nil), http.StatusNotFound)
	e.want(e.do(u, "DELETE", "/v1/cases/"+c.ID, nil), http.StatusNotFound)
	if next := e.createCase(u, map[string]any{"subject": "next"}); next.Number != 2 {
		t.Fatalf("the next case is number %d", next.Number)
	}
	if types := e.eventTypes(c.ID); !slices.Equal(types, []string{"case.created", "case.updated", "case.deleted"}) {
		t.Fatalf("events %v", types)
	}
	contracttest.ValidateEvents(t, "api/events", e.published())
}

func TestCaseNumbersAreGapFreeUnderConcurrentCreates(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	const n = 12
	numbers := make(chan int64, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			numbers <- e.createCase(u, map[string]any{"subject": fmt.Sprintf("case %d", i)}).Number
		})
	}
	wg.Wait()
	close(numbers)
	var got []int64
	for n := range numbers {
		got = append(got, n)
	}
	slices.Sort(got)
	for i, n := range got {
		if n != int64(i+1) {
			t.Fatalf("numbers %v, want 1 to %d", got, len(got))
		}
	}
	// Another tenant counts from 1.
	if c := e.createCase(newUser(uuid.NewString()), map[string]any{"subject": "first"}); c.Number != 1 {
		t.Fatalf("another tenant's first case is %d", c.Number)
	}
}

func TestCaseBadInput(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	for _, tc := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"unknown field", map[string]any{"subject": "s", "colour": "red"}, "colour"},
		{"read-only field", map[string]any{"subject": "s", "number": 7}, "number"},
		{"no subject", map[string]any{"description": "d"}, "subject"},
		{"huge subject", map[string]any{"subject": strings.Repeat("长", 501)}, "subject"},
		{"bad status", map[string]any{"subject": "s", "status": "pending"}, "status"},
		{"bad channel", map[string]any{"subject": "s", "channel": "fax"}, "channel"},
		{"bad priority", map[string]any{"subject": "s", "priority": "asap"}, "priority"},
		{"bad contact", map[string]any{"subject": "s", "contactId": "42"}, "contactId"},
		{"bad link type", map[string]any{"subject": "s", "links": []map[string]any{{"type": "invoice", "id": uuid.NewString()}}}, "links/0/type"},
		{"bad link id", map[string]any{"subject": "s", "links": []map[string]any{{"type": "contract", "id": "x"}}}, "links/0/id"},
		{"empty tag", map[string]any{"subject": "s", "tags": []string{" "}}, "tags/0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(u, "POST", "/v1/cases", tc.body)
			if r.Status != http.StatusBadRequest {
				t.Fatalf("status %d: %s", r.Status, r.Raw)
			}
			if f := r.fields(); !slices.Contains(f, tc.field) {
				t.Fatalf("fields %v, want %s", f, tc.field)
			}
		})
	}
	// A case is created new or open.
	r := e.want(e.do(u, "POST", "/v1/cases", map[string]any{"subject": "s", "status": "solved"}), http.StatusUnprocessableEntity)
	if f := r.fields(); !slices.Equal(f, []string{"status"}) {
		t.Fatalf("fields %v", f)
	}
	for _, q := range []string{"status=done", "view=board", "limit=0", "queueId=x", "priority=asap"} {
		e.want(e.do(u, "GET", "/v1/cases?"+q, nil), http.StatusBadRequest)
	}
	e.want(e.do(u, "GET", "/v1/cases/by-number?number=x", nil), http.StatusBadRequest)
	e.want(e.do(u, "GET", "/v1/cases/not-a-uuid", nil), http.StatusNotFound)
	// Nothing was created by the refused requests.
	if page := contracttest.Decode[cases.Page](e.want(e.do(u, "GET", "/v1/cases", nil), http.StatusOK)); len(page.Items) != 0 {
		t.Fatalf("%d cases", len(page.Items))
	}
}
