package sla

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// recomputeBatch is how many clocks a transaction of the Recomputer
// reads and writes.
const recomputeBatch = 5000

// recomputeSQL reads a batch of the running clocks of the policy $1
// after the clock ($2, $3), with their case's priority (an index range of
// case_clocks_policy). The cases are bounded by the batch's first case as
// well (c.id >= $2): the planner draws no bound on them from the row
// comparison on the clocks, and read every batch's cases from the
// tenant's first (bench/results.md, part 12). A clock's own calendar
// (calendar_id: its contract's coverage hours) is read too.
const recomputeSQL = `SELECT ` + clockColumnsK + `, k.calendar_id, c.priority FROM case_clocks k JOIN cases c ON c.id = k.case_id AND c.id >= $2::uuid
	WHERE k.policy_id = $1 AND k.met_at IS NULL AND k.stopped_at IS NULL AND (k.case_id, k.target) > ($2::uuid, $3)
	ORDER BY k.case_id, k.target LIMIT $4`

// rescheduled is a clock's row as the Recomputer writes it back.
type rescheduled struct {
	CaseID    string     `json:"case_id"`
	Target    string     `json:"target"`
	Minutes   int        `json:"minutes"`
	DueAt     *time.Time `json:"due_at"`
	WarnAt    *time.Time `json:"warn_at"`
	NextAt    *time.Time `json:"next_at"`
	StoppedAt *time.Time `json:"stopped_at"`
	History   []Event    `json:"history"` // nil: unchanged
}

// RecomputeEvery is how often an instance looks for recomputations asked
// for: a calendar or policy edit moves the due times within about this
// long, a batch of recomputeBatch clocks per transaction.
const RecomputeEvery = time.Second

// recomputeTenants is how many tenants one round of the job takes on.
const recomputeTenants = 64

// requestRecompute asks, in tx, for the running clocks of the policies
// ids to be recomputed on the policies and calendars as tx leaves them
// (the Recomputer's work), from the first clock: an edit during a
// recomputation starts it over.
func requestRecompute(ctx context.Context, tx *outbox.Tx, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	if _, err := tx.SQL().ExecContext(ctx, `INSERT INTO sla_recomputes (tenant_id, policy_id, requested_at)
		SELECT `+pgrecord.CurrentTenant+`, id, now() FROM unnest($1::uuid[]) AS id
		ON CONFLICT (tenant_id, policy_id) DO UPDATE SET requested_at = now(),
			after_case = '00000000-0000-0000-0000-000000000000', after_target = ''`, pq.StringArray(ids)); err != nil {
		return fmt.Errorf("ask for SLA recomputation: %w", pg.MapError(err))
	}
	return nil
}

// Recomputer reschedules the running clocks of the policies whose
// recomputation an edit asked for, of every tenant, a batch per
// transaction; a recomputation is claimed with FOR UPDATE SKIP LOCKED,
// so every instance works on them together.
type Recomputer struct {
	db     *outbox.DB
	logger *slog.Logger
}

// NewRecomputer returns the Recomputer of db, logging what it did.
func NewRecomputer(db *outbox.DB, logger *slog.Logger) *Recomputer {
	return &Recomputer{db: db, logger: logger}
}

// Run is Recompute as a periodic job: it logs how many clocks it read.
func (r *Recomputer) Run(ctx context.Context) error {
	n, err := r.Recompute(ctx)
	if n > 0 {
		r.logger.InfoContext(ctx, "SLA clocks recomputed", "clocks", n)
	}
	return err
}

// Recompute works through every recomputation asked for and returns how
// many clocks it read: the tenants with some, oldest first, until none is
// left or a round does nothing (what is left is another instance's).
func (r *Recomputer) Recompute(ctx context.Context) (int, error) {
	total := 0
	for {
		var tenants []string
		if err := r.db.Pool().SelectContext(ctx, &tenants, "SELECT tenant_id FROM pending_recompute_tenants($1)", recomputeTenants); err != nil {
			return total, fmt.Errorf("find SLA recomputations: %w", pg.MapError(err))
		}
		round := 0
		for _, tenant := range tenants {
			for {
				n, more, err := r.batch(ctx, tenant)
				round += n
				if err != nil {
					return total + round, err
				}
				if !more {
					break
				}
			}
		}
		if total += round; round == 0 {
			return total, nil
		}
	}
}

