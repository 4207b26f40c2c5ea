package support_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/kitx"

	"github.com/rapport-crm/rapport/services/support/sla"
)

// shanghaiCalendar is a Chinese office's calendar: weekdays with a lunch
// break, the National Day holidays and an adjusted working Saturday.
func shanghaiCalendar(name string) map[string]any {
	day := []map[string]string{{"from": "09:00", "to": "12:00"}, {"from": "13:00", "to": "18:00"}}
	return map[string]any{"name": name, "timeZone": "Asia/Shanghai",
		"hours":    map[string]any{"monday": day, "tuesday": day, "wednesday": day, "thursday": day, "friday": day},
		"holidays": []map[string]string{{"date": "2026-10-01", "name": "国庆节"}, {"date": "2026-10-02", "name": "国庆节"}},
		"workdays": []map[string]any{{"date": "2026-10-10", "name": "调休", "hours": day}}}
}

// createCalendar creates a business calendar as u from body.
func (e *env) createCalendar(u user, body map[string]any) sla.BusinessCalendar {
	e.t.Helper()
	return contracttest.Decode[sla.BusinessCalendar](e.want(e.do(u, "POST", "/v1/business-calendars", body), http.StatusCreated))
}

// createPolicy creates an SLA policy as u from body.
func (e *env) createPolicy(u user, body map[string]any) sla.Policy {
	e.t.Helper()
	return contracttest.Decode[sla.Policy](e.want(e.do(u, "POST", "/v1/sla-policies", body), http.StatusCreated))
}

// wantFields fails unless r is a 400 naming every one of fields.
func (e *env) wantFields(r reply, fields ...string) {
	e.t.Helper()
	e.want(r, http.StatusBadRequest)
	got := r.fields()
	for _, f := range fields {
		if !slices.Contains(got, f) {
			e.t.Fatalf("fields %v, want %s: %s", got, f, r.Raw)
		}
	}
}

func TestSLABusinessCalendarsCRUD(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	cal := e.createCalendar(u, shanghaiCalendar(" Shanghai office "))
	if cal.Name != "Shanghai office" || cal.TimeZone != "Asia/Shanghai" || len(cal.Hours.Monday) != 2 || len(cal.Hours.Saturday) != 0 ||
		len(cal.Holidays) != 2 || cal.Workdays[0].Date != "2026-10-10" || cal.Version != 1 {
		t.Fatalf("created %+v", cal)
	}
	got := contracttest.Decode[sla.BusinessCalendar](e.want(e.do(u, "GET", "/v1/business-calendars/"+cal.ID, nil), http.StatusOK))
	if got.ID != cal.ID || got.Workdays[0].Name != "调休" {
		t.Fatalf("got %+v", got)
	}
	e.want(e.do(u, "POST", "/v1/business-calendars", shanghaiCalendar("shanghai OFFICE")), http.StatusConflict)

	// Invalid calendars name their fields, and nothing is stored.
	bad := shanghaiCalendar("Mars")
	bad["timeZone"] = "Mars/Olympus"
	bad["hours"] = map[string]any{"monday": []map[string]string{{"from": "09:00", "to": "13:00"}, {"from": "12:00", "to": "18:00"}},
		"tuesday": []map[string]string{{"from": "9am", "to": "18:00"}}}
	bad["holidays"] = []map[string]string{{"date": "2026-02-30"}}
	e.wantFields(e.do(u, "POST", "/v1/business-calendars", bad), "timeZone", "hours/monday", "hours/tuesday/0/from", "holidays/0/date")
	e.wantFields(e.do(u, "POST", "/v1/business-calendars", map[string]any{"name": "closed", "timeZone": "UTC"}), "hours")

	// Configuring needs support:admin; reading support:read.
	agent := u.as("support:read", "support:write")
	e.want(e.do(agent, "POST", "/v1/business-calendars", shanghaiCalendar("agent's")), http.StatusForbidden)
	list := contracttest.Decode[struct{ Items []sla.BusinessCalendar }](e.want(e.do(agent, "GET", "/v1/business-calendars", nil), http.StatusOK))
	if len(list.Items) != 1 || list.Items[0].ID != cal.ID {
		t.Fatalf("list %+v", list)
	}
	// Another tenant sees none of it.
	other := newUser(uuid.NewString())
	e.want(e.do(other, "GET", "/v1/business-calendars/"+cal.ID, nil), http.StatusNotFound)

	// A patch replaces a list whole and needs If-Match.
	patch := map[string]any{"holidays": []map[string]string{{"date": "2026-10-01"}}}
	e.want(e.do(u, "PATCH", "/v1/business-calendars/"+cal.ID, patch), http.StatusPreconditionRequired)
	e.want(e.do(u, "PATCH", "/v1/business-calendars/"+cal.ID, patch, "If-Match", kitx.ETag(9)), http.StatusPreconditionFailed)
	e.wantFields(e.do(u, "PATCH", "/v1/business-calendars/"+cal.ID, map[string]any{"timeZone": "Nowhere"}, "If-Match", kitx.ETag(1)), "timeZone")
	up := contracttest.Decode[sla.BusinessCalendar](e.want(e.do(u, "PATCH", "/v1/business-calendars/"+cal.ID, patch, "If-Match", kitx.ETag(1)), http.StatusOK))
	if len(up.Holidays) != 1 || up.Version != 2 || len(up.Workdays) != 1 {
		t.Fatalf("updated %+v", up)
	}

	// A calendar a policy uses is not deleted.
	p := e.createPolicy(u, map[string]any{"name": "Standard", "calendarId": cal.ID, "targets": map[string]any{"resolution": map[string]int{"normal": 480}}})
	e.want(e.do(u, "DELETE", "/v1/business-calendars/"+cal.ID, nil), http.StatusConflict)
	e.want(e.do(u, "DELETE", "/v1/sla-policies/"+p.ID, nil), http.StatusNoContent)
	e.want(e.do(u, "DELETE", "/v1/business-calendars/"+cal.ID, nil), http.StatusNoContent)
	e.want(e.do(u, "GET", "/v1/business-calendars/"+cal.ID, nil), http.StatusNotFound)

	wantTypes(t, e.eventTypes(cal.ID), "business_calendar.created", "business_calendar.updated", "business_calendar.deleted")
	contracttest.ValidateEvents(t, "api/events", e.published())
}

