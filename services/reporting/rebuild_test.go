package reporting_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// rebuildGen is a generation as GET /admin/v1/rebuild lists it.
type rebuildGen struct {
	Generation int    `json:"generation"`
	State      string `json:"state"`
}

// rebuildReply is a rebuild as POST /admin/v1/rebuild answers it, and the
// running one of GET.
type rebuildReply struct {
	Generation int    `json:"generation"`
	State      string `json:"state"`
	Runs       int    `json:"runs"`
	Applied    int64  `json:"applied"`
	Topics     []struct {
		Context          string `json:"context"`
		Position, Target int64
	} `json:"topics"`
}

// rebuildStatus is GET /admin/v1/rebuild's answer.
type rebuildStatus struct {
	Generations []rebuildGen  `json:"generations"`
	Running     *rebuildReply `json:"running"`
}

// rebuildHistory publishes a small history of every context in tenant
// and waits until it was applied; it returns a case id of it.
func (e *env) rebuildHistory(tenant string) string {
	e.t.Helper()
	at := time.Date(2026, 2, 3, 9, 0, 0, 0, time.UTC)
	first := uuid.NewString()
	for i := range 5 {
		id := uuid.NewString()
		if i == 0 {
			id = first
		}
		c := kase{ID: id, Number: i + 1, Queue: uuid.NewString(), Priority: "high", Created: at.Add(time.Duration(i) * time.Hour)}
		e.publishCase(tenant, "created", c)
		c.Status, c.Solved, c.Updated, c.Version = "solved", c.Created.Add(3*time.Hour), c.Created.Add(3*time.Hour), 2
		e.publishCase(tenant, "updated", c)
		e.publishCaseReply(tenant, id, c.Created.Add(time.Hour))
	}
	e.publishBreach(tenant, first, "resolution", at.Add(2*time.Hour))
	e.publishSurvey(tenant, uuid.NewString(), "csat", 4, first, "", "agent-1", "", at.Add(5*time.Hour))
	campaignID, toucher := uuid.NewString(), uuid.NewString()
	e.publishCampaign(tenant, "created", campaign{ID: campaignID, Name: "Spring", Cost: "100.50", Currency: "EUR", Created: at})
	e.publishTouch(tenant, "sent", toucher, campaignID, at.Add(time.Hour))
	e.publishTouch(tenant, "clicked", toucher, campaignID, at.Add(2*time.Hour))
	acct, person := uuid.NewString(), uuid.NewString()
	e.publishAccount(tenant, "created", account{ID: acct, Name: "Acme", Industry: "retail", Owner: "u1", Created: at, Updated: at})
	c := contact{ID: person, Account: acct, Owner: "u1", Source: "web", Stage: "lead", Name: "Ada", Created: at, Updated: at}
	e.publishContact(tenant, "created", c)
	c.Stage, c.Updated, c.Version = "customer", at.Add(time.Hour), 2
	e.publishContact(tenant, "updated", c)
	e.publishActivity(tenant, "created", activity{ID: uuid.NewString(), Type: "call", Owner: "u1", Contact: person, Occurred: at})
	pipeline := uuid.NewString()
	open := stageRef{Pipeline: pipeline, Stage: uuid.NewString(), Name: "Open", Kind: "open"}
	won := stageRef{Pipeline: pipeline, Stage: uuid.NewString(), Name: "Won", Kind: "won"}
	e.publishPipeline(tenant, pipeline, "Sales", []stageRef{open, won})
	e.publishLead(tenant, "created", lead{ID: uuid.NewString(), Source: "web", Owner: "u1", Created: at})
	o := opp{ID: uuid.NewString(), Name: "Deal", Currency: "EUR", Owner: "u1", Account: acct, PrimaryContact: person, Stage: open,
		Amount: 100000, Exponent: 2, Probability: 20, Created: at}
	e.publishOpp(tenant, "created", o)
	o.Stage, o.Updated, o.Version = won, at.Add(2*time.Hour), 2
	e.publishStageMove(tenant, o, open)
	e.waitEvents(tenant, "support", 17)
	e.waitEvents(tenant, "marketing", 3)
	e.waitEvents(tenant, "contacts", 4)
	e.waitEvents(tenant, "sales", 4)
	return first
}

