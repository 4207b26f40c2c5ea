package sla

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/support/cases"
	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// SweepEvery is how often an instance looks for warnings and breaches
// due: case.sla_warning and case.sla_breached come within about this long.
const SweepEvery = 30 * time.Second

// Bounds of one round of the sweep: how many tenants it takes on at a
// time, how many clocks one transaction claims, how many transactions one
// tenant gets before the next tenant's turn.
const (
	sweepTenants   = 64
	sweepBatch     = 200
	sweepPerTenant = 20
)

// Alert is the payload of case.sla_warning, case.sla_breached and
// case.escalated: the case, the clock's target, its due time and policy;
// an escalation adds its action and what the action set.
type Alert struct {
	CaseID     string    `json:"caseId"`
	Number     int64     `json:"number"`
	Target     string    `json:"target"`
	DueAt      time.Time `json:"dueAt"`
	PolicyID   string    `json:"policyId"`
	Action     string    `json:"action,omitempty"`
	Priority   string    `json:"priority,omitempty"`
	AssigneeID string    `json:"assigneeId,omitempty"`
	QueueID    string    `json:"queueId,omitempty"`
}

// Sweeper raises the warnings and breaches of the clocks of every tenant,
// once each, and runs a breach's escalations. Clocks are claimed with FOR
// UPDATE SKIP LOCKED, so every instance sweeps together.
type Sweeper struct {
	db     *outbox.DB
	logger *slog.Logger
}

// NewSweeper returns the Sweeper of db, logging what it raises.
func NewSweeper(db *outbox.DB, logger *slog.Logger) *Sweeper {
	return &Sweeper{db: db, logger: logger}
}

// Run is Sweep as a periodic job: it logs how many clocks it raised.
func (s *Sweeper) Run(ctx context.Context) error {
	n, err := s.Sweep(ctx)
	if n > 0 {
		s.logger.InfoContext(ctx, "SLA warnings and breaches raised", "clocks", n)
	}
	return err
}

// Sweep raises what is due of every tenant's clocks and returns for how
// many clocks: the tenants with work, oldest first, until none is left or
// a round raises nothing (what is left is another instance's).
func (s *Sweeper) Sweep(ctx context.Context) (int, error) {
	total := 0
	for {
		var tenants []string
		if err := s.db.Pool().SelectContext(ctx, &tenants, "SELECT tenant_id FROM due_clock_tenants($1)", sweepTenants); err != nil {
			return total, fmt.Errorf("find SLA clocks due: %w", pg.MapError(err))
		}
		round := 0
		for _, tenant := range tenants {
			for range sweepPerTenant {
				n, err := s.batch(ctx, tenant)
				round += n
				if err != nil {
					return total + round, err
				}
				if n < sweepBatch {
					break
				}
			}
		}
		if total += round; round == 0 {
			return total, nil
		}
	}
}

// claimSQL locks up to $1 of the tenant's clocks with work due, oldest
// first, with their cases (the order the consumer locks them in),
// skipping those another transaction holds, with the case's number and
// priority.
const claimSQL = `SELECT ` + clockColumnsK + `, c.number, c.priority FROM case_clocks k JOIN cases c ON c.id = k.case_id
	WHERE k.next_at <= now() ORDER BY k.next_at LIMIT $1 FOR UPDATE OF k, c SKIP LOCKED`

const clockColumnsK = `k.case_id, k.target, k.policy_id, k.minutes, k.started_at, k.pauses, k.due_at, k.warn_at, k.next_at, k.met_at,
	k.stopped_at, k.warned_at, k.breached_at, k.history`

// claimed is a clock claimed with its case's number and priority.
type claimed struct {
	clockRow
	Number   int64  `db:"number"`
	Priority string `db:"priority"`
}

