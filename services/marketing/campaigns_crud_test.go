package marketing_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/kitx"

	"github.com/rapport-crm/rapport/services/marketing/campaigns"
)

// TestCampaignsCRUD creates a programme and campaigns under it, reads,
// lists (filters, pages, children), changes and deletes them, and checks
// another tenant sees none.
func TestCampaignsCRUD(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	prog := e.createCampaign(u, map[string]any{"name": " Spring programme ", "type": "other", "budget": map[string]any{"amount": "10000", "currency": "EUR"}})
	if prog.Name != "Spring programme" || prog.Status != "planned" || prog.OwnerID != u.id || prog.Budget.Amount != "10000.00" || prog.Version != 1 {
		t.Errorf("created %+v, want the name trimmed, planned, owned by the caller, the budget at EUR's scale", prog)
	}
	mail := e.createCampaign(u, map[string]any{"name": "Spring mail", "type": "email", "status": "active", "parentId": prog.ID,
		"budget": map[string]any{"amount": "1200.5", "currency": "EUR"}, "actualCost": map[string]any{"amount": "300", "currency": "JPY"},
		"startsOn": "2026-03-01", "endsOn": "2026-03-31", "ownerId": "owner-1", "description": "春季促销"})
	webinar := e.createCampaign(u, map[string]any{"name": "Spring webinar", "type": "webinar", "parentId": prog.ID, "startsOn": "2026-04-02", "endsOn": "2026-04-02"})

	got := contracttest.Decode[campaigns.View](e.want(e.do(u, "GET", "/v1/campaigns/"+mail.ID, nil), http.StatusOK))
	if got.ParentID == nil || *got.ParentID != prog.ID || got.Budget.Amount != "1200.50" || got.ActualCost.Amount != "300" || got.ActualCost.Currency != "JPY" ||
		*got.StartsOn != "2026-03-01" || *got.EndsOn != "2026-03-31" || got.OwnerID != "owner-1" || got.Description != "春季促销" {
		t.Errorf("got %+v", got)
	}
	if len(got.MemberCounts) != 6 || got.MemberCounts["sent"] != 0 {
		t.Errorf("member counts %v, want every status at 0", got.MemberCounts)
	}

	ids := func(path string) []string {
		var out []string
		for _, c := range contracttest.Decode[campaigns.Page](e.want(e.do(u, "GET", path, nil), http.StatusOK)).Items {
			out = append(out, c.ID)
		}
		return out
	}
	if l := ids("/v1/campaigns"); !slices.Equal(l, []string{webinar.ID, mail.ID, prog.ID}) {
		t.Errorf("list %v, want newest first", l)
	}
	if l := ids("/v1/campaigns?status=active"); !slices.Equal(l, []string{mail.ID}) {
		t.Errorf("active %v", l)
	}
	if l := ids("/v1/campaigns?type=webinar"); !slices.Equal(l, []string{webinar.ID}) {
		t.Errorf("webinars %v", l)
	}
	if l := ids("/v1/campaigns?parentId=" + prog.ID); !slices.Equal(l, []string{webinar.ID, mail.ID}) {
		t.Errorf("under the programme %v", l)
	}
	if l := ids("/v1/campaigns/" + prog.ID + "/children"); !slices.Equal(l, []string{webinar.ID, mail.ID}) {
		t.Errorf("children %v", l)
	}
	first := contracttest.Decode[campaigns.Page](e.want(e.do(u, "GET", "/v1/campaigns?limit=2", nil), http.StatusOK))
	if len(first.Items) != 2 || first.NextCursor == "" {
		t.Fatalf("first page %+v", first)
	}
	if l := ids("/v1/campaigns?limit=2&cursor=" + first.NextCursor); !slices.Equal(l, []string{prog.ID}) {
		t.Errorf("second page %v", l)
	}

	// A patch needs If-Match; null removes a value; nothing changed is no
	// new version.
	e.want(e.do(u, "PATCH", "/v1/campaigns/"+mail.ID, map[string]any{"status": "paused"}), http.StatusPreconditionRequired)
	upd := contracttest.Decode[campaigns.View](e.want(e.do(u, "PATCH", "/v1/campaigns/"+mail.ID,
		map[string]any{"status": "completed", "actualCost": nil, "parentId": nil}, "If-Match", kitx.ETag(mail.Version)), http.StatusOK))
	if upd.Status != "completed" || upd.ActualCost != nil || upd.ParentID != nil || upd.Version != 2 {
		t.Errorf("updated %+v", upd)
	}
	e.want(e.do(u, "PATCH", "/v1/campaigns/"+mail.ID, map[string]any{"status": "active"}, "If-Match", kitx.ETag(1)), http.StatusPreconditionFailed)
	same := contracttest.Decode[campaigns.View](e.want(e.do(u, "PATCH", "/v1/campaigns/"+mail.ID,
		map[string]any{"status": "completed"}, "If-Match", kitx.ETag(2)), http.StatusOK))
	if same.Version != 2 {
		t.Errorf("a patch that changes nothing made version %d", same.Version)
	}

	// Another tenant sees none of it.
	other := newUser(uuid.NewString())
	e.want(e.do(other, "GET", "/v1/campaigns/"+prog.ID, nil), http.StatusNotFound)
	if l := contracttest.Decode[campaigns.Page](e.want(e.do(other, "GET", "/v1/campaigns", nil), http.StatusOK)).Items; len(l) != 0 {
		t.Errorf("another tenant lists %d campaigns", len(l))
	}
	e.want(e.do(other, "DELETE", "/v1/campaigns/"+prog.ID, nil), http.StatusNotFound)
	e.want(e.do(u.as("marketing:read"), "POST", "/v1/campaigns", map[string]any{"name": "x", "type": "ads"}), http.StatusForbidden)

	// A parent is deleted after its children.
	e.want(e.do(u, "DELETE", "/v1/campaigns/"+prog.ID, nil), http.StatusConflict)
	e.want(e.do(u, "DELETE", "/v1/campaigns/"+webinar.ID, nil), http.StatusNoContent)
	e.want(e.do(u, "DELETE", "/v1/campaigns/"+prog.ID, nil), http.StatusNoContent)
	e.want(e.do(u, "GET", "/v1/campaigns/"+prog.ID, nil), http.StatusNotFound)
	e.want(e.do(u, "GET", "/v1/campaigns/"+prog.ID+"/children", nil), http.StatusNotFound)
}

