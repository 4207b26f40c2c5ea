-- +goose Up
-- Search, filters, sorting and saved views (issue 3 point 4).
--
-- Every table is under FORCE ROW LEVEL SECURITY, so the tenant policy is a
-- security-barrier qual and PostgreSQL uses an index only for user
-- conditions whose operators and functions are LEAKPROOF, or for an ORDER BY.
-- LIKE, lower(), pg_trgm's % and <%, tsvector @@, jsonb and array @> are not
-- leakproof, so GIN indexes on them are never used by the application role.
-- Text comparison and starts_with (^@) are leakproof, and ^@ on a
-- text_pattern_ops btree becomes an index range. Hence search (search.go)
-- works on stored, already lower-cased key columns:
--   * prefixes of any script and length: btree text_pattern_ops on
--     (tenant_id, key) for the display name, account name, primary email and
--     primary phone digits (and their reverse, for suffixes), one BitmapOr;
--   * substrings and typos (texts of 3+ characters): a GiST trigram index on
--     (tenant_id, search_text) (btree_gist; siglen 256 halves the KNN time
--     against the default 12 at 1M rows), read as nearest neighbours by
--     word-similarity distance (ORDER BY q <<-> search_text LIMIT n), then
--     checked on those rows.
-- The key columns are kept by triggers, so every writer (the service, merges,
-- imports) keeps them right, and an account rename rewrites its contacts'
-- account name in the same transaction.
--   contacts.account_name   the account's name
--   contacts.name_key       lower(display_name)
--   contacts.account_key    lower(account_name)
--   contacts.primary_email  lower-cased primary (else first) email
--   contacts.primary_phone  E.164 of the primary (else first) phone
--   contacts.phone_key      digits of primary_phone; phone_rkey reversed
--   *.search_text           lower-cased names, every email, every phone's
--                           digits and the account name (contacts), or name
--                           and domain (accounts)
-- pg_trgm and btree_gist are trusted extensions.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gist;

ALTER TABLE contacts
    ADD COLUMN last_activity_at timestamptz,
    ADD COLUMN account_name     text NOT NULL DEFAULT '',
    ADD COLUMN name_key         text NOT NULL DEFAULT '',
    ADD COLUMN account_key      text NOT NULL DEFAULT '',
    ADD COLUMN primary_email    text NOT NULL DEFAULT '',
    ADD COLUMN primary_phone    text NOT NULL DEFAULT '',
    ADD COLUMN phone_key        text NOT NULL DEFAULT '',
    ADD COLUMN phone_rkey       text NOT NULL DEFAULT '',
    ADD COLUMN search_text      text NOT NULL DEFAULT '';

ALTER TABLE accounts
    ADD COLUMN name_key    text NOT NULL DEFAULT '',
    ADD COLUMN search_text text NOT NULL DEFAULT '';

-- +goose StatementBegin
CREATE FUNCTION contacts_derive() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    first_email jsonb := COALESCE(jsonb_path_query_first(NEW.emails, '$[*] ? (@.primary == true)'), NEW.emails->0);
    first_phone jsonb := COALESCE(jsonb_path_query_first(NEW.phones, '$[*] ? (@.primary == true)'), NEW.phones->0);
BEGIN
    IF TG_OP = 'INSERT' OR NEW.account_id IS DISTINCT FROM OLD.account_id THEN
        NEW.account_name := COALESCE((SELECT a.name FROM accounts a
            WHERE a.tenant_id = NEW.tenant_id AND a.id = NEW.account_id), '');
    END IF;
    NEW.name_key := lower(NEW.display_name);
    NEW.account_key := lower(NEW.account_name);
    NEW.primary_email := lower(COALESCE(first_email->>'address', ''));
    NEW.primary_phone := COALESCE(first_phone->>'e164', '');
    NEW.phone_key := regexp_replace(NEW.primary_phone, '[^0-9]', '', 'g');
    NEW.phone_rkey := reverse(NEW.phone_key);
    NEW.search_text := lower(concat_ws(' ', NEW.display_name, NEW.first_name, NEW.last_name,
        (SELECT string_agg(e->>'address', ' ') FROM jsonb_array_elements(NEW.emails) e),
        (SELECT string_agg(regexp_replace(p->>'e164', '[^0-9]', '', 'g'), ' ')
            FROM jsonb_array_elements(NEW.phones) p WHERE COALESCE(p->>'e164', '') <> ''),
        NEW.account_name));
    RETURN NEW;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION accounts_derive() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.name_key := lower(NEW.name);
    NEW.search_text := lower(concat_ws(' ', NEW.name, NULLIF(NEW.domain, '')));
    RETURN NEW;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION accounts_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE contacts SET account_name = NEW.name
    WHERE tenant_id = NEW.tenant_id AND account_id = NEW.id;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER contacts_derive BEFORE INSERT OR UPDATE ON contacts
    FOR EACH ROW EXECUTE FUNCTION contacts_derive();
