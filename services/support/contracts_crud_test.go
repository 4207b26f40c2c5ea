package support_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/kitx"

	"github.com/rapport-crm/rapport/services/support/contracts"
)

func TestServiceContractsCRUD(t *testing.T) {
	e := newEnv(t)
	u, other := newUser(uuid.NewString()), newUser(uuid.NewString())
	account := uuid.NewString()
	cal := e.createCalendar(u, shanghaiCalendar("Shanghai office"))
	policy := e.createPolicy(u, map[string]any{"name": "Gold", "calendarId": cal.ID, "targets": map[string]any{"resolution": map[string]int{"normal": 240}}})
	c := e.createContract(u, map[string]any{"accountId": account, "name": " Gold ", "startDate": day(0), "endDate": day(90),
		"calendarId": cal.ID, "slaPolicyId": policy.ID, "entitlement": map[string]any{"kind": "cases", "total": 5}})
	if c.Number != 1 || c.Name != "Gold" || c.Status != contracts.StatusDraft || c.ReminderDays != contracts.DefaultReminderDays ||
		c.SLAPolicyID != policy.ID || c.CalendarID != cal.ID || c.Entitlement != (contracts.Entitlement{Kind: "cases", Total: 5, Used: 0, Remaining: 5}) ||
		c.CreatedBy != u.id || c.Version != 1 {
		t.Fatalf("created %+v", c)
	}
	second := e.createContract(u, contractBody(uuid.NewString(), "hours", 10))
	if second.Number != 2 || second.Status != contracts.StatusActive {
		t.Fatalf("second %+v", second)
	}
	if got := e.getContract(u, c.ID); got.ID != c.ID || got.EndDate != day(90) || got.StartDate != day(0) {
		t.Fatalf("got %+v", got)
	}
	page := contracttest.Decode[contracts.ContractPage](e.want(e.do(u, "GET", "/v1/service-contracts?accountId="+account, nil), http.StatusOK))
	if len(page.Items) != 1 || page.Items[0].ID != c.ID {
		t.Fatalf("listed by account %+v", page.Items)
	}
	page = contracttest.Decode[contracts.ContractPage](e.want(e.do(u, "GET", "/v1/service-contracts?limit=1", nil), http.StatusOK))
	if len(page.Items) != 1 || page.Items[0].ID != second.ID || page.NextCursor == "" {
		t.Fatalf("first page %+v", page)
	}
	page = contracttest.Decode[contracts.ContractPage](e.want(e.do(u, "GET", "/v1/service-contracts?limit=1&cursor="+page.NextCursor, nil), http.StatusOK))
	if len(page.Items) != 1 || page.Items[0].ID != c.ID || page.NextCursor != "" {
		t.Fatalf("second page %+v", page)
	}

	r := e.want(e.do(u, "PATCH", "/v1/service-contracts/"+c.ID, map[string]any{"status": "active", "renewalReminderDays": 14,
		"entitlement": map[string]any{"total": 8}}, "If-Match", kitx.ETag(c.Version)), http.StatusOK)
	up := contracttest.Decode[contracts.Contract](r)
	if up.Status != contracts.StatusActive || up.ReminderDays != 14 || up.Entitlement.Total != 8 || up.Entitlement.Remaining != 8 ||
		up.Entitlement.Kind != "cases" || up.Version != 2 {
		t.Fatalf("updated %+v", up)
	}
	e.want(e.do(u, "PATCH", "/v1/service-contracts/"+c.ID, map[string]any{"name": "Stale"}, "If-Match", kitx.ETag(c.Version)), http.StatusPreconditionFailed)
	// The calendar and SLA policy must be the tenant's.
	e.wantFields(e.do(u, "PATCH", "/v1/service-contracts/"+c.ID, map[string]any{"calendarId": uuid.NewString(), "slaPolicyId": uuid.NewString()},
		"If-Match", kitx.ETag(up.Version)), "calendarId", "slaPolicyId")
	body := contractBody(account, "cases", 1)
	body["slaPolicyId"] = policy.ID
	e.wantFields(e.do(other, "POST", "/v1/service-contracts", body), "slaPolicyId")
	same := contracttest.Decode[contracts.Contract](e.want(e.do(u, "PATCH", "/v1/service-contracts/"+c.ID, map[string]any{"name": "Gold"},
		"If-Match", kitx.ETag(up.Version)), http.StatusOK))
	if same.Version != up.Version {
		t.Fatalf("a patch that changes nothing moved the version: %+v", same)
	}
	cancelled := contracttest.Decode[contracts.Contract](e.want(e.do(u, "PATCH", "/v1/service-contracts/"+c.ID, map[string]any{"status": "cancelled"},
		"If-Match", kitx.ETag(up.Version)), http.StatusOK))
	e.want(e.do(u, "PATCH", "/v1/service-contracts/"+c.ID, map[string]any{"status": "active"}, "If-Match", kitx.ETag(cancelled.Version)),
		http.StatusUnprocessableEntity)

	// Writing contracts is support:admin's; reading support:read's.
	reader := u.scoped(u.scope).as("support:read", "support:write")
	e.want(e.do(reader, "POST", "/v1/service-contracts", contractBody(account, "cases", 1)), http.StatusForbidden)
	e.want(e.do(reader, "GET", "/v1/service-contracts/"+c.ID, nil), http.StatusOK)

	// Another tenant's contracts are not found.
	e.want(e.do(other, "GET", "/v1/service-contracts/"+c.ID, nil), http.StatusNotFound)
	e.want(e.do(other, "GET", "/v1/service-contracts/"+c.ID+"/usage", nil), http.StatusNotFound)
	e.want(e.do(other, "PATCH", "/v1/service-contracts/"+c.ID, map[string]any{"name": "Mine"}, "If-Match", kitx.ETag(cancelled.Version)), http.StatusNotFound)
	e.want(e.do(other, "DELETE", "/v1/service-contracts/"+c.ID, nil), http.StatusNotFound)
	if list := contracttest.Decode[contracts.ContractPage](e.want(e.do(other, "GET", "/v1/service-contracts", nil), http.StatusOK)); len(list.Items) != 0 {
		t.Fatalf("another tenant lists %+v", list.Items)
	}

	e.want(e.do(u, "DELETE", "/v1/service-contracts/"+c.ID, nil), http.StatusNoContent)
	e.want(e.do(u, "GET", "/v1/service-contracts/"+c.ID, nil), http.StatusNotFound)
	if got := e.eventTypes(c.ID); !slices.Equal(got, []string{"contract.created", "contract.updated", "contract.updated", "contract.deleted"}) {
		t.Fatalf("events %v", got)
	}
	contracttest.ValidateEvents(t, "api/events", e.published())
}

