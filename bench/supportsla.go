package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/pg"
)

// Goal of the SLA recomputation (issue 18): the clocks of 100,000 open
// cases recomputed after a calendar edit, ≤ 30 s.
const goalSLARecompute = 30 * time.Second

// slaRun is the SLA part: a calendar edit through the API, asking for the
// recomputation of every running clock of the policy on the calendar,
// which the service's job does; and the raw baselines of the same reads
// and writes.
type slaRun struct {
	Cases, Clocks int           // open cases given clocks, and their clocks
	Load          time.Duration // the clocks, as the owner
	Zone          slaEdit       // the time zone changed: every clock recomputed
	// Running is the policy's running clocks after the edit: the loaded
	// ones, and any the SLA consumer started meanwhile on cases the mails
	// opened. Due is how many of them have a due time, Moved how many
	// due times the edit moved.
	Running, Due, Moved int
	CasesOff            int // cases whose sla_due_at is not their clocks' nearest due after it
	Raw                 rawRecomputeRun
	RawBounded          rawRecomputeRun // the baseline with rawClocksReadBounded
}

// slaEdit is the time of a calendar edit: its PATCH answered, and every
// clock recomputed (its sla_recomputes row gone).
type slaEdit struct{ Answer, Done time.Duration }

// slaPoll is how often the part looks whether a recomputation is done.
const slaPoll = 20 * time.Millisecond

// The calendar and policy of the part: Shanghai's office hours with a
// lunch break, targets for every priority.
const (
	slaCalendar = `{"name": "Shanghai office", "timeZone": "Asia/Shanghai", "hours": {
		"monday": [{"from": "09:00", "to": "12:00"}, {"from": "13:00", "to": "18:00"}],
		"tuesday": [{"from": "09:00", "to": "12:00"}, {"from": "13:00", "to": "18:00"}],
		"wednesday": [{"from": "09:00", "to": "12:00"}, {"from": "13:00", "to": "18:00"}],
		"thursday": [{"from": "09:00", "to": "12:00"}, {"from": "13:00", "to": "18:00"}],
		"friday": [{"from": "09:00", "to": "12:00"}, {"from": "13:00", "to": "18:00"}]}}`
	slaPolicy = `{"name": "Standard", "calendarId": %q, "targets": {
		"firstResponse": {"low": 480, "normal": 240, "high": 120, "urgent": 60},
		"resolution": {"low": 4800, "normal": 2400, "high": 1200, "urgent": 480}}}`
)

