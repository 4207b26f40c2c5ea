package deals

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/sales/internal/pgstore"
	"github.com/rapport-crm/rapport/services/sales/money"
)

// opportunityRow is a row of opportunities.
type opportunityRow struct {
	ID               string         `db:"id"`
	Name             string         `db:"name"`
	AccountID        *string        `db:"account_id"`
	PrimaryContactID *string        `db:"primary_contact_id"`
	ContactRoles     []byte         `db:"contact_roles"`
	AmountMinor      *int64         `db:"amount_minor"`
	Currency         *string        `db:"currency"`
	CloseDate        *string        `db:"close_date"`
	PipelineID       string         `db:"pipeline_id"`
	StageID          string         `db:"stage_id"`
	Status           string         `db:"status"`
	Probability      int            `db:"probability"`
	ForecastCategory string         `db:"forecast_category"`
	OwnerID          string         `db:"owner_id"`
	TeamID           string         `db:"team_id"`
	NextStep         string         `db:"next_step"`
	LostReason       string         `db:"lost_reason"`
	Competitors      pq.StringArray `db:"competitors"`
	ClosedAt         *time.Time     `db:"closed_at"`
	CreatedAt        time.Time      `db:"created_at"`
	UpdatedAt        time.Time      `db:"updated_at"`
	Version          int64          `db:"version"`
	DeletedAt        *time.Time     `db:"deleted_at"`
	PriceBookID      *string        `db:"price_book_id"`
	LineItems        []byte         `db:"line_items"`
	Tags             pq.StringArray `db:"tags"`
	CustomFields     []byte         `db:"custom_fields"`
}

// opportunityColumns are the columns of an opportunityRow, in the order
// saveOpportunity binds them.
const opportunityColumns = `id, name, account_id, primary_contact_id, contact_roles, amount_minor, currency, close_date::text AS close_date,
	pipeline_id, stage_id, status, probability, owner_id, team_id, next_step, lost_reason, competitors, closed_at,
	created_at, updated_at, version, deleted_at, forecast_category, price_book_id, line_items, tags, custom_fields`

// opportunity is the Opportunity of r.
func (r opportunityRow) opportunity() (Opportunity, error) {
	o := Opportunity{ID: r.ID, Name: r.Name, PipelineID: r.PipelineID, StageID: r.StageID, Status: r.Status, ForecastCategory: r.ForecastCategory, OwnerID: r.OwnerID,
		TeamID: r.TeamID, NextStep: r.NextStep, LostReason: r.LostReason, Competitors: append([]string{}, r.Competitors...),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version, Tags: append([]string{}, r.Tags...)}
	p := r.Probability
	o.Probability = &p
	o.AccountID, o.PrimaryContactID, o.CloseDate, o.PriceBookID = pgrecord.Deref(r.AccountID), pgrecord.Deref(r.PrimaryContactID), pgrecord.Deref(r.CloseDate), pgrecord.Deref(r.PriceBookID)
	if r.AmountMinor != nil && r.Currency != nil {
		exp, _ := money.Exponent(*r.Currency)
		o.Amount = &Money{Minor: *r.AmountMinor, Currency: *r.Currency, Exponent: &exp}
	}
	for _, t := range []**time.Time{&r.ClosedAt, &r.DeletedAt} {
		if *t != nil {
			u := (*t).UTC()
			*t = &u
		}
	}
	o.ClosedAt, o.DeletedAt = r.ClosedAt, r.DeletedAt
	if err := json.Unmarshal(r.ContactRoles, &o.ContactRoles); err != nil {
		return o, fmt.Errorf("read contact roles: %w", err)
	}
	if err := json.Unmarshal(r.LineItems, &o.LineItems); err != nil {
		return o, fmt.Errorf("read line items: %w", err)
	}
	if err := json.Unmarshal(r.CustomFields, &o.CustomFields); err != nil {
		return o, fmt.Errorf("read custom fields: %w", err)
	}
	return o, nil
}

