package reporting_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/reporting"
	"github.com/rapport-crm/rapport/services/reporting/dashboards"
)

// reportTable is a report's JSON: its columns and rows.
type reportTable struct {
	Columns []struct {
		Name  string `json:"name"`
		Label string `json:"label"`
	} `json:"columns"`
	Rows []map[string]any `json:"rows"`
}

// due makes the schedule id of tenant due a minute ago.
func (e *env) due(tenant, id string) {
	e.t.Helper()
	if _, err := e.admin.Exec(`UPDATE report_schedules SET next_run_at = now() - interval '1 minute' WHERE tenant_id = $1 AND id = $2`,
		tenant, id); err != nil {
		e.t.Fatal(err)
	}
}

// waitRun waits until the schedule id has run and returns it.
func (e *env) waitRun(u user, id string) dashboards.Schedule {
	e.t.Helper()
	var s dashboards.Schedule
	testkit.Eventually(e.t, 45*time.Second, "schedule "+id+" run", func() (bool, string) {
		s = contracttest.Decode[dashboards.Schedule](e.want(e.do(u, http.MethodGet, "/v1/report-schedules/"+id, nil), http.StatusOK))
		return s.LastRunAt != nil, fmt.Sprintf("next %s, last %v", s.NextRunAt, s.LastRunAt)
	})
	return s
}

// reportJSON gets GET /v1/reports/<path> as u.
func (e *env) reportJSON(u user, path string) reportTable {
	e.t.Helper()
	var out reportTable
	if err := json.Unmarshal(e.want(e.do(u, http.MethodGet, "/v1/reports/"+path, nil), http.StatusOK).Raw, &out); err != nil {
		e.t.Fatal(err)
	}
	return out
}

// Schedules due now are each mailed once — by one of two instances
// whose jobs both run — to each recipient, with an XLSX attachment whose
// sheets hold the reports' headers and figures as their JSON has them
// for the schedule's owner (a dashboard's: a sheet per widget, or a CSV
// file per widget); then they are due at their next time. Another
// tenant's schedule goes to its own recipients only.
func TestSchedulesDeliveredOnceWithXLSX(t *testing.T) {
	sink := newMailSink(t)
	e := newEnv(t)
	contracttest.Start(t, e.cfg, reporting.Starter(), quiet) // a second instance, its job running too
	tenant := uuid.NewString()
	u := newUser(tenant)
	own := u.scoped(auth.ScopeOwn)
	jan := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	for i, typ := range []string{"call", "call", "email", "task", "meeting"} {
		owner := own.id
		if typ == "meeting" {
			owner = "rep2"
		}
		e.publishActivity(tenant, "created", activity{ID: uuid.NewString(), Type: typ, Owner: owner, Team: "t1",
			Occurred: jan.AddDate(0, 0, 7*i), Completed: i == 0, Version: 1})
	}
	e.waitEvents(tenant, "contacts", 5)
	params := map[string]string{"from": "2026-01-01", "to": "2026-03-01", "groupBy": "type"}
	query := "activity?from=2026-01-01&to=2026-03-01&groupBy=type"
	want, wantOwn := e.reportJSON(u, query), e.reportJSON(own, query)
	if len(wantOwn.Rows) == 0 || len(wantOwn.Rows) >= len(want.Rows) {
		t.Fatalf("the activity report has %d rows, %d in scope own", len(want.Rows), len(wantOwn.Rows))
	}
	d := e.createDashboard(u, map[string]any{"name": "Weekly activity", "widgets": []any{
		widgetOf("By type", "activity", "bar", "from", "2026-01-01", "to", "2026-03-01", "groupBy", "type"),
		widgetOf("By owner", "activity", "table", "from", "2026-01-01", "to", "2026-03-01")}})
	var ids []string
	for i := range 4 {
		s := e.createSchedule(u, map[string]any{"name": fmt.Sprintf("Activity %d", i), "report": "activity", "params": params,
			"frequency": "daily", "hour": 6, "recipients": []string{"ada@example.com", "grace@example.org"}})
		ids = append(ids, s.ID)
	}
	mine := e.createSchedule(own, map[string]any{"name": "Mine", "report": "activity", "params": params, "frequency": "monthly",
		"dayOfMonth": 1, "hour": 6, "recipients": []string{"me@example.com"}})
	dash := e.createSchedule(u, map[string]any{"dashboardId": d.ID, "format": "csv", "frequency": "weekly", "weekday": "monday", "hour": 6,
		"recipients": []string{"ada@example.com"}})
	ids = append(ids, mine.ID, dash.ID)
	otherTenant := newUser(uuid.NewString())
	elsewhere := e.createSchedule(otherTenant, map[string]any{"name": "Elsewhere", "report": "activity", "frequency": "daily", "hour": 6,
		"recipients": []string{"linus@example.net"}})
	for _, id := range ids {
		e.due(tenant, id)
	}
	e.due(otherTenant.tenant, elsewhere.ID)
	start := time.Now().UTC()
	for _, id := range ids {
		s := e.waitRun(u, id)
		if s.LastError != "" || !s.NextRunAt.After(start) || s.LastRunAt.Before(start.Add(-time.Minute)) {
			t.Errorf("schedule %s after its run: %+v", s.Name, s)
		}
	}
	e.waitRun(otherTenant, elsewhere.ID)

	// Each schedule's mail went once to each recipient.
	bySubject := map[string][]string{}
	for _, m := range sink.received() {
		subject, _ := readMail(t, m.Raw)
		bySubject[subject] = append(bySubject[subject], m.To)
	}
	today := start.Format(time.DateOnly)
	for i := range 4 {
		subject := fmt.Sprintf("Activity %d — %s", i, today)
		if got := bySubject[subject]; !slices.Equal(sorted(got), []string{"ada@example.com", "grace@example.org"}) {
			t.Errorf("%q went to %v, want ada and grace once each", subject, got)
		}
	}
	for subject, to := range map[string]string{"Mine": "me@example.com", "Weekly activity": "ada@example.com", "Elsewhere": "linus@example.net"} {
		if got := bySubject[subject+" — "+today]; !slices.Equal(got, []string{to}) {
			t.Errorf("%s's mail went to %v, want %s once", subject, got, to)
		}
	}
	if n := len(sink.received()); n != 4*2+3 {
		t.Errorf("%d mails, want 11", n)
	}
	e.validateOwnEvents("report_schedule", "delivered")

	// The workbooks: their headers and figures are the JSON's, as each
	// schedule's owner sees them; the dashboard's CSV files, one a widget.
	seen := 0
	for _, m := range sink.received() {
		subject, parts := readMail(t, m.Raw)
		switch subject {
		case "Activity 0 — " + today, "Mine — " + today:
			name, table := "Activity 0", want
			if strings.HasPrefix(subject, "Mine") {
				name, table = "Mine", wantOwn
			}
			if len(parts) != 2 || parts[1].Name != name+"-"+today+".xlsx" ||
				parts[1].ContentType != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
				!strings.Contains(string(parts[0].Data), "activity") {
				t.Fatalf("%s's parts: %d, %+v", subject, len(parts), parts[len(parts)-1].Name)
			}
			sheets := workbook(t, parts[1].Data)
			if len(sheets) != 1 {
				t.Fatalf("%d sheets, want 1", len(sheets))
			}
			compareSheet(t, sheets[0], table)
			seen++
		case "Weekly activity — " + today:
			if len(parts) != 3 || parts[1].Name != "Weekly activity-By type-"+today+".csv" || parts[2].Name != "Weekly activity-By owner-"+today+".csv" ||
				parts[1].ContentType != "text/csv" {
				t.Fatalf("the dashboard's mail: %d parts, %+v", len(parts), parts)
			}
			header, _, _ := strings.Cut(strings.TrimPrefix(string(parts[1].Data), "\ufeff"), "\n")
			if header != strings.Join(labels(want), ",") {
				t.Errorf("the CSV's header %q, want %q", header, strings.Join(labels(want), ","))
			}
			seen++
		}
	}
	if seen != 4 {
		t.Errorf("%d of the 4 mails checked", seen)
	}
}

