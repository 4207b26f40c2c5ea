-- +goose Up
-- Duplicate detection, duplicate scans and merges (issue 3 point 5).
--
-- Every table is under FORCE ROW LEVEL SECURITY, so the application role's
-- queries carry the tenant policy as a security-barrier qual, and PostgreSQL
-- only uses an index for a user condition whose functions are all LEAKPROOF.
-- Equality on text and uuid is leakproof; jsonb @>, array && and pg_trgm's %
-- are not, so a GIN index on them is never used under RLS (nor is a GiST
-- trigram KNN fast: at 1M names it reads the whole index). Hence every
-- duplicate check starts with a btree equality lookup and computes pg_trgm
-- similarity only on the bounded set it returns:
--   * contact_match_keys: per live contact, each lower-cased email, E.164
--     phone and email domain (free-mail domains left out), with the display
--     name, kept by a trigger; exact checks and "similar name sharing an email
--     domain" read its primary key (name included: no heap visit);
--   * similar contact names in an account: the btree contacts_account;
--   * account_name_keys: per live account, each word of its name but legal
--     forms and fillers (inc, ltd, group, ...), with the name; "similar name"
--     reads the accounts sharing a word;
--   * account domains: a btree on accounts (tenant_id, domain).
-- pg_trgm is a trusted extension: the database owner may create it without
-- being a superuser. Nothing here needs a superuser.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- A merged record is a tombstone: deleted, pointing at the record it was
-- merged into (which may itself be a tombstone after a later merge).
ALTER TABLE contacts ADD COLUMN merged_into uuid,
    ADD CONSTRAINT contacts_merged_into FOREIGN KEY (tenant_id, merged_into) REFERENCES contacts (tenant_id, id);
ALTER TABLE accounts ADD COLUMN merged_into uuid,
    ADD CONSTRAINT accounts_merged_into FOREIGN KEY (tenant_id, merged_into) REFERENCES accounts (tenant_id, id);

