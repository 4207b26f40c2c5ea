package testenv

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/lib/pq"
)

// contactsSchema is a contacts database as the service's migrations shape
// it, in small: tenant rows under forced row-level security, custom fields
// in jsonb, relations between contacts, a trigger function, an identity
// sequence and goose's version table.
const contactsSchema = `
CREATE TABLE goose_contacts (id serial PRIMARY KEY, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamptz NOT NULL DEFAULT now());
INSERT INTO goose_contacts (version_id, is_applied) VALUES (0, true), (1, true), (2, true), (19, true);
CREATE TABLE contacts (
  tenant_id uuid NOT NULL,
  id uuid PRIMARY KEY,
  name text NOT NULL,
  email text,
  custom jsonb NOT NULL DEFAULT '{}',
  version int NOT NULL DEFAULT 1,
  name_words text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL
);
CREATE INDEX contacts_custom ON contacts USING gin (custom);
ALTER TABLE contacts ENABLE ROW LEVEL SECURITY;
ALTER TABLE contacts FORCE ROW LEVEL SECURITY;
CREATE POLICY contacts_tenant ON contacts USING (tenant_id = current_setting('app.tenant_id', true)::uuid);
CREATE FUNCTION contacts_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.name_words := regexp_split_to_array(lower(NEW.name), '\s+'); RETURN NEW; END $$;
CREATE TRIGGER contacts_words BEFORE INSERT OR UPDATE ON contacts FOR EACH ROW EXECUTE FUNCTION contacts_words();
CREATE TABLE relations (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id uuid NOT NULL,
  from_id uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  to_id uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  kind text NOT NULL,
  UNIQUE (from_id, to_id, kind)
);
ALTER TABLE relations ENABLE ROW LEVEL SECURITY;
ALTER TABLE relations FORCE ROW LEVEL SECURITY;
CREATE POLICY relations_tenant ON relations USING (tenant_id = current_setting('app.tenant_id', true)::uuid);
CREATE TABLE inbox (tenant_id uuid NOT NULL, source text NOT NULL, id text NOT NULL, type text NOT NULL, consumer_group text NOT NULL DEFAULT '',
  PRIMARY KEY (tenant_id, source, id, consumer_group));
`

// SeedContacts shapes the database at adminDSN like a contacts database,
// as its owner (the role migrations run as; it is given the public schema
// first), and fills it with n contacts of tenantID, each with custom
// fields and a relation to the previous one, and an inbox row per contact.
// appRole is granted what the service's runtime role gets.
func SeedContacts(ctx context.Context, adminDSN, owner, appRole, tenantID string, n int) error {
	db, err := sql.Open("postgres", adminDSN)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // SET ROLE holds for the session
	own := pq.QuoteIdentifier(owner)
	if _, err := db.ExecContext(ctx, `ALTER SCHEMA public OWNER TO `+own+`; SET ROLE `+own+`;`+contactsSchema); err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	role := pq.QuoteIdentifier(appRole)
	if _, err := db.ExecContext(ctx, `GRANT USAGE ON SCHEMA public TO `+role+`;
		GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO `+role+`;
		GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO `+role); err != nil {
		return fmt.Errorf("grants: %w", err)
	}
	return AddContacts(ctx, adminDSN, tenantID, 0, n)
}

// AddContacts adds contacts from to to-1 (numbered names) of tenantID to
// the seeded database at dsn.
func AddContacts(ctx context.Context, dsn, tenantID string, from, to int) error {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit, nothing to undo
	for _, q := range []string{
		`SELECT set_config('app.tenant_id', $1, true), $2::int, $3::int`,
		`INSERT INTO contacts (tenant_id, id, name, email, custom, created_at)
SELECT $1::uuid, md5($1::text || i)::uuid, 'Contact ' || i || ' Zoë 山田', 'c' || i || '@example.com',
  jsonb_build_object('tier', (ARRAY['gold', 'silver', 'bronze'])[1 + i % 3], 'score', i * 7, 'tags', jsonb_build_array('a' || i, 'b'),
    'since', '2026-01-01'::date + i, 'nested', jsonb_build_object('vip', i % 2 = 0)),
  timestamptz '2026-01-01 00:00:00+00' + i * interval '1 minute'
FROM generate_series($2::int, $3::int - 1) i`,
		`INSERT INTO relations (tenant_id, from_id, to_id, kind)
SELECT $1::uuid, md5($1::text || i)::uuid, md5($1::text || (i - 1))::uuid, (ARRAY['colleague', 'manager'])[1 + i % 2]
FROM generate_series(greatest($2::int, 1), $3::int - 1) i`,
		`INSERT INTO inbox (tenant_id, source, id, type, consumer_group)
SELECT $1::uuid, 'contacts', 'ev-' || i || '-' || $2::int, 'contact.created', 'contacts-timeline' FROM generate_series($2::int, $3::int - 1) i`,
	} {
		if _, err := tx.ExecContext(ctx, q, tenantID, from, to); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// Snapshot reads every row of every table of the public schema at dsn (an
// admin connection, which row-level security does not hide rows from), as
// one JSON array in a stable order: table → rows. Two databases with the
// same snapshot hold the same records, relations and custom fields.
func Snapshot(ctx context.Context, dsn string) (map[string]string, error) {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)
	if err != nil {
		return nil, err
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return nil, err
		}
		tables = append(tables, t)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, t := range tables {
		q := `SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY to_jsonb(x)::text), '[]')::text FROM ` + pq.QuoteIdentifier(t) + ` x`
		var all string
		if err := db.QueryRowContext(ctx, q).Scan(&all); err != nil {
			return nil, fmt.Errorf("%s: %w", t, err)
		}
		out[t] = all
	}
	return out, nil
}