// TestCampaignsBadInput: a cycle in the hierarchy, an unknown parent, an
// end before the start, money that is no exact amount in a currency, and
// unknown types and statuses are problems naming the field.
func TestCampaignsBadInput(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	a := e.createCampaign(u, map[string]any{"name": "A", "type": "other"})
	b := e.createCampaign(u, map[string]any{"name": "B", "type": "other", "parentId": a.ID})
	c := e.createCampaign(u, map[string]any{"name": "C", "type": "email", "parentId": b.ID})

	bad := func(method, path string, body map[string]any, version int64, want ...string) {
		t.Helper()
		var r reply
		if version > 0 {
			r = e.do(u, method, path, body, "If-Match", kitx.ETag(version))
		} else {
			r = e.do(u, method, path, body)
		}
		e.want(r, http.StatusBadRequest)
		if got := r.fields(); !slices.Equal(got, want) {
			t.Errorf("%s %s %v: fields %v, want %v", method, path, body, got, want)
		}
	}
	// A under C (its grandchild) and A under itself are cycles.
	bad("PATCH", "/v1/campaigns/"+a.ID, map[string]any{"parentId": c.ID}, a.Version, "parentId")
	bad("PATCH", "/v1/campaigns/"+a.ID, map[string]any{"parentId": a.ID}, a.Version, "parentId")
	bad("POST", "/v1/campaigns", map[string]any{"name": "D", "type": "ads", "parentId": uuid.NewString()}, 0, "parentId")
	bad("POST", "/v1/campaigns", map[string]any{"name": "D", "type": "ads", "parentId": "nope"}, 0, "parentId")
	other := e.createCampaign(newUser(uuid.NewString()), map[string]any{"name": "theirs", "type": "ads"})
	bad("POST", "/v1/campaigns", map[string]any{"name": "D", "type": "ads", "parentId": other.ID}, 0, "parentId")

	bad("POST", "/v1/campaigns", map[string]any{"name": "D", "type": "ads", "startsOn": "2026-05-02", "endsOn": "2026-05-01"}, 0, "endsOn")
	bad("PATCH", "/v1/campaigns/"+c.ID, map[string]any{"startsOn": "2026-06-01", "endsOn": "2026-05-31"}, c.Version, "endsOn")
	bad("POST", "/v1/campaigns", map[string]any{"name": "D", "type": "ads", "startsOn": "1 May 2026"}, 0, "startsOn")

	bad("POST", "/v1/campaigns", map[string]any{"name": "D", "type": "ads", "budget": map[string]any{"amount": "12.345", "currency": "EUR"}}, 0, "budget/amount")
	bad("POST", "/v1/campaigns", map[string]any{"name": "D", "type": "ads", "budget": map[string]any{"amount": "12.5", "currency": "JPY"}}, 0, "budget/amount")
	bad("POST", "/v1/campaigns", map[string]any{"name": "D", "type": "ads", "budget": map[string]any{"amount": "-5", "currency": "EUR"}}, 0, "budget/amount")
	bad("POST", "/v1/campaigns", map[string]any{"name": "D", "type": "ads", "budget": map[string]any{"amount": "1e3", "currency": "EUR"}}, 0, "budget/amount")
	bad("POST", "/v1/campaigns", map[string]any{"name": "D", "type": "ads", "actualCost": map[string]any{"amount": "5", "currency": "eur"}}, 0, "actualCost/currency")
	bad("POST", "/v1/campaigns", map[string]any{"name": "D", "type": "ads", "actualCost": map[string]any{"amount": "5", "currency": "XAU"}}, 0, "actualCost/currency")

	bad("POST", "/v1/campaigns", map[string]any{"name": " ", "type": "radio", "status": "running"}, 0, "name", "type", "status")
	bad("GET", "/v1/campaigns?status=running", nil, 0, "status")

	// Nothing of it was stored: the hierarchy is as it was.
	got := contracttest.Decode[campaigns.View](e.want(e.do(u, "GET", "/v1/campaigns/"+a.ID, nil), http.StatusOK))
	if got.ParentID != nil || got.Version != 1 {
		t.Errorf("A after refused changes %+v", got)
	}
}
