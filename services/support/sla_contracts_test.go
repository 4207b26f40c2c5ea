package support_test

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/support/contracts"
	"github.com/rapport-crm/rapport/services/support/sla"
)

// weekday is the name (as a calendar's hours key it) of the weekday d
// days from today (UTC), and that day at hh:mm UTC.
func weekday(d, hh, mm int) (string, time.Time) {
	t := time.Now().UTC().AddDate(0, 0, d)
	return strings.ToLower(t.Weekday().String()), time.Date(t.Year(), t.Month(), t.Day(), hh, mm, 0, 0, time.UTC)
}

// coverageCalendar is a contract's coverage hours: 09:00 to 12:00 UTC on
// the weekday d days from today alone, so that a clock on it is due on
// that day, never within the next one.
func coverageCalendar(name string, d int) map[string]any {
	wd, _ := weekday(d, 0, 0)
	return map[string]any{"name": name, "timeZone": "UTC", "hours": map[string]any{wd: []map[string]string{{"from": "09:00", "to": "12:00"}}}}
}

// contractWith is contractBody of account with the fields of extra.
func contractWith(account string, extra map[string]any) map[string]any {
	body := contractBody(account, contracts.KindCases, 100)
	maps.Copy(body, extra)
	return body
}

// startedClocks waits until the case id has its first response and
// resolution clocks and returns them.
func (e *env) startedClocks(u user, id string) (fr, res sla.CaseClock) {
	e.t.Helper()
	k := e.waitClocks(u, id, "clocks started", func(k map[string]sla.CaseClock) bool { return len(k) == 2 })
	return k[sla.FirstResponse], k[sla.Resolution]
}

// TestSLAContractGrantsPolicyAndCoverage: a case of an account whose
// active contract grants a policy gets it (before the conditions, which
// it does not meet) on the contract's coverage hours; a case linked to
// another contract gets that one's; an account whose contracts expired or
// have not started gets the policies' conditions' choice, as does one
// without a contract.
func TestSLAContractGrantsPolicyAndCoverage(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	office := e.createCalendar(u, shanghaiCalendar("Office"))
	always := e.createCalendar(u, map[string]any{"name": "24/7", "timeZone": "UTC", "alwaysOpen": true})
	coverage := e.createCalendar(u, coverageCalendar("Coverage", 3))
	standard := e.createPolicy(u, map[string]any{"name": "Standard", "calendarId": office.ID,
		"targets": map[string]any{"firstResponse": map[string]int{"normal": 240}, "resolution": map[string]int{"normal": 600}}})
	urgentOnly := map[string]any{"priorities": []string{"urgent"}}
	gold := e.createPolicy(u, map[string]any{"name": "Gold 24/7", "position": 10, "calendarId": always.ID, "conditions": urgentOnly,
		"targets": map[string]any{"firstResponse": map[string]int{"normal": 30}, "resolution": map[string]int{"normal": 90}}})
	silver := e.createPolicy(u, map[string]any{"name": "Silver", "position": 20, "calendarId": always.ID, "conditions": urgentOnly,
		"targets": map[string]any{"firstResponse": map[string]int{"normal": 20}, "resolution": map[string]int{"normal": 45}}})

	account := uuid.NewString()
	k := e.createContract(u, contractWith(account, map[string]any{"slaPolicyId": gold.ID, "calendarId": coverage.ID}))
	c := e.createCase(u, map[string]any{"subject": "Server down", "accountId": account})
	fr, res := e.startedClocks(u, c.ID)
	_, due := weekday(3, 10, 30)
	for _, clock := range []sla.CaseClock{fr, res} {
		if clock.PolicyID != gold.ID || clock.CalendarID != coverage.ID || clock.ContractID != k.ID {
			t.Fatalf("the contract's case: %+v, want policy %s on calendar %s under contract %s", clock, gold.ID, coverage.ID, k.ID)
		}
	}
	if res.Minutes != 90 || res.DueAt == nil || !res.DueAt.Equal(due) || fr.DueAt == nil || !fr.DueAt.Equal(due.Add(-time.Hour)) {
		t.Fatalf("due on the coverage hours: first response %v, resolution %v; want %v and %v", fr.DueAt, res.DueAt, due.Add(-time.Hour), due)
	}
	got := contracttest.Decode[struct {
		SLADueAt *time.Time `json:"slaDueAt"`
	}](e.want(e.do(u, "GET", "/v1/cases/"+c.ID, nil), http.StatusOK))
	if got.SLADueAt == nil || !got.SLADueAt.Equal(*fr.DueAt) {
		t.Fatalf("slaDueAt %v, want %v", got.SLADueAt, fr.DueAt)
	}

	// A case linked to another account's contract: the linked one wins,
	// on its policy's calendar (it has no coverage hours).
	other := e.createContract(u, contractWith(uuid.NewString(), map[string]any{"slaPolicyId": silver.ID}))
	linked := e.createCase(u, map[string]any{"subject": "Server down again", "accountId": account,
		"links": []map[string]string{{"type": "contract", "id": other.ID}}})
	_, res = e.startedClocks(u, linked.ID)
	if res.PolicyID != silver.ID || res.CalendarID != always.ID || res.ContractID != other.ID || !res.DueAt.Equal(res.StartedAt.Add(45*time.Minute)) {
		t.Fatalf("the linked contract's case: %+v", res)
	}

	// An expired contract and one not started yet grant nothing.
	lapsed := uuid.NewString()
	expired := e.createContract(u, contractWith(lapsed, map[string]any{"slaPolicyId": gold.ID, "calendarId": coverage.ID}))
	e.want(e.do(u, "PATCH", "/v1/service-contracts/"+expired.ID, map[string]any{"status": contracts.StatusExpired},
		"If-Match", kitx.ETag(expired.Version)), http.StatusOK)
	e.createContract(u, contractWith(lapsed, map[string]any{"slaPolicyId": gold.ID, "startDate": day(5), "endDate": day(100)}))
	for _, acc := range []string{lapsed, uuid.NewString()} {
		plain := e.createCase(u, map[string]any{"subject": "Printer jammed", "accountId": acc})
		_, res = e.startedClocks(u, plain.ID)
		if res.PolicyID != standard.ID || res.CalendarID != office.ID || res.ContractID != "" || res.Minutes != 600 {
			t.Fatalf("a case without a contract in force: %+v", res)
		}
	}
}

