package reporting_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// oppRow is what the tests check of a row of rm_opportunities.
type oppRow struct {
	ID       string     `db:"id"`
	Stage    string     `db:"stage_id"`
	Status   string     `db:"status"`
	Amount   int64      `db:"amount_minor"`
	Currency string     `db:"currency"`
	Owner    string     `db:"owner_id"`
	Closed   *time.Time `db:"closed_at"`
	Deleted  bool       `db:"deleted"`
	Version  int64      `db:"version"`
}

// oppRows returns tenant's rm_opportunities rows, by id.
func oppRows(r rmReader, tenant string) map[string]oppRow {
	r.t.Helper()
	var rows []oppRow
	r.selectAs(tenant, &rows, `SELECT id, stage_id, status, amount_minor, currency, owner_id, closed_at, deleted, version
		FROM rm_opportunities WHERE gen = $1`)
	out := map[string]oppRow{}
	for _, row := range rows {
		out[row.ID] = row
	}
	return out
}

// stageRow is a row of rm_stages.
type stageRow struct {
	Stage    string `db:"stage_id"`
	Name     string `db:"name"`
	Kind     string `db:"kind"`
	Position int    `db:"position"`
}

// stageRows returns tenant's rm_stages rows of pipeline, by name.
func stageRows(r rmReader, tenant, pipeline string) []stageRow {
	r.t.Helper()
	var rows []stageRow
	r.selectAs(tenant, &rows, `SELECT stage_id, name, kind, position FROM rm_stages WHERE gen = $1 AND pipeline_id = $2 ORDER BY name`, pipeline)
	return rows
}

// TestIngestSalesOutOfOrder: an opportunity's won and its stage changes
// arriving before its creation end as its newest version; the moves are
// kept; stages are named by the moves until the pipeline's event gives
// them positions, which later moves do not change; deletes and restores
// end by version whatever their order.
func TestIngestSalesOutOfOrder(t *testing.T) {
	e := newEnv(t)
	r := e.ingestReader()
	tenant := uuid.NewString()
	pipeline := uuid.NewString()
	qualify := stageRef{Pipeline: pipeline, Stage: uuid.NewString(), Name: "Qualify", Kind: "open"}
	propose := stageRef{Pipeline: pipeline, Stage: uuid.NewString(), Name: "Propose", Kind: "open"}
	won := stageRef{Pipeline: pipeline, Stage: uuid.NewString(), Name: "Won", Kind: "won"}
	lost := stageRef{Pipeline: pipeline, Stage: uuid.NewString(), Name: "Lost", Kind: "lost"}

	o := opp{ID: uuid.NewString(), Currency: "EUR", Amount: 100000, Exponent: 2, Owner: "u1", Stage: qualify, Created: ingestAt(0), Version: 1}
	o2 := o
	o2.Stage, o2.Updated, o2.Version = propose, ingestAt(time.Hour), 2
	o3 := o2
	o3.Stage, o3.Status, o3.Updated, o3.Closed, o3.Version, o3.Amount = won, "won", ingestAt(2*time.Hour), ingestAt(2*time.Hour), 3, 120000
	e.publishOpp(tenant, "won", o3)
	e.publishStageMove(tenant, o3, propose)
	e.publishStageMove(tenant, o2, qualify)
	e.publishOpp(tenant, "created", o)

	// Deletes and restores in any order.
	q := opp{ID: uuid.NewString(), Owner: "u2", Stage: qualify, Created: ingestAt(0), Version: 1}
	e.publishOpp(tenant, "created", q)
	q.Version, q.Updated = 3, ingestAt(3*time.Hour)
	e.publishOpp(tenant, "restored", q)
	q.Version, q.Updated = 2, ingestAt(2*time.Hour)
	e.publishOpp(tenant, "deleted", q)
	d := opp{ID: uuid.NewString(), Owner: "u3", Stage: qualify, Created: ingestAt(0), Updated: ingestAt(time.Hour), Version: 2}
	e.publishOpp(tenant, "deleted", d)
	d.Version, d.Updated = 1, ingestAt(0)
	e.publishOpp(tenant, "updated", d)
	e.waitEvents(tenant, "sales", 9)

	rows := oppRows(r, tenant)
	closed := ingestAt(2 * time.Hour)
	want := map[string]oppRow{
		o.ID: {ID: o.ID, Stage: won.Stage, Status: "won", Amount: 120000, Currency: "EUR", Owner: "u1", Closed: &closed, Version: 3},
		q.ID: {ID: q.ID, Stage: qualify.Stage, Status: "open", Owner: "u2", Version: 3},
		d.ID: {ID: d.ID, Stage: qualify.Stage, Status: "open", Owner: "u3", Deleted: true, Version: 2},
	}
	for id, w := range want {
		g := rows[id]
		if g.Stage != w.Stage || g.Status != w.Status || g.Amount != w.Amount || g.Currency != w.Currency || g.Owner != w.Owner ||
			(g.Closed == nil) != (w.Closed == nil) || g.Closed != nil && !g.Closed.Equal(*w.Closed) || g.Deleted != w.Deleted || g.Version != w.Version {
			t.Errorf("opportunity %s: %+v, want %+v", id, g, w)
		}
	}
	var moves []struct {
		From *string   `db:"from_stage_id"`
		To   string    `db:"to_stage_id"`
		At   time.Time `db:"at"`
	}
	r.selectAs(tenant, &moves, `SELECT from_stage_id, to_stage_id, at FROM rm_stage_moves WHERE gen = $1 AND opportunity_id = $2 ORDER BY at`, o.ID)
	if len(moves) != 2 || *moves[0].From != qualify.Stage || moves[0].To != propose.Stage || !moves[0].At.Equal(ingestAt(time.Hour)) ||
		*moves[1].From != propose.Stage || moves[1].To != won.Stage || !moves[1].At.Equal(ingestAt(2*time.Hour)) {
		t.Errorf("moves %+v, want qualify→propose at 1h, propose→won at 2h", moves)
	}
	learned := []stageRow{{propose.Stage, "Propose", "open", 0}, {qualify.Stage, "Qualify", "open", 0}, {won.Stage, "Won", "won", 0}}
	if got := stageRows(r, tenant, pipeline); !slices.Equal(got, learned) {
		t.Errorf("stages learned from moves %+v, want %+v", got, learned)
	}

	// The pipeline's event gives positions; a later move (naming a stage
	// by an old name) changes neither them nor the names.
	e.publishPipeline(tenant, pipeline, "Sales", []stageRef{qualify, propose, won, lost})
	o4 := o3
	o4.Stage, o4.Status, o4.Updated, o4.Version = propose, "open", ingestAt(4*time.Hour), 4
	e.publishStageMove(tenant, o4, stageRef{Pipeline: pipeline, Stage: won.Stage, Name: "Closed won", Kind: "won"})
	e.waitEvents(tenant, "sales", 11)
	positioned := []stageRow{{lost.Stage, "Lost", "lost", 4}, {propose.Stage, "Propose", "open", 2}, {qualify.Stage, "Qualify", "open", 1},
		{won.Stage, "Won", "won", 3}}
	if got := stageRows(r, tenant, pipeline); !slices.Equal(got, positioned) {
		t.Errorf("stages after the pipeline's event %+v, want %+v", got, positioned)
	}
}

