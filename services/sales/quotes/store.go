package quotes

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/numbering"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/sales/deals"
	"github.com/rapport-crm/rapport/services/sales/internal/pgstore"
	"github.com/rapport-crm/rapport/services/sales/money"
)

// Store keeps quotes, their revisions and history, the tenants' quote
// numbers and settings in PostgreSQL, in tenant transactions.
type Store struct{ db *outbox.DB }

// NewStore returns the Store on db.
func NewStore(db *outbox.DB) *Store { return &Store{db: db} }

// quoteRow is a row of quotes joined to its current revision.
type quoteRow struct {
	ID             string    `db:"id"`
	Number         string    `db:"number"`
	OpportunityID  string    `db:"opportunity_id"`
	Revision       int       `db:"revision"`
	State          string    `db:"state"`
	OwnerID        string    `db:"owner_id"`
	TeamID         string    `db:"team_id"`
	ApprovalLevels int       `db:"approval_levels"`
	ApprovedLevels int       `db:"approved_levels"`
	Approvers      []byte    `db:"approvers"`
	CreatedBy      string    `db:"created_by"`
	CreatedAt      time.Time `db:"created_at"`
	UpdatedAt      time.Time `db:"updated_at"`
	Version        int64     `db:"version"`
	revisionRow
}

// revisionRow is a row of quote_revisions.
type revisionRow struct {
	Name        string    `db:"name"`
	AccountID   *string   `db:"account_id"`
	ContactID   *string   `db:"contact_id"`
	AccountName string    `db:"account_name"`
	ContactName string    `db:"contact_name"`
	PriceBookID string    `db:"price_book_id"`
	Currency    string    `db:"currency"`
	LineItems   []byte    `db:"line_items"`
	TotalMinor  int64     `db:"total_minor"`
	RevCreated  string    `db:"rev_created_by"`
	RevAt       time.Time `db:"rev_created_at"`
}

// quoteSelect reads quoteRows: q the quote, r its current revision.
const quoteSelect = `SELECT q.id, q.number, q.opportunity_id, q.revision, q.state, q.owner_id, q.team_id, q.approval_levels, q.approved_levels,
	q.approvers, q.created_by, q.created_at, q.updated_at, q.version, r.name, r.account_id, r.contact_id, r.account_name, r.contact_name, r.price_book_id, r.currency,
	r.line_items, r.total_minor, r.created_by AS rev_created_by, r.created_at AS rev_created_at
	FROM quotes q JOIN quote_revisions r ON r.quote_id = q.id AND r.revision = q.revision`

// total is the money of minor units in currency.
func total(minor int64, currency string) money.Money {
	exp, _ := money.Exponent(currency)
	return money.Money{Minor: minor, Currency: currency, Exponent: &exp}
}