// TestSLAPolicyContractConditions: a policy's contractIds are checked
// like its accountIds, and select the cases under those contracts (one
// that grants no policy); a contract granting an inactive policy leaves
// the choice to the conditions.
func TestSLAPolicyContractConditions(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	office := e.createCalendar(u, shanghaiCalendar("Office"))
	always := e.createCalendar(u, map[string]any{"name": "24/7", "timeZone": "UTC", "alwaysOpen": true})
	targets := map[string]any{"firstResponse": map[string]int{"normal": 60}, "resolution": map[string]int{"normal": 120}}
	e.wantFields(e.do(u, "POST", "/v1/sla-policies", map[string]any{"name": "Bad", "calendarId": always.ID, "targets": targets,
		"conditions": map[string]any{"contractIds": []string{uuid.NewString(), "not-a-uuid"}}}), "conditions/contractIds/1")

	account := uuid.NewString()
	k := e.createContract(u, contractBody(account, contracts.KindCases, 100))
	standard := e.createPolicy(u, map[string]any{"name": "Standard", "position": 10, "calendarId": office.ID, "targets": targets})
	contracted := e.createPolicy(u, map[string]any{"name": "Contracted", "calendarId": always.ID, "targets": targets,
		"conditions": map[string]any{"contractIds": []string{k.ID}}})
	if read := contracttest.Decode[sla.Policy](e.want(e.do(u, "GET", "/v1/sla-policies/"+contracted.ID, nil), http.StatusOK)); !slices.Equal(read.Conditions.ContractIDs, []string{k.ID}) {
		t.Fatalf("read %+v", read.Conditions)
	}

	c := e.createCase(u, map[string]any{"subject": "Contracted", "accountId": account})
	_, res := e.startedClocks(u, c.ID)
	if res.PolicyID != contracted.ID || res.CalendarID != always.ID || res.ContractID != k.ID {
		t.Fatalf("the contract's case: %+v", res)
	}
	c = e.createCase(u, map[string]any{"subject": "Not contracted", "accountId": uuid.NewString()})
	if _, res = e.startedClocks(u, c.ID); res.PolicyID != standard.ID || res.ContractID != "" {
		t.Fatalf("another account's case: %+v", res)
	}
	retired := e.createPolicy(u, map[string]any{"name": "Retired", "active": false, "calendarId": always.ID, "targets": targets})
	other := uuid.NewString()
	k2 := e.createContract(u, contractWith(other, map[string]any{"slaPolicyId": retired.ID}))
	c = e.createCase(u, map[string]any{"subject": "Retired grant", "accountId": other})
	if _, res = e.startedClocks(u, c.ID); res.PolicyID != standard.ID || res.ContractID != k2.ID {
		t.Fatalf("a case whose contract grants an inactive policy: %+v", res)
	}
	contracttest.ValidateEvents(t, "api/events", e.published())
}