// labels are t's columns' labels.
func labels(t reportTable) []string {
	var out []string
	for _, c := range t.Columns {
		out = append(out, c.Label)
	}
	return out
}

// sorted is a sorted copy of s.
func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// sheet is a worksheet's name and its rows as text.
type sheet struct {
	name string
	rows [][]string
}

// workbook opens an XLSX file with excelize and reads its sheets.
func workbook(t *testing.T, data []byte) []sheet {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("excelize cannot open the attachment: %v", err)
	}
	defer f.Close() //nolint:errcheck // read only
	var out []sheet
	for _, name := range f.GetSheetList() {
		rows, err := f.GetRows(name)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, sheet{name: name, rows: rows})
	}
	return out
}

// compareSheet checks that s's header is want's labels and its rows
// want's figures, in order (the rows after them: the asOf line).
func compareSheet(t *testing.T, s sheet, want reportTable) {
	t.Helper()
	if len(s.rows) < 1+len(want.Rows) {
		t.Fatalf("sheet %s has %d rows, want a header and %d", s.name, len(s.rows), len(want.Rows))
	}
	if header := labels(want); !slices.Equal(s.rows[0], header) {
		t.Errorf("header %v, want %v", s.rows[0], labels(want))
	}
	for i, r := range want.Rows {
		var line []string
		for _, c := range want.Columns {
			line = append(line, fmt.Sprint(r[c.Name]))
		}
		if got := s.rows[1+i]; !slices.Equal(got, line) {
			t.Errorf("row %d %v, want %v", i, got, line)
		}
	}
}

// A relay that cannot be reached fails the run: lastError says why, the
// schedule moves to its next due time and is not tried again before it.
func TestSchedulesFailedDeliveryIsRecorded(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	t.Setenv(dashboards.EnvSMTPURL, "smtp://"+addr)
	t.Setenv(dashboards.EnvMailFrom, "reports@example.com")
	e := newEnv(t)
	u := newUser(uuid.NewString())
	s := e.createSchedule(u, map[string]any{"report": "activity", "frequency": "daily", "hour": 6, "recipients": []string{"ada@example.com"}})
	e.due(u.tenant, s.ID)
	start := time.Now().UTC()
	got := e.waitRun(u, s.ID)
	if !strings.Contains(got.LastError, "relay") || !got.NextRunAt.After(start) {
		t.Errorf("after a failed run: %+v", got)
	}
	e.validateOwnEvents("report_schedule", "failed")
}