// TestIngestSalesRedelivery: the same events published twice (a
// redelivery) are applied once: one stage move, one event counted each.
func TestIngestSalesRedelivery(t *testing.T) {
	e := newEnv(t)
	r := e.ingestReader()
	tenant := uuid.NewString()
	o := opp{ID: uuid.NewString(), Owner: "u1", Stage: stageRef{Pipeline: uuid.NewString(), Stage: uuid.NewString(), Name: "B", Kind: "open"},
		Created: ingestAt(0), Updated: ingestAt(time.Hour), Version: 2}
	p := oppPayload("stage_changed", o)
	move, err := events.New("/rapport/sales", salesType("opportunity", "stage_changed"), o.ID, tenant,
		map[string]any{"opportunity": p, "from": stagePayload(stageRef{Name: "A"}, o.Stage.Pipeline), "to": stagePayload(o.Stage, ""), "movedBy": "u1"})
	if err != nil {
		t.Fatal(err)
	}
	l := lead{ID: uuid.NewString(), Status: "working", Created: ingestAt(0)}
	created, err := events.New("/rapport/sales", salesType("lead", "created"), l.ID, tenant, leadPayload("created", l))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		e.publishEvent(registry.Sales, move)
		e.publishEvent(registry.Sales, created)
	}
	e.publishLead(tenant, "updated", lead{ID: l.ID, Status: "qualified", Created: ingestAt(0), Version: 2})
	e.waitEvents(tenant, "sales", 3)

	if n := r.applied(tenant, "sales"); n != 3 {
		t.Errorf("%d events applied, want 3 (each once)", n)
	}
	var moves []string
	r.selectAs(tenant, &moves, `SELECT event_id FROM rm_stage_moves WHERE gen = $1`)
	if !slices.Equal(moves, []string{move.ID}) {
		t.Errorf("moves %v, want the one of event %s", moves, move.ID)
	}
}

