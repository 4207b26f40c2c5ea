package attribution

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/attribution"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// lockTenant takes the transaction's lock on its tenant's attribution:
// a touch and a win written at once (by the two consumers, or two
// replicas) would each miss the other and leave the win's credits stale.
func lockTenant(ctx context.Context, tx *outbox.Tx) error {
	_, err := tx.SQL().ExecContext(ctx,
		"SELECT pg_advisory_xact_lock(hashtextextended('marketing-attribution:' || current_setting('app.tenant_id'), 0))")
	if err != nil {
		return fmt.Errorf("lock attribution: %w", pg.MapError(err))
	}
	return nil
}

// addTouch stores t unless a touch of its id is stored already; added
// says whether it was new.
func addTouch(ctx context.Context, tx *outbox.Tx, t Touch) (added bool, err error) {
	res, err := tx.SQL().ExecContext(ctx, `INSERT INTO attribution_touches (tenant_id, id, contact_id, campaign_id, kind, channel,
		opportunity_id, at) VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4, $5, NULLIF($6, '')::uuid, $7) ON CONFLICT DO NOTHING`,
		t.ID, t.ContactID, t.CampaignID, t.Kind, t.Channel, t.OpportunityID, t.At)
	if err != nil {
		return false, fmt.Errorf("add touch: %w", pg.MapError(err))
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// wonAfter returns the ids of the won opportunities of contact a touch
// at credits: closed after at, within attribution.Lookback of it.
func wonAfter(ctx context.Context, tx *outbox.Tx, contact string, at time.Time) ([]string, error) {
	var out []string
	err := tx.SQL().SelectContext(ctx, &out, `SELECT id FROM attribution_opportunities WHERE contact_ids @> ARRAY[$1::uuid]
		AND status = $2 AND NOT deleted AND closed_at > $3 AND closed_at <= $4 ORDER BY id`, contact, statusWon, at, at.Add(attribution.Lookback))
	if err != nil {
		return nil, fmt.Errorf("read won opportunities of a touch: %w", pg.MapError(err))
	}
	return out, nil
}

// campaignsTouched returns the campaign of each touch of contacts in
// [from, before), in the order they happened.
func campaignsTouched(ctx context.Context, tx *outbox.Tx, contacts []string, from, before time.Time) ([]string, error) {
	var out []string
	err := tx.SQL().SelectContext(ctx, &out, `SELECT campaign_id FROM attribution_touches WHERE contact_id = ANY($1::uuid[])
		AND at >= $2 AND at < $3 ORDER BY at, id`, pq.StringArray(contacts), from, before)
	if err != nil {
		return nil, fmt.Errorf("read touches of an opportunity: %w", pg.MapError(err))
	}
	return out, nil
}

// opportunityRow is a row of attribution_opportunities.
type opportunityRow struct {
	ID         string         `db:"id"`
	Status     string         `db:"status"`
	ContactIDs pq.StringArray `db:"contact_ids"`
	Minor      *int64         `db:"amount_minor"`
	Currency   string         `db:"currency"`
	Exponent   int            `db:"exponent"`
	Created    time.Time      `db:"created_at"`
	Closed     *time.Time     `db:"closed_at"`
	Deleted    bool           `db:"deleted"`
	Version    int64          `db:"version"`
}

// saveOpportunity stores o unless a later version of it is stored;
// saved says whether it was.
func saveOpportunity(ctx context.Context, tx *outbox.Tx, o Opportunity) (saved bool, err error) {
	res, err := tx.SQL().ExecContext(ctx, `INSERT INTO attribution_opportunities (tenant_id, id, status, contact_ids, amount_minor,
		currency, exponent, created_at, closed_at, deleted, version) VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4, $5, $6, $7,
		$8, $9, $10) ON CONFLICT (tenant_id, id) DO UPDATE SET status = EXCLUDED.status, contact_ids = EXCLUDED.contact_ids,
		amount_minor = EXCLUDED.amount_minor, currency = EXCLUDED.currency, exponent = EXCLUDED.exponent,
		created_at = EXCLUDED.created_at, closed_at = EXCLUDED.closed_at, deleted = EXCLUDED.deleted, version = EXCLUDED.version
		WHERE attribution_opportunities.version <= EXCLUDED.version`,
		o.ID, o.Status, pq.StringArray(o.ContactIDs), o.Minor, o.Currency, o.Exponent, o.Created, o.Closed, o.Deleted, o.Version)
	if err != nil {
		return false, fmt.Errorf("save opportunity: %w", pg.MapError(err))
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// loadOpportunity reads the opportunity id.
func loadOpportunity(ctx context.Context, tx *outbox.Tx, id string) (Opportunity, error) {
	var r opportunityRow
	if err := tx.SQL().GetContext(ctx, &r, `SELECT id, status, contact_ids, amount_minor, currency, exponent, created_at, closed_at,
		deleted, version FROM attribution_opportunities WHERE id = $1`, id); err != nil {
		return Opportunity{}, fmt.Errorf("read opportunity: %w", pg.MapError(err))
	}
	return Opportunity{ID: r.ID, Status: r.Status, ContactIDs: r.ContactIDs, Minor: r.Minor, Currency: r.Currency,
		Exponent: r.Exponent, Created: r.Created.UTC(), Closed: r.Closed, Deleted: r.Deleted, Version: r.Version}, nil
}

// saveCredits replaces the credits of the opportunity o with credits.
func saveCredits(ctx context.Context, tx *outbox.Tx, o Opportunity, credits []attribution.Credit) error {
	if _, err := tx.SQL().ExecContext(ctx, "DELETE FROM attributed_revenue WHERE opportunity_id = $1", o.ID); err != nil {
		return fmt.Errorf("clear credits: %w", pg.MapError(err))
	}
	for _, c := range credits {
		if _, err := tx.SQL().ExecContext(ctx, `INSERT INTO attributed_revenue (tenant_id, opportunity_id, model, campaign_id, share,
			amount_minor, currency, exponent, closed_at) VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4, $5, $6, $7, $8)`,
			o.ID, c.Model, c.CampaignID, c.Share.Text('f'), c.Minor, o.Currency, o.Exponent, o.Closed); err != nil {
			return fmt.Errorf("save credit: %w", pg.MapError(err))
		}
	}
	return nil
}

// saveLead stores l unless a later version of it is stored; a lead of no
// campaign is removed (its campaign was taken away).
func saveLead(ctx context.Context, tx *outbox.Tx, l Lead) error {
	q := `INSERT INTO attribution_leads (tenant_id, id, campaign_id, created_at, deleted, version) VALUES (` + pgrecord.CurrentTenant +
		`, $1, $2, $3, $4, $5) ON CONFLICT (tenant_id, id) DO UPDATE SET campaign_id = EXCLUDED.campaign_id,
		created_at = EXCLUDED.created_at, deleted = EXCLUDED.deleted, version = EXCLUDED.version
		WHERE attribution_leads.version <= EXCLUDED.version`
	args := []any{l.ID, l.CampaignID, l.CreatedAt, l.DeletedAt != nil, l.Version}
	if l.CampaignID == "" {
		q, args = "DELETE FROM attribution_leads WHERE id = $1 AND version <= $2", []any{l.ID, l.Version}
	}
	if _, err := tx.SQL().ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("save lead: %w", pg.MapError(err))
	}
	return nil
}

// touchRow is a row of attribution_touches.
type touchRow struct {
	ID            string    `db:"id"`
	ContactID     string    `db:"contact_id"`
	CampaignID    string    `db:"campaign_id"`
	Kind          string    `db:"kind"`
	Channel       string    `db:"channel"`
	OpportunityID *string   `db:"opportunity_id"`
	At            time.Time `db:"at"`
}

// listTouches reads up to n touches of contact after the touch key after
// ("" for the first), in the order they happened.
func listTouches(ctx context.Context, tx *outbox.Tx, contact string, after touchKey, n int) ([]Touch, error) {
	q := pgrecord.Query{}
	q.Add("contact_id = ?", contact)
	if after.ID != "" {
		q.Add("(at, id) > (?::timestamptz, ?::uuid)", after.At, after.ID)
	}
	var rows []touchRow
	if err := tx.SQL().SelectContext(ctx, &rows, `SELECT id, contact_id, campaign_id, kind, channel, opportunity_id, at
		FROM attribution_touches`+q.Where()+fmt.Sprintf(" ORDER BY at, id LIMIT %d", n), q.Args...); err != nil {
		return nil, fmt.Errorf("list touches: %w", pg.MapError(err))
	}
	out := make([]Touch, len(rows))
	for i, r := range rows {
		out[i] = Touch{ID: r.ID, ContactID: r.ContactID, CampaignID: r.CampaignID, Kind: r.Kind, Channel: r.Channel, At: r.At.UTC()}
		if r.OpportunityID != nil {
			out[i].OpportunityID = *r.OpportunityID
		}
	}
	return out, nil
}