func TestSLAPoliciesCRUD(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	cal := e.createCalendar(u, map[string]any{"name": "24/7", "timeZone": "UTC", "alwaysOpen": true})
	account := uuid.NewString()
	p := e.createPolicy(u, map[string]any{"name": "Gold", "position": 1, "calendarId": cal.ID,
		"conditions":        map[string]any{"priorities": []string{"high", "urgent"}, "accountIds": []string{account}},
		"targets":           map[string]any{"firstResponse": map[string]int{"high": 60, "urgent": 15}, "resolution": map[string]int{"urgent": 240}},
		"warnBeforeMinutes": 10,
		"escalations":       []map[string]string{{"target": "resolution", "action": "raisePriority"}, {"action": "notifyManager"}}})
	if !*p.Active || p.Targets.FirstResponse["urgent"] != 15 || len(p.Targets.NextResponse) != 0 || len(p.Escalations) != 2 || p.Version != 1 {
		t.Fatalf("created %+v", p)
	}
	e.wantFields(e.do(u, "POST", "/v1/sla-policies", map[string]any{"name": "Bad", "calendarId": uuid.NewString(),
		"conditions":  map[string]any{"priorities": []string{"critical"}},
		"targets":     map[string]any{"firstResponse": map[string]int{"normal": 0}},
		"escalations": []map[string]string{{"action": "reassignTo"}, {"action": "explode"}}}),
		"conditions/priorities/0", "targets/firstResponse/normal", "escalations/0/assigneeId", "escalations/1/action")
	e.wantFields(e.do(u, "POST", "/v1/sla-policies", map[string]any{"name": "No calendar", "calendarId": uuid.NewString(),
		"targets": map[string]any{"resolution": map[string]int{"normal": 60}}}), "calendarId")
	e.want(e.do(u, "POST", "/v1/sla-policies", map[string]any{"name": "gold", "calendarId": cal.ID,
		"targets": map[string]any{"resolution": map[string]int{"normal": 60}}}), http.StatusConflict)

	up := contracttest.Decode[sla.Policy](e.want(e.do(u, "PATCH", "/v1/sla-policies/"+p.ID,
		map[string]any{"active": false, "targets": map[string]any{"nextResponse": map[string]int{"high": 120}}}, "If-Match", kitx.ETag(1)), http.StatusOK))
	if *up.Active || up.Targets.NextResponse["high"] != 120 || up.Targets.FirstResponse["urgent"] != 15 || up.Version != 2 {
		t.Fatalf("updated %+v", up)
	}
	list := contracttest.Decode[struct{ Items []sla.Policy }](e.want(e.do(u, "GET", "/v1/sla-policies", nil), http.StatusOK))
	if len(list.Items) != 1 {
		t.Fatalf("list %+v", list)
	}
	e.want(e.do(u.as("support:read"), "DELETE", "/v1/sla-policies/"+p.ID, nil), http.StatusForbidden)
	e.want(e.do(u, "DELETE", "/v1/sla-policies/"+p.ID, nil, "If-Match", kitx.ETag(1)), http.StatusPreconditionFailed)
	e.want(e.do(u, "DELETE", "/v1/sla-policies/"+p.ID, nil), http.StatusNoContent)
	e.want(e.do(u, "GET", "/v1/sla-policies/"+p.ID, nil), http.StatusNotFound)

	wantTypes(t, e.eventTypes(p.ID), "sla_policy.created", "sla_policy.updated", "sla_policy.deleted")
	contracttest.ValidateEvents(t, "api/events", e.published())
}

// wantTypes fails unless got are the event types want, in order.
func wantTypes(t *testing.T, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
}
