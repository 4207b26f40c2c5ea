package support_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/support/cases"
	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
	"github.com/rapport-crm/rapport/services/support/sla"
)

// caseSLA reads the clocks of the case id as u, by target.
func (e *env) caseSLA(u user, id string) map[string]sla.CaseClock {
	e.t.Helper()
	got := contracttest.Decode[sla.CaseSLA](e.want(e.do(u, "GET", "/v1/cases/"+id+"/sla", nil), http.StatusOK))
	out := map[string]sla.CaseClock{}
	for _, k := range got.Clocks {
		out[k.Target] = k
	}
	return out
}

// waitClocks waits until the case id's clocks satisfy cond (the consumer
// follows the cases' events) and returns them.
func (e *env) waitClocks(u user, id, what string, cond func(map[string]sla.CaseClock) bool) map[string]sla.CaseClock {
	e.t.Helper()
	var clocks map[string]sla.CaseClock
	testkit.Eventually(e.t, time.Minute, what, func() (bool, string) {
		clocks = e.caseSLA(u, id)
		return cond(clocks), fmt.Sprintf("%+v", clocks)
	})
	return clocks
}

// publishReply publishes case_entry.created of a public reply to the case
// id by authorType through the service's outbox, as the thread (package
// cases) does.
func (e *env) publishReply(db *outbox.DB, u user, caseID, authorType string) {
	e.t.Helper()
	id := uuid.NewString()
	entry := map[string]any{"id": id, "caseId": caseID, "kind": "reply", "public": true, "authorType": authorType, "channel": "email",
		"bodyText": "hello", "bodyHtml": "", "attachments": []any{}, "createdAt": time.Now().UTC()}
	if err := db.InTx(context.Background(), u.tenant, func(tx *outbox.Tx) error {
		return tx.Emit(context.Background(), supportdb.EntityCaseEntry, supportdb.VerbCreated, id, entry, nil)
	}); err != nil {
		e.t.Fatal(err)
	}
}

// startedAgo moves the start of the case's clock target to ago before now
// (a clock that has been running that long), in the tenant's transaction.
func (e *env) startedAgo(u user, caseID, target string, ago time.Duration) {
	e.t.Helper()
	tx := e.admin.MustBegin()
	tx.MustExec("SELECT set_config('app.tenant_id', $1, true)", u.tenant)
	tx.MustExec("UPDATE case_clocks SET started_at = $3 WHERE case_id = $1 AND target = $2", caseID, target, time.Now().Add(-ago))
	if err := tx.Commit(); err != nil {
		e.t.Fatal(err)
	}
}

// patchStatus moves the case id to status as u.
func (e *env) patchStatus(u user, id, status string) {
	e.t.Helper()
	c := contracttest.Decode[cases.Case](e.want(e.do(u, "GET", "/v1/cases/"+id, nil), http.StatusOK))
	e.patchCase(u, c, map[string]any{"status": status}, http.StatusOK)
}

func running(k sla.CaseClock) bool { return k.Status == sla.StatusRunning }