-- The match keys of live contacts: kind 'email' (lower-cased address),
-- 'phone' (E.164) or 'domain' (of an email, not a free-mail one).
CREATE TABLE contact_match_keys (
    tenant_id  uuid NOT NULL,
    kind       text NOT NULL,
    value      text NOT NULL,
    contact_id uuid NOT NULL,
    name       text NOT NULL,
    PRIMARY KEY (tenant_id, kind, value, contact_id) INCLUDE (name),
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX contact_match_keys_contact ON contact_match_keys (tenant_id, contact_id);

-- The name words of live accounts.
CREATE TABLE account_name_keys (
    tenant_id  uuid NOT NULL,
    word       text NOT NULL,
    account_id uuid NOT NULL,
    name       text NOT NULL,
    PRIMARY KEY (tenant_id, word, account_id) INCLUDE (name),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX account_name_keys_account ON account_name_keys (tenant_id, account_id);

-- +goose StatementBegin
CREATE FUNCTION contact_match_values(emails jsonb, phones jsonb) RETURNS TABLE (kind text, value text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT 'email', lower(btrim(e->>'address')) FROM jsonb_array_elements(emails) e
    WHERE COALESCE(btrim(e->>'address'), '') <> ''
    UNION
    SELECT 'domain', split_part(lower(btrim(e->>'address')), '@', 2) FROM jsonb_array_elements(emails) e
    WHERE split_part(lower(btrim(e->>'address')), '@', 2) NOT IN ('', 'gmail.com', 'googlemail.com', 'yahoo.com',
        'yahoo.co.uk', 'hotmail.com', 'outlook.com', 'live.com', 'msn.com', 'aol.com', 'icloud.com', 'me.com',
        'proton.me', 'protonmail.com', 'gmx.de', 'gmx.net', 'web.de', 'qq.com', '163.com', '126.com', 'yeah.net',
        'sina.com', 'mail.ru', 'yandex.ru')
    UNION
    SELECT 'phone', p->>'e164' FROM jsonb_array_elements(phones) p
    WHERE COALESCE(p->>'e164', '') <> ''
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION account_name_words(name text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY(SELECT DISTINCT w FROM regexp_split_to_table(lower(name), '[^[:alnum:]]+') w
    WHERE length(w) >= 2 AND w NOT IN ('ag', 'and', 'bv', 'co', 'company', 'corp', 'corporation', 'gmbh', 'group',
        'holding', 'holdings', 'inc', 'kg', 'limited', 'llc', 'llp', 'ltd', 'of', 'plc', 'pty', 'sa', 'sarl', 'spa',
        'srl', 'the'))
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION contact_match_keys_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.emails = OLD.emails AND NEW.phones = OLD.phones AND NEW.display_name = OLD.display_name
            AND (NEW.deleted_at IS NULL) = (OLD.deleted_at IS NULL) THEN
            RETURN NULL;
        END IF;
        DELETE FROM contact_match_keys WHERE tenant_id = OLD.tenant_id AND contact_id = OLD.id;
    END IF;
    IF NEW.deleted_at IS NULL THEN
        INSERT INTO contact_match_keys (tenant_id, kind, value, contact_id, name)
        SELECT NEW.tenant_id, k.kind, k.value, NEW.id, NEW.display_name FROM contact_match_values(NEW.emails, NEW.phones) k
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION account_name_keys_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.name = OLD.name AND (NEW.deleted_at IS NULL) = (OLD.deleted_at IS NULL) THEN
            RETURN NULL;
        END IF;
        DELETE FROM account_name_keys WHERE tenant_id = OLD.tenant_id AND account_id = OLD.id;
    END IF;
    IF NEW.deleted_at IS NULL THEN
        INSERT INTO account_name_keys (tenant_id, word, account_id, name)
        SELECT NEW.tenant_id, w, NEW.id, NEW.name FROM unnest(account_name_words(NEW.name)) w
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER contact_match_keys_sync AFTER INSERT OR UPDATE OF emails, phones, display_name, deleted_at ON contacts
    FOR EACH ROW EXECUTE FUNCTION contact_match_keys_sync();
CREATE TRIGGER account_name_keys_sync AFTER INSERT OR UPDATE OF name, deleted_at ON accounts
    FOR EACH ROW EXECUTE FUNCTION account_name_keys_sync();

-- Tenant-wide scans and the pairs they found.
CREATE TABLE duplicate_scans (
    tenant_id   uuid        NOT NULL,
    id          uuid        NOT NULL,
    entity      text        NOT NULL,
    status      text        NOT NULL,
    pair_count  int         NOT NULL DEFAULT 0,
    created_by  text        NOT NULL,
    created_at  timestamptz NOT NULL,
    finished_at timestamptz,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE duplicate_pairs (
    tenant_id  uuid             NOT NULL,
    scan_id    uuid             NOT NULL,
    a_id       uuid             NOT NULL,
    b_id       uuid             NOT NULL,
    score      double precision NOT NULL,
    matched_on text[]           NOT NULL,
    PRIMARY KEY (tenant_id, scan_id, a_id, b_id),
    FOREIGN KEY (tenant_id, scan_id) REFERENCES duplicate_scans (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX duplicate_pairs_score ON duplicate_pairs (tenant_id, scan_id, score DESC, a_id, b_id);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['contact_match_keys', 'account_name_keys', 'duplicate_scans', 'duplicate_pairs'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
            WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)$p$, t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- Backfill the keys of existing records. The migration role owns the
-- tables; FORCE is lifted for these statements so that a non-superuser owner
-- sees every tenant's rows (the migration's transaction restores it).
ALTER TABLE contacts NO FORCE ROW LEVEL SECURITY;
ALTER TABLE accounts NO FORCE ROW LEVEL SECURITY;
ALTER TABLE contact_match_keys NO FORCE ROW LEVEL SECURITY;
ALTER TABLE account_name_keys NO FORCE ROW LEVEL SECURITY;
INSERT INTO contact_match_keys (tenant_id, kind, value, contact_id, name)
SELECT c.tenant_id, k.kind, k.value, c.id, c.display_name FROM contacts c, contact_match_values(c.emails, c.phones) k
WHERE c.deleted_at IS NULL
ON CONFLICT DO NOTHING;
INSERT INTO account_name_keys (tenant_id, word, account_id, name)
SELECT a.tenant_id, w, a.id, a.name FROM accounts a, unnest(account_name_words(a.name)) w
WHERE a.deleted_at IS NULL
ON CONFLICT DO NOTHING;
ALTER TABLE contacts FORCE ROW LEVEL SECURITY;
ALTER TABLE accounts FORCE ROW LEVEL SECURITY;
ALTER TABLE contact_match_keys FORCE ROW LEVEL SECURITY;
ALTER TABLE account_name_keys FORCE ROW LEVEL SECURITY;

-- +goose Down
DROP TABLE duplicate_pairs, duplicate_scans;
DROP TRIGGER account_name_keys_sync ON accounts;
DROP TRIGGER contact_match_keys_sync ON contacts;
DROP FUNCTION account_name_keys_sync(), contact_match_keys_sync();
DROP TABLE account_name_keys, contact_match_keys;
DROP FUNCTION account_name_words(text), contact_match_values(jsonb, jsonb);
ALTER TABLE accounts DROP COLUMN merged_into;
ALTER TABLE contacts DROP COLUMN merged_into;
