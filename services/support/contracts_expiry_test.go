package support_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/kitx"

	"github.com/rapport-crm/rapport/services/support/contracts"
)

// endContract moves the end date of the contract id to end (a day)
// behind the API's back, as time passing would.
func (e *env) endContract(id, start, end string) {
	e.t.Helper()
	res, err := e.admin.Exec(`UPDATE service_contracts SET starts_on = $2, ends_on = $3 WHERE id = $1`, id, start, end)
	if err != nil {
		e.t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		e.t.Fatalf("moved the end of %d contracts", n)
	}
}

// TestContractExpiryJob: the daily job publishes contract.expiring once
// for an active contract within its reminder, expires (contract.expired)
// an active one whose end date passed, and leaves drafts and contracts
// further out (or without a reminder) alone; an expired contract is
// renewed by a new end date.
func TestContractExpiryJob(t *testing.T) {
	e := newEnv(t)
	u, other := newUser(uuid.NewString()), newUser(uuid.NewString())
	body := func(end string, reminder int, status string) map[string]any {
		b := contractBody(uuid.NewString(), "cases", 10)
		b["endDate"], b["renewalReminderDays"], b["status"] = end, reminder, status
		return b
	}
	expiring := e.createContract(u, body(day(10), 30, "active"))
	ended := e.createContract(u, body(day(5), 30, "active"))
	e.endContract(ended.ID, day(-40), day(-1))
	later := e.createContract(u, body(day(60), 30, "active"))
	draft := e.createContract(u, body(day(5), 30, "draft"))
	noReminder := e.createContract(u, body(day(5), 0, "active"))
	lastDay := e.createContract(other, body(day(0), 0, "active"))

	job := contracts.NewExpiry(e.contractsDB(), quiet)
	if err := job.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := job.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := e.getContract(u, expiring.ID)
	if got.Status != contracts.StatusActive || got.ExpiringAt == nil || got.Version != 2 {
		t.Fatalf("expiring %+v", got)
	}
	if got := e.getContract(u, ended.ID); got.Status != contracts.StatusExpired || got.Version != 2 {
		t.Fatalf("ended %+v", got)
	}
	for _, c := range []contracts.Contract{later, draft, noReminder} {
		if got := e.getContract(u, c.ID); got.Version != 1 || got.ExpiringAt != nil || got.Status != c.Status {
			t.Fatalf("left alone %+v", got)
		}
	}
	if got := e.getContract(other, lastDay.ID); got.Status != contracts.StatusActive || got.ExpiringAt == nil {
		t.Fatalf("on its last day, with no reminder days %+v", got)
	}
	if got := e.eventTypes(expiring.ID); !slices.Equal(got, []string{"contract.created", "contract.expiring"}) {
		t.Fatalf("events of the expiring contract %v", got)
	}
	if got := e.eventTypes(ended.ID); !slices.Equal(got, []string{"contract.created", "contract.expired"}) {
		t.Fatalf("events of the ended contract %v", got)
	}
	for _, ev := range e.published() {
		if ev.Subject == expiring.ID && ev.Type == "dev.rapport.support.contract.expiring.v1" {
			var p struct{ DaysLeft int }
			if err := json.Unmarshal(ev.Data, &p); err != nil || p.DaysLeft != 10 {
				t.Fatalf("daysLeft %d (%v)", p.DaysLeft, err)
			}
		}
	}
	for _, c := range []contracts.Contract{later, draft, noReminder} {
		if got := e.eventTypes(c.ID); !slices.Equal(got, []string{"contract.created"}) {
			t.Fatalf("events of a contract left alone %v", got)
		}
	}

	// Renewed: active again with a new end date, reminded again before it.
	cur := e.getContract(u, ended.ID)
	renewed := contracttest.Decode[contracts.Contract](e.want(e.do(u, "PATCH", "/v1/service-contracts/"+ended.ID,
		map[string]any{"status": "active", "endDate": day(20)}, "If-Match", kitx.ETag(cur.Version)), http.StatusOK))
	if renewed.Status != contracts.StatusActive || renewed.EndDate != day(20) || renewed.ExpiringAt != nil {
		t.Fatalf("renewed %+v", renewed)
	}
	if err := job.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := e.eventTypes(ended.ID); !slices.Equal(got, []string{"contract.created", "contract.expired", "contract.updated", "contract.expiring"}) {
		t.Fatalf("events of the renewed contract %v", got)
	}
	contracttest.ValidateEvents(t, "api/events", e.published())
}
