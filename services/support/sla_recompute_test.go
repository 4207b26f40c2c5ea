package support_test

import (
	"encoding/json"
	"testing"

	"github.com/rapport-crm/rapport/services/support/sla"
)

// TestSLARecomputeBatchesSplitACase recomputes 5,001 clocks, more than a
// batch (5,000), laid out so that the first batch ends between the two
// clocks of one case: the first case (by id) has one clock, the others
// two. The next batch starts within that case (its read bounds the cases
// by the last one done, inclusive) and every clock gets its due time.
func TestSLARecomputeBatchesSplitACase(t *testing.T) {
	d := newSLADirect(t)
	ctx, tenant, db, s := d.ctx, d.tenant, d.db, d.s
	cal, err := s.CreateCalendar(ctx, sla.BusinessCalendar{Name: "Always", Definition: sla.Definition{TimeZone: "Asia/Shanghai", AlwaysOpen: true}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.CreatePolicy(ctx, sla.Policy{Name: "Standard", CalendarID: cal.ID,
		Targets: sla.Targets{FirstResponse: map[string]int{"normal": 60}, Resolution: map[string]int{"normal": 600}}})
	if err != nil {
		t.Fatal(err)
	}
	admin := d.admin
	tx := admin.MustBegin()
	tx.MustExec("SELECT set_config('app.tenant_id', $1, true)", tenant)
	tx.MustExec(`INSERT INTO cases (tenant_id, id, number, subject, channel, priority, status, created_by, created_at, updated_at)
		SELECT $1, gen_random_uuid(), n, 'case ' || n, 'email', 'normal', 'open', 'test', now(), now() FROM generate_series(1, 2501) n`, tenant)
	tx.MustExec(`INSERT INTO case_clocks (tenant_id, case_id, target, policy_id, minutes, started_at)
		SELECT c.tenant_id, c.id, t.target, $1, t.minutes, now()
		FROM cases c CROSS JOIN (VALUES ('first_response', 60), ('resolution', 600)) AS t(target, minutes)
		WHERE t.target = 'resolution' OR c.id > (SELECT id FROM cases ORDER BY id LIMIT 1)`, p.ID)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.UpdateCalendar(ctx, cal.ID, 1, json.RawMessage(`{"timeZone": "Asia/Tokyo"}`)); err != nil {
		t.Fatal(err)
	}
	if n, err := sla.NewRecomputer(db, quiet).Recompute(ctx); err != nil || n != 5001 {
		t.Fatalf("recomputed %d clocks (%v), want 5001", n, err)
	}
	var undue, cases int
	if err := admin.Get(&undue, "SELECT count(*) FROM case_clocks WHERE due_at IS NULL"); err != nil || undue != 0 {
		t.Errorf("%d clocks without a due time (%v)", undue, err)
	}
	if err := admin.Get(&cases, "SELECT count(*) FROM cases WHERE sla_due_at IS NULL"); err != nil || cases != 0 {
		t.Errorf("%d cases without a due time (%v)", cases, err)
	}
}
