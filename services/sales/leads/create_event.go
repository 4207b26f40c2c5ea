package leads

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
)

// CreateKnownIn creates the lead l in tx, a transaction of tenant that a
// consumer of another context's events opened (package marketingevents),
// unless a live lead of the tenant shares its email or its phone: then it
// creates nothing and returns that lead's id (the newest) with created
// false. A new lead is checked and written as the API's (normalize, the
// custom fields of leads, its score, lead.created), owned by no one
// unless l names an owner or the tenant's assignment rules give it one
// (lead.assigned); it is status new unless l says otherwise. Its input
// errors are errs.Invalid naming the fields, as the API's.
func CreateKnownIn(ctx context.Context, tx *outbox.Tx, tenant string, l *Lead, now time.Time) (id string, created bool, err error) {
	if l.OwnerID == "" {
		ctx = WithAssignment(ctx)
	}
	region, err := regionIn(ctx, tx)
	if err != nil {
		return "", false, err
	}
	if err := l.normalize("", region); err != nil {
		return "", false, err
	}
	if err := l.checkStatus(""); err != nil {
		return "", false, err
	}
	t := pg.Timestamp(now)
	l.ID, l.CreatedAt, l.UpdatedAt, l.Version = ids.New(), t, t, 1
	tenantWide := auth.Principal{TenantID: tenant, RecordScope: map[string]auth.Scope{"*": auth.ScopeAll}}
	known, err := duplicatesOf(ctx, tx, tenantWide, l)
	if err != nil {
		return "", false, err
	}
	if len(known) > 0 {
		return known[0], false, nil
	}
	if _, err := createIn(ctx, tx, tenantWide, l, fieldsIn(region)); err != nil {
		return "", false, err
	}
	return l.ID, true, nil
}
