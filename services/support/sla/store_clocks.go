package sla

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// clockRow is a row of case_clocks.
type clockRow struct {
	CaseID     string     `db:"case_id"`
	Target     string     `db:"target"`
	PolicyID   string     `db:"policy_id"`
	Minutes    int        `db:"minutes"`
	StartedAt  time.Time  `db:"started_at"`
	Pauses     []byte     `db:"pauses"`
	DueAt      *time.Time `db:"due_at"`
	WarnAt     *time.Time `db:"warn_at"`
	NextAt     *time.Time `db:"next_at"`
	MetAt      *time.Time `db:"met_at"`
	StoppedAt  *time.Time `db:"stopped_at"`
	WarnedAt   *time.Time `db:"warned_at"`
	BreachedAt *time.Time `db:"breached_at"`
	History    []byte     `db:"history"`
	CalendarID *string    `db:"calendar_id"`
	ContractID *string    `db:"contract_id"`
}

const clockColumns = `case_id, target, policy_id, minutes, started_at, pauses, due_at, warn_at, next_at, met_at, stopped_at,
	warned_at, breached_at, history, calendar_id, contract_id`

// clock is the CaseClock of r.
func (r clockRow) clock() (*CaseClock, error) {
	k := &CaseClock{Target: r.Target, PolicyID: r.PolicyID, Minutes: r.Minutes, StartedAt: r.StartedAt.UTC(), DueAt: utc(r.DueAt),
		MetAt: utc(r.MetAt), StoppedAt: utc(r.StoppedAt), WarnedAt: utc(r.WarnedAt), BreachedAt: utc(r.BreachedAt),
		warnAt: utc(r.WarnAt), nextAt: utc(r.NextAt), CalendarID: pgrecord.Deref(r.CalendarID), ContractID: pgrecord.Deref(r.ContractID)}
	if err := errors.Join(json.Unmarshal(r.Pauses, &k.Pauses), json.Unmarshal(r.History, &k.History)); err != nil {
		return nil, fmt.Errorf("read clock %s of case %s: %w", r.Target, r.CaseID, err)
	}
	return k, nil
}

// utc is t in UTC, nil for nil.
func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// caseInfo is what the clocks read of a case.
type caseInfo struct {
	ID        string    `db:"id"`
	Number    int64     `db:"number"`
	Priority  string    `db:"priority"`
	Status    string    `db:"status"`
	AccountID *string   `db:"account_id"`
	CreatedAt time.Time `db:"created_at"`
	Links     []byte    `db:"links"`
}

// getCase reads the case id, locking its row (the clocks' changes of a
// case are serialised on it).
func getCase(ctx context.Context, tx *outbox.Tx, id string) (caseInfo, error) {
	var c caseInfo
	err := pgrecord.GetRow(ctx, tx, &c, "cases", "id, number, priority, status, account_id, created_at, links", id, true, ErrCaseNotFound, "case")
	return c, err
}

// readClocks reads the clocks of the case id by target.
func readClocks(ctx context.Context, tx *outbox.Tx, caseID string) (map[string]*CaseClock, error) {
	var rows []clockRow
	if err := tx.SQL().SelectContext(ctx, &rows, "SELECT "+clockColumns+" FROM case_clocks WHERE case_id = $1 ORDER BY target", caseID); err != nil {
		return nil, fmt.Errorf("read clocks: %w", pg.MapError(err))
	}
	out := make(map[string]*CaseClock, len(rows))
	for _, r := range rows {
		k, err := r.clock()
		if err != nil {
			return nil, err
		}
		out[k.Target] = k
	}
	return out, nil
}

// saveClocks writes clocks of the case id, inserting those it has not,
// and sets the case's sla_due_at to the nearest due time of its running
// clocks.
func saveClocks(ctx context.Context, tx *outbox.Tx, caseID string, clocks ...*CaseClock) error {
	for _, k := range clocks {
		pauses, _ := json.Marshal(nonNil(k.Pauses))
		history, _ := json.Marshal(nonNil(k.History))
		if _, err := tx.SQL().ExecContext(ctx, `INSERT INTO case_clocks (tenant_id, `+clockColumns+`)
			VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
			ON CONFLICT (tenant_id, case_id, target) DO UPDATE SET policy_id = $3, minutes = $4, started_at = $5, pauses = $6, due_at = $7,
				warn_at = $8, next_at = $9, met_at = $10, stopped_at = $11, warned_at = $12, breached_at = $13, history = $14,
				calendar_id = $15, contract_id = $16`,
			caseID, k.Target, k.PolicyID, k.Minutes, k.StartedAt, pauses, k.DueAt, k.warnAt, k.nextAt, k.MetAt, k.StoppedAt,
			k.WarnedAt, k.BreachedAt, history, pgrecord.OrNull(k.CalendarID), pgrecord.OrNull(k.ContractID)); err != nil {
			return fmt.Errorf("save clock %s: %w", k.Target, pg.MapError(err))
		}
	}
	return setCaseDue(ctx, tx, []string{caseID})
}

// setCaseDue sets the sla_due_at of the cases ids to the nearest due time
// of their running clocks (NULL for none): the only column of cases
// package sla writes.
func setCaseDue(ctx context.Context, tx *outbox.Tx, ids []string) error {
	if _, err := tx.SQL().ExecContext(ctx, `UPDATE cases c SET sla_due_at = d.due
		FROM (SELECT id, (SELECT min(k.due_at) FROM case_clocks k WHERE k.case_id = id AND k.met_at IS NULL AND k.stopped_at IS NULL) AS due
			FROM unnest($1::uuid[]) AS id) d
		WHERE c.id = d.id AND c.sla_due_at IS DISTINCT FROM d.due`, pq.StringArray(ids)); err != nil {
		return fmt.Errorf("set cases' SLA due time: %w", pg.MapError(err))
	}
	return nil
}

// calendars reads the tenant's calendars by id as Calendars.
func calendars(ctx context.Context, tx *outbox.Tx) (map[string]*Calendar, error) {
	list, err := listCalendars(ctx, tx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*Calendar, len(list))
	for _, b := range list {
		c, err := b.Definition.Calendar()
		if err != nil {
			return nil, fmt.Errorf("business calendar %s: %w", b.ID, err)
		}
		out[b.ID] = c
	}
	return out, nil
}

// policiesOnCalendar returns the ids of the policies whose running clocks
// run on the calendar id: those whose calendar it is and those of the
// clocks on it as their own (a contract's coverage hours).
func policiesOnCalendar(ctx context.Context, tx *outbox.Tx, id string) ([]string, error) {
	var out []string
	if err := tx.SQL().SelectContext(ctx, &out, `SELECT id FROM sla_policies WHERE calendar_id = $1
		UNION SELECT DISTINCT policy_id FROM case_clocks WHERE calendar_id = $1 AND met_at IS NULL AND stopped_at IS NULL`, id); err != nil {
		return nil, fmt.Errorf("find the SLA policies on a calendar: %w", pg.MapError(err))
	}
	return out, nil
}
