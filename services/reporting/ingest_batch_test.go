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
)

// unknownType is the type of an event no read model uses.
const unknownType = "dev.rapport.marketing.unknown.thing.v1"

// batchHistory is a history of contacts, sales and support events of one
// tenant, each made a minute after the one before.
func batchHistory(t *testing.T, tenant string) []events.Event {
	h := history{t: t, tenant: tenant}
	contacts := []string{uuid.NewString(), uuid.NewString(), uuid.NewString()}
	for _, id := range contacts {
		h.add("contacts", contactsType("contact", "created"), id, contactPayload("created", contact{ID: id, Owner: "u1", Stage: "lead", Name: "N", Created: ingestAt(0)}))
	}
	h.add("contacts", contactsType("contact", "updated"), contacts[1], contactPayload("updated", contact{ID: contacts[1], Owner: "u2", Stage: "customer", Name: "N",
		Created: ingestAt(0), Updated: ingestAt(time.Hour), Version: 2}))
	h.add("contacts", contactsType("contact", "merged"), contacts[1], map[string]any{"loserId": contacts[0], "mergedFields": []string{},
		"winner": contactPayload("merged", contact{ID: contacts[1], Owner: "u2", Stage: "customer", Name: "N", Created: ingestAt(0), Updated: ingestAt(2 * time.Hour), Version: 3})})
	h.add("contacts", contactsType("contact", "deleted"), contacts[2], contactPayload("deleted", contact{ID: contacts[2], Owner: "u1", Stage: "lead", Name: "N",
		Created: ingestAt(0), Updated: ingestAt(time.Hour), Version: 2}))
	acc := uuid.NewString()
	h.add("contacts", contactsType("account", "created"), acc, accountPayload("created", account{ID: acc, Name: "A", Created: ingestAt(0)}))
	act := activity{ID: uuid.NewString(), Type: "task", Owner: "u1", Contact: contacts[1], Account: acc, Occurred: ingestAt(time.Hour), Version: 1}
	h.add("contacts", contactsType("activity", "created"), act.ID, activityPayload("created", act))
	act.Version, act.Completed = 2, true
	h.add("contacts", contactsType("activity", "completed"), act.ID, activityPayload("completed", act))

	pipeline := uuid.NewString()
	s1 := stageRef{Pipeline: pipeline, Stage: uuid.NewString(), Name: "Qualify", Kind: "open"}
	won := stageRef{Pipeline: pipeline, Stage: uuid.NewString(), Name: "Won", Kind: "won"}
	h.add("sales", salesType("pipeline", "created"), pipeline, pipelinePayload(pipeline, "Sales", []stageRef{s1, won}, 1))
	o := opp{ID: uuid.NewString(), Currency: "EUR", Amount: 1000, Exponent: 2, Owner: "u1", Team: "t1", Stage: s1,
		Contacts: []string{contacts[1]}, Created: ingestAt(0), Version: 1}
	h.add("sales", salesType("opportunity", "created"), o.ID, oppPayload("created", o))
	o.Stage, o.Status, o.Updated, o.Version = won, "won", ingestAt(time.Hour), 2
	h.add("sales", salesType("opportunity", "stage_changed"), o.ID, map[string]any{"opportunity": oppPayload("stage_changed", o),
		"from": stagePayload(s1, pipeline), "to": stagePayload(won, pipeline), "movedBy": "u1"})
	h.add("sales", salesType("opportunity", "won"), o.ID, oppPayload("won", o))
	l := lead{ID: uuid.NewString(), Source: "web", Owner: "u1", Status: "new", Created: ingestAt(0), Version: 1}
	h.add("sales", salesType("lead", "created"), l.ID, leadPayload("created", l))
	l.Status, l.Version = "working", 2
	h.add("sales", salesType("lead", "updated"), l.ID, withChanged(leadPayload("updated", l), "updated"))

	c := kase{ID: uuid.NewString(), Queue: uuid.NewString(), Priority: "high", Assignee: "agent-1", Created: ingestAt(0), Version: 1}
	for _, f := range []fxEvent{caseEvent(t, "created", c), caseReplyEvent(c.ID, ingestAt(time.Minute)), breachEvent(c.ID, "resolution", ingestAt(time.Hour)),
		surveyEvent(uuid.NewString(), "csat", 4, c.ID, c.Queue, "agent-1", "", ingestAt(2*time.Hour))} {
		h.add("support", f.typ, f.subject, f.data)
	}
	c.Status, c.Solved, c.Updated, c.Version = "solved", ingestAt(3*time.Hour), ingestAt(3*time.Hour), 2
	f := caseEvent(t, "status_changed", c)
	h.add("support", f.typ, f.subject, f.data)
	h.add("marketing", unknownType, "x", map[string]any{}) // no read model's: changes nothing
	for i := range h.evs {
		h.evs[i].Time = ingestAt(time.Duration(i) * time.Minute)
	}
	return h.evs
}