// TestSLAClocksFollowTheCase drives a case's clocks with the real events:
// a case created through the cases' route, its status changes and
// priority change, replies published through the outbox, the sweep's
// warning, breach and escalation, and a policy edit's recomputation.
func TestSLAClocksFollowTheCase(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	cal := e.createCalendar(u, map[string]any{"name": "24/7", "timeZone": "Europe/Berlin", "alwaysOpen": true})
	p := e.createPolicy(u, map[string]any{"name": "Standard", "calendarId": cal.ID, "warnBeforeMinutes": 5,
		"targets": map[string]any{"firstResponse": map[string]int{"normal": 60, "urgent": 15}, "nextResponse": map[string]int{"normal": 120, "urgent": 30},
			"resolution": map[string]int{"normal": 600, "urgent": 240}},
		"escalations": []map[string]string{{"target": "resolution", "action": "reassignTo", "assigneeId": "agent-7"}, {"action": "notifyManager"}}})

	c := e.createCase(u, map[string]any{"subject": "Printer on fire"})
	clocks := e.waitClocks(u, c.ID, "clocks started", func(k map[string]sla.CaseClock) bool { return len(k) == 2 })
	fr, res := clocks[sla.FirstResponse], clocks[sla.Resolution]
	if !running(fr) || fr.Minutes != 60 || fr.PolicyID != p.ID || !fr.DueAt.Equal(c.CreatedAt.Add(time.Hour)) || res.Minutes != 600 {
		t.Fatalf("started %+v", clocks)
	}
	got := contracttest.Decode[cases.Case](e.want(e.do(u, "GET", "/v1/cases/"+c.ID, nil), http.StatusOK))
	if got.SLADueAt == nil || !got.SLADueAt.Equal(*fr.DueAt) {
		t.Fatalf("slaDueAt %v, want the first response's %v", got.SLADueAt, fr.DueAt)
	}

	// Pending the customer pauses every clock; back to open resumes them.
	e.patchStatus(u, c.ID, cases.StatusPendingCustomer)
	e.waitClocks(u, c.ID, "clocks paused", func(k map[string]sla.CaseClock) bool {
		return k[sla.FirstResponse].Status == sla.StatusPaused && k[sla.Resolution].Status == sla.StatusPaused && k[sla.Resolution].DueAt == nil
	})
	if got := contracttest.Decode[cases.Case](e.want(e.do(u, "GET", "/v1/cases/"+c.ID, nil), http.StatusOK)); got.SLADueAt != nil {
		t.Fatalf("a paused case is due at %v", got.SLADueAt)
	}
	e.patchStatus(u, c.ID, cases.StatusOpen)
	e.waitClocks(u, c.ID, "clocks resumed", func(k map[string]sla.CaseClock) bool {
		return running(k[sla.FirstResponse]) && len(k[sla.Resolution].Pauses) == 1 && !k[sla.Resolution].Pauses[0].To.IsZero()
	})

	// The agent's reply meets the first response; the customer's starts the next.
	db := outbox.NewDB(testkit.Open(t, e.app), supportdb.Events, registry.MustTopic("", registry.Support))
	e.publishReply(db, u, c.ID, "agent")
	e.waitClocks(u, c.ID, "first response met", func(k map[string]sla.CaseClock) bool { return k[sla.FirstResponse].Status == sla.StatusMet })
	e.publishReply(db, u, c.ID, "customer")
	e.waitClocks(u, c.ID, "next response started", func(k map[string]sla.CaseClock) bool {
		return running(k[sla.NextResponse]) && k[sla.NextResponse].Minutes == 120
	})

	// Urgent: the running clocks take the urgent targets.
	got = contracttest.Decode[cases.Case](e.want(e.do(u, "GET", "/v1/cases/"+c.ID, nil), http.StatusOK))
	e.patchCase(u, got, map[string]any{"priority": "urgent"}, http.StatusOK)
	clocks = e.waitClocks(u, c.ID, "retargeted", func(k map[string]sla.CaseClock) bool {
		return k[sla.NextResponse].Minutes == 30 && k[sla.Resolution].Minutes == 240
	})
	if clocks[sla.FirstResponse].Minutes != 60 || !slices.ContainsFunc(clocks[sla.Resolution].History, func(ev sla.Event) bool { return ev.Event == "retargeted" }) {
		t.Fatalf("retargeted %+v", clocks)
	}

	// The next response has run 27 of its 30 minutes, the resolution 5 hours
	// of its 4: a policy edit recomputes their due times, the sweep warns of
	// the one and breaches the other, escalating it.
	e.startedAgo(u, c.ID, sla.NextResponse, 27*time.Minute)
	e.startedAgo(u, c.ID, sla.Resolution, 5*time.Hour)
	e.want(e.do(u, "PATCH", "/v1/sla-policies/"+p.ID, map[string]any{"warnBeforeMinutes": 10}, "If-Match", kitx.ETag(1)), http.StatusOK)
	clocks = e.waitClocks(u, c.ID, "due times recomputed", func(k map[string]sla.CaseClock) bool {
		return k[sla.Resolution].Status == sla.StatusBreached && slices.ContainsFunc(k[sla.NextResponse].History, func(ev sla.Event) bool {
			return ev.Event == "recomputed"
		})
	})
	if nr := clocks[sla.NextResponse]; nr.DueAt == nil || nr.RemainingSeconds > 3*60 || nr.RemainingSeconds < 2*60 {
		t.Fatalf("recomputed %+v", clocks)
	}
	sweeper := sla.NewSweeper(db, quiet)
	for range 2 { // the second finds nothing left: each is raised once
		if _, err := sweeper.Sweep(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	testkit.Eventually(t, time.Minute, "the warning, the breach and its escalations published", func() (bool, string) {
		types := e.eventTypes(c.ID)
		return countOf(types, "case.sla_warning") == 1 && countOf(types, "case.sla_breached") == 1 && countOf(types, "case.escalated") == 2,
			fmt.Sprint(types)
	})
	got = contracttest.Decode[cases.Case](e.want(e.do(u, "GET", "/v1/cases/"+c.ID, nil), http.StatusOK))
	if got.AssigneeID != "agent-7" {
		t.Fatalf("escalated case %+v", got)
	}
	clocks = e.caseSLA(u, c.ID)
	if clocks[sla.NextResponse].WarnedAt == nil || clocks[sla.NextResponse].BreachedAt != nil || clocks[sla.Resolution].BreachedAt == nil {
		t.Fatalf("swept %+v", clocks)
	}

	// Solving meets the resolution and stops the rest; reopening resumes it.
	e.patchStatus(u, c.ID, cases.StatusSolved)
	e.waitClocks(u, c.ID, "resolution met", func(k map[string]sla.CaseClock) bool {
		return k[sla.Resolution].Status == sla.StatusMet && k[sla.NextResponse].Status == sla.StatusStopped
	})
	e.patchStatus(u, c.ID, cases.StatusOpen)
	e.waitClocks(u, c.ID, "resolution reopened", func(k map[string]sla.CaseClock) bool {
		return k[sla.Resolution].MetAt == nil && len(k[sla.Resolution].Pauses) == 2
	})
	contracttest.ValidateEvents(t, "api/events", e.published())
}

// countOf counts s in list.
func countOf(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

// TestSLACalendarEditRecomputesDueTimes: a calendar edit moves the due
// times of the running clocks on it, and the cases' slaDueAt with them.
func TestSLACalendarEditRecomputesDueTimes(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	cal := e.createCalendar(u, shanghaiCalendar("Shanghai"))
	e.createPolicy(u, map[string]any{"name": "Standard", "calendarId": cal.ID, "targets": map[string]any{"resolution": map[string]int{"normal": 90}}})
	c := e.createCase(u, map[string]any{"subject": "Slow printer"})
	e.waitClocks(u, c.ID, "resolution started", func(k map[string]sla.CaseClock) bool { return running(k[sla.Resolution]) })

	e.want(e.do(u, "PATCH", "/v1/business-calendars/"+cal.ID, map[string]any{"alwaysOpen": true, "hours": nil, "holidays": nil, "workdays": nil},
		"If-Match", kitx.ETag(1)), http.StatusOK)
	// The edit asked for the recomputation in its transaction; it is done
	// when no request of the tenant is left. (Whether the due time moves
	// depends on the hour: a case opened in Shanghai's office hours with 90
	// minutes to go before closing is due at the same time on both
	// calendars.)
	testkit.Eventually(t, time.Minute, "the calendar's recomputation done", func() (bool, string) {
		var n int
		if err := pg.WithTenantTx(context.Background(), e.admin, u.tenant, func(tx *sqlx.Tx) error {
			return tx.Get(&n, `SELECT count(*) FROM sla_recomputes`)
		}); err != nil {
			t.Fatal(err)
		}
		return n == 0, fmt.Sprintf("%d recomputations pending", n)
	})
	res := e.caseSLA(u, c.ID)[sla.Resolution]
	if !res.DueAt.Equal(res.StartedAt.Add(90 * time.Minute)) {
		t.Fatalf("recomputed %+v", res)
	}
	got := contracttest.Decode[cases.Case](e.want(e.do(u, "GET", "/v1/cases/"+c.ID, nil), http.StatusOK))
	if got.SLADueAt == nil || !got.SLADueAt.Equal(*res.DueAt) {
		t.Fatalf("slaDueAt %v, want %v", got.SLADueAt, res.DueAt)
	}
}
