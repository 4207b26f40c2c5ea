package support_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"

	"github.com/rapport-crm/rapport/services/support/cases"
)

func TestCaseStatusTransitionsAndReopenWindow(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	c := e.createCase(u, map[string]any{"subject": "Refund"})
	refused := func(c cases.Case, status string) {
		t.Helper()
		if f := e.patchCase(u, c, map[string]any{"status": status}, http.StatusUnprocessableEntity).fields(); !slices.Equal(f, []string{"status"}) {
			t.Fatalf("%s → %s: fields %v", c.Status, status, f)
		}
	}
	move := func(c cases.Case, status string) cases.Case {
		t.Helper()
		return contracttest.Decode[cases.Case](e.patchCase(u, c, map[string]any{"status": status}, http.StatusOK))
	}
	refused(c, "closed")
	e.want(e.do(u, "PATCH", "/v1/cases/"+c.ID, map[string]any{"status": "done"}, "If-Match", `"1"`), http.StatusBadRequest)
	c = move(c, "open")
	refused(c, "new")
	c = move(c, "on_hold")
	c = move(c, "open")
	c = move(c, "solved")
	if c.SolvedAt == nil {
		t.Fatal("no solvedAt")
	}
	c = move(c, "open") // reopened within the window
	if c.SolvedAt != nil {
		t.Fatalf("a reopened case keeps solvedAt %v", c.SolvedAt)
	}
	c = move(c, "solved")
	// Solved 8 days ago: past the default window of 7 days.
	if _, err := e.admin.Exec("UPDATE cases SET solved_at = now() - interval '8 days' WHERE id = $1", c.ID); err != nil {
		t.Fatal(err)
	}
	c = e.readCase(u, c.ID)
	refused(c, "open")
	// A wider window, set by an admin, lets it reopen.
	settings := map[string]any{"reopenDays": 30, "autoCloseDays": 5}
	e.want(e.do(u.as("support:read", "support:write"), "PUT", "/v1/case-settings", settings), http.StatusForbidden)
	if f := e.want(e.do(u, "PUT", "/v1/case-settings", map[string]any{"reopenDays": 30, "autoCloseDays": 0}), http.StatusBadRequest).fields(); !slices.Equal(f, []string{"autoCloseDays"}) {
		t.Fatalf("fields %v", f)
	}
	got := contracttest.Decode[cases.Settings](e.want(e.do(u, "GET", "/v1/case-settings", nil), http.StatusOK))
	if got.ReopenDays != 7 || got.AutoCloseDays != 3 {
		t.Fatalf("default settings %+v", got)
	}
	e.want(e.do(u, "PUT", "/v1/case-settings", settings), http.StatusOK)
	if got := contracttest.Decode[cases.Settings](e.want(e.do(u, "GET", "/v1/case-settings", nil), http.StatusOK)); got.ReopenDays != 30 || got.UpdatedBy != u.id {
		t.Fatalf("settings %+v", got)
	}
	c = move(c, "open")
	c = move(c, "solved")
	c = move(c, "closed")
	if c.ClosedAt == nil || c.SolvedAt == nil {
		t.Fatalf("closed %+v", c)
	}
	// Closed is final.
	r := e.patchCase(u, c, map[string]any{"status": "open"}, http.StatusUnprocessableEntity)
	if !strings.Contains(string(r.Raw), "case-closed") {
		t.Fatalf("%s", r.Raw)
	}
	e.postEntry(u, c.ID, "replies", map[string]any{"bodyText": "hello?"}, http.StatusUnprocessableEntity)
	e.postEntry(u, c.ID, "notes", map[string]any{"bodyText": "closed for good"}, http.StatusCreated)

	// Every status move published case.status_changed with where it came from.
	var from []string
	for _, ev := range e.published() {
		if ev.Subject == c.ID && strings.HasSuffix(ev.Type, ".case.status_changed.v1") {
			p := contracttest.Decode[struct {
				Status     string `json:"status"`
				FromStatus string `json:"fromStatus"`
			}](contracttest.Reply{T: t, Raw: ev.Data})
			from = append(from, p.FromStatus+">"+p.Status)
		}
	}
	want := []string{"new>open", "open>on_hold", "on_hold>open", "open>solved", "solved>open", "open>solved", "solved>open", "open>solved", "solved>closed"}
	if !slices.Equal(from, want) {
		t.Fatalf("status changes %v, want %v", from, want)
	}
	contracttest.ValidateEvents(t, "api/events", e.published())
}

func TestCaseAutoCloseJob(t *testing.T) {
	e := newEnv(t)
	u, v := newUser(uuid.NewString()), newUser(uuid.NewString())
	solved := func(u user, subject, ago string) cases.Case {
		t.Helper()
		c := e.createCase(u, map[string]any{"subject": subject, "status": "open"})
		e.patchCase(u, c, map[string]any{"status": "solved"}, http.StatusOK)
		if _, err := e.admin.Exec("UPDATE cases SET solved_at = now() - $2::interval WHERE id = $1", c.ID, ago); err != nil {
			t.Fatal(err)
		}
		return c
	}
	old, recent := solved(u, "old", "4 days"), solved(u, "recent", "1 day")
	e.want(e.do(v, "PUT", "/v1/case-settings", map[string]any{"reopenDays": 7, "autoCloseDays": 10}), http.StatusOK)
	patient := solved(v, "patient", "4 days")

	job := cases.NewAutoClose(e.caseDB(), quiet)
	for range 2 { // a second run finds nothing more
		if err := job.Run(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		u      user
		c      cases.Case
		status string
	}{{u, old, "closed"}, {u, recent, "solved"}, {v, patient, "solved"}} {
		if got := e.readCase(tc.u, tc.c.ID); got.Status != tc.status {
			t.Fatalf("%s is %s, want %s", tc.c.Subject, got.Status, tc.status)
		}
	}
	n := 0
	for _, ty := range e.eventTypes(old.ID) {
		if ty == "case.status_changed" {
			n++
		}
	}
	if n != 2 { // open → solved, solved → closed
		t.Fatalf("%d status changes", n)
	}
}
