package reporting_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/auth"
)

// The activity report counts activities (not deleted) by the period they
// occurred in, per owner (the default), team or type, and the completed
// ones; a user of scope own sees only theirs.
func TestActivityReport(t *testing.T) {
	e := newEnv(t)
	tenant := uuid.NewString()
	u := newUser(tenant)
	own := u.scoped(auth.ScopeOwn)
	me := own.id
	a := func(typ, owner, team string, occurred ...int) activity {
		return activity{ID: uuid.NewString(), Type: typ, Owner: owner, Team: team, Occurred: utcDay(2026, 1, 1).AddDate(0, occurred[0], occurred[1]), Version: 1}
	}
	a1, a2 := a("call", me, "t1", 0, 4), a("email", me, "t1", 0, 5)
	e.publishActivity(tenant, "created", a1)
	e.publishActivity(tenant, "created", a2)
	a3 := a("task", "rep2", "t2", 0, 6)
	e.publishActivity(tenant, "completed", a3)
	e.publishActivity(tenant, "created", a("meeting", "rep2", "t1", 1, 2))
	a5 := a("task", me, "t1", 1, 9)
	e.publishActivity(tenant, "created", a5)
	a5.Version = 2
	e.publishActivity(tenant, "deleted", a5)
	e.publishActivity(tenant, "created", a("call", me, "t1", 2, 1)) // after to
	a7 := a("task", me, "t1", 0, 19)
	done := a7
	done.Completed, done.Version = true, 2
	e.publishActivity(tenant, "updated", done) // before its creation
	e.publishActivity(tenant, "created", a7)
	e.waitEvents(tenant, "contacts", 9)
	period := []string{"from", "2026-01-01", "to", "2026-03-01"}

	got := e.report(u, "activity", period...)
	if got.GroupBy != "owner" {
		t.Errorf("groupBy %q, want owner (the default)", got.GroupBy)
	}
	cols := []string{"period", "group", "type", "total", "completed"}
	wantLines(t, "activity by owner", lines(got.Rows, cols...), []string{
		"2026-01-01|" + me + "|call|1|0", "2026-01-01|" + me + "|email|1|0", "2026-01-01|" + me + "|task|1|1",
		"2026-01-01|rep2|task|1|1",
		"2026-02-01|rep2|meeting|1|0",
	})
	got = e.report(u, "activity", append(period, "groupBy", "type")...)
	wantLines(t, "activity by type", lines(got.Rows, cols...), []string{
		"2026-01-01|call|call|1|0", "2026-01-01|email|email|1|0", "2026-01-01|task|task|2|2",
		"2026-02-01|meeting|meeting|1|0",
	})
	got = e.report(u, "activity", append(period, "groupBy", "team", "interval", "quarter")...)
	wantLines(t, "activity by team", lines(got.Rows, cols...), []string{
		"2026-01-01|t1|call|1|0", "2026-01-01|t1|email|1|0", "2026-01-01|t1|meeting|1|0", "2026-01-01|t1|task|1|1",
		"2026-01-01|t2|task|1|1",
	})
	got = e.report(own, "activity", append(period, "filter", `{"field":"type","op":"ne","value":"email"}`)...)
	wantLines(t, "one's own activities but emails", lines(got.Rows, cols...), []string{
		"2026-01-01|" + me + "|call|1|0", "2026-01-01|" + me + "|task|1|1",
	})

	ids, _ := e.records(own, "activity", append(period, "period", "2026-01-01", "group", me, "measure", "total")...)
	if want := []string{a1.ID, a2.ID, a7.ID}; !equalIDs(ids, want) {
		t.Errorf("January's activities %v, want %v", ids, want)
	}
	ids, _ = e.records(u, "activity", append(period, "period", "2026-01-01", "group", "rep2", "measure", "completed")...)
	if want := []string{a3.ID}; !equalIDs(ids, want) {
		t.Errorf("January's completed activities of rep2 %v, want %v", ids, want)
	}
	ids, _ = e.records(own, "activity", append(period, "period", "2026-01-01", "group", "rep2", "measure", "total")...)
	if len(ids) != 0 {
		t.Errorf("someone else's activities drilled into by a user of scope own: %v", ids)
	}

	for _, c := range []struct{ path, field string }{
		{"/v1/reports/activity?groupBy=segment", "groupBy"},
		{"/v1/reports/activity?filter=" + url.QueryEscape(`{"field":"stage","op":"eq","value":"lead"}`), "filter/field"},
		{"/v1/reports/activity?filter=" + url.QueryEscape(`{"field":"type","op":"eq","value":"fax"}`), "filter/value"},
		{"/v1/reports/customer-value?interval=month", "interval"},
		{"/v1/reports/activity/records?period=2026-01-01&group=x&measure=type", "measure"},
	} {
		r := e.want(e.do(u, http.MethodGet, c.path, nil), http.StatusBadRequest)
		if f := r.fields(); !equalIDs(f, []string{c.field}) {
			t.Errorf("GET %s: fields %v, want %s", c.path, f, c.field)
		}
	}
}