CREATE TRIGGER accounts_derive BEFORE INSERT OR UPDATE ON accounts
    FOR EACH ROW EXECUTE FUNCTION accounts_derive();
CREATE TRIGGER accounts_renamed AFTER UPDATE OF name ON accounts
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION accounts_renamed();

-- Backfill rows written before this migration. The migration role owns the
-- tables; FORCE is lifted for the statements so a non-superuser owner sees
-- every tenant's rows (the transaction restores it).
ALTER TABLE accounts NO FORCE ROW LEVEL SECURITY;
ALTER TABLE contacts NO FORCE ROW LEVEL SECURITY;
UPDATE accounts SET name = name;
UPDATE contacts c SET account_name = COALESCE((SELECT a.name FROM accounts a
    WHERE a.tenant_id = c.tenant_id AND a.id = c.account_id), '');
ALTER TABLE accounts FORCE ROW LEVEL SECURITY;
ALTER TABLE contacts FORCE ROW LEVEL SECURITY;

-- Search.
CREATE INDEX contacts_name_key ON contacts (tenant_id, name_key text_pattern_ops);
CREATE INDEX contacts_account_key ON contacts (tenant_id, account_key text_pattern_ops);
CREATE INDEX contacts_primary_email ON contacts (tenant_id, primary_email text_pattern_ops);
CREATE INDEX contacts_phone_key ON contacts (tenant_id, phone_key text_pattern_ops);
CREATE INDEX contacts_phone_rkey ON contacts (tenant_id, phone_rkey text_pattern_ops);
CREATE INDEX contacts_search ON contacts USING gist (tenant_id, search_text gist_trgm_ops(siglen = 256));
CREATE INDEX accounts_name_key ON accounts (tenant_id, name_key text_pattern_ops);
CREATE INDEX accounts_domain_prefix ON accounts (tenant_id, domain text_pattern_ops);
CREATE INDEX accounts_search ON accounts USING gist (tenant_id, search_text gist_trgm_ops(siglen = 256));

-- Filters and sorts: every Sortable field has a (tenant_id, field, id) index
-- so a sorted page is an index scan that stops at the limit, and range
-- conditions (within, lt, gte) on it are index conditions.
CREATE INDEX contacts_updated ON contacts (tenant_id, updated_at, id);
CREATE INDEX contacts_last_activity ON contacts (tenant_id, last_activity_at, id);
CREATE INDEX contacts_stage_updated ON contacts (tenant_id, lifecycle_stage, updated_at, id);
CREATE INDEX contacts_display_name ON contacts (tenant_id, display_name, id);
CREATE INDEX contacts_last_name ON contacts (tenant_id, last_name, id);
CREATE INDEX contacts_email_sort ON contacts (tenant_id, primary_email, id);
CREATE INDEX accounts_updated ON accounts (tenant_id, updated_at, id);
CREATE INDEX accounts_name ON accounts (tenant_id, name, id);

-- Saved views of contacts or accounts: a filter, a search, columns and a sort.
CREATE TABLE saved_views (
    tenant_id   uuid        NOT NULL,
    id          uuid        NOT NULL,
    entity      text        NOT NULL,
    name        text        NOT NULL,
    filter      jsonb,
    q           text        NOT NULL DEFAULT '',
    columns     text[]      NOT NULL DEFAULT '{}',
    sort        text        NOT NULL DEFAULT '',
    visibility  text        NOT NULL,
    owner_id    text        NOT NULL,
    builtin     boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    version     bigint      NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX saved_views_owner ON saved_views (tenant_id, entity, owner_id);
ALTER TABLE saved_views ENABLE ROW LEVEL SECURITY;
ALTER TABLE saved_views FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON saved_views
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE saved_views;
DROP TRIGGER accounts_renamed ON accounts;
DROP TRIGGER accounts_derive ON accounts;
DROP TRIGGER contacts_derive ON contacts;
DROP FUNCTION accounts_renamed(), accounts_derive(), contacts_derive();
DROP INDEX contacts_updated, contacts_last_activity, contacts_stage_updated, contacts_display_name,
    contacts_last_name, contacts_email_sort, accounts_updated, accounts_name, contacts_name_key,
    contacts_account_key, contacts_primary_email, contacts_phone_key, contacts_phone_rkey, contacts_search,
    accounts_name_key, accounts_domain_prefix, accounts_search;
ALTER TABLE accounts DROP COLUMN search_text, DROP COLUMN name_key;
ALTER TABLE contacts DROP COLUMN search_text, DROP COLUMN phone_rkey, DROP COLUMN phone_key,
    DROP COLUMN primary_phone, DROP COLUMN primary_email, DROP COLUMN account_key, DROP COLUMN name_key,
    DROP COLUMN account_name, DROP COLUMN last_activity_at;
