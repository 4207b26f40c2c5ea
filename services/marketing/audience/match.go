package audience

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/pg"
)

// CheckFilter checks a filter over the audience's fields as a segment's
// is checked; its errors name the offending node ("filter/and/0/field").
func CheckFilter(raw json.RawMessage) error {
	_, err := parseFilter(raw)
	return err
}

// Matches says whether the contact id of tx's tenant is in the audience
// and matches the filter raw (checked with CheckFilter).
func Matches(ctx context.Context, tx *sqlx.Tx, raw json.RawMessage, id string) (bool, error) {
	f, err := parseFilter(raw)
	if err != nil {
		return false, err
	}
	cond, args, err := f.sql(2)
	if err != nil {
		return false, err
	}
	var ok bool
	err = tx.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM audience_contacts c WHERE c.id = $1 AND (`+cond+`))`,
		append([]any{id}, args...)...)
	if err != nil {
		return false, fmt.Errorf("match a contact against a filter: %w", pg.MapError(err))
	}
	return ok, nil
}