// snapshot returns the rows of tenant's generation gen in every table
// with a gen column but rm_generations, without the gen, by table.
func (e *env) snapshot(tenant string, gen int) map[string]string {
	e.t.Helper()
	var tables []string
	if err := e.admin.Select(&tables, `SELECT table_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND column_name = 'gen' AND table_name <> 'rm_generations' ORDER BY 1`); err != nil {
		e.t.Fatal(err)
	}
	out := map[string]string{}
	for _, table := range tables {
		var rows string
		q := fmt.Sprintf(`SELECT coalesce(json_agg(r ORDER BY r::text), '[]')::text FROM (SELECT to_jsonb(t) - 'gen' AS r FROM %s t
			WHERE tenant_id = $1 AND gen = $2) x`, table)
		if err := e.admin.Get(&rows, q, tenant, gen); err != nil {
			e.t.Fatal(err)
		}
		out[table] = rows
	}
	return out
}

// rows returns how many rows tenant's generation gen has, every table's.
func (e *env) rows(tenant string, gen int) int {
	e.t.Helper()
	n := 0
	for _, rows := range e.snapshot(tenant, gen) {
		var list []any
		if err := json.Unmarshal([]byte(rows), &list); err != nil {
			e.t.Fatal(err)
		}
		n += len(list)
	}
	return n
}

// waitActive waits until u's tenant's generation gen is active.
func (e *env) waitActive(u user, gen int) {
	e.t.Helper()
	testkit.Eventually(e.t, 30*time.Second, fmt.Sprintf("generation %d active", gen), func() (bool, string) {
		st := contracttest.Decode[rebuildStatus](e.want(e.do(u, "GET", "/admin/v1/rebuild", nil), http.StatusOK))
		for _, g := range st.Generations {
			if g.Generation == gen {
				return g.State == "active", fmt.Sprintf("%+v", st.Generations)
			}
		}
		return false, fmt.Sprintf("%+v", st.Generations)
	})
}

// ownEvent returns the first event of typ on the service's own topic,
// waiting for it.
func (e *env) ownEvent(typ string) events.Event {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: e.brokers, Topic: registry.MustTopic("", registry.Reporting), MaxWait: 100 * time.Millisecond})
	defer r.Close()
	for {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			e.t.Fatalf("no %s published: %v", typ, err)
		}
		if ev, err := events.Parse(m); err == nil && ev.Type == typ {
			return ev
		}
	}
}