// saveOpportunity inserts or updates o's row.
func saveOpportunity(ctx context.Context, tx *outbox.Tx, o *Opportunity, insert bool) error {
	roles, err := json.Marshal(o.ContactRoles)
	if err != nil {
		return err
	}
	lines, err := json.Marshal(o.LineItems)
	if err != nil {
		return err
	}
	values, err := json.Marshal(o.CustomFields)
	if err != nil {
		return err
	}
	keys := make([]string, len(o.Tags))
	for i, t := range o.Tags {
		keys[i] = strings.ToLower(t)
	}
	var minor, cur any
	if o.Amount != nil {
		minor, cur = o.Amount.Minor, o.Amount.Currency
	}
	args := []any{o.ID, o.Name, pgrecord.OrNull(o.AccountID), pgrecord.OrNull(o.PrimaryContactID), string(roles), minor, cur, pgrecord.OrNull(o.CloseDate),
		o.PipelineID, o.StageID, o.Status, *o.Probability, o.OwnerID, o.TeamID, o.NextStep, o.LostReason, pq.StringArray(o.Competitors),
		o.ClosedAt, o.CreatedAt, o.UpdatedAt, o.Version, o.DeletedAt, o.ForecastCategory, pgrecord.OrNull(o.PriceBookID), string(lines),
		pq.StringArray(o.Tags), pq.StringArray(keys), string(values)}
	q := `UPDATE opportunities SET name = $2, account_id = $3, primary_contact_id = $4, contact_roles = $5, amount_minor = $6, currency = $7,
		close_date = $8, pipeline_id = $9, stage_id = $10, status = $11, probability = $12, owner_id = $13, team_id = $14, next_step = $15,
		lost_reason = $16, competitors = $17, closed_at = $18, created_at = $19, updated_at = $20, version = $21, deleted_at = $22, forecast_category = $23,
		price_book_id = $24, line_items = $25, tags = $26, tag_keys = $27, custom_fields = $28 WHERE id = $1`
	if insert {
		q = `INSERT INTO opportunities (tenant_id, id, name, account_id, primary_contact_id, contact_roles, amount_minor, currency, close_date,
			pipeline_id, stage_id, status, probability, owner_id, team_id, next_step, lost_reason, competitors, closed_at,
			created_at, updated_at, version, deleted_at, forecast_category, price_book_id, line_items, tags, tag_keys, custom_fields)
			VALUES (` + pgrecord.CurrentTenant + `, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25,
			$26, $27, $28)`
	}
	if _, err := tx.SQL().ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("save opportunity: %w", pg.MapError(err))
	}
	return nil
}

// getOpportunity reads one opportunity, locking it when lock, as a read
// shows it (opportunitiesOf).
func getOpportunity(ctx context.Context, tx *outbox.Tx, id string, lock bool) (*Opportunity, error) {
	var r opportunityRow
	if err := pgrecord.GetRow(ctx, tx, &r, "opportunities", opportunityColumns, id, lock, ErrOpportunityNotFound, "opportunity"); err != nil {
		return nil, err
	}
	list, err := opportunitiesOf(ctx, tx, []opportunityRow{r})
	if err != nil {
		return nil, err
	}
	return &list[0], nil
}

// StageMove is an opportunity's move from one stage to another, as its
// stage_changed event carries it.
type StageMove struct {
	Opportunity *Opportunity `json:"opportunity"`
	From        StageRef     `json:"from"`
	To          StageRef     `json:"to"`
	MovedBy     string       `json:"movedBy"`
}

// StageRef names a stage of a pipeline.
type StageRef struct {
	PipelineID string `json:"pipelineId"`
	StageID    string `json:"stageId"`
	Name       string `json:"name"`
	Kind       string `json:"kind"`
}

// OpportunityChange is what a change of an opportunity did: the verb of
// its event ("" when nothing changed), the fields an update changed, and
// its stage move, if any.
type OpportunityChange struct {
	Verb   string
	Fields []string
	Move   *StageMove
}

// CreateOpportunity stores a new opportunity in its first stage, at once
// its first stage history entry, and publishes opportunity.created.
func (s *Store) CreateOpportunity(ctx context.Context, tenant string, o *Opportunity, stage func(*Pipeline) (Stage, error), by string) error {
	return s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error { return createOpportunityIn(ctx, tx, o, stage, by) })
}