// measureSLA creates a calendar and a policy through the API, gives the
// first n open cases a first-response and a resolution clock of the
// policy (loadClocks), then times a PATCH of the calendar's time zone,
// from Asia/Shanghai to Asia/Tokyo, until its recomputation is done,
// checking after it that every running clock has a due time and every
// case's sla_due_at is its clocks' nearest; then the raw baselines.
func measureSLA(ctx context.Context, stack *supportStack, admin *sqlx.DB, tenant string, n int) (r slaRun, err error) {
	client := &http.Client{Timeout: 10 * time.Minute}
	token := stack.tokens(supportAgent(tenant, "manager-1"))
	var cal, pol struct {
		ID      string `json:"id"`
		Version int64  `json:"version"`
	}
	b, err := benchRequest(ctx, client, token, http.MethodPost, stack.base+"/v1/business-calendars", slaCalendar)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(b, &cal); err != nil {
		return r, err
	}
	if b, err = benchRequest(ctx, client, token, http.MethodPost, stack.base+"/v1/sla-policies", fmt.Sprintf(slaPolicy, cal.ID)); err != nil {
		return r, err
	}
	if err := json.Unmarshal(b, &pol); err != nil {
		return r, err
	}
	began := time.Now()
	if r.Cases, err = loadClocks(ctx, admin, tenant, pol.ID, n); err != nil {
		return r, err
	}
	r.Clocks, r.Load = 2*r.Cases, time.Since(began)
	if _, err := admin.ExecContext(ctx, `ANALYZE cases; ANALYZE case_clocks; CHECKPOINT`); err != nil {
		return r, err
	}
	fmt.Fprintf(os.Stderr, "bench: support: %d clocks loaded in %s; calendar edit\n", r.Clocks, r.Load.Round(time.Millisecond))
	patch := func(body string) (e slaEdit, err error) {
		t := time.Now()
		b, err := benchRequest(ctx, client, token, http.MethodPatch, stack.base+"/v1/business-calendars/"+cal.ID, body,
			"If-Match", `"`+strconv.FormatInt(cal.Version, 10)+`"`)
		e.Answer = time.Since(t)
		if err != nil {
			return e, err
		}
		if err := json.Unmarshal(b, &cal); err != nil {
			return e, err
		}
		for {
			var left int
			if err := admin.GetContext(ctx, &left, `SELECT count(*) FROM sla_recomputes WHERE tenant_id = $1`, tenant); err != nil {
				return e, err
			}
			if e.Done = time.Since(t); left == 0 {
				return e, nil
			}
			if e.Done > 10*time.Minute {
				return e, fmt.Errorf("the recomputation is not done after %s", e.Done)
			}
			time.Sleep(slaPoll)
		}
	}
	if _, err := admin.ExecContext(ctx, `CREATE TABLE bench_due AS SELECT case_id, target, due_at FROM case_clocks WHERE tenant_id = $1 AND policy_id = $2`,
		tenant, pol.ID); err != nil {
		return r, err
	}
	if r.Zone, err = patch(`{"timeZone": "Asia/Tokyo"}`); err != nil {
		return r, err
	}
	if err := admin.QueryRowContext(ctx, `SELECT count(*), count(due_at) FROM case_clocks
		WHERE tenant_id = $1 AND policy_id = $2 AND met_at IS NULL AND stopped_at IS NULL`, tenant, pol.ID).Scan(&r.Running, &r.Due); err != nil {
		return r, err
	}
	if err := admin.GetContext(ctx, &r.Moved, `SELECT count(*) FROM case_clocks k JOIN bench_due d USING (case_id, target)
		WHERE k.tenant_id = $1 AND k.due_at IS DISTINCT FROM d.due_at`, tenant); err != nil {
		return r, err
	}
	if err := admin.GetContext(ctx, &r.CasesOff, `SELECT count(*) FROM cases c JOIN (SELECT case_id, min(due_at) AS due FROM case_clocks
			WHERE tenant_id = $1 AND met_at IS NULL AND stopped_at IS NULL GROUP BY case_id) k ON k.case_id = c.id
		WHERE c.tenant_id = $1 AND c.sla_due_at IS DISTINCT FROM k.due`, tenant); err != nil {
		return r, err
	}
	fmt.Fprintf(os.Stderr, "bench: support: time-zone edit took %s; raw baseline\n", r.Zone.Done.Round(time.Millisecond))
	app, err := pg.Open(stack.db.AppURL, pg.Options{})
	if err != nil {
		return r, err
	}
	defer app.Close()
	if r.Raw, err = rawRecompute(ctx, app, tenant, pol.ID, rawClocksRead); err != nil {
		return r, err
	}
	r.RawBounded, err = rawRecompute(ctx, app, tenant, pol.ID, rawClocksReadBounded)
	return r, err
}

// The raw baseline's statements: services/support's sla/recompute.go's
// read of a batch of running clocks with their case's priority, its
// write of the batch (jsonb_to_recordset) and sla/store_clocks.go's
// update of the cases' due times.
const (
	rawClocksBatch = 5000
	rawClocksRead  = `SELECT k.case_id, k.target, k.minutes, k.due_at, k.warn_at, k.next_at, k.stopped_at, k.history, c.priority
	FROM case_clocks k JOIN cases c ON c.id = k.case_id
	WHERE k.policy_id = $1 AND k.met_at IS NULL AND k.stopped_at IS NULL AND (k.case_id, k.target) > ($2::uuid, $3)
	ORDER BY k.case_id, k.target LIMIT $4`
	// rawClocksReadBounded is rawClocksRead with the cases read from the
	// batch's first case on: the planner does not draw that bound from
	// the row comparison, and without it reads the tenant's cases from
	// the first for every batch.
	rawClocksReadBounded = `SELECT k.case_id, k.target, k.minutes, k.due_at, k.warn_at, k.next_at, k.stopped_at, k.history, c.priority
	FROM case_clocks k JOIN cases c ON c.id = k.case_id AND c.id >= $2::uuid
	WHERE k.policy_id = $1 AND k.met_at IS NULL AND k.stopped_at IS NULL AND (k.case_id, k.target) > ($2::uuid, $3)
	ORDER BY k.case_id, k.target LIMIT $4`
	rawClocksWrite = `UPDATE case_clocks k SET minutes = u.minutes, due_at = u.due_at, warn_at = u.warn_at,
		next_at = u.next_at, stopped_at = u.stopped_at, history = COALESCE(u.history, k.history)
	FROM jsonb_to_recordset($1::jsonb) AS u(case_id uuid, target text, minutes int, due_at timestamptz, warn_at timestamptz,
		next_at timestamptz, stopped_at timestamptz, history jsonb)
	WHERE k.case_id = u.case_id AND k.target = u.target`
	rawCasesDue = `UPDATE cases c SET sla_due_at = d.due
	FROM (SELECT id, (SELECT min(k.due_at) FROM case_clocks k WHERE k.case_id = id AND k.met_at IS NULL AND k.stopped_at IS NULL) AS due
		FROM unnest($1::uuid[]) AS id) d
	WHERE c.id = d.id AND c.sla_due_at IS DISTINCT FROM d.due`
)