// TestRebuildKeepsTheReadModels: a rebuild fills generation 2 from the
// topics with the very rows the live consumers wrote to generation 1,
// switches over publishing read_models.rebuilt, and leaves another
// tenant's models alone; a second rebuild while one builds is 409, and
// the retired generation's rows are deleted after the switch.
func TestRebuildKeepsTheReadModels(t *testing.T) {
	e := newEnv(t)
	a, b := newUser(uuid.NewString()), newUser(uuid.NewString())
	e.rebuildHistory(a.tenant)
	e.rebuildHistory(b.tenant)
	before, others := e.snapshot(a.tenant, 1), e.snapshot(b.tenant, 1)
	if e.rows(a.tenant, 1) < 25 {
		t.Fatalf("the history made too few rows: %v", before)
	}

	st := contracttest.Decode[rebuildStatus](e.want(e.do(a, "GET", "/admin/v1/rebuild", nil), http.StatusOK))
	if len(st.Generations) != 1 || st.Generations[0] != (rebuildGen{1, "active"}) || st.Running != nil {
		t.Fatalf("before any rebuild: %+v", st)
	}
	r := e.want(e.do(a, "POST", "/admin/v1/rebuild", nil), http.StatusAccepted)
	started := contracttest.Decode[rebuildReply](r)
	if started.Generation != 2 || started.State != "building" {
		t.Fatalf("started %+v", started)
	}
	e.want(e.do(a, "POST", "/admin/v1/rebuild", nil), http.StatusConflict)
	e.waitActive(a, 2)

	if got := e.snapshot(a.tenant, 2); fmt.Sprint(got) != fmt.Sprint(before) {
		t.Errorf("generation 2 differs from generation 1:\n%v\n%v", got, before)
	}
	if got := e.snapshot(b.tenant, 1); fmt.Sprint(got) != fmt.Sprint(others) {
		t.Errorf("another tenant's models changed:\n%v\n%v", got, others)
	}
	st = contracttest.Decode[rebuildStatus](e.want(e.do(b, "GET", "/admin/v1/rebuild", nil), http.StatusOK))
	if len(st.Generations) != 1 || st.Generations[0] != (rebuildGen{1, "active"}) {
		t.Errorf("another tenant's generations: %+v", st)
	}
	st = contracttest.Decode[rebuildStatus](e.want(e.do(a, "GET", "/admin/v1/rebuild", nil), http.StatusOK))
	if len(st.Generations) != 2 || st.Generations[0] != (rebuildGen{2, "active"}) || st.Generations[1] != (rebuildGen{1, "retired"}) || st.Running != nil {
		t.Errorf("after the rebuild: %+v", st)
	}
	rebuilt := e.ownEvent("dev.rapport.reporting.read_models.rebuilt.v1")
	contracttest.ValidateEvents(t, "api/events", []events.Event{rebuilt})
	if rebuilt.TenantID != a.tenant || rebuilt.Subject != a.tenant || !strings.Contains(string(rebuilt.Data), `"generation":2,"previous":1`) {
		t.Errorf("read_models.rebuilt: %+v %s", rebuilt, rebuilt.Data)
	}
	testkit.Eventually(t, 40*time.Second, "the retired generation's rows deleted", func() (bool, string) {
		n := e.rows(a.tenant, 1)
		return n == 0, fmt.Sprintf("%d rows left", n)
	})
	if n := e.rows(b.tenant, 1); n == 0 {
		t.Error("another tenant's active rows deleted")
	}
}

