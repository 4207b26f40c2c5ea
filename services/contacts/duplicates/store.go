package duplicates

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// dupQuery is the duplicate check of a batch of records, with ? placeholders:
// its rows are dupHits. Name says what it checks (the EXPLAIN test reports
// it). Lock, with LockArgs, takes the transaction locks on every key of the
// batch (lockKeys).
type dupQuery struct {
	Name     string
	SQL      string
	Args     []any
	Lock     string
	LockArgs []any
}

// dupHit is one reason the record at Item of a checked batch looks like a
// duplicate: of an existing record (Earlier -1), or of the record at Earlier
// of the same batch, which must then be written too for the hit to count.
type dupHit struct {
	Item    int     `db:"item"`
	Earlier int     `db:"earlier"`
	ID      string  `db:"id"`
	Name    string  `db:"name"`
	Matched string  `db:"matched"`
	Score   float64 `db:"score"`
}

// The duplicate checks take a batch of records as parallel arrays (item,
// the record's own id, its fields) and return, in one statement, the hits of
// every record on existing ones and on the records before it in the batch.
//
// Under row-level security only leakproof operators (text and uuid equality)
// can use an index, so every check against the tables starts with a btree
// equality lookup — contact_match_keys, account_name_keys, accounts_domain —
// reads at most a bounded number of rows per looked-up value (an exact key;
// an account or an email domain with the first three letters of a name word;
// an account name word: a rare key is always compared in full, a common one
// in part), and computes pg_trgm similarity on those only (the keys tables
// carry the name, so that needs no heap visit). Each candidate is then read
// by primary key (liveContact, liveAccount), and scope and self exclusion
// apply last. A record's keys are computed by the functions the keys
// triggers use (contact_match_values, account_name_words), so the batch's
// records are compared with each other exactly as with stored ones.
//
// The plans must not depend on statistics, which a young tenant's tables do
// not have yet: each value is looked up in a LATERAL subquery with a LIMIT,
// and each candidate row too, because PostgreSQL neither uses
// `= ANY(array)` as an index condition under row-level security nor keeps a
// flattened join parameterised without statistics — it filters the whole
// tenant instead.
const (
	liveContact = `CROSS JOIN LATERAL (SELECT id, display_name, owner_id, team_id FROM contacts
			WHERE id = h.contact_id AND deleted_at IS NULL OFFSET 0) c`
	liveAccount = `CROSS JOIN LATERAL (SELECT id, name, owner_id, team_id FROM accounts
			WHERE id = h.account_id AND deleted_at IS NULL OFFSET 0) a`

	// contactKeysCTE holds each record's keys: its emails and phones, and its
	// name's word starts with each non-free-mail email domain
	// ('domain_name') and with its account ('account_name'). A record looks
	// up its exact keys and, for similar names, its account's keys or, with
	// no account, its domains'.
	contactKeysCTE = `WITH k AS MATERIALIZED (
			SELECT DISTINCT q.item, q.self, q.name, x.kind, x.value,
				x.kind IN ('email', 'phone') OR x.kind = CASE WHEN a.account_id IS NULL THEN 'domain_name' ELSE 'account_name' END AS looked_up
			FROM unnest(?::int[], ?::uuid[], ?::text[], ?::jsonb[], ?::jsonb[], ?::text[]) q(item, self, name, emails, phones, account),
				LATERAL (SELECT CAST(NULLIF(q.account, '') AS uuid) AS account_id) a,
				contact_match_values(q.emails, q.phones, q.name, a.account_id) m,
				unnest(m.kinds, m.vals) x(kind, value))
		`
	contactStoredSQL = `SELECT h.item, -1 AS earlier, c.id, c.display_name AS name, h.matched, h.score
		FROM (SELECT DISTINCT k.item, k.self, d.contact_id,
				CASE WHEN k.kind IN ('email', 'phone') THEN k.kind ELSE 'name' END AS matched,
				CASE WHEN k.kind IN ('email', 'phone') THEN 1.0 ELSE similarity(d.name, k.name) END::float8 AS score
			FROM k CROSS JOIN LATERAL (SELECT contact_id, name FROM contact_match_keys
				WHERE kind = k.kind AND value = k.value LIMIT CASE WHEN k.kind IN ('email', 'phone') THEN CAST(? AS int) ELSE CAST(? AS int) END) d
			WHERE k.looked_up AND (k.kind IN ('email', 'phone') OR similarity(d.name, k.name) >= ?)) h
		` + liveContact + `
		WHERE c.id <> h.self`
	contactBatchSQL = `SELECT DISTINCT b.item, a.item AS earlier, a.self AS id, a.name,
			CASE WHEN a.kind IN ('email', 'phone') THEN a.kind ELSE 'name' END AS matched,
			CASE WHEN a.kind IN ('email', 'phone') THEN 1.0 ELSE similarity(a.name, b.name) END::float8 AS score
		FROM k a JOIN k b ON b.kind = a.kind AND b.value = a.value AND b.item > a.item
		WHERE b.looked_up AND (a.kind IN ('email', 'phone') OR similarity(a.name, b.name) >= ?)`

	// accountKeysCTE holds each record's domain and the words of its name
	// (account_name_words: not a legal form).
	accountKeysCTE = `WITH q AS MATERIALIZED (
			SELECT * FROM unnest(?::int[], ?::uuid[], ?::text[], ?::text[]) q(item, self, name, domain)),
		w AS MATERIALIZED (
			SELECT DISTINCT q.item, q.self, q.name, x.word FROM q, unnest(account_name_words(q.name)) x(word))
		`
	accountDomainSQL = `SELECT q.item, -1 AS earlier, a.id, a.name, 'domain' AS matched, 1.0::float8 AS score
		FROM q CROSS JOIN LATERAL (SELECT id, name, owner_id, team_id FROM accounts
			WHERE domain = q.domain AND deleted_at IS NULL AND id <> q.self %s LIMIT ?) a
		WHERE q.domain <> ''`
	accountNameSQL = `SELECT h.item, -1 AS earlier, a.id, a.name, 'name' AS matched, h.score
		FROM (SELECT DISTINCT w.item, w.self, n.account_id, similarity(n.name, w.name)::float8 AS score
			FROM w CROSS JOIN LATERAL (SELECT account_id, name FROM account_name_keys WHERE word = w.word LIMIT ?) n
			WHERE similarity(n.name, w.name) >= ?) h
		` + liveAccount + `
		WHERE a.id <> h.self`
	// contactLockSQL and accountLockSQL lock each key of a batch — every
	// key a stored record of it would have, exact or name, whichever kind
	// its check looks up — in sorted order (a sorted subquery feeds the
	// aggregate), so concurrent transactions cannot deadlock on them.
	contactLockSQL = `SELECT set_config('plan_cache_mode', 'force_generic_plan', true),
		(SELECT count(pg_advisory_xact_lock(hashtextextended(CAST(? AS text) || ':' || s.key, 0)))
		FROM (SELECT DISTINCT x.kind || ':' || x.value AS key
			FROM unnest(?::jsonb[], ?::jsonb[], ?::text[], ?::text[]) q(emails, phones, name, account),
				contact_match_values(q.emails, q.phones, q.name, CAST(NULLIF(q.account, '') AS uuid)) m,
				unnest(m.kinds, m.vals) x(kind, value)
			ORDER BY 1) s)`
	accountLockSQL = `SELECT set_config('plan_cache_mode', 'force_generic_plan', true),
		(SELECT count(pg_advisory_xact_lock(hashtextextended(CAST(? AS text) || ':' || s.key, 0)))
		FROM (SELECT DISTINCT k.key
			FROM unnest(?::text[], ?::text[]) q(name, domain),
				LATERAL (SELECT 'domain:' || q.domain WHERE q.domain <> ''
					UNION ALL SELECT 'word:' || w FROM unnest(account_name_words(q.name)) w) k(key)
			ORDER BY 1) s)`

	accountBatchSQL = `SELECT b.item, a.item AS earlier, a.self AS id, a.name, 'domain' AS matched, 1.0::float8 AS score
		FROM q a JOIN q b ON b.domain = a.domain AND b.item > a.item
		WHERE a.domain <> ''
		UNION ALL
		SELECT DISTINCT b.item, a.item, a.self, a.name, 'name', similarity(a.name, b.name)::float8
		FROM w a JOIN w b ON b.word = a.word AND b.item > a.item
		WHERE similarity(a.name, b.name) >= ?`
)

