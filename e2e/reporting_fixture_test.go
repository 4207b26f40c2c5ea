package e2e

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/e2e/stack"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// reportingFixture is what a tenant's administrator makes in the reporting
// service, every text carrying the tenant's marker, once its read models
// hold the fixture's opportunity: a dashboard of the pipeline report and a
// monthly schedule mailing it.
type reportingFixture struct {
	DashboardID, ScheduleID string
}

// IDs are the reporting fixture's record ids.
func (f reportingFixture) IDs() []string { return []string{f.DashboardID, f.ScheduleID} }

// newReportingFixture makes the reporting records through the gateway with
// token, marked with m.
func newReportingFixture(t *testing.T, base, token, m string) reportingFixture {
	t.Helper()
	testkit.Eventually(t, time.Minute, "the read models have the fixture's opportunity", func() (bool, string) {
		var r struct {
			Rows []map[string]any `json:"rows"`
		}
		res := stack.Do(t, stack.Request{Method: http.MethodGet, URL: base + "/v1/reports/pipeline?interval=year", Token: token})
		return res.Status == http.StatusOK && json.Unmarshal(res.Body, &r) == nil && len(r.Rows) > 0, string(res.Body)
	})
	post := func(path string, body any) string {
		var rec struct {
			ID string `json:"id"`
		}
		stack.Must(t, stack.Request{Method: http.MethodPost, URL: base + path, Token: token, Body: body}, http.StatusCreated, &rec)
		return rec.ID
	}
	var f reportingFixture
	f.DashboardID = post("/v1/dashboards", map[string]any{"name": "Dash" + m, "description": "Desc" + m, "sharedRoles": []string{"manager"},
		"widgets": []map[string]any{{"title": "Widget" + m, "report": "pipeline", "params": map[string]string{"interval": "quarter"}, "chart": "bar",
			"layout": map[string]int{"x": 0, "y": 0, "w": 6, "h": 4}}}})
	f.ScheduleID = post("/v1/report-schedules", map[string]any{"name": "Sched" + m, "dashboardId": f.DashboardID, "format": "xlsx",
		"frequency": "monthly", "dayOfMonth": 1, "hour": 6, "recipients": []string{"boss." + m + "@" + m + ".example"}})
	return f
}

// placeholderReporting is a reporting fixture of fresh ids, for the
// checks of the probes that need no stack.
func placeholderReporting() reportingFixture {
	return reportingFixture{DashboardID: ids.New(), ScheduleID: ids.New()}
}