// TestRebuildAnswersMeanwhile: while generation 2 builds (its replay held
// up by a row lock the test takes), the service answers from generation
// 1, events published meanwhile reach both, and after the switch they are
// in the active generation 2.
func TestRebuildAnswersMeanwhile(t *testing.T) {
	e := newEnv(t)
	a := newUser(uuid.NewString())
	e.rebuildHistory(a.tenant)

	// Hold the replay of support's topic: its first freshness write to
	// generation 2 waits for this transaction.
	hold, err := e.admin.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Rollback() //nolint:errcheck // released below, or by the end of the test
	if _, err := hold.Exec(`INSERT INTO rm_freshness (tenant_id, gen, context, as_of, events) VALUES ($1, 2, 'support', now(), 0)`, a.tenant); err != nil {
		t.Fatal(err)
	}
	e.want(e.do(a, "POST", "/admin/v1/rebuild", nil), http.StatusAccepted)
	testkit.Eventually(t, 30*time.Second, "the replay held up", func() (bool, string) {
		var n int
		if err := e.admin.Get(&n, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`); err != nil {
			return false, err.Error()
		}
		return n > 0, fmt.Sprintf("%d waiting", n)
	})
	st := contracttest.Decode[rebuildStatus](e.want(e.do(a, "GET", "/admin/v1/rebuild", nil), http.StatusOK))
	if st.Running == nil || st.Running.Generation != 2 || st.Running.Runs != 1 || len(st.Running.Topics) != 4 {
		t.Fatalf("while building: %+v", st)
	}
	f := contracttest.Decode[freshnessReply](e.want(e.do(a, "GET", "/v1/reports/freshness", nil), http.StatusOK))
	if f.Generation != 1 || f.of("support").Events != 17 {
		t.Fatalf("freshness while building: %+v", f)
	}

	// A campaign published during the rebuild, after its watermarks.
	late := uuid.NewString()
	e.publishCampaign(a.tenant, "created", campaign{ID: late, Name: "Late", Created: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)})
	e.waitEvents(a.tenant, "marketing", 4)
	if err := hold.Rollback(); err != nil {
		t.Fatal(err)
	}
	e.waitActive(a, 2)
	var n int
	if err := e.admin.Get(&n, `SELECT count(*) FROM rm_campaigns WHERE tenant_id = $1 AND gen = 2 AND id = $2`, a.tenant, late); err != nil || n != 1 {
		t.Fatalf("the campaign published during the rebuild in generation 2: %d, %v", n, err)
	}
	f = contracttest.Decode[freshnessReply](e.want(e.do(a, "GET", "/v1/reports/freshness", nil), http.StatusOK))
	if f.Generation != 2 || f.of("support").Events != 17 || f.of("marketing").Events < 4 || f.of("sales").Events != 4 {
		t.Fatalf("freshness after the switch: %+v", f)
	}
}

// TestRebuildNeedsAdmin: without reporting:admin a rebuild and its status
// are 403, and nothing starts.
func TestRebuildNeedsAdmin(t *testing.T) {
	e := newEnv(t)
	a := newUser(uuid.NewString())
	writer := a.as("reporting:read", "reporting:write")
	e.want(e.do(writer, "POST", "/admin/v1/rebuild", nil), http.StatusForbidden)
	e.want(e.do(writer, "GET", "/admin/v1/rebuild", nil), http.StatusForbidden)
	st := contracttest.Decode[rebuildStatus](e.want(e.do(a, "GET", "/admin/v1/rebuild", nil), http.StatusOK))
	if len(st.Generations) != 1 || st.Running != nil {
		t.Fatalf("a refused rebuild started: %+v", st)
	}
}

// TestRebuildRestartsAStaleRun: a building generation whose run stopped
// (its instance gone: a heartbeat long past) is claimed again, its rows
// deleted (a row no event made is gone), replayed from scratch and
// switched active with the live generation's rows.
func TestRebuildRestartsAStaleRun(t *testing.T) {
	e := newEnv(t)
	a := newUser(uuid.NewString())
	e.rebuildHistory(a.tenant)
	before := e.snapshot(a.tenant, 1)
	stray := uuid.NewString()
	for _, q := range []string{
		`INSERT INTO rm_generations (tenant_id, gen, state) VALUES ($1, 1, 'active')`,
		`INSERT INTO rm_generations (tenant_id, gen, state, requested_by, runner, heartbeat_at, runs, applied)
		 VALUES ($1, 2, 'building', 'someone', gen_random_uuid(), now() - interval '1 hour', 1, 7)`,
		`INSERT INTO rm_campaigns (tenant_id, gen, id, name, created_at, version) VALUES ($1, 2, '` + stray + `', 'stray', now(), 1)`,
	} {
		if _, err := e.admin.Exec(q, a.tenant); err != nil {
			t.Fatal(err)
		}
	}
	e.waitActive(a, 2)
	if got := e.snapshot(a.tenant, 2); fmt.Sprint(got) != fmt.Sprint(before) {
		t.Errorf("the restarted generation 2 differs from generation 1:\n%v\n%v", got, before)
	}
	var runs int
	if err := e.admin.Get(&runs, `SELECT runs FROM rm_generations WHERE tenant_id = $1 AND gen = 2`, a.tenant); err != nil || runs != 2 {
		t.Errorf("runs %d (%v), want 2", runs, err)
	}
}
