-- +goose Up
-- Similar names are found through keys of a name's word starts (0003 had
-- whole groups). A contact was checked for a similar name among up to 200
-- contacts of its account, or, without an account, of its email domain
-- ('domain' keys): an account or company with more contacts was only partly
-- compared, every create in it paid for 200 comparisons, and a scan left out
-- every group over 1000. The keys are now, per word of the display name,
-- its first three letters with
--   'account_name': the contact's account ("<account id> kat");
--   'domain_name':  each email domain, not a free-mail one ("acme.com kat").
-- Two names similar enough to be duplicates (NameSimilarity, 0.6) share the
-- start of a word, so a create compares only the few contacts of its account
-- or domain whose name shares one, wherever they are in a big company, and a
-- scan compares within those groups. A name with no word separators (张伟)
-- is one word.
--
-- The keys are inserted without ON CONFLICT: contact_match_values returns
-- each (kind, value) once (UNION) and contact_id is in the primary key, so
-- no two rows can collide, and a speculative insertion cost every key a
-- second WAL record.

-- +goose StatementBegin
CREATE FUNCTION contact_name_prefixes(name text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY(SELECT DISTINCT left(w, 3) FROM regexp_split_to_table(lower(name), '[^[:alnum:]]+') w WHERE w <> '')
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION contact_match_values(emails jsonb, phones jsonb, name text, account_id uuid)
RETURNS TABLE (kind text, value text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT 'email', lower(btrim(e->>'address')) FROM jsonb_array_elements(emails) e
    WHERE COALESCE(btrim(e->>'address'), '') <> ''
    UNION
    SELECT 'domain_name', d.domain || ' ' || p.prefix
    FROM (SELECT split_part(lower(btrim(e->>'address')), '@', 2) AS domain FROM jsonb_array_elements(emails) e) d,
        unnest(contact_name_prefixes(name)) p(prefix)
    WHERE d.domain NOT IN ('', 'gmail.com', 'googlemail.com', 'yahoo.com',
        'yahoo.co.uk', 'hotmail.com', 'outlook.com', 'live.com', 'msn.com', 'aol.com', 'icloud.com', 'me.com',
        'proton.me', 'protonmail.com', 'gmx.de', 'gmx.net', 'web.de', 'qq.com', '163.com', '126.com', 'yeah.net',
        'sina.com', 'mail.ru', 'yandex.ru')
    UNION
    SELECT 'account_name', account_id::text || ' ' || p.prefix FROM unnest(contact_name_prefixes(name)) p(prefix)
    WHERE account_id IS NOT NULL
    UNION
    SELECT 'phone', p->>'e164' FROM jsonb_array_elements(phones) p
    WHERE COALESCE(p->>'e164', '') <> ''
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION contact_match_keys_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.emails = OLD.emails AND NEW.phones = OLD.phones AND NEW.display_name = OLD.display_name
            AND NEW.account_id IS NOT DISTINCT FROM OLD.account_id
            AND (NEW.deleted_at IS NULL) = (OLD.deleted_at IS NULL) THEN
            RETURN NULL;
        END IF;
        DELETE FROM contact_match_keys WHERE tenant_id = OLD.tenant_id AND contact_id = OLD.id;
    END IF;
    IF NEW.deleted_at IS NULL THEN
        INSERT INTO contact_match_keys (tenant_id, kind, value, contact_id, name)
        SELECT NEW.tenant_id, k.kind, k.value, NEW.id, NEW.display_name
        FROM contact_match_values(NEW.emails, NEW.phones, NEW.display_name, NEW.account_id) k;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

DROP TRIGGER contact_match_keys_sync ON contacts;
CREATE TRIGGER contact_match_keys_sync AFTER INSERT OR UPDATE OF emails, phones, display_name, account_id, deleted_at
    ON contacts FOR EACH ROW EXECUTE FUNCTION contact_match_keys_sync();
DROP FUNCTION contact_match_values(jsonb, jsonb);

-- Rewrite the keys of existing contacts, with FORCE lifted as in 0003.
ALTER TABLE contacts NO FORCE ROW LEVEL SECURITY;
ALTER TABLE contact_match_keys NO FORCE ROW LEVEL SECURITY;
DELETE FROM contact_match_keys WHERE kind = 'domain';
INSERT INTO contact_match_keys (tenant_id, kind, value, contact_id, name)
SELECT c.tenant_id, k.kind, k.value, c.id, c.display_name
FROM contacts c, contact_match_values(c.emails, c.phones, c.display_name, c.account_id) k
WHERE c.deleted_at IS NULL AND k.kind IN ('domain_name', 'account_name');
ALTER TABLE contacts FORCE ROW LEVEL SECURITY;
ALTER TABLE contact_match_keys FORCE ROW LEVEL SECURITY;

-- +goose Down
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
CREATE OR REPLACE FUNCTION contact_match_keys_sync() RETURNS trigger LANGUAGE plpgsql AS $$
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

DROP TRIGGER contact_match_keys_sync ON contacts;
CREATE TRIGGER contact_match_keys_sync AFTER INSERT OR UPDATE OF emails, phones, display_name, deleted_at ON contacts
    FOR EACH ROW EXECUTE FUNCTION contact_match_keys_sync();
DROP FUNCTION contact_match_values(jsonb, jsonb, text, uuid);
DROP FUNCTION contact_name_prefixes(text);
ALTER TABLE contacts NO FORCE ROW LEVEL SECURITY;
ALTER TABLE contact_match_keys NO FORCE ROW LEVEL SECURITY;
DELETE FROM contact_match_keys WHERE kind IN ('domain_name', 'account_name');
INSERT INTO contact_match_keys (tenant_id, kind, value, contact_id, name)
SELECT c.tenant_id, k.kind, k.value, c.id, c.display_name
FROM contacts c, contact_match_values(c.emails, c.phones) k
WHERE c.deleted_at IS NULL AND k.kind = 'domain'
ON CONFLICT DO NOTHING;
ALTER TABLE contacts FORCE ROW LEVEL SECURITY;
ALTER TABLE contact_match_keys FORCE ROW LEVEL SECURITY;
