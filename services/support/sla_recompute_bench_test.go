package support_test

import (
	"encoding/json"
	"testing"

	"github.com/rapport-crm/rapport/services/support/sla"
)

// benchCases is how many open cases the recomputation bench seeds, each
// with a running first response and resolution clock.
const benchCases = 100_000

// BenchmarkSLARecomputeCalendarEdit measures a calendar edit that
// recomputes the running clocks of benchCases open cases (the issue's
// "SLA clock recomputation of 100,000 open cases after a calendar edit ≤
// 30 s"): each iteration is one change of the calendar's time zone
// through the Service, which moves every due time, and the Recomputer's
// work it asks for (run here rather than by the job). Run it once: -run '^$' -bench
// SLARecompute -benchtime 1x.
func BenchmarkSLARecomputeCalendarEdit(b *testing.B) {
	d := newSLADirect(b)
	ctx, tenant, db, s := d.ctx, d.tenant, d.db, d.s
	day := []sla.Interval{{From: "09:00", To: "12:00"}, {From: "13:00", To: "18:00"}}
	cal, err := s.CreateCalendar(ctx, sla.BusinessCalendar{Name: "Shanghai", Definition: sla.Definition{TimeZone: "Asia/Shanghai",
		Hours: sla.WeekHours{Monday: day, Tuesday: day, Wednesday: day, Thursday: day, Friday: day}}})
	if err != nil {
		b.Fatal(err)
	}
	p, err := s.CreatePolicy(ctx, sla.Policy{Name: "Standard", CalendarID: cal.ID,
		Targets: sla.Targets{FirstResponse: map[string]int{"normal": 240}, Resolution: map[string]int{"normal": 2400}}})
	if err != nil {
		b.Fatal(err)
	}
	admin := d.admin
	tx := admin.MustBegin()
	tx.MustExec("SELECT set_config('app.tenant_id', $1, true)", tenant)
	tx.MustExec(`INSERT INTO cases (tenant_id, id, number, subject, channel, priority, status, created_by, created_at, updated_at)
		SELECT $1, gen_random_uuid(), n, 'case ' || n, 'email', 'normal', 'open', 'bench', now(), now() FROM generate_series(1, $2) n`, tenant, benchCases)
	tx.MustExec(`INSERT INTO case_clocks (tenant_id, case_id, target, policy_id, minutes, started_at)
		SELECT c.tenant_id, c.id, t.target, $1, t.minutes, now() - (c.number % 7200) * interval '1 minute'
		FROM cases c CROSS JOIN (VALUES ('first_response', 240), ('resolution', 2400)) AS t(target, minutes)`, p.ID)
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	admin.MustExec("ANALYZE cases; ANALYZE case_clocks")
	recomputer := sla.NewRecomputer(db, quiet)
	edit := func(version int64, patch string) {
		if _, _, err := s.UpdateCalendar(ctx, cal.ID, version, json.RawMessage(patch)); err != nil {
			b.Fatal(err)
		}
		if n, err := recomputer.Recompute(ctx); err != nil || n != 2*benchCases {
			b.Fatalf("recomputed %d clocks (%v), want %d", n, err, 2*benchCases)
		}
	}
	// The clocks seeded have no due time yet: a first edit sets them all.
	edit(1, `{"holidays": [{"date": "2026-12-25"}]}`)
	b.ResetTimer()
	for i := range b.N { // each moves every due time by an hour
		edit(int64(i+2), `{"timeZone": "`+[]string{"Asia/Tokyo", "Asia/Shanghai"}[i%2]+`"}`)
	}
	b.StopTimer()
	var due int
	if err := admin.Get(&due, "SELECT count(*) FROM cases WHERE sla_due_at IS NOT NULL"); err != nil || due != benchCases {
		b.Fatalf("%d cases have a due time (%v), want %d", due, err, benchCases)
	}
}
