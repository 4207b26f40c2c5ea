package contacts

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/pg"
)

// dupQuery is one duplicate-check query, with ? placeholders: its rows are
// dupHits. Name says what it checks (the EXPLAIN test reports it).
type dupQuery struct {
	Name string
	SQL  string
	Args []any
}

// dupHit is one reason a record looks like a duplicate.
type dupHit struct {
	ID      string  `db:"id"`
	Name    string  `db:"name"`
	Matched string  `db:"matched"`
	Score   float64 `db:"score"`
}

// The duplicate checks. Under row-level security only leakproof operators
// (text and uuid equality) can use an index, so every check starts with a
// btree equality lookup — contact_match_keys, account_name_keys,
// accounts_domain — reads at most nameCandidates rows per looked-up value (an
// account or an email domain with the first three letters of a name word; an
// account name word: a rare key is always compared in full, a common one in
// part), and computes pg_trgm
// similarity on those only (the keys tables carry the name, so that needs no
// heap visit). Each candidate is then read by primary key (liveContact,
// liveAccount), and scope and self exclusion apply last.
//
// The plans must not depend on statistics, which a young tenant's tables do
// not have yet: a list of values is unnested and each value looked up in a
// LATERAL subquery with a LIMIT, and each candidate row too, because
// PostgreSQL neither uses `= ANY(array)` as an index condition under
// row-level security nor keeps a flattened join parameterised without
// statistics — it filters the whole tenant instead.
const (
	liveContact = `CROSS JOIN LATERAL (SELECT id, display_name, owner_id, team_id FROM contacts
			WHERE id = h.contact_id AND deleted_at IS NULL OFFSET 0) c`
	liveAccount = `CROSS JOIN LATERAL (SELECT id, name, owner_id, team_id FROM accounts
			WHERE id = h.account_id AND deleted_at IS NULL OFFSET 0) a`

	contactKeysSQL = `SELECT c.id, c.display_name AS name, h.matched, 1.0::float8 AS score
		FROM (SELECT k.contact_id, k.kind AS matched FROM unnest(?::text[]) q(v)
				CROSS JOIN LATERAL (SELECT contact_id, kind FROM contact_match_keys WHERE kind = 'email' AND value = q.v LIMIT ?) k
			UNION ALL
			SELECT k.contact_id, k.kind FROM unnest(?::text[]) q(v)
				CROSS JOIN LATERAL (SELECT contact_id, kind FROM contact_match_keys WHERE kind = 'phone' AND value = q.v LIMIT ?) k) h
		` + liveContact + `
		WHERE c.id <> ?`
	// contactNameSQL compares a name with the contacts sharing a name key:
	// kind 'account_name' (the first argument an account id) or
	// 'domain_name' (email domains), with a word start of the name
	// (contact_name_prefixes).
	contactNameSQL = `SELECT c.id, c.display_name AS name, 'name' AS matched, h.score
		FROM (SELECT DISTINCT d.contact_id, similarity(d.name, ?)::float8 AS score
			FROM (SELECT q.scope || ' ' || p.prefix AS v FROM unnest(?::text[]) q(scope),
				unnest(contact_name_prefixes(?)) p(prefix) OFFSET 0) k
			CROSS JOIN LATERAL (SELECT contact_id, name FROM contact_match_keys
				WHERE kind = ? AND value = k.v LIMIT ?) d
			WHERE similarity(d.name, ?) >= ?) h
		` + liveContact + `
		WHERE c.id <> ?`
	accountDomainSQL = `SELECT id, name, 'domain' AS matched, 1.0::float8 AS score
		FROM accounts WHERE domain = ? AND deleted_at IS NULL AND id <> ?`
	accountNameSQL = `SELECT a.id, a.name, 'name' AS matched, h.score
		FROM (SELECT DISTINCT w.account_id, similarity(w.name, ?)::float8 AS score
			FROM unnest(account_name_words(?)) q(word)
			CROSS JOIN LATERAL (SELECT account_id, name FROM account_name_keys WHERE word = q.word LIMIT ?) w
			WHERE similarity(w.name, ?) >= ?) h
		` + liveAccount + `
		WHERE a.id <> ?`
)