// contactDupQuery is the check of contacts cs, in that order, for p: any
// email or phone equal to another live contact's; a similar display name in
// the same account; without an account, a similar display name sharing an
// email domain (not a free-mail one). A similar name must share the start of
// a word (contact_name_prefixes).
func contactDupQuery(p auth.Principal, cs []*customer.Contact) (dupQuery, error) {
	n := len(cs)
	items, selves, names := make(pq.Int64Array, n), make(pq.StringArray, n), make(pq.StringArray, n)
	emails, phones, accounts := make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n)
	for i, c := range cs {
		items[i], selves[i], names[i] = int64(i), c.ID, c.DisplayName
		if c.AccountID != nil {
			accounts[i] = *c.AccountID
		}
		e, err := c.Emails.Value()
		if err != nil {
			return dupQuery{}, fmt.Errorf("duplicate check: emails: %w", err)
		}
		ph, err := c.Phones.Value()
		if err != nil {
			return dupQuery{}, fmt.Errorf("duplicate check: phones: %w", err)
		}
		emails[i], phones[i] = string(e.([]byte)), string(ph.([]byte))
	}
	q, args := scoped(p, contactStoredSQL, maxCandidates, nameCandidates, NameSimilarity)
	return dupQuery{
		Name:     "contacts",
		SQL:      contactKeysCTE + q + " UNION ALL " + contactBatchSQL,
		Args:     append(append([]any{items, selves, names, emails, phones, accounts}, args...), NameSimilarity),
		Lock:     contactLockSQL,
		LockArgs: []any{p.TenantID, emails, phones, names, accounts},
	}, nil
}