// TestSLAContractCalendarEditRecomputes: editing a contract's coverage
// hours (a calendar no policy uses) moves the due times of the clocks
// running on it; the calendar is not deleted while they run.
func TestSLAContractCalendarEditRecomputes(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	always := e.createCalendar(u, map[string]any{"name": "24/7", "timeZone": "UTC", "alwaysOpen": true})
	coverage := e.createCalendar(u, coverageCalendar("Coverage", 3))
	gold := e.createPolicy(u, map[string]any{"name": "Gold", "calendarId": always.ID,
		"targets": map[string]any{"firstResponse": map[string]int{"normal": 30}, "resolution": map[string]int{"normal": 90}}})
	account := uuid.NewString()
	e.createContract(u, contractWith(account, map[string]any{"slaPolicyId": gold.ID, "calendarId": coverage.ID}))
	c := e.createCase(u, map[string]any{"subject": "Server down", "accountId": account})
	_, res := e.startedClocks(u, c.ID)
	if _, due := weekday(3, 10, 30); res.DueAt == nil || !res.DueAt.Equal(due) {
		t.Fatalf("due %v, want %v", res.DueAt, due)
	}
	e.want(e.do(u, "DELETE", "/v1/business-calendars/"+coverage.ID, nil), http.StatusConflict)

	was, _ := weekday(3, 0, 0)
	now, due := weekday(4, 10, 30)
	e.want(e.do(u, "PATCH", "/v1/business-calendars/"+coverage.ID,
		map[string]any{"hours": map[string]any{was: []any{}, now: []map[string]string{{"from": "09:00", "to": "12:00"}}}},
		"If-Match", kitx.ETag(coverage.Version)), http.StatusOK)
	clocks := e.waitClocks(u, c.ID, "due times recomputed on the new hours", func(k map[string]sla.CaseClock) bool {
		return k[sla.Resolution].DueAt != nil && k[sla.Resolution].DueAt.Equal(due)
	})
	if fr := clocks[sla.FirstResponse]; !fr.DueAt.Equal(due.Add(-time.Hour)) ||
		!slices.ContainsFunc(fr.History, func(ev sla.Event) bool { return ev.Event == "recomputed" }) {
		t.Fatalf("first response %+v", fr)
	}
	testkit.Eventually(t, time.Minute, "the recomputation done", func() (bool, string) {
		var n int
		if err := pg.WithTenantTx(context.Background(), e.admin, u.tenant, func(tx *sqlx.Tx) error {
			return tx.Get(&n, `SELECT count(*) FROM sla_recomputes`)
		}); err != nil {
			t.Fatal(err)
		}
		return n == 0, fmt.Sprintf("%d recomputations pending", n)
	})
	got := contracttest.Decode[struct {
		SLADueAt *time.Time `json:"slaDueAt"`
	}](e.want(e.do(u, "GET", "/v1/cases/"+c.ID, nil), http.StatusOK))
	if got.SLADueAt == nil || !got.SLADueAt.Equal(due.Add(-time.Hour)) {
		t.Fatalf("slaDueAt %v, want %v", got.SLADueAt, due.Add(-time.Hour))
	}
}