// quote is the Quote of r, without its history.
func (r quoteRow) quote() (*Quote, error) {
	q := &Quote{ID: r.ID, Number: r.Number, Revision: r.Revision, OpportunityID: r.OpportunityID, Name: r.Name, AccountID: pgrecord.Deref(r.AccountID),
		ContactID: pgrecord.Deref(r.ContactID), AccountName: r.AccountName, ContactName: r.ContactName, OwnerID: r.OwnerID, TeamID: r.TeamID, PriceBookID: r.PriceBookID, Currency: r.Currency,
		Total: total(r.TotalMinor, r.Currency), State: r.State, ApprovalLevels: r.ApprovalLevels, ApprovedLevels: r.ApprovedLevels,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
	if err := json.Unmarshal(r.LineItems, &q.LineItems); err != nil {
		return nil, fmt.Errorf("read quote lines: %w", err)
	}
	if err := json.Unmarshal(r.Approvers, &q.levels); err != nil {
		return nil, fmt.Errorf("read quote approvers: %w", err)
	}
	q.settleApprovers()
	return q, nil
}

// getQuote reads the quote id with its history, locking it when lock.
func getQuote(ctx context.Context, tx *outbox.Tx, id string, lock bool) (*Quote, error) {
	query := quoteSelect + " WHERE q.id = $1"
	if lock {
		query += " FOR UPDATE OF q"
	}
	var r quoteRow
	if err := tx.SQL().GetContext(ctx, &r, query, id); err != nil {
		if errs.KindOf(pg.MapError(err)) == errs.NotFound {
			return nil, ErrQuoteNotFound
		}
		return nil, fmt.Errorf("read quote: %w", pg.MapError(err))
	}
	q, err := r.quote()
	if err != nil {
		return nil, err
	}
	var steps []stepRow
	if err := tx.SQL().SelectContext(ctx, &steps, `SELECT revision, action, from_state, to_state, level, by_user, at, comment
		FROM quote_history WHERE quote_id = $1 ORDER BY id`, id); err != nil {
		return nil, fmt.Errorf("read quote history: %w", pg.MapError(err))
	}
	for _, s := range steps {
		q.record(s.step())
	}
	return q, nil
}

// stepRow is a row of quote_history.
type stepRow struct {
	Revision int       `db:"revision"`
	Action   string    `db:"action"`
	From     string    `db:"from_state"`
	To       string    `db:"to_state"`
	Level    int       `db:"level"`
	By       string    `db:"by_user"`
	At       time.Time `db:"at"`
	Comment  string    `db:"comment"`
}

// step is the Step of r.
func (r stepRow) step() Step {
	return Step{Revision: r.Revision, Action: r.Action, From: r.From, To: r.To, Level: r.Level, By: r.By, At: r.At.UTC(), Comment: r.Comment}
}

// saveQuote inserts or updates q's row.
func saveQuote(ctx context.Context, tx *outbox.Tx, q *Quote, insert bool) error {
	approvers, err := json.Marshal(q.levels)
	if err != nil {
		return err
	}
	args := []any{q.ID, q.Number, q.OpportunityID, q.Revision, q.State, q.OwnerID, q.TeamID, q.ApprovalLevels, q.ApprovedLevels, string(approvers),
		q.CreatedBy, q.CreatedAt, q.UpdatedAt, q.Version}
	query := `UPDATE quotes SET number = $2, opportunity_id = $3, revision = $4, state = $5, owner_id = $6, team_id = $7, approval_levels = $8,
		approved_levels = $9, approvers = $10, created_by = $11, created_at = $12, updated_at = $13, version = $14 WHERE id = $1`
	if insert {
		query = `INSERT INTO quotes (tenant_id, id, number, opportunity_id, revision, state, owner_id, team_id, approval_levels, approved_levels,
			approvers, created_by, created_at, updated_at, version)
			VALUES (` + pgrecord.CurrentTenant + `, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`
	}
	if _, err := tx.SQL().ExecContext(ctx, query, args...); err != nil {
		return fmt.Errorf("save quote: %w", pg.MapError(err))
	}
	return nil
}

// insertRevision stores q's current revision.
func insertRevision(ctx context.Context, tx *outbox.Tx, q *Quote, by string, at time.Time) error {
	lines, err := json.Marshal(q.LineItems)
	if err != nil {
		return err
	}
	_, err = tx.SQL().ExecContext(ctx, `INSERT INTO quote_revisions (tenant_id, quote_id, revision, name, account_id, contact_id, account_name,
		contact_name, price_book_id, currency, line_items, total_minor, created_by, created_at)
		VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		q.ID, q.Revision, q.Name, pgrecord.OrNull(q.AccountID), pgrecord.OrNull(q.ContactID), q.AccountName, q.ContactName, q.PriceBookID, q.Currency, string(lines), q.Total.Minor, by, at)
	if err != nil {
		return fmt.Errorf("save quote revision: %w", pg.MapError(err))
	}
	return nil
}

// insertStep appends s to the history of the quote id.
func insertStep(ctx context.Context, tx *outbox.Tx, id string, s Step) error {
	_, err := tx.SQL().ExecContext(ctx, `INSERT INTO quote_history (tenant_id, id, quote_id, revision, action, from_state, to_state, level,
		by_user, at, comment) VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		ids.New(), id, s.Revision, s.Action, s.From, s.To, s.Level, s.By, s.At, s.Comment)
	if err != nil {
		return fmt.Errorf("save quote history: %w", pg.MapError(err))
	}
	return nil
}

// nextNumber takes the next quote number of the transaction's tenant in
// year (libs/numbering, sequence "quote" scoped by the year): concurrent
// creates take consecutive numbers and a rollback gives the number back.
func nextNumber(ctx context.Context, tx *outbox.Tx, year int) (int64, error) {
	return numbering.Next(ctx, tx.SQL(), "quote", strconv.Itoa(year))
}

// Opportunity gives a change the opportunity of the quote, read in its
// transaction.
type Opportunity func(id string) (*deals.Opportunity, error)

// Create stores the quote build makes of the opportunity id, read in the
// same transaction, numbering it the next of the tenant in its creation
// year, with its first revision and history step, and publishes
// quote.created.
func (s *Store) Create(ctx context.Context, tenant, opportunityID string, build func(o *deals.Opportunity) (*Quote, Step, error)) (out *Quote, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		o, err := deals.OpportunityIn(ctx, tx, opportunityID, false)
		if err != nil {
			return err
		}
		q, step, err := build(o)
		if err != nil {
			return err
		}
		if err := deals.CheckLinePrices(ctx, tx, o, q.CreatedAt); err != nil {
			return err
		}
		n, err := nextNumber(ctx, tx, q.CreatedAt.UTC().Year())
		if err != nil {
			return err
		}
		q.Number = number(q.CreatedAt.UTC().Year(), n)
		if err := saveQuote(ctx, tx, q, true); err != nil {
			return err
		}
		if err := insertRevision(ctx, tx, q, q.CreatedBy, q.CreatedAt); err != nil {
			return err
		}
		if err := insertStep(ctx, tx, q.ID, step); err != nil {
			return err
		}
		q.record(step)
		out = q
		return tx.Emit(ctx, pgstore.EntityQuote, pgstore.VerbCreated, q.ID, q, nil)
	})
	return out, err
}