// accountDupQuery is the check of accounts as, in that order, for p: the
// same domain, or a similar name sharing a word (account_name_words: not a
// legal form).
func accountDupQuery(p auth.Principal, as []*customer.Account) dupQuery {
	n := len(as)
	items, selves, names, domains := make(pq.Int64Array, n), make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n)
	for i, a := range as {
		items[i], selves[i], names[i], domains[i] = int64(i), a.ID, a.Name, a.Domain
	}
	scope, args := scoped(p, "", items, selves, names, domains)
	named, nameArgs := scoped(p, accountNameSQL, nameCandidates, NameSimilarity)
	args = append(append(append(args, maxCandidates), nameArgs...), NameSimilarity)
	return dupQuery{
		Name:     "accounts",
		SQL:      accountKeysCTE + fmt.Sprintf(accountDomainSQL, scope) + " UNION ALL " + named + " UNION ALL " + accountBatchSQL,
		Args:     args,
		Lock:     accountLockSQL,
		LockArgs: []any{p.TenantID, names, domains},
	}
}

// scoped returns q with args (? placeholders) restricted to the records p
// may see.
func scoped(p auth.Principal, q string, args ...any) (string, []any) {
	if c, ok := pgstore.ScopeCond(p); ok {
		q += " AND " + c.SQL
		args = append(args, c.Args...)
	}
	return q, args
}

// runDupQuery runs a check (one round trip), as a prepared statement when
// prepared, and returns its hits.
func runDupQuery(ctx context.Context, tx *pgstore.Tx, q dupQuery, prepared bool) ([]dupHit, error) {
	var db sqlx.ExtContext = tx.SQL()
	if prepared {
		db = tx.Prepared()
	}
	var hits []dupHit
	if err := sqlx.SelectContext(ctx, db, &hits, sqlx.Rebind(sqlx.DOLLAR, q.SQL), q.Args...); err != nil {
		return nil, fmt.Errorf("duplicate checks: %w", pg.MapError(err))
	}
	return hits, nil
}

// lockKeys takes a transaction-scoped advisory lock on each key of q's
// batch (q.Lock), so that two concurrent transactions writing records that
// share a key — an email, a phone, a domain, or a word start of a name in
// one account or email domain, which every pair of similar names the check
// finds shares — run their checks one after the other, the second seeing
// what the first wrote. It also has the rest of the transaction use the
// plans its prepared statements keep (plan_cache_mode force_generic_plan):
// PostgreSQL would otherwise plan the duplicate checks for every call,
// because a kept plan assumes 100 values in each list they unnest and so
// looks dearer than one made for the few a batch has, though its shape —
// fixed by LATERAL and LIMIT — is the same. What follows in a write is an
// INSERT or an UPDATE by key.
func lockKeys(ctx context.Context, tx *pgstore.Tx, q dupQuery) error {
	if _, err := tx.Prepared().ExecContext(ctx, sqlx.Rebind(sqlx.DOLLAR, q.Lock), q.LockArgs...); err != nil {
		return fmt.Errorf("lock duplicate keys: %w", pg.MapError(err))
	}
	return nil
}