// leadRow is what the tests check of a row of rm_leads.
type leadRow struct {
	ID          string  `db:"id"`
	Status      string  `db:"status"`
	Reached     int     `db:"reached"`
	Opportunity *string `db:"opportunity_id"`
	Deleted     bool    `db:"deleted"`
	Version     int64   `db:"version"`
}

// TestIngestSalesLeadReached: a lead's funnel step is the furthest any of
// its events showed, never lowered by a later status (disqualified) or a
// late older event; its other fields are its newest version's.
func TestIngestSalesLeadReached(t *testing.T) {
	e := newEnv(t)
	r := e.ingestReader()
	tenant := uuid.NewString()
	l1, l2, l3, l4, l5, l6 := uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()
	opportunity := uuid.NewString()
	e.publishLead(tenant, "updated", lead{ID: l1, Status: "qualified", Created: ingestAt(0), Version: 2})
	e.publishLead(tenant, "created", lead{ID: l1, Status: "new", Created: ingestAt(0), Version: 1})
	e.publishLead(tenant, "updated", lead{ID: l1, Status: "working", Created: ingestAt(0), Version: 3})
	e.publishLead(tenant, "updated", lead{ID: l1, Status: "disqualified", Created: ingestAt(0), Version: 4})
	e.publishLead(tenant, "converted", lead{ID: l2, Created: ingestAt(0), OpportunityID: opportunity, Version: 3})
	e.publishLead(tenant, "created", lead{ID: l2, Status: "new", Created: ingestAt(0), Version: 1})
	e.publishLead(tenant, "created", lead{ID: l3, Status: "nurturing", Created: ingestAt(0), Version: 1})
	e.publishLead(tenant, "restored", lead{ID: l4, Status: "new", Created: ingestAt(0), Version: 3})
	e.publishLead(tenant, "deleted", lead{ID: l4, Status: "new", Created: ingestAt(0), Version: 2})
	e.publishLead(tenant, "created", lead{ID: l5, Created: ingestAt(0), Version: 1})
	e.publishLead(tenant, "deleted", lead{ID: l5, Created: ingestAt(0), Version: 2})
	e.publishLead(tenant, "created", lead{ID: l6, Created: ingestAt(0), Version: 1})
	e.publishLead(tenant, "updated", lead{ID: l6, Status: "working", Created: ingestAt(0), Version: 2})
	e.publishLead(tenant, "converted", lead{ID: l6, Created: ingestAt(0), Version: 3})
	e.waitEvents(tenant, "sales", 14)

	var rows []leadRow
	r.selectAs(tenant, &rows, `SELECT id, status, reached, opportunity_id, deleted, version FROM rm_leads WHERE gen = $1
		ORDER BY array_position($2::uuid[], id)`, "{"+strings.Join([]string{l1, l2, l3, l4, l5, l6}, ",")+"}")
	want := []leadRow{
		{ID: l1, Status: "disqualified", Reached: 2, Version: 4},
		{ID: l2, Status: "converted", Reached: 3, Opportunity: &opportunity, Version: 3},
		{ID: l3, Status: "nurturing", Reached: 1, Version: 1},
		{ID: l4, Status: "new", Version: 3},
		{ID: l5, Status: "new", Deleted: true, Version: 2},
		{ID: l6, Status: "converted", Reached: 3, Version: 3},
	}
	if len(rows) != len(want) {
		t.Fatalf("leads %+v, want %+v", rows, want)
	}
	for i, g := range rows {
		w := want[i]
		if g.ID != w.ID || g.Status != w.Status || g.Reached != w.Reached || (g.Opportunity == nil) != (w.Opportunity == nil) ||
			g.Opportunity != nil && *g.Opportunity != *w.Opportunity || g.Deleted != w.Deleted || g.Version != w.Version {
			t.Errorf("lead %d: %+v, want %+v", i, g, w)
		}
	}
}

