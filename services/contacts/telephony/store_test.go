package telephony

import (
	"context"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/auth"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
	"github.com/rapport-crm/rapport/services/contacts/internal/testdb"
)

// TestLookupReadsIndexes checks, on 2 tenants × 20,000 contacts, that a
// phone lookup is a few index probes under FORCE ROW LEVEL SECURITY: the
// number's match key, then each contact and its account by primary key —
// no sequential scan, a bounded number of buffers, in every scope.
func TestLookupReadsIndexes(t *testing.T) {
	admin, app := testdb.Migrated(t)
	tenant := uuid.NewString()
	testdb.SeedContacts(t, admin, tenant, uuid.NewString(), 20000)
	testdb.SeedContacts(t, admin, uuid.NewString(), uuid.NewString(), 20000)
	if _, err := admin.Exec("ANALYZE"); err != nil {
		t.Fatal(err)
	}
	for _, scope := range []auth.Scope{auth.ScopeAll, auth.ScopeTeam, auth.ScopeOwn} {
		t.Run(string(scope), func(t *testing.T) {
			p := auth.Principal{TenantID: tenant, UserID: "owner3", Teams: []string{"team3"}, RecordScope: map[string]auth.Scope{customer.Module: scope}}
			q, args := phoneSQL(p, "+14150001233", maxMatches)
			var lines []string
			err := pgstore.New(app, "").InTx(context.Background(), tenant, func(tx *pgstore.Tx) error {
				return tx.SQL().Select(&lines, "EXPLAIN (ANALYZE, BUFFERS) "+q, args...)
			})
			if err != nil {
				t.Fatal(err)
			}
			plan := strings.Join(lines, "\n")
			for _, idx := range []string{"contact_match_keys_pkey", "contacts_pkey", "accounts_pkey"} {
				if !strings.Contains(plan, idx) {
					t.Errorf("the plan does not use %s:\n%s", idx, plan)
				}
			}
			if strings.Contains(plan, "Seq Scan") || buffers(plan) > 30 {
				t.Errorf("want no sequential scan and at most 30 buffers read:\n%s", plan)
			}
		})
	}
}

var sharedBuffers = regexp.MustCompile(`Buffers: shared(?: hit=(\d+))?(?: read=(\d+))?`)

// buffers returns the shared buffers a plan's top node read (hit or not).
func buffers(plan string) int {
	m := sharedBuffers.FindStringSubmatch(plan)
	if m == nil {
		return math.MaxInt // no buffers reported: fail
	}
	n := 0
	for _, s := range m[1:] {
		v, _ := strconv.Atoi(s)
		n += v
	}
	return n
}
