package reporting_test

import (
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/auth"
)

// lifecycleHistory publishes a small history of contacts to tenant, some
// versions out of order: c1 lead (Jan 5) → customer (Feb 10), merged with
// c4 (Feb 20, a version without a new stage); c2 lead (Jan 20) →
// marketingQualified (Mar 3) → salesQualified (Mar 20); c3 lead, deleted;
// c4 subscriber, merged away into c1; c5 lead (Feb 2), erased (Mar 1).
// c1 and c5 are owned by own, c2 by someone else. It returns c1, c2, c5.
func (e *env) lifecycleHistory(tenant, own string) (c1, c2, c5 contact) {
	e.t.Helper()
	c1 = contact{ID: uuid.NewString(), Owner: own, Source: "web", Stage: "lead", Name: "Ann", Created: utcDay(2026, 1, 5), Version: 1}
	c1v2 := c1
	c1v2.Stage, c1v2.Updated, c1v2.Version = "customer", utcDay(2026, 2, 10), 2
	e.publishContact(tenant, "updated", c1v2) // before its creation
	e.publishContact(tenant, "created", c1)

	c2 = contact{ID: uuid.NewString(), Owner: "other", Source: "event", Stage: "lead", Name: "Bo", Created: utcDay(2026, 1, 20), Version: 1}
	c2v2, c2v3 := c2, c2
	c2v2.Stage, c2v2.Updated, c2v2.Version = "marketingQualified", utcDay(2026, 3, 3), 2
	c2v3.Stage, c2v3.Updated, c2v3.Version = "salesQualified", utcDay(2026, 3, 20), 3
	e.publishContact(tenant, "updated", c2v3)
	e.publishContact(tenant, "created", c2)
	e.publishContact(tenant, "updated", c2v2)

	c3 := contact{ID: uuid.NewString(), Owner: own, Stage: "lead", Created: utcDay(2026, 1, 8), Version: 1}
	e.publishContact(tenant, "created", c3)
	c3.Updated, c3.Version = utcDay(2026, 2, 15), 2
	e.publishContact(tenant, "deleted", c3)

	c4 := contact{ID: uuid.NewString(), Owner: own, Stage: "subscriber", Created: utcDay(2026, 1, 9), Version: 1}
	e.publishContact(tenant, "created", c4)
	winner := c1v2
	winner.Updated, winner.Version = utcDay(2026, 2, 20), 3
	e.publishContactMerge(tenant, c4.ID, winner, utcDay(2026, 2, 20))

	c5 = contact{ID: uuid.NewString(), Owner: own, Source: "web", Stage: "lead", Name: "Cy", Created: utcDay(2026, 2, 2), Version: 1}
	e.publishContact(tenant, "created", c5)
	e.publishContactErased(tenant, c5.ID, utcDay(2026, 3, 1))
	e.waitEvents(tenant, "contacts", 11)
	return c1, c2, c5
}