// createOpportunityIn is CreateOpportunity in tx, a transaction of the
// tenant's that the caller opened (a lead's conversion). Its custom field
// values are checked against the definitions read in tx (checkFields).
func createOpportunityIn(ctx context.Context, tx *outbox.Tx, o *Opportunity, stage func(*Pipeline) (Stage, error), by string) error {
	p, err := getPipeline(ctx, tx, o.PipelineID, false)
	if err != nil {
		return err
	}
	st, err := stage(p)
	if err != nil {
		return err
	}
	if err := checkFields(ctx, tx, o); err != nil {
		return err
	}
	if err := saveOpportunity(ctx, tx, o, true); err != nil {
		return err
	}
	if err := applyTotals(ctx, tx, nil, o); err != nil {
		return err
	}
	if err := enterStage(ctx, tx, o.ID, st, by, o.CreatedAt); err != nil {
		return err
	}
	return tx.Emit(ctx, pgstore.EntityOpportunity, pgstore.VerbCreated, o.ID, o, nil)
}

// Opportunity reads an opportunity, deleted or not.
func (s *Store) Opportunity(ctx context.Context, tenant, id string) (o *Opportunity, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		o, err = getOpportunity(ctx, tx, id, false)
		return err
	})
	return o, err
}

// Pipelines gives a change the tenant's pipelines in its transaction.
type Pipelines func(id string) (*Pipeline, error)

// UpdateOpportunity changes the opportunity id in a transaction of tenant,
// the one way it is written: it locks and reads it, change returns what
// it becomes and what happened, and unless nothing did, it is written, a
// stage move closes the current history entry and opens the next, and the
// board's totals follow (applyTotals), and the events go to the outbox:
// the verb's, then for a move stage_changed, and
// won or lost when it closed the deal so.
func (s *Store) UpdateOpportunity(ctx context.Context, tenant, id string,
	change func(current *Opportunity, pipelines Pipelines) (*Opportunity, OpportunityChange, error)) (*Opportunity, OpportunityChange, error) {
	return s.updateOpportunity(ctx, tenant, id, func(tx *outbox.Tx, current *Opportunity) (*Opportunity, OpportunityChange, error) {
		return change(current, func(pid string) (*Pipeline, error) { return getPipeline(ctx, tx, pid, false) })
	})
}

// updateOpportunity is UpdateOpportunity with change given the transaction.
func (s *Store) updateOpportunity(ctx context.Context, tenant, id string,
	change func(tx *outbox.Tx, current *Opportunity) (*Opportunity, OpportunityChange, error)) (*Opportunity, OpportunityChange, error) {
	var out *Opportunity
	var ch OpportunityChange
	err := s.db.InTx(ctx, tenant, func(tx *outbox.Tx) (err error) {
		out, ch, err = updateOpportunityIn(ctx, tx, id, change)
		return err
	})
	return out, ch, err
}

// updateOpportunityIn is updateOpportunity in tx, a transaction of the
// tenant's that the caller opened (an event consumer's, with its inbox
// insert).
func updateOpportunityIn(ctx context.Context, tx *outbox.Tx, id string,
	change func(tx *outbox.Tx, current *Opportunity) (*Opportunity, OpportunityChange, error)) (*Opportunity, OpportunityChange, error) {
	current, err := getOpportunity(ctx, tx, id, true)
	if err != nil {
		return nil, OpportunityChange{}, err
	}
	next, ch, err := change(tx, current)
	if err != nil {
		return nil, OpportunityChange{}, err
	}
	if ch.Verb == "" {
		return next, ch, nil
	}
	if err := saveOpportunity(ctx, tx, next, false); err != nil {
		return nil, ch, err
	}
	if err := applyTotals(ctx, tx, current, next); err != nil {
		return nil, ch, err
	}
	if err := tx.Emit(ctx, pgstore.EntityOpportunity, ch.Verb, id, next, ch.Fields); err != nil {
		return nil, ch, err
	}
	if ch.Move == nil {
		return next, ch, nil
	}
	if err := leaveStage(ctx, tx, id, next.UpdatedAt); err != nil {
		return nil, ch, err
	}
	to := Stage{ID: ch.Move.To.StageID, Name: ch.Move.To.Name}
	if err := enterStage(ctx, tx, id, to, ch.Move.MovedBy, next.UpdatedAt); err != nil {
		return nil, ch, err
	}
	if err := tx.Emit(ctx, pgstore.EntityOpportunity, pgstore.VerbStageChanged, id, ch.Move, nil); err != nil {
		return nil, ch, err
	}
	if next.Status != current.Status && next.Status != StatusOpen {
		if err := tx.Emit(ctx, pgstore.EntityOpportunity, next.Status, id, next, nil); err != nil {
			return nil, ch, err
		}
	}
	return next, ch, nil
}