// Change is what a change of a quote did: the verb of its event ("" when
// nothing changed), the fields an update changed, the step it took, and
// whether it made a new revision.
type Change struct {
	Verb        string
	Fields      []string
	Step        Step
	NewRevision bool
}

// Update changes the quote id in a transaction of tenant, the one way it
// is written: it locks and reads it, change returns what it becomes, and
// unless nothing changed the row is written with the new revision and the
// step, and the event goes to the outbox: quote.updated with the quote and
// its changed fields, or the step's verb with the quote and the step.
func (s *Store) Update(ctx context.Context, tenant, id string,
	change func(current *Quote, opportunity Opportunity) (*Quote, Change, error)) (out *Quote, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		current, err := getQuote(ctx, tx, id, true)
		if err != nil {
			return err
		}
		next, ch, err := change(current, func(oid string) (*deals.Opportunity, error) { return pricedOpportunity(ctx, tx, oid) })
		if err != nil || ch.Verb == "" {
			out = next
			return err
		}
		if err := saveQuote(ctx, tx, next, false); err != nil {
			return err
		}
		if ch.NewRevision {
			if err := insertRevision(ctx, tx, next, ch.Step.By, ch.Step.At); err != nil {
				return err
			}
		}
		if err := insertStep(ctx, tx, id, ch.Step); err != nil {
			return err
		}
		next.record(ch.Step)
		out = next
		if ch.Verb == pgstore.VerbUpdated {
			return tx.Emit(ctx, pgstore.EntityQuote, ch.Verb, id, next, ch.Fields)
		}
		return tx.Emit(ctx, pgstore.EntityQuote, ch.Verb, id, Transition{Quote: next, Step: ch.Step}, nil)
	})
	return out, err
}

