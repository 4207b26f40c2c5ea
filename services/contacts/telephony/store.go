package telephony

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/phone"

	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// defaultRegion returns the tenant's default phone region.
func defaultRegion(ctx context.Context, tx *pgstore.Tx) (string, error) {
	var region sql.NullString
	err := tx.SQL().GetContext(ctx, &region, "SELECT (SELECT default_region FROM settings)")
	if err != nil {
		return "", fmt.Errorf("read the default region: %w", pg.MapError(err))
	}
	return cmp.Or(region.String, phone.DefaultRegion), nil
}

// match is a contact having a number, with its account when the caller
// may see it (AccID NULL otherwise).
type match struct {
	Contact
	AccID     sql.NullString `db:"a_id"`
	AccName   string         `db:"a_name"`
	AccDomain string         `db:"a_domain"`
	AccOwner  string         `db:"a_owner_id"`
}

// findByPhone returns up to limit live contacts p may see having the
// number e164, the most recently active first, and their live accounts p
// may see. The number's match keys (contact_match_keys, kind "phone",
// which duplicate checks read) give the contacts by primary key, each
// looked up by its own primary key: a few index probes at any size.
func findByPhone(ctx context.Context, tx *pgstore.Tx, p auth.Principal, e164 string, limit int) ([]Contact, []Account, error) {
	q, args := phoneSQL(p, e164, limit)
	var rows []match
	if err := tx.SQL().SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, nil, fmt.Errorf("find by phone: %w", pg.MapError(err))
	}
	contacts, accounts := make([]Contact, 0, len(rows)), []Account{}
	seen := map[string]bool{}
	for _, r := range rows {
		contacts = append(contacts, r.Contact)
		if id := r.AccID.String; r.AccID.Valid && !seen[id] {
			seen[id] = true
			accounts = append(accounts, Account{ID: id, Name: r.AccName, Domain: r.AccDomain, OwnerID: r.AccOwner})
		}
	}
	return contacts, accounts, nil
}

// phoneSQL is findByPhone's query and its arguments.
func phoneSQL(p auth.Principal, e164 string, limit int) (string, []any) {
	args := pgstore.Args{}
	number := args.Bind(e164)
	visible := func() string {
		where, vals := pgstore.Where(pgstore.LiveConds(p))
		return args.Cond(pgstore.Cond{SQL: where, Args: vals})
	}
	q := fmt.Sprintf(`SELECT c.id, c.display_name, c.job_title, c.account_id, c.account_name, c.owner_id, c.lifecycle_stage,
			c.last_activity_at, a.id AS a_id, COALESCE(a.name, '') AS a_name, COALESCE(a.domain, '') AS a_domain,
			COALESCE(a.owner_id, '') AS a_owner_id
		FROM (SELECT contact_id FROM contact_match_keys WHERE kind = 'phone' AND value = %s LIMIT 200) k
		CROSS JOIN LATERAL (SELECT id, display_name, job_title, account_id, account_name, owner_id, lifecycle_stage, last_activity_at, updated_at
			FROM contacts WHERE id = k.contact_id AND %s) c
		LEFT JOIN LATERAL (SELECT id, name, domain, owner_id FROM accounts WHERE id = c.account_id AND %s) a ON true
		ORDER BY c.last_activity_at DESC NULLS LAST, c.updated_at DESC, c.id LIMIT %d`, number, visible(), visible(), limit)
	return q, args.List
}