// enterStage opens a stage history entry of the opportunity id.
func enterStage(ctx context.Context, tx *outbox.Tx, id string, st Stage, by string, at time.Time) error {
	_, err := tx.SQL().ExecContext(ctx, `INSERT INTO opportunity_stage_history (tenant_id, id, opportunity_id, stage_id, stage_name, entered_at, entered_by)
		VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4, $5, $6)`, ids.New(), id, st.ID, st.Name, at, by)
	if err != nil {
		return fmt.Errorf("enter stage: %w", pg.MapError(err))
	}
	return nil
}

// leaveStage closes the open stage history entry of the opportunity id.
func leaveStage(ctx context.Context, tx *outbox.Tx, id string, at time.Time) error {
	if _, err := tx.SQL().ExecContext(ctx, "UPDATE opportunity_stage_history SET left_at = $2 WHERE opportunity_id = $1 AND left_at IS NULL", id, at); err != nil {
		return fmt.Errorf("leave stage: %w", pg.MapError(err))
	}
	return nil
}

// StageVisit is one stay of an opportunity in a stage. SecondsInStage is its
// time in the stage, until now for the current stage.
type StageVisit struct {
	StageID        string     `json:"stageId" db:"stage_id"`
	StageName      string     `json:"stageName" db:"stage_name"`
	EnteredAt      time.Time  `json:"enteredAt" db:"entered_at"`
	LeftAt         *time.Time `json:"leftAt,omitempty" db:"left_at"`
	EnteredBy      string     `json:"enteredBy" db:"entered_by"`
	SecondsInStage int64      `json:"secondsInStage" db:"-"`
}

// StageHistory returns the stage history of the opportunity id, oldest
// first, with the time in each stage until now.
func (s *Store) StageHistory(ctx context.Context, tenant, id string, now time.Time) (out []StageVisit, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		if err := tx.SQL().SelectContext(ctx, &out, `SELECT stage_id, stage_name, entered_at, left_at, entered_by FROM opportunity_stage_history
			WHERE opportunity_id = $1 ORDER BY entered_at, id`, id); err != nil {
			return fmt.Errorf("stage history: %w", pg.MapError(err))
		}
		return nil
	})
	for i := range out {
		v := &out[i]
		v.EnteredAt = v.EnteredAt.UTC()
		end := now
		if v.LeftAt != nil {
			t := v.LeftAt.UTC()
			v.LeftAt, end = &t, t
		}
		v.SecondsInStage = int64(end.Sub(v.EnteredAt) / time.Second)
	}
	return out, err
}

// opportunitiesIn counts the opportunities, deleted ones too, in the
// stages (every stage of the pipeline when stages is nil).
func opportunitiesIn(ctx context.Context, tx *outbox.Tx, pipelineID string, stages []string) (int, error) {
	q, args := "SELECT count(*) FROM opportunities WHERE pipeline_id = $1", []any{pipelineID}
	if stages != nil {
		q += " AND stage_id = ANY($2::uuid[])"
		args = append(args, pq.StringArray(stages))
	}
	var n int
	if err := tx.SQL().GetContext(ctx, &n, q, args...); err != nil {
		return 0, fmt.Errorf("count opportunities: %w", pg.MapError(err))
	}
	return n, nil
}
