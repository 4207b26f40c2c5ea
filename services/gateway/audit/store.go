package audit

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/pg"
)

// Store reads and writes audit_log. It connects as the gateway's runtime
// role, under row-level security.
type Store struct {
	db *sqlx.DB
}

// NewStore returns a Store over db.
func NewStore(db *sqlx.DB) *Store { return &Store{db: db} }

// insert writes entries in one transaction: one multi-row INSERT per tenant,
// each under that tenant's app.tenant_id. (COPY is not an option: PostgreSQL
// refuses COPY FROM into a table under row-level security.)
func (s *Store) insert(ctx context.Context, entries []Entry) error {
	byTenant := make(map[string][]Entry)
	var order []string
	for _, e := range entries {
		if _, ok := byTenant[e.TenantID]; !ok {
			order = append(order, e.TenantID)
		}
		byTenant[e.TenantID] = append(byTenant[e.TenantID], e)
	}
	return pg.WithTx(ctx, s.db, func(tx *sqlx.Tx) error {
		for _, tenant := range order {
			if _, err := tx.ExecContext(ctx, `SELECT set_config('app.tenant_id', $1, true)`, tenant); err != nil {
				return fmt.Errorf("audit: set tenant: %w", err)
			}
			if err := insertRows(ctx, tx, byTenant[tenant]); err != nil {
				return err
			}
		}
		return nil
	})
}