// rawRecompute moves every running clock of policy an hour later with the
// service's own statements through database/sql, a batch per transaction
// of tenant as the application role, as the service's job does: the same
// reads and writes without the calendar arithmetic, the history entries,
// the claim of the recomputation and the job's polling.
func rawRecompute(ctx context.Context, app *sqlx.DB, tenant, policy, read string) (r rawRecomputeRun, err error) {
	type clock struct {
		CaseID    string          `db:"case_id" json:"case_id"`
		Target    string          `db:"target" json:"target"`
		Minutes   int             `db:"minutes" json:"minutes"`
		DueAt     *time.Time      `db:"due_at" json:"due_at"`
		WarnAt    *time.Time      `db:"warn_at" json:"warn_at"`
		NextAt    *time.Time      `db:"next_at" json:"next_at"`
		StoppedAt *time.Time      `db:"stopped_at" json:"stopped_at"`
		History   json.RawMessage `db:"history" json:"-"`
		Priority  string          `db:"priority" json:"-"`
	}
	later := func(t *time.Time) *time.Time {
		if t == nil {
			return nil
		}
		u := t.Add(time.Hour)
		return &u
	}
	began := time.Now()
	afterCase, afterTarget, more := "00000000-0000-0000-0000-000000000000", "", true
	timed := func(d *time.Duration, f func() error) error {
		t := time.Now()
		err := f()
		*d += time.Since(t)
		return err
	}
	for more {
		err := pg.WithTenantTx(ctx, app, tenant, func(tx *sqlx.Tx) error {
			var rows []clock
			if err := timed(&r.Read, func() error {
				return tx.SelectContext(ctx, &rows, read, policy, afterCase, afterTarget, rawClocksBatch)
			}); err != nil {
				return err
			}
			r.Batches++
			if more = len(rows) == rawClocksBatch; len(rows) == 0 {
				return nil
			}
			cases := make(pq.StringArray, 0, len(rows))
			for i := range rows {
				k := &rows[i]
				k.DueAt, k.WarnAt, k.NextAt = later(k.DueAt), later(k.WarnAt), later(k.NextAt)
				if len(cases) == 0 || cases[len(cases)-1] != k.CaseID {
					cases = append(cases, k.CaseID)
				}
			}
			batch, err := json.Marshal(rows)
			if err != nil {
				return err
			}
			if err := timed(&r.WriteClocks, func() error { _, err := tx.ExecContext(ctx, rawClocksWrite, batch); return err }); err != nil {
				return err
			}
			if err := timed(&r.WriteCases, func() error { _, err := tx.ExecContext(ctx, rawCasesDue, cases); return err }); err != nil {
				return err
			}
			afterCase, afterTarget = rows[len(rows)-1].CaseID, rows[len(rows)-1].Target
			return nil
		})
		if err != nil {
			return r, err
		}
	}
	r.Took = time.Since(began)
	return r, nil
}

// rawRecomputeRun is the raw baseline's time, and its statements'.
type rawRecomputeRun struct {
	Took, Read, WriteClocks, WriteCases time.Duration
	Batches                             int
}
