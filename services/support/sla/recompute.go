package sla

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
)

// recomputeBatch is how many clocks recompute reads and writes at once.
const recomputeBatch = 5000

// recomputeSQL reads a batch of the running clocks of the policy $1
// after the clock ($2, $3), with their case's priority (an index range of
// case_clocks_policy).
const recomputeSQL = `SELECT ` + clockColumnsK + `, c.priority FROM case_clocks k JOIN cases c ON c.id = k.case_id
	WHERE k.policy_id = $1 AND k.met_at IS NULL AND k.stopped_at IS NULL AND (k.case_id, k.target) > ($2::uuid, $3)
	ORDER BY k.case_id, k.target LIMIT $4`

// rescheduled is a clock's row as recompute writes it back.
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

// recompute reschedules the running clocks of the policies ids in tx, on
// the policies and calendars as they now are, after an edit of a policy
// or of a calendar they use, and the due times of their cases; a clock
// whose policy is gone or has no target for its case's priority stops at
// at. It returns how many clocks it read.
func recompute(ctx context.Context, tx *outbox.Tx, policyIDs []string, at time.Time) (int, error) {
	policies, err := listPolicies(ctx, tx)
	if err != nil {
		return 0, err
	}
	cals, err := calendars(ctx, tx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, id := range policyIDs {
		n, err := recomputePolicy(ctx, tx, id, policies, cals, at)
		if total += n; err != nil {
			return total, err
		}
	}
	return total, nil
}

// recomputePolicy is recompute of the running clocks of the policy id, a
// batch at a time.
func recomputePolicy(ctx context.Context, tx *outbox.Tx, id string, policies []Policy, cals map[string]*Calendar, at time.Time) (int, error) {
	total, afterCase, afterTarget := 0, "00000000-0000-0000-0000-000000000000", ""
	for {
		var rows []claimed
		if err := tx.SQL().SelectContext(ctx, &rows, recomputeSQL, id, afterCase, afterTarget, recomputeBatch); err != nil {
			return total, fmt.Errorf("read clocks to recompute: %w", pg.MapError(err))
		}
		total += len(rows)
		out := make([]rescheduled, 0, len(rows))
		cases := make([]string, 0, len(rows))
		for _, r := range rows {
			k, err := r.clock()
			if err != nil {
				return total, err
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
		if err := writeRescheduled(ctx, tx, out, cases); err != nil {
			return total, err
		}
		if len(rows) < recomputeBatch {
			return total, nil
		}
		afterCase, afterTarget = rows[len(rows)-1].CaseID, rows[len(rows)-1].Target
	}
}

// reschedule applies policy p (nil: deleted) to the running clock k of a
// case of priority at at, on its calendar of cals: the target it now
// has, or a stop; a due time that moves is in k's history. It reports
// whether k changed.
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
	k.schedule(cals[p.CalendarID], p.WarnBeforeMinutes)
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
