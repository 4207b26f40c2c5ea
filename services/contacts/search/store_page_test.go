package search

import (
	"context"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/auth"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
	"github.com/rapport-crm/rapport/services/contacts/internal/testdb"
)

// TestSearchPageMatchesFullSearch checks that page, which skips the
// nearest-neighbour scan when prefix matches fill a page, answers every page
// exactly as the full search does: with many prefix matches, with a few
// (typo matches follow them), and with none (typos only).
func TestSearchPageMatchesFullSearch(t *testing.T) {
	ctx := context.Background()
	admin, app := testdb.Migrated(t)
	tenant := uuid.NewString()
	testdb.SeedContacts(t, admin, tenant, uuid.NewString(), 3000)
	p := auth.Principal{TenantID: tenant, UserID: "owner1", RecordScope: map[string]auth.Scope{customer.Module: auth.ScopeAll}}
	for _, tt := range []struct {
		q        string
		minTotal int
	}{
		{"first1", maxPrefixCandidates}, // First1, First10..., First1000...: prefix matches fill every page
		{"first299", 11},                // First299 and First2990-2999, then typos such as First2899
		{"frist2999", 1},                // typo matches only
	} {
		t.Run(tt.q, func(t *testing.T) {
			var got, want []string
			err := pgstore.New(app, "").InTx(ctx, tenant, func(tx *pgstore.Tx) error {
				var err error
				if got, err = allPages(ctx, tx, p, tt.q, (*listPlan).page); err != nil {
					return err
				}
				want, err = allPages(ctx, tx, p, tt.q, (*listPlan).run)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(want) < tt.minTotal {
				t.Fatalf("the full search finds %d, want at least %d", len(want), tt.minTotal)
			}
			if !slices.Equal(got, want) {
				t.Errorf("paged search finds %d ids, the full search %d; first difference at %d", len(got), len(want), firstDiff(got, want))
			}
		})
	}
}

// allPages reads every page of 50 of a relevance search for q with read and
// returns the ids in order.
func allPages(ctx context.Context, tx *pgstore.Tx, p auth.Principal, q string,
	read func(*listPlan, context.Context, *pgstore.Tx, []*string, int) ([]customer.Record, [][]*string, error)) ([]string, error) {
	var ids []string
	var after []*string
	for {
		plan, err := planList(ctx, tx, pgstore.Contacts, p, ListQuery{Q: q})
		if err != nil {
			return nil, err
		}
		recs, keys, err := read(plan, ctx, tx, after, 51)
		if err != nil {
			return nil, err
		}
		for _, r := range recs[:min(len(recs), 50)] {
			ids = append(ids, r.Base().ID)
		}
		if len(recs) <= 50 {
			return ids, nil
		}
		after = keys[49]
	}
}

// firstDiff is the first index at which a and b differ.
func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