// contactDupQueries are the checks of contact c for p: any email or phone
// equal to another live contact's; a similar display name in the same
// account; without an account, a similar display name sharing an email
// domain (not a free-mail one: contact_match_values leaves those out). A
// similar name must share the start of a word (contact_name_prefixes).
func contactDupQueries(p auth.Principal, c *Contact) []dupQuery {
	var emails, phones, domains []string
	for _, e := range c.Emails {
		addr := strings.ToLower(strings.TrimSpace(e.Address))
		emails = append(emails, addr)
		if _, domain, ok := strings.Cut(addr, "@"); ok {
			domains = append(domains, domain)
		}
	}
	for _, ph := range c.Phones {
		if ph.E164 != "" {
			phones = append(phones, ph.E164)
		}
	}
	var qs []dupQuery
	if len(emails)+len(phones) > 0 {
		qs = append(qs, scoped(p, "contact email and phone", contactKeysSQL,
			pq.StringArray(emails), maxCandidates, pq.StringArray(phones), maxCandidates, c.ID))
	}
	name := c.DisplayName
	switch {
	case name == "":
	case c.AccountID != nil:
		qs = append(qs, scoped(p, "contact name in account", contactNameSQL,
			name, pq.StringArray{*c.AccountID}, name, "account_name", nameCandidates, name, NameSimilarity, c.ID))
	case len(domains) > 0:
		qs = append(qs, scoped(p, "contact name and email domain", contactNameSQL,
			name, pq.StringArray(domains), name, "domain_name", nameCandidates, name, NameSimilarity, c.ID))
	}
	return qs
}

// accountDupQueries are the checks of account a for p: the same domain, or a
// similar name sharing a word (account_name_words: not a legal form).
func accountDupQueries(p auth.Principal, a *Account) []dupQuery {
	var qs []dupQuery
	if a.Domain != "" {
		qs = append(qs, scoped(p, "account domain", accountDomainSQL, a.Domain, a.ID))
	}
	if a.Name != "" {
		qs = append(qs, scoped(p, "account name", accountNameSQL, a.Name, a.Name, nameCandidates, a.Name, NameSimilarity, a.ID))
	}
	return qs
}

// scoped returns the query q with args (? placeholders), restricted to the
// records p may see and to the maxCandidates best.
func scoped(p auth.Principal, name, q string, args ...any) dupQuery {
	if c, ok := scopeCond(p); ok {
		q += " AND " + c.SQL
		args = append(args, c.Args...)
	}
	q += fmt.Sprintf(" ORDER BY score DESC LIMIT %d", maxCandidates)
	return dupQuery{Name: name, SQL: q, Args: args}
}

// runDupQueries runs the checks as one statement (one round trip) and
// returns all their hits.
func runDupQueries(ctx context.Context, tx sqlx.ExtContext, qs []dupQuery) ([]dupHit, error) {
	if len(qs) == 0 {
		return nil, nil
	}
	parts := make([]string, len(qs))
	var args []any
	for i, q := range qs {
		parts[i] = "(" + q.SQL + ")"
		args = append(args, q.Args...)
	}
	var hits []dupHit
	if err := sqlx.SelectContext(ctx, tx, &hits, sqlx.Rebind(sqlx.DOLLAR, strings.Join(parts, " UNION ALL ")), args...); err != nil {
		return nil, fmt.Errorf("duplicate checks: %w", pg.MapError(err))
	}
	return hits, nil
}

// lockExactKeys takes a transaction-scoped advisory lock on each of the
// tenant's keys, in the order given (sorted, so concurrent callers cannot
// deadlock), and has the rest of the transaction use the plans its prepared
// statements keep (plan_cache_mode force_generic_plan): PostgreSQL would
// otherwise plan the duplicate checks for every call, because a kept plan
// assumes 100 values in each list they unnest and so looks dearer than one
// made for the one or two a record has, though its shape — fixed by LATERAL
// and LIMIT — is the same. What follows in a write is an INSERT or an UPDATE
// by key.
func lockExactKeys(ctx context.Context, tx sqlx.ExtContext, tenant string, keys []string) error {
	_, err := tx.ExecContext(ctx, `SELECT set_config('plan_cache_mode', 'force_generic_plan', true),
		(SELECT count(pg_advisory_xact_lock(hashtextextended($1 || ':' || k, 0))) FROM unnest($2::text[]) k)`,
		tenant, pq.StringArray(keys))
	if err != nil {
		return fmt.Errorf("lock duplicate keys: %w", pg.MapError(err))
	}
	return nil
}
