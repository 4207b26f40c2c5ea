package duplicates

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/testdb"
)

// seed inserts accounts and contacts (half of them in an account, 300 email
// domains) into tenant as the admin, with generate_series.
func seed(t *testing.T, admin *sqlx.DB, tenant string, accounts, people int) {
	t.Helper()
	for _, q := range []string{`INSERT INTO accounts (tenant_id, id, name, domain, owner_id, created_at, updated_at, version)
		SELECT $1::uuid, md5($1 || 'a' || g)::uuid,
			(ARRAY['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark', 'Wayne', 'Wonka', 'Cyberdyne', 'Tyrell'])[1 + g % 10]
			|| ' ' || substr(md5(g::text), 1, 6) || ' Holdings', 'acct' || g || '.example', 'owner-' || (g % 50), now(), now(), 1
		FROM generate_series(1, $2::int) g`,
		`INSERT INTO contacts (tenant_id, id, first_name, last_name, display_name, emails, phones, account_id, owner_id, created_at, updated_at, version)
		SELECT $1::uuid, gen_random_uuid(), 'First' || g, 'Last' || g, 'First' || g || ' Last' || g,
			jsonb_build_array(jsonb_build_object('address', 'user' || g || '@domain' || (g % 300) || '.example', 'primary', true)),
			jsonb_build_array(jsonb_build_object('number', '+1415' || lpad(g::text, 7, '0'), 'e164', '+1415' || lpad(g::text, 7, '0'), 'primary', true)),
			CASE WHEN g % 2 = 0 THEN md5($1 || 'a' || (g % $2::int + 1))::uuid END, 'owner-' || (g % 50), now(), now(), 1
		FROM generate_series(1, $3::int) g`,
	} {
		args := []any{tenant, accounts}
		if strings.Contains(q, "contacts") {
			args = append(args, people)
		}
		if _, err := admin.Exec(q, args...); err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
}

// maxCheckBuffers bounds the buffers a duplicate check may read per record it
// checks: a lookup reads a few index pages and at most a few hundred
// candidate rows, while a check that filters the whole tenant reads
// thousands (5,700 on this seed).
// The seed is a worst case for the name checks: every name of a domain
// ("First17 Last17", "First317 Last317", …) shares both word starts and is
// similar, so all 67 contacts of the domain are candidates, each read by
// primary key (about 400 buffers, some dirtied setting hint bits on tables
// never read before).
const maxCheckBuffers = 600

// TestDuplicateChecksUseIndexes seeds 20,000 contacts and 2,000 accounts
// (plus another tenant's), and checks that every duplicate-check query, as
// the application role under row-level security, is planned on index lookups
// that read a bounded number of buffers — both on fresh tables that have
// never been analysed (a young tenant) and after ANALYZE.
func TestDuplicateChecksUseIndexes(t *testing.T) {
	admin, app := testdb.Migrated(t)
	tenant := uuid.NewString()
	seed(t, admin, tenant, 2000, 20000)
	seed(t, admin, uuid.NewString(), 200, 2000)
	var acct, acctName string
	if err := admin.Get(&acct, "SELECT account_id FROM contacts WHERE tenant_id = $1 AND first_name = 'First18'", tenant); err != nil {
		t.Fatal(err)
	}
	if err := admin.Get(&acctName, "SELECT name FROM accounts WHERE tenant_id = $1 AND domain = 'acct17.example'", tenant); err != nil {
		t.Fatal(err)
	}
	withAccount := &customer.Contact{Meta: customer.Meta{ID: uuid.NewString()}, DisplayName: "First18 Last18", AccountID: &acct,
		Emails: customer.Emails{{Address: "user18@domain18.example"}}, Phones: customer.Phones{{E164: "+14150000018"}}}
	alone := &customer.Contact{Meta: customer.Meta{ID: uuid.NewString()}, DisplayName: "First17 Last17",
		Emails: customer.Emails{{Address: "someone@domain17.example"}}}
	account := &customer.Account{Meta: customer.Meta{ID: uuid.NewString()}, Name: acctName + "s", Domain: "acct17.example"}
	all := auth.Principal{TenantID: tenant, UserID: "owner-1", RecordScope: map[string]auth.Scope{"contacts": auth.ScopeAll}}
	own := auth.Principal{TenantID: tenant, UserID: "owner-1", RecordScope: map[string]auth.Scope{"contacts": "own"}}

	// The contacts check is of a batch of two, the accounts check of one.
	var checks []dupQuery
	records := map[string]int{}
	for _, p := range []auth.Principal{all, own} {
		batch, err := duplicateChecks(p, []*customer.Contact{withAccount, alone}, account)
		if err != nil {
			t.Fatal(err)
		}
		for i := range batch {
			batch[i].Name += "/" + string(p.ScopeFor(customer.Module))
			records[batch[i].Name] = 2 - i
		}
		checks = append(checks, batch...)
	}
	for _, stats := range []string{"unanalysed", "analysed"} {
		if stats == "analysed" {
			if _, err := admin.Exec("ANALYZE accounts, contacts, contact_match_keys, account_name_keys"); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range checks {
			t.Run(stats+"/"+c.Name, func(t *testing.T) {
				plan := explainCheck(t, app, tenant, c)
				if strings.Contains(plan, "Seq Scan") || !strings.Contains(plan, "Index") {
					t.Errorf("not planned on indexes:\n%s", plan)
				}
				if got, limit := planBuffers(plan), maxCheckBuffers*records[c.Name]; got > limit {
					t.Errorf("reads %d buffers, want at most %d:\n%s", got, limit, plan)
				}
			})
		}
	}
}

// explainCheck returns the analysed plan of check c, run by the application
// role in tenant's transaction.
func explainCheck(t *testing.T, app *sqlx.DB, tenant string, c dupQuery) string {
	t.Helper()
	var plan []string
	err := pg.WithTenantTx(context.Background(), app, tenant, func(tx *sqlx.Tx) error {
		return tx.Select(&plan, "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "+sqlx.Rebind(sqlx.DOLLAR, c.SQL), c.Args...)
	})
	if err != nil {
		t.Fatalf("explain %s: %v", c.Name, err)
	}
	return strings.Join(plan, "\n")
}

// planBuffers is the number of shared buffers the whole plan touched: the
// first Buffers line, the top node's, sums its children.
func planBuffers(plan string) int {
	_, rest, ok := strings.Cut(plan, "Buffers: shared")
	if !ok {
		return 0
	}
	line, _, _ := strings.Cut(rest, "\n")
	total := 0
	for _, f := range strings.Fields(line) {
		if _, n, ok := strings.Cut(f, "="); ok {
			v, _ := strconv.Atoi(n)
			total += v
		}
	}
	return total
}

// duplicateChecks returns the queries that check the batch cs and the
// account a for duplicates as p does on create.
func duplicateChecks(p auth.Principal, cs []*customer.Contact, a *customer.Account) ([]dupQuery, error) {
	c, err := contactDupQuery(p, cs)
	return []dupQuery{c, accountDupQuery(p, []*customer.Account{a})}, err
}
