package reporting_test

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/reporting/ingest"
	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// history is a tenant's events, built from the fixtures' payloads, in the
// order their services made them.
type history struct {
	t      *testing.T
	tenant string
	evs    []events.Event
}

// add appends an event of typ about subject with payload p.
func (h *history) add(source, typ, subject string, p any) {
	h.t.Helper()
	ev, err := events.New("/rapport/"+source, typ, subject, h.tenant, p)
	if err != nil {
		h.t.Fatal(err)
	}
	h.evs = append(h.evs, ev)
}

// applyAnyOrder applies h to generation 2 in order, to generation 3 in
// reverse order with each event applied twice, and to generation 4
// shuffled, twice over (ingest.Applier.ApplyTo, one tenant transaction
// each, as the service's role), and fails unless the three generations
// of tables hold the same rows: the handlers are idempotent and
// order-free.
func applyAnyOrder(t *testing.T, r rmReader, h history, tables ...string) {
	t.Helper()
	a := ingest.NewApplier(slog.New(slog.DiscardHandler))
	apply := func(gen rm.Gen, ev events.Event) {
		t.Helper()
		err := pg.WithTenantTx(context.Background(), r.db, h.tenant, func(tx *sqlx.Tx) error { return a.ApplyTo(context.Background(), tx, gen, ev) })
		if err != nil {
			t.Fatalf("apply %s to generation %d: %v", ev.Type, gen, err)
		}
	}
	for _, ev := range h.evs {
		apply(2, ev)
	}
	for _, ev := range slices.Backward(h.evs) {
		apply(3, ev)
		apply(3, ev)
	}
	shuffled := slices.Clone(h.evs)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2 {
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		for _, ev := range shuffled {
			apply(4, ev)
		}
	}
	for _, table := range tables {
		var inOrder, reversed, random []string
		// selectAs's $1 is generation 1: these are 2, 3 and 4.
		q := `SELECT (to_jsonb(x) - 'gen')::text FROM ` + table + ` x WHERE gen = $1::int + $2::int ORDER BY 1`
		r.selectAs(h.tenant, &inOrder, q, 1)
		r.selectAs(h.tenant, &reversed, q, 2)
		r.selectAs(h.tenant, &random, q, 3)
		if len(inOrder) == 0 {
			t.Errorf("%s: no rows", table)
		}
		if !slices.Equal(inOrder, reversed) || !slices.Equal(inOrder, random) {
			t.Errorf("%s differs by order:\nin order %v\nreversed, twice %v\nshuffled, twice %v", table, inOrder, reversed, random)
		}
	}
}

// TestIngestSalesApplyTwiceAnyOrder: a history of leads, opportunities,
// stage moves, a pipeline and forecast overrides ends in the same rows
// applied in order, reversed and shuffled, each event twice.
func TestIngestSalesApplyTwiceAnyOrder(t *testing.T) {
	e := newEnv(t)
	h := history{t: t, tenant: uuid.NewString()}
	pipeline := uuid.NewString()
	s1 := stageRef{Pipeline: pipeline, Stage: uuid.NewString(), Name: "Qualify", Kind: "open"}
	s2 := stageRef{Pipeline: pipeline, Stage: uuid.NewString(), Name: "Propose", Kind: "open"}
	won := stageRef{Pipeline: pipeline, Stage: uuid.NewString(), Name: "Won", Kind: "won"}
	lost := stageRef{Pipeline: pipeline, Stage: uuid.NewString(), Name: "Lost", Kind: "lost"}
	h.add("sales", salesType("pipeline", "created"), pipeline, pipelinePayload(pipeline, "Sales", []stageRef{s1, s2, won, lost}, 1))
	renamed := s1 // the moves below name it by its old name
	renamed.Name = "Qualification"
	h.add("sales", salesType("pipeline", "updated"), pipeline, withChanged(pipelinePayload(pipeline, "Sales 2", []stageRef{s2, renamed, won, lost}, 2), "updated"))

	o := opp{ID: uuid.NewString(), Currency: "EUR", Amount: 1000, Exponent: 2, Owner: "u1", Team: "t1", Stage: s1,
		Contacts: []string{uuid.NewString()}, Created: ingestAt(0), Version: 1}
	h.add("sales", salesType("opportunity", "created"), o.ID, oppPayload("created", o))
	from := o.Stage
	o.Stage, o.Updated, o.Version = s2, ingestAt(time.Hour), 2
	h.add("sales", salesType("opportunity", "stage_changed"), o.ID, map[string]any{"opportunity": oppPayload("stage_changed", o),
		"from": stagePayload(from, pipeline), "to": stagePayload(o.Stage, pipeline), "movedBy": "u1"})
	o.Amount, o.Updated, o.Version = 2500, ingestAt(2*time.Hour), 3
	h.add("sales", salesType("opportunity", "updated"), o.ID, oppPayload("updated", o))
	o.Stage, o.Status, o.Updated, o.Version = won, "won", ingestAt(3*time.Hour), 4
	h.add("sales", salesType("opportunity", "stage_changed"), o.ID, map[string]any{"opportunity": oppPayload("stage_changed", o),
		"from": stagePayload(s2, pipeline), "to": stagePayload(won, pipeline), "movedBy": "u1"})
	h.add("sales", salesType("opportunity", "won"), o.ID, oppPayload("won", o))
	q := opp{ID: uuid.NewString(), Owner: "u2", Stage: s1, Created: ingestAt(0), Version: 1}
	h.add("sales", salesType("opportunity", "created"), q.ID, oppPayload("created", q))
	q.Updated, q.Version = ingestAt(time.Hour), 2
	h.add("sales", salesType("opportunity", "deleted"), q.ID, oppPayload("deleted", q))
	q.Updated, q.Version = ingestAt(2*time.Hour), 3
	h.add("sales", salesType("opportunity", "restored"), q.ID, oppPayload("restored", q))

	l := lead{ID: uuid.NewString(), Source: "web", Owner: "u1", Created: ingestAt(0), Version: 1}
	for i, status := range []string{"new", "working", "qualified"} {
		l.Status, l.Version = status, i+1
		verb := "updated"
		if i == 0 {
			verb = "created"
		}
		h.add("sales", salesType("lead", verb), l.ID, withChanged(leadPayload(verb, l), verb))
	}
	l.Version, l.OpportunityID = 4, o.ID
	h.add("sales", salesType("lead", "converted"), l.ID, leadPayload("converted", l))
	l2 := lead{ID: uuid.NewString(), Status: "working", Created: ingestAt(0), Version: 1}
	h.add("sales", salesType("lead", "created"), l2.ID, leadPayload("created", l2))
	l2.Status, l2.Version = "disqualified", 2
	h.add("sales", salesType("lead", "updated"), l2.ID, withChanged(leadPayload("updated", l2), "updated"))
	l2.Version = 3
	h.add("sales", salesType("lead", "deleted"), l2.ID, leadPayload("deleted", l2))

	h.add("sales", salesType("forecast", "overridden"), "f", forecastPayload("u1", "t1", "2026-03", "commit", 100, "EUR", 2, ingestAt(time.Hour)))
	h.add("sales", salesType("forecast", "overridden"), "f", forecastPayload("u1", "t1", "2026-03", "commit", 200, "EUR", 2, ingestAt(2*time.Hour)))
	h.add("sales", salesType("forecast", "overridden"), "f", forecastPayload("", "t1", "2026-Q1", "bestCase", 300, "EUR", 2, ingestAt(time.Hour)))

	applyAnyOrder(t, e.ingestReader(), h, "rm_opportunities", "rm_stage_moves", "rm_stages", "rm_leads", "rm_forecasts")
}

