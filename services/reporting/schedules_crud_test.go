package reporting_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"

	"github.com/rapport-crm/rapport/services/reporting/dashboards"
)

// A schedule is saved with its next due time, checked (a 400 naming each
// field at fault), changed by merge patch with If-Match — a new hour moves
// its next due time — and seen only by its owner and reporting:admin.
func TestSchedulesCRUD(t *testing.T) {
	e := newEnv(t)
	tenant := uuid.NewString()
	u := newUser(tenant).as("reporting:read", "reporting:write")
	before := time.Now().UTC()
	r := e.want(e.do(u, http.MethodPost, "/v1/report-schedules", map[string]any{"report": "activity",
		"params": map[string]string{"range": "last_7_days", "groupBy": "type"}, "frequency": "daily", "hour": 6,
		"recipients": []string{"ada@example.com", "grace@example.org"}}), http.StatusCreated)
	s := contracttest.Decode[dashboards.Schedule](r)
	next := time.Date(before.Year(), before.Month(), before.Day(), 6, 0, 0, 0, time.UTC)
	if !next.After(before) {
		next = next.AddDate(0, 0, 1)
	}
	if s.Name != "activity" || s.Format != "xlsx" || s.Language != "en" || s.OwnerID != u.id || !s.NextRunAt.Equal(next) ||
		s.LastRunAt != nil || s.LastError != "" || s.Version != 1 {
		t.Fatalf("created %+v, want due %s", s, next)
	}
	path := "/v1/report-schedules/" + s.ID
	mp := []string{"Content-Type", "application/merge-patch+json"}
	e.want(e.do(u, http.MethodPatch, path, map[string]any{"hour": 23}, mp...), http.StatusPreconditionRequired)
	up := contracttest.Decode[dashboards.Schedule](e.want(e.do(u, http.MethodPatch, path,
		map[string]any{"frequency": "weekly", "weekday": "friday", "hour": 23, "format": "csv"}, append(mp, "If-Match", r.Header.Get("ETag"))...),
		http.StatusOK))
	if up.Version != 2 || up.Format != "csv" || up.NextRunAt.Weekday() != time.Friday || up.NextRunAt.Hour() != 23 || !up.NextRunAt.After(before) {
		t.Errorf("patched %+v", up)
	}
	e.want(e.do(u, http.MethodPatch, path, map[string]any{"hour": 1}, append(mp, "If-Match", r.Header.Get("ETag"))...), http.StatusPreconditionFailed)

	other := newUser(tenant).as("reporting:read", "reporting:write")
	e.want(e.do(other, http.MethodGet, path, nil), http.StatusNotFound)
	e.want(e.do(other, http.MethodDelete, path, nil), http.StatusNotFound)
	e.want(e.do(newUser(uuid.NewString()), http.MethodGet, path, nil), http.StatusNotFound)
	if page := contracttest.Decode[dashboards.SchedulePage](e.want(e.do(other, http.MethodGet, "/v1/report-schedules", nil), http.StatusOK)); len(page.Items) != 0 {
		t.Errorf("another user lists %d schedules", len(page.Items))
	}
	admin := newUser(tenant)
	if page := contracttest.Decode[dashboards.SchedulePage](e.want(e.do(admin, http.MethodGet, "/v1/report-schedules", nil), http.StatusOK)); len(page.Items) != 1 {
		t.Errorf("the admin lists %d schedules, want 1", len(page.Items))
	}
	e.want(e.do(u, http.MethodDelete, path, nil), http.StatusNoContent)
	e.want(e.do(u, http.MethodGet, path, nil), http.StatusNotFound)
	e.validateOwnEvents("report_schedule", "created", "updated", "deleted")
}

// A schedule's fields are checked: what it mails (a dashboard the caller
// sees, or a report with valid parameters), its frequency's fields and
// 1 to 50 addresses, each named in the 400.
func TestSchedulesValidation(t *testing.T) {
	e := newEnv(t)
	tenant := uuid.NewString()
	u := newUser(tenant).as("reporting:read", "reporting:write")
	post := func(body map[string]any) reply { return e.do(u, http.MethodPost, "/v1/report-schedules", body) }
	wantFields(t, post(map[string]any{"report": "activity", "frequency": "daily", "hour": 6,
		"recipients": []string{"ada@example.com", "not an address", "Grace <grace@example.org>", "ada@example.com"}}),
		[]string{"recipients/1", "recipients/2", "recipients/3"}, "email address")
	wantFields(t, post(map[string]any{"report": "activity", "frequency": "daily", "hour": 6, "recipients": []string{}}),
		[]string{"recipients"}, "1 to 50")
	wantFields(t, post(map[string]any{"report": "activity", "params": map[string]string{"groupBy": "colour"}, "format": "pdf",
		"frequency": "weekly", "hour": 24, "dayOfMonth": 3, "recipients": []string{"ada@example.com"}}),
		[]string{"params/groupBy", "format", "hour", "weekday", "dayOfMonth"}, "owner, team, type", "xlsx, csv", "0 to 23", "monday", "only a monthly")
	wantFields(t, post(map[string]any{"report": "sales", "frequency": "monthly", "hour": 6, "recipients": []string{"ada@example.com"}}),
		[]string{"report", "dayOfMonth"}, "activity", "1 to 31")
	wantFields(t, post(map[string]any{"dashboardId": dashboards.Marketer, "report": "activity", "frequency": "daily", "hour": 6,
		"recipients": []string{"ada@example.com"}}), []string{"report"}, "not both")
	private := e.createDashboard(newUser(tenant), map[string]any{"name": "Private"})
	for _, id := range []string{private.ID, uuid.NewString(), "nope"} {
		wantFields(t, post(map[string]any{"dashboardId": id, "frequency": "daily", "hour": 6, "recipients": []string{"ada@example.com"}}),
			[]string{"dashboardId"}, "dashboard")
	}
	s := e.createSchedule(u, map[string]any{"dashboardId": dashboards.SupportManager, "frequency": "monthly", "dayOfMonth": 31, "hour": 0,
		"recipients": []string{"ada@example.com"}})
	if s.Name != "Support manager" || s.DashboardID != dashboards.SupportManager || s.NextRunAt.Hour() != 0 {
		t.Errorf("a built-in dashboard's schedule: %+v", s)
	}
}