// batch recomputes the next batch of one of tenant's recomputations in a
// transaction, and reports how many clocks it read and whether the
// tenant has more to do (false: none, or all of it another instance's).
func (r *Recomputer) batch(ctx context.Context, tenant string) (n int, more bool, err error) {
	err = r.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		var job struct {
			PolicyID    string    `db:"policy_id"`
			AfterCase   string    `db:"after_case"`
			AfterTarget string    `db:"after_target"`
			Now         time.Time `db:"now"`
		}
		if err := tx.SQL().GetContext(ctx, &job, `SELECT policy_id, after_case, after_target, now() AS now FROM sla_recomputes
			ORDER BY requested_at LIMIT 1 FOR UPDATE SKIP LOCKED`); err != nil {
			if err = pg.MapError(err); errs.KindOf(err) == errs.NotFound {
				return nil
			}
			return fmt.Errorf("claim an SLA recomputation: %w", err)
		}
		more = true
		policies, err := listPolicies(ctx, tx)
		if err != nil {
			return err
		}
		cals, err := calendars(ctx, tx)
		if err != nil {
			return err
		}
		var lastCase, lastTarget string
		n, lastCase, lastTarget, err = recomputeBatchOf(ctx, tx, job.PolicyID, job.AfterCase, job.AfterTarget, policies, cals, job.Now)
		if err != nil {
			return err
		}
		q, args := "DELETE FROM sla_recomputes WHERE policy_id = $1", []any{job.PolicyID}
		if n == recomputeBatch {
			q, args = "UPDATE sla_recomputes SET after_case = $2, after_target = $3 WHERE policy_id = $1", []any{job.PolicyID, lastCase, lastTarget}
		}
		if _, err := tx.SQL().ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("record the SLA recomputation's progress: %w", pg.MapError(err))
		}
		return nil
	})
	return n, more, err
}

// recomputeBatchOf reschedules the running clocks of the policy id after
// the clock (afterCase, afterTarget), up to recomputeBatch of them, on
// policies and cals, writing those that changed and the due times of
// their cases; a clock whose policy is gone or has no target for its
// case's priority stops at at. It returns how many it read and the last.
func recomputeBatchOf(ctx context.Context, tx *outbox.Tx, id, afterCase, afterTarget string, policies []Policy, cals map[string]*Calendar,
	at time.Time) (int, string, string, error) {
	var rows []claimed
	if err := tx.SQL().SelectContext(ctx, &rows, recomputeSQL, id, afterCase, afterTarget, recomputeBatch); err != nil {
		return 0, "", "", fmt.Errorf("read clocks to recompute: %w", pg.MapError(err))
	}
	out := make([]rescheduled, 0, len(rows))
	cases := make([]string, 0, len(rows))
	for _, r := range rows {
		k, err := r.clock()
		if err != nil {
			return 0, "", "", err
		}
		logged := len(k.History)
		if !reschedule(k, findPolicy(policies, k.PolicyID), cals, r.Priority, at) {
			continue
		}
		row := rescheduled{CaseID: r.CaseID, Target: k.Target, Minutes: k.Minutes, DueAt: k.DueAt, WarnAt: k.warnAt, NextAt: k.nextAt,
			StoppedAt: k.StoppedAt}
		if len(k.History) > logged {
			row.History = k.History
		}
		out = append(out, row)
		if len(cases) == 0 || cases[len(cases)-1] != r.CaseID {
			cases = append(cases, r.CaseID)
		}
	}
	if err := writeRescheduled(ctx, tx, out, cases); err != nil || len(rows) == 0 {
		return len(rows), afterCase, afterTarget, err
	}
	last := rows[len(rows)-1]
	return len(rows), last.CaseID, last.Target, nil
}

// reschedule applies policy p (nil: deleted) to the running clock k of a
// case of priority at at, on its calendar of cals (its own, else p's):
// the target it now has, or a stop; a due time that moves is in k's
// history. It reports whether k changed.
func reschedule(k *CaseClock, p *Policy, cals map[string]*Calendar, priority string, at time.Time) bool {
	before, warn, next, minutes := k.DueAt, k.warnAt, k.nextAt, k.Minutes
	m := 0
	if p != nil {
		m = p.minutes(k.Target, priority)
	}
	if m == 0 {
		why := "SLA policy deleted"
		if p != nil {
			why = "no target for priority " + priority
		}
		k.stop(at, why)
		k.schedule(nil, 0)
		return true
	}
	if m != k.Minutes {
		k.Minutes = m
		k.log(at, "retargeted", fmt.Sprintf("%s: %d business minutes (priority %s)", p.Name, m, priority))
	}
	k.schedule(k.calendar(p, cals), p.WarnBeforeMinutes)
	moved := !sameTime(before, k.DueAt)
	if moved {
		k.log(at, "recomputed", "")
	}
	return moved || minutes != k.Minutes || !sameTime(warn, k.warnAt) || !sameTime(next, k.nextAt)
}

// sameTime reports whether a and b are both nil or the same instant.
func sameTime(a, b *time.Time) bool {
	return (a == nil) == (b == nil) && (a == nil || a.Equal(*b))
}

// writeRescheduled writes the rescheduled clocks in one statement, and
// the due times of their cases.
func writeRescheduled(ctx context.Context, tx *outbox.Tx, rows []rescheduled, cases []string) error {
	if len(rows) == 0 {
		return nil
	}
	batch, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	if _, err := tx.SQL().ExecContext(ctx, `UPDATE case_clocks k SET minutes = u.minutes, due_at = u.due_at, warn_at = u.warn_at,
			next_at = u.next_at, stopped_at = u.stopped_at, history = COALESCE(u.history, k.history)
		FROM jsonb_to_recordset($1::jsonb) AS u(case_id uuid, target text, minutes int, due_at timestamptz, warn_at timestamptz,
			next_at timestamptz, stopped_at timestamptz, history jsonb)
		WHERE k.case_id = u.case_id AND k.target = u.target`, batch); err != nil {
		return fmt.Errorf("write recomputed clocks: %w", pg.MapError(err))
	}
	return setCaseDue(ctx, tx, cases)
}
