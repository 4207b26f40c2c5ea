package reporting_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/auth"
)

// serviceColumns are the columns of the service report the tests compare.
var serviceColumns = []string{"period", "group", "created", "solved", "backlog", "firstResponseMedian", "firstResponseP90",
	"resolutionMedian", "resolutionP90", "slaCompliance", "csat", "nps"}

// The service report over three months: cases created and solved, the
// backlog at each period's end (cases created before, neither solved nor
// closed before it), the median and P90 seconds to the first response
// and to resolution, SLA compliance, CSAT and NPS of the surveys answered;
// merged and deleted cases (and their surveys) count nowhere; surveys are
// grouped by channel through their case.
func TestServiceReport(t *testing.T) {
	e := newEnv(t)
	tenant := uuid.NewString()
	u := newUser(tenant)
	own := u.scoped(auth.ScopeOwn)
	at := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, time.UTC) }
	k := func(n int, channel string, created time.Time) kase {
		return kase{ID: uuid.NewString(), Number: n, Channel: channel, Assignee: "agent", Created: created, Version: 1}
	}
	// solve publishes c solved (and closed) at solved (closed), as version 2.
	solve := func(c kase, status string, solved, closed time.Time) {
		c.Status, c.Solved, c.Closed, c.Updated, c.Version = status, solved, closed, solved, 2
		if solved.IsZero() {
			c.Updated = closed
		}
		e.publishCase(tenant, "status_changed", c)
	}
	k1 := k(1, "email", at(1, 5, 0, 0))
	k1.Assignee = own.id
	e.publishCase(tenant, "created", k1)
	solve(k1, "closed", at(1, 6, 0, 0), at(1, 10, 0, 0))
	e.publishCaseReply(tenant, k1.ID, at(1, 5, 3, 0))
	e.publishCaseReply(tenant, k1.ID, at(1, 5, 1, 0))

	k2 := k(2, "email", at(1, 10, 0, 0))
	solve(k2, "solved", at(2, 10, 0, 0), time.Time{}) // before its creation
	e.publishCase(tenant, "created", k2)
	e.publishCaseReply(tenant, k2.ID, at(1, 10, 2, 0))
	e.publishBreach(tenant, k2.ID, "resolution", at(2, 1, 0, 0))

	k3 := k(3, "chat", at(1, 20, 0, 0))
	e.publishCase(tenant, "created", k3)
	e.publishCaseReply(tenant, k3.ID, at(1, 20, 0, 10))

	k4 := k(4, "chat", at(2, 1, 0, 0))
	e.publishCase(tenant, "created", k4)
	solve(k4, "solved", at(3, 1, 0, 0), time.Time{})
	e.publishBreach(tenant, k4.ID, "first_response", at(2, 2, 0, 0))

	k5 := k(5, "email", at(2, 15, 0, 0))
	e.publishCase(tenant, "created", k5)
	e.publishCaseReply(tenant, k5.ID, at(2, 15, 0, 30))
	solve(k5, "closed", time.Time{}, at(2, 20, 0, 0))

	k6 := k(6, "phone", time.Date(2025, 12, 20, 0, 0, 0, 0, time.UTC))
	e.publishCase(tenant, "created", k6)
	solve(k6, "solved", at(2, 5, 0, 0), time.Time{})

	k7 := k(7, "email", at(1, 7, 0, 0))
	e.publishCase(tenant, "created", k7)
	k7.MergedInto, k7.Updated, k7.Version = k1.ID, at(1, 8, 0, 0), 2
	e.publishCase(tenant, "merged", k7)

	k8 := k(8, "chat", at(1, 8, 0, 0))
	e.publishCase(tenant, "created", k8)
	k8.Updated, k8.Version = at(1, 9, 0, 0), 2
	e.publishCase(tenant, "deleted", k8)

	s1, s2 := uuid.NewString(), uuid.NewString()
	e.publishSurvey(tenant, s1, "csat", 5, k1.ID, "", "agent", "", at(1, 7, 0, 0))
	e.publishSurvey(tenant, s2, "csat", 4, k2.ID, "", "agent", "", at(1, 12, 0, 0))
	e.publishSurvey(tenant, uuid.NewString(), "csat", 2, k3.ID, "", "agent", "", at(2, 2, 0, 0))
	e.publishSurvey(tenant, uuid.NewString(), "csat", 1, k7.ID, "", "agent", "", at(1, 9, 0, 0))
	e.publishSurvey(tenant, uuid.NewString(), "nps", 10, k1.ID, "", "agent", "", at(1, 8, 0, 0))
	e.publishSurvey(tenant, uuid.NewString(), "nps", 6, k2.ID, "", "agent", "", at(1, 13, 0, 0))
	e.publishSurvey(tenant, uuid.NewString(), "nps", 9, k3.ID, "", "agent", "", at(1, 25, 0, 0))
	e.publishSurvey(tenant, uuid.NewString(), "nps", 7, "", "", "agent", "", at(1, 26, 0, 0))
	e.waitEvents(tenant, "support", 30)
	period := []string{"from", "2026-01-01", "to", "2026-04-01", "interval", "month"}

	got := e.report(u, "service", period...)
	wantLines(t, "service", lines(got.Rows, serviceColumns...), []string{
		"2026-01-01||3|1|3|3600|7200|86400|86400|0.6667|4.50|25.0",
		"2026-02-01||2|2|2|1800|1800|2678400|4060800|0.5000|2.00|",
		"2026-03-01||0|1|1|nil|nil|2419200|2419200|||",
	})

	got = e.report(u, "service", "from", "2026-01-01", "to", "2026-02-01", "groupBy", "channel")
	wantLines(t, "service by channel", lines(got.Rows, serviceColumns...), []string{
		"2026-01-01||0|0|0|nil|nil|nil|nil|||0.0",
		"2026-01-01|chat|1|0|1|600|600|nil|nil|1.0000||100.0",
		"2026-01-01|email|2|1|1|3600|7200|86400|86400|0.5000|4.50|0.0",
		"2026-01-01|phone|0|0|1|nil|nil|nil|nil|||",
	})

	// By owner: a case by its assignee, a survey by its agent (in any
	// order: the owner's id is random).
	got = e.report(u, "service", "from", "2026-01-01", "to", "2026-02-01", "groupBy", "owner")
	wantLines(t, "service by owner", sortedIDs(lines(got.Rows, serviceColumns...)...), sortedIDs(
		"2026-01-01|"+own.id+"|1|1|0|3600|3600|86400|86400|1.0000||",
		"2026-01-01|agent|2|0|3|600|7200|nil|nil|0.5000|4.50|25.0",
	))

	got = e.report(own, "service", period...)
	wantLines(t, "one's own cases", lines(got.Rows, serviceColumns...), []string{
		"2026-01-01||1|1|0|3600|3600|86400|86400|1.0000|5.00|100.0",
	})

	ids, _ := e.records(u, "service", append(period, "period", "2026-01-01", "group", "", "measure", "backlog")...)
	if want := []string{k2.ID, k3.ID, k6.ID}; !equalIDs(ids, want) {
		t.Errorf("January's backlog %v, want %v", ids, want)
	}
	ids, recs := e.records(u, "service", append(period, "period", "2026-01-01", "group", "", "measure", "csat")...)
	if want := []string{s1, s2}; !equalIDs(ids, want) || recs[0].Kind != "survey" {
		t.Errorf("January's CSAT surveys %+v, want %v", recs, want)
	}
	ids, _ = e.records(u, "service", append(period, "period", "2026-02-01", "group", "", "measure", "firstResponseMedian")...)
	if want := []string{k5.ID}; !equalIDs(ids, want) {
		t.Errorf("February's first responses %v, want %v", ids, want)
	}
}
