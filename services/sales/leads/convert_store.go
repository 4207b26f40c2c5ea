package leads

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/sales/deals"
	"github.com/rapport-crm/rapport/services/sales/internal/pgstore"
)

// convert writes the conversion of the lead id by p in one transaction of
// its tenant: it locks the lead, refuses one converted (or deleted, or out
// of p's scope) meanwhile, runs create (the opportunity's insert; nil for
// none), writes the lead converted at now into what it became, publishing
// lead.updated with the changed fields and lead.converted, and keeps
// attempt (its digest; "" keeps none) with into's actions for convertedBy.
// It returns into with the lead converted; or, when attempt converted the
// lead meanwhile (a retry that overtook its first try), that first
// conversion, writing nothing.
func (s *Store) convert(ctx context.Context, p auth.Principal, id, attempt string, now time.Time, into *Conversion, create func(*outbox.Tx) error) (*Conversion, error) {
	var out *Conversion
	err := s.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		old, err := get(ctx, tx, id, true)
		switch {
		case err != nil:
			return err
		case old.DeletedAt != nil || !deals.InScope(p, old.OwnerID, old.TeamID):
			return ErrNotFound
		case old.Status == StatusConverted:
			if out, err = keptIn(ctx, tx, old, attempt); err != nil || out != nil {
				return err
			}
			return alreadyConverted(old)
		}
		if create != nil {
			if err := create(tx); err != nil {
				return err
			}
		}
		next := *old
		next.Status, next.DisqualifiedReason = StatusConverted, ""
		next.ConvertedContactID, next.ConvertedAccountID, next.ConvertedOpportunityID = into.ContactID, into.AccountID, into.OpportunityID
		next.ConvertedAt, next.UpdatedAt, next.Version = &now, now, old.Version+1
		if err := save(ctx, tx, &next, false); err != nil {
			return err
		}
		if attempt != "" {
			if _, err := tx.SQL().ExecContext(ctx, `INSERT INTO lead_conversion_attempts (tenant_id, lead_id, attempt, contact_action, account_action)
				VALUES ($1, $2, $3, $4, $5)`, p.TenantID, id, attempt, into.ContactAction, into.AccountAction); err != nil {
				return pg.MapError(err)
			}
		}
		changed, err := events.ChangedFields(old, &next)
		if err != nil {
			return err
		}
		if err := tx.Emit(ctx, pgstore.EntityLead, pgstore.VerbUpdated, id, &next, changed); err != nil {
			return err
		}
		into.Lead, out = next, into
		return tx.Emit(ctx, pgstore.EntityLead, pgstore.VerbConverted, id, &next, nil)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// convertedBy returns the conversion of the converted lead l as its
// conversion answered, when attempt (its digest) converted it; nil when
// another attempt, or one without a key, did.
func (s *Store) convertedBy(ctx context.Context, tenant string, l *Lead, attempt string) (out *Conversion, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		out, err = keptIn(ctx, tx, l, attempt)
		return err
	})
	return out, err
}

// keptIn is convertedBy in tx, a transaction of l's tenant; nil for the
// attempt "".
func keptIn(ctx context.Context, tx *outbox.Tx, l *Lead, attempt string) (*Conversion, error) {
	if attempt == "" {
		return nil, nil
	}
	var kept struct {
		Contact string `db:"contact_action"`
		Account string `db:"account_action"`
	}
	err := tx.SQL().GetContext(ctx, &kept, `SELECT contact_action, account_action FROM lead_conversion_attempts
		WHERE lead_id = $1 AND attempt = $2`, l.ID, attempt)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, pg.MapError(err)
	}
	return &Conversion{Lead: *l, ContactID: l.ConvertedContactID, ContactAction: kept.Contact, AccountID: l.ConvertedAccountID,
		AccountAction: kept.Account, OpportunityID: l.ConvertedOpportunityID}, nil
}