// TestIngestSalesForecasts: the newest override (by setAt) of an owner's
// category in a period wins whatever the arrival order; teams' overrides
// (no owner) are kept apart per team.
func TestIngestSalesForecasts(t *testing.T) {
	e := newEnv(t)
	r := e.ingestReader()
	tenant := uuid.NewString()
	e.publishForecast(tenant, "u1", "t1", "2026-03", "commit", 50000, "EUR", 2, ingestAt(2*time.Hour))
	e.publishForecast(tenant, "u1", "t1", "2026-03", "commit", 30000, "EUR", 2, ingestAt(time.Hour))
	e.publishForecast(tenant, "u1", "t1", "2026-03", "bestCase", 70000, "EUR", 2, ingestAt(time.Hour))
	e.publishForecast(tenant, "", "t1", "2026-Q1", "commit", 900, "JPY", 0, ingestAt(time.Hour))
	e.publishForecast(tenant, "", "t2", "2026-Q1", "commit", 700, "JPY", 0, ingestAt(time.Hour))
	e.waitEvents(tenant, "sales", 5)

	type row struct {
		Owner    string `db:"owner_id"`
		Team     string `db:"team_id"`
		Period   string `db:"period"`
		Category string `db:"category"`
		Minor    int64  `db:"amount_minor"`
		Currency string `db:"currency"`
	}
	var rows []row
	r.selectAs(tenant, &rows, `SELECT owner_id, team_id, period, category, amount_minor, currency FROM rm_forecasts
		WHERE gen = $1 ORDER BY owner_id, team_id, period, category`)
	want := []row{{"", "t1", "2026-Q1", "commit", 900, "JPY"}, {"", "t2", "2026-Q1", "commit", 700, "JPY"},
		{"u1", "t1", "2026-03", "bestCase", 70000, "EUR"}, {"u1", "t1", "2026-03", "commit", 50000, "EUR"}}
	if !slices.Equal(rows, want) {
		t.Errorf("forecasts\n%+v, want\n%+v", rows, want)
	}
}

// TestIngestSalesPoisonEvent: a sales event whose payload does not decode,
// and one without a uuid id, go to rapport.sales.v1.dlq after their
// retries; the events after them are still applied.
func TestIngestSalesPoisonEvent(t *testing.T) {
	e := newEnv(t)
	r := e.ingestReader()
	tenant := uuid.NewString()
	bad := []string{
		e.publish(registry.Sales, tenant, salesType("opportunity", "created"), "x", ingestAt(0), "not an opportunity"),
		e.publish(registry.Sales, tenant, salesType("lead", "created"), "x", ingestAt(0), map[string]any{"id": "not-a-uuid", "status": "new", "version": 1}),
	}
	good := opp{ID: uuid.NewString(), Owner: "u1", Created: ingestAt(0)}
	e.publishOpp(tenant, "created", good)
	e.waitEvents(tenant, "sales", 1)

	if _, ok := oppRows(r, tenant)[good.ID]; !ok {
		t.Errorf("the opportunity after the poison events is not in the read models")
	}
	dead := testkit.ReadTopic(t, e.brokers, events.DLQ(registry.MustTopic("", registry.Sales)), 2, 30*time.Second)
	var ids []string
	for _, rec := range dead {
		for _, h := range rec.Headers {
			if h.Key == events.HeaderID {
				ids = append(ids, string(h.Value))
			}
		}
	}
	if !slices.Equal(ids, bad) {
		t.Errorf("dead-lettered %v, want %v", ids, bad)
	}
	if n := r.applied(tenant, "sales"); n != 1 {
		t.Errorf("%d sales events applied, want 1", n)
	}
}

// TestIngestSalesTenantsApart: two tenants' events about the same ids
// make separate rows, each tenant seeing only its own.
func TestIngestSalesTenantsApart(t *testing.T) {
	e := newEnv(t)
	r := e.ingestReader()
	a, b := uuid.NewString(), uuid.NewString()
	id, contactID := uuid.NewString(), uuid.NewString()
	for _, tenant := range []string{a, b} {
		e.publishOpp(tenant, "created", opp{ID: id, Owner: "owner-of-" + tenant, Created: ingestAt(0)})
		e.publishLead(tenant, "created", lead{ID: id, Owner: "owner-of-" + tenant, Created: ingestAt(0)})
		e.publishContact(tenant, "created", contact{ID: contactID, Owner: "owner-of-" + tenant, Created: ingestAt(0)})
	}
	for _, tenant := range []string{a, b} {
		r.waitApplied(tenant, "sales", 2)
		r.waitApplied(tenant, "contacts", 1)
	}
	for _, tenant := range []string{a, b} {
		var owners []string
		r.selectAs(tenant, &owners, `SELECT owner_id FROM rm_opportunities WHERE gen = $1
			UNION ALL SELECT owner_id FROM rm_leads WHERE gen = $1
			UNION ALL SELECT owner_id FROM rm_contacts WHERE gen = $1`)
		want := []string{"owner-of-" + tenant, "owner-of-" + tenant, "owner-of-" + tenant}
		if !slices.Equal(owners, want) {
			t.Errorf("tenant %s sees %v, want only its own %v", tenant, owners, want)
		}
		if n := r.applied(tenant, "sales"); n != 2 {
			t.Errorf("tenant %s: %d sales events applied, want its 2", tenant, n)
		}
	}
}