// rmRows returns every row of tenant in the read models' tables (and
// their freshness), without the tenant's id, by table.
func rmRows(t *testing.T, db *sqlx.DB, tenant string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := pg.WithTenantTx(context.Background(), db, tenant, func(tx *sqlx.Tx) error {
		var tables []string
		if err := tx.Select(&tables, `SELECT table_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND column_name = 'tenant_id' AND table_name LIKE 'rm\_%' ORDER BY 1`); err != nil {
			return err
		}
		for _, table := range tables {
			var rows []string
			if err := tx.Select(&rows, `SELECT (to_jsonb(x) - 'tenant_id')::text FROM `+table+` x ORDER BY 1`); err != nil {
				return err
			}
			out[table] = rows
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestIngestBatchMatchesPerEvent: a history delivered out of order, a
// third of it again (in the same batch or a later one), ends in the same
// read-model rows and freshness (as of, events counted) when
// Applier.HandleBatch applies it in batches as when Applier.Handle
// applies it event by event, each in a transaction of its tenant.
func TestIngestBatchMatchesPerEvent(t *testing.T) {
	r := newEnv(t).ingestReader()
	db := r.db
	a := ingest.NewApplier(slog.New(slog.DiscardHandler))
	perEvent, batched := uuid.NewString(), uuid.NewString()
	evs := batchHistory(t, perEvent)

	rng := rand.New(rand.NewPCG(3, 4))
	delivered := slices.Clone(evs)
	for i, ev := range evs {
		if i%3 == 0 {
			delivered = append(delivered, ev)
		}
	}
	rng.Shuffle(len(delivered), func(i, j int) { delivered[i], delivered[j] = delivered[j], delivered[i] })

	ctx := context.Background()
	for _, ev := range delivered {
		if err := pg.WithTenantTx(ctx, db, perEvent, func(tx *sqlx.Tx) error { return a.Handle(ctx, tx, ev) }); err != nil {
			t.Fatalf("Handle %s: %v", ev.Type, err)
		}
	}
	for batch := range slices.Chunk(delivered, 7) {
		batch = slices.Clone(batch)
		for i := range batch {
			batch[i].TenantID = batched
		}
		if err := pg.WithTenantTx(ctx, db, batched, func(tx *sqlx.Tx) error { return a.HandleBatch(ctx, tx, batch) }); err != nil {
			t.Fatalf("HandleBatch: %v", err)
		}
	}

	want, got := rmRows(t, db, perEvent), rmRows(t, db, batched)
	for _, table := range []string{"rm_freshness", "rm_contacts", "rm_opportunities", "rm_cases"} {
		if len(want[table]) == 0 {
			t.Errorf("%s: no rows applied event by event", table)
		}
	}
	for table, rows := range want {
		if !slices.Equal(rows, got[table]) {
			t.Errorf("%s differs:\nevent by event %v\nin batches     %v", table, rows, got[table])
		}
	}
	var counted, known int64
	for _, c := range []string{"contacts", "sales", "support", "marketing"} {
		counted += r.applied(batched, c)
	}
	for _, ev := range delivered {
		if ev.Type != unknownType {
			known++
		}
	}
	if counted != known {
		t.Errorf("events counted in batches: %d, want %d (every delivery of a known type)", counted, known)
	}
}
