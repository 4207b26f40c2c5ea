package leads

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/libs/pgrecord"
	"github.com/rapport-crm/rapport/services/sales/deals"
)

// findByKeys returns, in tx, the live leads p may see with each of keys
// ("email:<address in lower case>", "phone:<E.164>"), as Duplicates finds
// them: each key looked up by equality on its index (leads_email,
// leads_phone), under p's record scope; for the duplicates of a lead
// import (at most 20 a key).
func findByKeys(ctx context.Context, tx *outbox.Tx, p auth.Principal, all []string) (map[string][]string, error) {
	var emails, phones pq.StringArray
	for _, k := range all {
		switch kind, v, _ := strings.Cut(k, ":"); kind {
		case "email":
			emails = append(emails, v)
		case "phone":
			phones = append(phones, v)
		}
	}
	out := map[string][]string{}
	if len(emails)+len(phones) == 0 {
		return out, nil
	}
	q := &pgrecord.Query{Args: []any{emails, phones}}
	deals.Scope(q, p, "")
	scope := ""
	if len(q.Conds) > 0 {
		scope = " AND " + strings.Join(q.Conds, " AND ")
	}
	var found []struct {
		Key string `db:"key"`
		ID  string `db:"id"`
	}
	err := tx.SQL().SelectContext(ctx, &found, `SELECT 'email:' || q.key AS key, l.id FROM unnest($1::text[]) q(key)
			CROSS JOIN LATERAL (SELECT id FROM leads WHERE email_key = q.key AND email_key <> '' AND deleted_at IS NULL`+scope+`
				ORDER BY id DESC LIMIT 20) l
		UNION ALL
		SELECT 'phone:' || q.key, l.id FROM unnest($2::text[]) q(key)
			CROSS JOIN LATERAL (SELECT id FROM leads WHERE phone_e164 = q.key AND phone_e164 <> '' AND deleted_at IS NULL`+scope+`
				ORDER BY id DESC LIMIT 20) l`, q.Args...)
	if err != nil {
		return nil, fmt.Errorf("find leads by key: %w", pg.MapError(err))
	}
	for _, f := range found {
		if !slices.Contains(out[f.Key], f.ID) {
			out[f.Key] = append(out[f.Key], f.ID)
		}
	}
	return out, nil
}