// insertRows inserts entries of one tenant with a single statement over
// arrays, whatever their number.
func insertRows(ctx context.Context, tx *sqlx.Tx, es []Entry) error {
	n := len(es)
	var (
		tenants, ids, kinds, users, keys, subjects, addrs = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		methods, paths, resources, requests               = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		ats, changed                                      = make([]string, n), make([]string, n)
		statuses, latencies                               = make([]int64, n), make([]int64, n)
	)
	for i, e := range es {
		tenants[i], ids[i], kinds[i], users[i], keys[i], subjects[i], addrs[i] = e.TenantID, e.ID, string(e.Kind), e.UserID, e.APIKeyID, e.Subject, e.ClientAddr
		methods[i], paths[i], resources[i], requests[i] = e.Method, e.Path, e.ResourceID, e.RequestID
		ats[i] = e.Time.Format(time.RFC3339Nano)
		statuses[i], latencies[i] = int64(e.Status), e.LatencyMS
		// One array literal per row: a PostgreSQL array of arrays cannot hold
		// arrays of different lengths.
		changed[i] = "{}"
		if len(e.ChangedFields) > 0 {
			lit, err := pq.StringArray(e.ChangedFields).Value()
			if err != nil {
				return fmt.Errorf("audit: changed fields: %w", err)
			}
			changed[i] = lit.(string)
		}
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO audit_log (tenant_id, at, id, kind, user_id, api_key_id, subject, client_addr,
		                       method, path, status, resource_id, request_id, latency_ms, changed_fields)
		SELECT t, a, i, k, u, ak, s, ca, m, p, st, r, rq, l, cf::text[]
		FROM unnest($1::uuid[], $2::timestamptz[], $3::uuid[], $4::text[], $5::text[], $6::text[],
		            $7::text[], $8::text[], $9::text[], $10::text[], $11::int[], $12::text[],
		            $13::text[], $14::int[], $15::text[]) AS x(t, a, i, k, u, ak, s, ca, m, p, st, r, rq, l, cf)`,
		pq.Array(tenants), pq.Array(ats), pq.Array(ids), pq.Array(kinds), pq.Array(users), pq.Array(keys),
		pq.Array(subjects), pq.Array(addrs), pq.Array(methods), pq.Array(paths), pq.Array(statuses),
		pq.Array(resources), pq.Array(requests), pq.Array(latencies), pq.Array(changed))
	if err != nil {
		return fmt.Errorf("audit: insert %d entries: %w", n, err)
	}
	return nil
}

// isDataError reports whether err is PostgreSQL refusing the data itself
// (SQLSTATE classes 22 and 23), which retrying cannot fix.
func isDataError(err error) bool {
	var pe *pq.Error
	if !errors.As(err, &pe) {
		return false
	}
	class := string(pe.Code.Class())
	return class == "22" || class == "23"
}

// Filter selects entries for List. Zero fields do not filter.
type Filter struct {
	From, To   time.Time // From ≤ time < To
	UserID     string
	Method     string
	PathPrefix string
	Status     int
	Kind       Kind
	// Limit is the page size (required, ≥ 1).
	Limit int
	// After continues a listing after this entry (from a cursor).
	After *Position
}

// Position is where a page of List ended: the last entry's time and id.
type Position struct {
	Time time.Time `json:"t"`
	ID   string    `json:"i"`
}

// List returns tenant's entries matching f, newest first, and the position
// of the next page (nil on the last page).
func (s *Store) List(ctx context.Context, tenantID string, f Filter) ([]Entry, *Position, error) {
	if f.Limit < 1 {
		return nil, nil, fmt.Errorf("audit: list: limit %d", f.Limit)
	}
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if !f.From.IsZero() {
		where = append(where, "at >= "+arg(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, "at < "+arg(f.To))
	}
	if f.UserID != "" {
		where = append(where, "user_id = "+arg(f.UserID))
	}
	if f.Method != "" {
		where = append(where, "method = "+arg(strings.ToUpper(f.Method)))
	}
	if f.PathPrefix != "" {
		where = append(where, `path LIKE `+arg(likePrefix(f.PathPrefix))+` ESCAPE '\'`)
	}
	if f.Status != 0 {
		where = append(where, "status = "+arg(f.Status))
	}
	if f.Kind != "" {
		where = append(where, "kind = "+arg(string(f.Kind)))
	}
	if f.After != nil {
		where = append(where, "(at, id) < ("+arg(f.After.Time)+", "+arg(f.After.ID)+"::uuid)")
	}
	q := `SELECT tenant_id, at, id, kind, user_id, api_key_id, subject, client_addr, method, path,
	             status, resource_id, request_id, latency_ms, changed_fields
	      FROM audit_log`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY at DESC, id DESC LIMIT " + arg(f.Limit+1)

	var out []Entry
	err := pg.WithTenantTx(ctx, s.db, tenantID, func(tx *sqlx.Tx) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("audit: list: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var e Entry
			var kind string
			var changed pq.StringArray
			if err := rows.Scan(&e.TenantID, &e.Time, &e.ID, &kind, &e.UserID, &e.APIKeyID, &e.Subject, &e.ClientAddr,
				&e.Method, &e.Path, &e.Status, &e.ResourceID, &e.RequestID, &e.LatencyMS, &changed); err != nil {
				return fmt.Errorf("audit: list: %w", err)
			}
			e.Kind, e.Time = Kind(kind), e.Time.UTC()
			if len(changed) > 0 {
				e.ChangedFields = changed
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, nil, err
	}
	if len(out) <= f.Limit {
		return out, nil, nil
	}
	out = out[:f.Limit]
	last := out[len(out)-1]
	return out, &Position{Time: last.Time, ID: last.ID}, nil
}

// likePrefix returns the LIKE pattern matching strings that start with p.
func likePrefix(p string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(p) + "%"
}

// pruneBatch bounds the rows one Prune statement deletes, keeping each
// transaction short.
const pruneBatch = 10000

// Prune deletes the entries of every tenant older than olderThan and
// returns how many it deleted. It works in batches under the retention
// policies (app.audit_prune_before), so it needs no privileged role.
func (s *Store) Prune(ctx context.Context, olderThan time.Duration) (int64, error) {
	if olderThan <= 0 {
		return 0, fmt.Errorf("audit: prune: retention %v must be positive", olderThan)
	}
	cutoff := time.Now().Add(-olderThan).UTC().Format(time.RFC3339Nano)
	var total int64
	for {
		var n int64
		err := pg.WithTx(ctx, s.db, func(tx *sqlx.Tx) error {
			if _, err := tx.ExecContext(ctx, `SELECT set_config('app.audit_prune_before', $1, true)`, cutoff); err != nil {
				return fmt.Errorf("audit: prune: %w", err)
			}
			res, err := tx.ExecContext(ctx, `
				DELETE FROM audit_log WHERE (tenant_id, at, id) IN (
					SELECT tenant_id, at, id FROM audit_log WHERE at < $1::timestamptz LIMIT $2)`, cutoff, pruneBatch)
			if err != nil {
				return fmt.Errorf("audit: prune: %w", err)
			}
			n, err = res.RowsAffected()
			return err
		})
		total += n
		if err != nil || n < pruneBatch {
			return total, err
		}
	}
}