// Quote reads the quote id with its history.
func (s *Store) Quote(ctx context.Context, tenant, id string) (q *Quote, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		q, err = getQuote(ctx, tx, id, false)
		return err
	})
	return q, err
}

// Filter selects quotes: each set field must match.
type Filter struct {
	OpportunityID, State string
	// AwaitingMe selects the quotes pending approval whose pending level
	// the caller may decide, in their record scope or not (an approver
	// sees the quotes they are to decide).
	AwaitingMe bool
}

// Quotes returns up to limit quotes p may see that f selects, newest
// first, after the id after ("" from the first), without their history.
func (s *Store) Quotes(ctx context.Context, tenant string, p auth.Principal, f Filter, after string, limit int) (out []Quote, err error) {
	where := &pgrecord.Query{}
	if f.OpportunityID != "" {
		where.Add("q.opportunity_id = ?", f.OpportunityID)
	}
	if f.State != "" {
		where.Add("q.state = ?", f.State)
	}
	if after != "" {
		where.Add("q.id < ?", after)
	}
	if f.AwaitingMe {
		where.Add("q.state = ?", StatePending)
		where.Add("q.approvers -> q.approved_levels @> jsonb_build_array(?::text)", p.UserID)
	} else {
		deals.Scope(where, p, "q.")
	}
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		var rows []quoteRow
		if err := tx.SQL().SelectContext(ctx, &rows, quoteSelect+where.Where()+" ORDER BY q.id DESC LIMIT "+strconv.Itoa(limit), where.Args...); err != nil {
			return fmt.Errorf("list quotes: %w", pg.MapError(err))
		}
		out = make([]Quote, 0, len(rows))
		for _, r := range rows {
			q, err := r.quote()
			if err != nil {
				return err
			}
			out = append(out, *q)
		}
		return nil
	})
	return out, err
}

// Revision reads revision n of the quote id; ErrRevisionNotFound when it
// has none.
func (s *Store) Revision(ctx context.Context, tenant, id string, n int) (out *Revision, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		var r struct {
			Number string `db:"number"`
			revisionRow
		}
		err := tx.SQL().GetContext(ctx, &r, `SELECT q.number, r.name, r.account_id, r.contact_id, r.account_name, r.contact_name, r.price_book_id, r.currency, r.line_items,
			r.total_minor, r.created_by AS rev_created_by, r.created_at AS rev_created_at
			FROM quote_revisions r JOIN quotes q ON q.id = r.quote_id WHERE r.quote_id = $1 AND r.revision = $2`, id, n)
		if errs.KindOf(pg.MapError(err)) == errs.NotFound {
			return ErrRevisionNotFound
		}
		if err != nil {
			return fmt.Errorf("read quote revision: %w", pg.MapError(err))
		}
		out = &Revision{QuoteID: id, Number: r.Number, Revision: n, Name: r.Name, AccountID: pgrecord.Deref(r.AccountID), ContactID: pgrecord.Deref(r.ContactID),
			AccountName: r.AccountName, ContactName: r.ContactName, PriceBookID: r.PriceBookID, Currency: r.Currency, Total: total(r.TotalMinor, r.Currency), CreatedBy: r.RevCreated, CreatedAt: r.RevAt.UTC()}
		return json.Unmarshal(r.LineItems, &out.LineItems)
	})
	return out, err
}

// pricedOpportunity reads the opportunity id in tx for a quote made of
// its line items, which its price book must still price today: a product
// it no longer prices is catalog.ErrNoPrice naming the line.
func pricedOpportunity(ctx context.Context, tx *outbox.Tx, id string) (*deals.Opportunity, error) {
	o, err := deals.OpportunityIn(ctx, tx, id, false)
	if err != nil {
		return nil, err
	}
	if o.DeletedAt != nil {
		return o, nil
	}
	return o, deals.CheckLinePrices(ctx, tx, o, time.Now())
}
