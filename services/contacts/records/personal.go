package records

import (
	"context"
	"math"

	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// ConsentHistoryOf returns the whole consent history of contact id and of
// the contacts merged into it, newest first: what a personal-data export
// (package privacy) hands over.
func ConsentHistoryOf(ctx context.Context, tx *pgstore.Tx, id string) ([]ConsentChange, error) {
	return listConsentHistory(ctx, tx, id, "", nil, math.MaxInt32)
}