// TestIngestContactsApplyTwiceAnyOrder: a history of contacts (stages,
// merges in a chain, an erasure), accounts (a merge) and activities ends
// in the same rows applied in order, reversed and shuffled, each event
// twice.
func TestIngestContactsApplyTwiceAnyOrder(t *testing.T) {
	e := newEnv(t)
	h := history{t: t, tenant: uuid.NewString()}
	a, b, c, d := uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()
	for _, id := range []string{a, b, c, d} {
		h.add("contacts", contactsType("contact", "created"), id, contactPayload("created", contact{ID: id, Owner: "u1", Stage: "lead", Name: "N", Created: ingestAt(0)}))
	}
	h.add("contacts", contactsType("contact", "updated"), c, contactPayload("updated", contact{ID: c, Owner: "u2", Stage: "customer", Name: "N",
		Created: ingestAt(0), Updated: ingestAt(time.Hour), Version: 2}))
	h.add("contacts", contactsType("contact", "merged"), b, map[string]any{"loserId": a, "mergedFields": []string{},
		"winner": contactPayload("merged", contact{ID: b, Owner: "u1", Stage: "lead", Name: "N", Created: ingestAt(0), Updated: ingestAt(2 * time.Hour), Version: 2})})
	h.add("contacts", contactsType("contact", "merged"), c, map[string]any{"loserId": b, "mergedFields": []string{},
		"winner": contactPayload("merged", contact{ID: c, Owner: "u2", Stage: "customer", Name: "N", Created: ingestAt(0), Updated: ingestAt(3 * time.Hour), Version: 3})})
	h.add("contacts", contactsType("contact", "erased"), c, map[string]any{"id": c, "tenant": h.tenant, "erasedAt": ingestAt(4 * time.Hour), "erasedBy": "u9"})
	h.add("contacts", contactsType("contact", "deleted"), d, contactPayload("deleted", contact{ID: d, Owner: "u1", Stage: "lead", Name: "N",
		Created: ingestAt(0), Updated: ingestAt(time.Hour), Version: 2}))
	x, y := uuid.NewString(), uuid.NewString()
	for _, id := range []string{x, y} {
		h.add("contacts", contactsType("account", "created"), id, accountPayload("created", account{ID: id, Name: "A", Created: ingestAt(0)}))
	}
	h.add("contacts", contactsType("account", "merged"), y, map[string]any{"loserId": x, "mergedFields": []string{},
		"winner": accountPayload("merged", account{ID: y, Name: "A", Industry: "retail", Created: ingestAt(0), Updated: ingestAt(time.Hour), Version: 2})})
	act := activity{ID: uuid.NewString(), Type: "task", Owner: "u1", Contact: a, Account: x, Occurred: ingestAt(time.Hour), Version: 1}
	h.add("contacts", contactsType("activity", "created"), act.ID, activityPayload("created", act))
	act.Version = 2
	h.add("contacts", contactsType("activity", "completed"), act.ID, activityPayload("completed", act))
	act.Version = 3
	h.add("contacts", contactsType("activity", "deleted"), act.ID, activityPayload("deleted", act))

	applyAnyOrder(t, e.ingestReader(), h, "rm_contacts", "rm_contact_stages", "rm_merges", "rm_accounts", "rm_activities")
}