// The lifecycle report counts each contact in the stage of its newest
// version before each period's end, whatever order its versions came
// in; a deleted contact and one merged away count nowhere, an erased one
// still counts (without its name in the drill-down).
func TestLifecycleStagesAtPeriodEnds(t *testing.T) {
	e := newEnv(t)
	tenant := uuid.NewString()
	u := newUser(tenant)
	own := u.scoped(auth.ScopeOwn)
	c1, c2, c5 := e.lifecycleHistory(tenant, own.id)
	period := []string{"from", "2026-01-01", "to", "2026-04-01", "interval", "month"}

	got := e.report(u, "lifecycle", period...)
	wantLines(t, "lifecycle", lines(got.Rows, "period", "group", "stage", "contacts"), []string{
		"2026-01-01||lead|2",
		"2026-02-01||lead|2", "2026-02-01||customer|1",
		"2026-03-01||lead|1", "2026-03-01||salesQualified|1", "2026-03-01||customer|1",
	})

	got = e.report(u, "lifecycle", append(period, "groupBy", "owner")...)
	wantLines(t, "lifecycle by owner", lines(got.Rows, "period", "group", "stage", "contacts"), []string{
		"2026-01-01|" + own.id + "|lead|1", "2026-01-01|other|lead|1",
		"2026-02-01|" + own.id + "|lead|1", "2026-02-01|" + own.id + "|customer|1", "2026-02-01|other|lead|1",
		"2026-03-01|" + own.id + "|lead|1", "2026-03-01|" + own.id + "|customer|1", "2026-03-01|other|salesQualified|1",
	})

	got = e.report(own, "lifecycle", append(period, "groupBy", "source")...)
	wantLines(t, "lifecycle of one's own contacts by source", lines(got.Rows, "period", "group", "stage", "contacts"), []string{
		"2026-01-01|web|lead|1",
		"2026-02-01|web|lead|1", "2026-02-01|web|customer|1",
		"2026-03-01|web|lead|1", "2026-03-01|web|customer|1",
	})

	got = e.report(u, "lifecycle", append(period, "filter", `{"field":"stage","op":"eq","value":"lead"}`)...)
	wantLines(t, "lifecycle's leads", lines(got.Rows, "period", "stage", "contacts"),
		[]string{"2026-01-01|lead|2", "2026-02-01|lead|2", "2026-03-01|lead|1"})

	ids, recs := e.records(u, "lifecycle", append(period, "period", "2026-03-01", "group", "", "measure", "contacts",
		"filter", `{"field":"stage","op":"eq","value":"lead"}`)...)
	if len(ids) != 1 || ids[0] != c5.ID || recs[0].Name != "" || recs[0].Kind != "contact" {
		t.Errorf("March's leads: %+v, want the erased %s without a name", recs, c5.ID)
	}
	ids, _ = e.records(u, "lifecycle", append(period, "period", "2026-02-01", "group", "", "measure", "contacts")...)
	if want := sortedIDs(c1.ID, c2.ID, c5.ID); !equalIDs(ids, want) {
		t.Errorf("February's contacts %v, want %v", ids, want)
	}
}

// The lifecycle-flows report counts each change of stage between
// consecutive versions of a contact in the period of the later one; a
// version without a new stage is no transition, and deleted or merged
// away contacts count nowhere.
func TestLifecycleFlows(t *testing.T) {
	e := newEnv(t)
	tenant := uuid.NewString()
	u := newUser(tenant)
	own := u.scoped(auth.ScopeOwn)
	c1, c2, _ := e.lifecycleHistory(tenant, own.id)
	period := []string{"from", "2026-01-01", "to", "2026-04-01", "interval", "month"}

	got := e.report(u, "lifecycle-flows", period...)
	wantLines(t, "flows", lines(got.Rows, "period", "from", "to", "contacts"), []string{
		"2026-02-01|lead|customer|1",
		"2026-03-01|lead|marketingQualified|1", "2026-03-01|marketingQualified|salesQualified|1",
	})
	got = e.report(u, "lifecycle-flows", "from", "2026-01-01", "to", "2026-04-01", "interval", "quarter")
	wantLines(t, "flows by quarter", lines(got.Rows, "period", "from", "to", "contacts"), []string{
		"2026-01-01|lead|marketingQualified|1", "2026-01-01|lead|customer|1", "2026-01-01|marketingQualified|salesQualified|1",
	})
	got = e.report(own, "lifecycle-flows", period...)
	wantLines(t, "one's own flows", lines(got.Rows, "period", "from", "to", "contacts"), []string{"2026-02-01|lead|customer|1"})

	ids, recs := e.records(u, "lifecycle-flows", append(period, "period", "2026-03-01", "measure", "contacts",
		"filter", `{"field":"to","op":"eq","value":"salesQualified"}`)...)
	if len(ids) != 1 || ids[0] != c2.ID || recs[0].Fields["from"] != "marketingQualified" {
		t.Errorf("March's moves into salesQualified: %+v, want %s's", recs, c2.ID)
	}
	ids, _ = e.records(u, "lifecycle-flows", append(period, "period", "2026-02-01", "measure", "contacts")...)
	if !equalIDs(ids, []string{c1.ID}) {
		t.Errorf("February's moves %v, want %s's", ids, c1.ID)
	}
	r := e.do(u, http.MethodGet, "/v1/reports/lifecycle-flows?groupBy=owner", nil)
	if e.want(r, http.StatusBadRequest); !equalIDs(r.fields(), []string{"groupBy"}) {
		t.Errorf("groupBy on lifecycle-flows: fields %v, want groupBy", r.fields())
	}
}