// batch raises up to sweepBatch clocks of tenant in one transaction and
// returns how many it claimed.
func (s *Sweeper) batch(ctx context.Context, tenant string) (int, error) {
	var n int
	err := s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		var rows []claimed
		if err := tx.SQL().SelectContext(ctx, &rows, claimSQL, sweepBatch); err != nil {
			return fmt.Errorf("claim SLA clocks: %w", pg.MapError(err))
		}
		n = len(rows)
		policies, err := listPolicies(ctx, tx)
		if err != nil {
			return err
		}
		var now time.Time // the database's, which claimed the clocks due
		if err := tx.SQL().GetContext(ctx, &now, "SELECT now()"); err != nil {
			return fmt.Errorf("read the time: %w", pg.MapError(err))
		}
		now = now.UTC()
		for _, r := range rows {
			k, err := r.clock()
			if err != nil {
				return err
			}
			if err := s.raise(ctx, tx, r, k, policies, now); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// raise raises k's breach when it is due (with its escalations), else its
// warning, and writes k with what the sweep has next on it.
func (s *Sweeper) raise(ctx context.Context, tx *outbox.Tx, r claimed, k *CaseClock, policies []Policy, now time.Time) error {
	if k.DueAt == nil {
		k.nextAt = nil
		return s.write(ctx, tx, r.CaseID, k)
	}
	alert := Alert{CaseID: r.CaseID, Number: r.Number, Target: k.Target, DueAt: *k.DueAt, PolicyID: k.PolicyID}
	switch {
	case k.BreachedAt == nil && !k.DueAt.After(now):
		k.BreachedAt = &now
		k.log(now, "breached", "")
		if err := tx.Emit(ctx, supportdb.EntityCase, supportdb.VerbSLABreached, r.CaseID, alert, nil); err != nil {
			return err
		}
		if p := findPolicy(policies, k.PolicyID); p != nil {
			for _, e := range p.escalations(k.Target) {
				if err := s.escalate(ctx, tx, r, k, e, alert, now); err != nil {
					return err
				}
			}
		}
	case k.WarnedAt == nil && k.warnAt != nil && !k.warnAt.After(now):
		k.WarnedAt = &now
		k.log(now, "warned", "")
		if err := tx.Emit(ctx, supportdb.EntityCase, supportdb.VerbSLAWarning, r.CaseID, alert, nil); err != nil {
			return err
		}
	}
	k.nextAt = nil
	if k.BreachedAt == nil {
		k.nextAt = k.DueAt
	}
	return s.write(ctx, tx, r.CaseID, k)
}

// escalate runs escalation e of k's breach: a raised priority (the
// given one, else one step up) or a reassignment through cases.ChangeIn
// (case.updated follows), then case.escalated with the action and what
// it set. A case deleted meanwhile is left as it is.
func (s *Sweeper) escalate(ctx context.Context, tx *outbox.Tx, r claimed, k *CaseClock, e Escalation, alert Alert, now time.Time) error {
	alert.Action, alert.AssigneeID, alert.QueueID = e.Action, e.AssigneeID, e.QueueID
	var change func(*cases.Case) error
	switch e.Action {
	case ActionRaisePriority:
		alert.Priority = raised(r.Priority, e.Priority)
		change = func(c *cases.Case) error { c.Priority = alert.Priority; return nil }
	case ActionReassignTo:
		change = func(c *cases.Case) error {
			if e.QueueID != "" {
				c.QueueID, c.AssigneeID = e.QueueID, ""
			} else {
				c.AssigneeID = e.AssigneeID
			}
			return nil
		}
	}
	if change != nil {
		if _, err := cases.ChangeIn(ctx, tx, r.CaseID, change); err != nil && !errors.Is(err, cases.ErrNotFound) {
			return fmt.Errorf("escalate case %s: %w", r.CaseID, err)
		}
	}
	k.log(now, "escalated", e.Action)
	return tx.Emit(ctx, supportdb.EntityCase, supportdb.VerbEscalated, r.CaseID, alert, nil)
}

// raised is the priority an escalation raises from to: to when set,
// else one step up (urgent stays).
func raised(from, to string) string {
	if to != "" {
		return to
	}
	p := cases.Priorities
	if i := slices.Index(p, from); i >= 0 && i+1 < len(p) {
		return p[i+1]
	}
	return p[len(p)-1]
}

// write stores what the sweep changed of k.
func (s *Sweeper) write(ctx context.Context, tx *outbox.Tx, caseID string, k *CaseClock) error {
	history, _ := json.Marshal(k.History)
	if _, err := tx.SQL().ExecContext(ctx, `UPDATE case_clocks SET warned_at = $3, breached_at = $4, next_at = $5, history = $6
		WHERE case_id = $1 AND target = $2`, caseID, k.Target, k.WarnedAt, k.BreachedAt, k.nextAt, history); err != nil {
		return fmt.Errorf("write SLA clock: %w", pg.MapError(err))
	}
	return nil
}

// findPolicy returns the policy id of policies, nil for none.
func findPolicy(policies []Policy, id string) *Policy {
	for i := range policies {
		if policies[i].ID == id {
			return &policies[i]
		}
	}
	return nil
}
