package e2e

import (
	"encoding/json"
	"testing"
	"time"
)

const (
	reportingRead  = "reporting:read"
	reportingWrite = "reporting:write"
	reportingAdmin = "reporting:admin"
)

// reportingProbes are the probes of the reporting service's operations on
// victim v's reporting records and read models; m names the caller's own
// new records. Reports, predictions and dashboards need reporting:read;
// saving dashboards and schedules reporting:write; rebuilding the read
// models and retraining the models reporting:admin. No report, drill-down
// or prediction may show the victim's figures, sources or records: the
// matrix's markers and ids catch them.
func reportingProbes(v fixture, m string) []probe {
	k := v.Reporting
	ifMatch := map[string]string{"If-Match": `"1"`}
	dash, sched := "/v1/dashboards/"+k.DashboardID, "/v1/report-schedules/"+k.ScheduleID
	month := time.Now().UTC().Format("2006-01") + "-01"
	rows := func(t *testing.T, body []byte) { // the caller's own figures: its one opportunity of the fixture
		var r struct {
			Rows []map[string]any `json:"rows"`
		}
		if err := json.Unmarshal(body, &r); err != nil {
			t.Errorf("report %s: %v", body, err)
		}
	}
	widget := []map[string]any{{"title": "Probe" + m, "report": "funnel", "chart": "funnel", "layout": map[string]int{"x": 0, "y": 0, "w": 6, "h": 4}}}
	return []probe{
		{name: "report catalogue", method: "GET", path: "/v1/reports", gate: reportingRead, want: 200},
		{name: "pipeline report", method: "GET", path: "/v1/reports/pipeline?interval=month&groupBy=owner", gate: reportingRead, want: 200, check: rows},
		{name: "lead sources report", method: "GET", path: "/v1/reports/lead-sources?interval=year", gate: reportingRead, want: 200, check: rows},
		{name: "pipeline drill-down", method: "GET", path: "/v1/reports/pipeline/records?measure=created&period=" + month, gate: reportingRead, want: 200},
		{name: "reports' freshness", method: "GET", path: "/v1/reports/freshness", gate: reportingRead, want: 200},
		// Predictions: no model is ready on the matrix's little history.
		{name: "prediction models", method: "GET", path: "/v1/predictions/models", gate: reportingRead, want: 200},
		{name: "retrain the models", method: "POST", path: "/v1/predictions/retrain", gate: reportingWrite, svc: reportingAdmin, want: 200},
		{name: "win predictions", method: "GET", path: "/v1/predictions/opportunities", gate: reportingRead, want: 422},
		{name: "the victim's opportunity's win prediction", method: "GET", path: "/v1/predictions/opportunities/" + v.OpportunityID, gate: reportingRead, want: 404, echoes: true},
		{name: "churn predictions", method: "GET", path: "/v1/predictions/accounts", gate: reportingRead, want: 422},
		{name: "the victim's account's churn prediction", method: "GET", path: "/v1/predictions/accounts/" + v.AccountID, gate: reportingRead, want: 404, echoes: true},
		{name: "demand forecast", method: "GET", path: "/v1/predictions/demand", gate: reportingRead, want: 422},
		// Dashboards.
		{name: "list dashboards", method: "GET", path: "/v1/dashboards?limit=200", gate: reportingRead, want: 200},
		{name: "create dashboard", method: "POST", path: "/v1/dashboards", body: map[string]any{"name": "Probe " + m, "widgets": widget}, gate: reportingWrite, want: 201},
		{name: "get dashboard", method: "GET", path: dash, gate: reportingRead, want: 404, echoes: true},
		{name: "patch dashboard", method: "PATCH", path: dash, body: map[string]any{"name": "pwned"}, header: ifMatch, gate: reportingWrite, want: 404, echoes: true},
		{name: "delete dashboard", method: "DELETE", path: dash, header: ifMatch, gate: reportingWrite, want: 404, echoes: true},
		{name: "copy dashboard", method: "POST", path: dash + "/copy", gate: reportingWrite, want: 404, echoes: true},
		// Schedules.
		{name: "list report schedules", method: "GET", path: "/v1/report-schedules?limit=200", gate: reportingRead, want: 200},
		{name: "schedule the victim's dashboard", method: "POST", path: "/v1/report-schedules", body: map[string]any{"dashboardId": k.DashboardID,
			"frequency": "daily", "hour": 6, "recipients": []string{"probe." + m + "@" + m + ".example"}}, gate: reportingWrite, want: 400, echoes: true},
		{name: "get report schedule", method: "GET", path: sched, gate: reportingRead, want: 404, echoes: true},
		{name: "patch report schedule", method: "PATCH", path: sched, body: map[string]any{"hour": 7}, header: ifMatch, gate: reportingWrite, want: 404, echoes: true},
		{name: "delete report schedule", method: "DELETE", path: sched, header: ifMatch, gate: reportingWrite, want: 404, echoes: true},
		// The read models' rebuild, of the caller's own tenant only.
		{name: "rebuild the read models", method: "POST", path: "/admin/v1/rebuild", gate: reportingWrite, svc: reportingAdmin, want: 202},
		{name: "the read models' rebuilds", method: "GET", path: "/admin/v1/rebuild", gate: reportingRead, svc: reportingAdmin, want: 200},
	}
}
