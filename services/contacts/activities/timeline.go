package activities

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// OfRecord returns, for a record's timeline (package timeline), up to n
// activities p may see of the contact (entity customer.EntityContact) or
// account id, of types (none: every type), older than (at, after) when at
// is not nil, newest first: List's query, reading the record's own index.
func OfRecord(ctx context.Context, tx *pgstore.Tx, p auth.Principal, entity, id string, types []string,
	at *time.Time, after string, n int) ([]Activity, error) {
	f := filter{types: types, contact: id}
	if entity == customer.EntityAccount {
		f = filter{types: types, account: id}
	}
	var pos *position
	if at != nil {
		pos = &position{At: at, ID: after}
	}
	return listNewest(ctx, tx, p, f, pos, n)
}