func TestServiceContractBadInput(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	e.wantFields(e.do(u, "POST", "/v1/service-contracts", map[string]any{"accountId": "acme", "name": " ", "startDate": "2026-13-01",
		"endDate": "tomorrow", "calendarId": "x", "entitlement": map[string]any{"kind": "minutes", "total": -1}, "renewalReminderDays": 400}),
		"accountId", "name", "startDate", "endDate", "calendarId", "entitlement/kind", "entitlement/total", "renewalReminderDays")
	body := contractBody(uuid.NewString(), "cases", 1)
	body["startDate"], body["endDate"] = day(10), day(9)
	e.wantFields(e.do(u, "POST", "/v1/service-contracts", body), "endDate")
	body = contractBody(uuid.NewString(), "cases", 1)
	body["number"] = 7
	e.wantFields(e.do(u, "POST", "/v1/service-contracts", body), "number")
	body = contractBody(uuid.NewString(), "cases", 1)
	body["status"] = "expired"
	if f := e.want(e.do(u, "POST", "/v1/service-contracts", body), http.StatusUnprocessableEntity).fields(); !slices.Equal(f, []string{"status"}) {
		t.Fatalf("fields %v", f)
	}
	body = contractBody(uuid.NewString(), "cases", 1)
	body["startDate"], body["endDate"] = day(-30), day(-1)
	e.want(e.do(u, "POST", "/v1/service-contracts", body), http.StatusUnprocessableEntity)

	c := e.createContract(u, map[string]any{"accountId": uuid.NewString(), "name": "Draft", "startDate": day(0), "endDate": day(30),
		"entitlement": map[string]any{"kind": "hours", "total": 4}})
	if f := e.want(e.do(u, "PATCH", "/v1/service-contracts/"+c.ID, map[string]any{"status": "expired"}, "If-Match", kitx.ETag(c.Version)),
		http.StatusUnprocessableEntity).fields(); !slices.Equal(f, []string{"status"}) {
		t.Fatalf("fields %v", f)
	}
	e.wantFields(e.do(u, "PATCH", "/v1/service-contracts/"+c.ID, map[string]any{"endDate": day(-1), "version": 9}, "If-Match", kitx.ETag(c.Version)), "version")
	e.wantFields(e.do(u, "PATCH", "/v1/service-contracts/"+c.ID, map[string]any{"endDate": day(-1)}, "If-Match", kitx.ETag(c.Version)), "endDate")
	e.want(e.do(u, "PATCH", "/v1/service-contracts/"+c.ID, map[string]any{"name": "x"}), http.StatusPreconditionRequired)
	e.wantFields(e.do(u, "GET", "/v1/service-contracts?status=open&accountId=1&limit=0", nil), "accountId", "status", "limit")
	if got := e.getContract(u, c.ID); got.Version != 1 || got.Name != "Draft" {
		t.Fatalf("bad input changed the contract: %+v", got)
	}
}
