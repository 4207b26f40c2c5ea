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
-- The keys are inserted without ON CONFLICT: each (kind, value) once
-- (DISTINCT), and contact_id is in the primary key, so no two rows can
-- collide, and a speculative insertion cost every key a second WAL record.

-- The functions are procedural (plpgsql), so each session keeps their plans:
-- the trigger runs for every row written, and SQL functions that cannot be
-- inlined are parsed and planned again on every call (five times the
-- trigger's cost in a bulk load).

-- +goose StatementBegin
CREATE FUNCTION contact_name_prefixes(name text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    w text;
    out text[] := '{}';
BEGIN
    FOREACH w IN ARRAY regexp_split_to_array(lower(name), '[^[:alnum:]]+') LOOP
        IF w <> '' AND NOT left(w, 3) = ANY (out) THEN
            out := out || left(w, 3);
        END IF;
    END LOOP;
    RETURN out;
END $$;
-- +goose StatementEnd

-- contact_match_values returns a contact's keys as two parallel arrays,
-- kinds and vals (unnest them together), possibly with repeats.
-- +goose StatementBegin
CREATE FUNCTION contact_match_values(emails jsonb, phones jsonb, name text, account_id uuid,
    OUT kinds text[], OUT vals text[])
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    prefixes text[] := contact_name_prefixes(name);
    i int;
    v text;
    p text;
    domain text;
BEGIN
    kinds := '{}';
    vals := '{}';
    FOR i IN 0 .. COALESCE(jsonb_array_length(emails), 0) - 1 LOOP
        v := lower(btrim(emails->i->>'address'));
        CONTINUE WHEN COALESCE(v, '') = '';
        kinds := kinds || 'email'::text;
        vals := vals || v;
        domain := split_part(v, '@', 2);
        CONTINUE WHEN domain IN ('', 'gmail.com', 'googlemail.com', 'yahoo.com',
            'yahoo.co.uk', 'hotmail.com', 'outlook.com', 'live.com', 'msn.com', 'aol.com', 'icloud.com', 'me.com',
            'proton.me', 'protonmail.com', 'gmx.de', 'gmx.net', 'web.de', 'qq.com', '163.com', '126.com', 'yeah.net',
            'sina.com', 'mail.ru', 'yandex.ru');
        FOREACH p IN ARRAY prefixes LOOP
            kinds := kinds || 'domain_name'::text;
            vals := vals || (domain || ' ' || p);
        END LOOP;
    END LOOP;
    IF account_id IS NOT NULL THEN
        FOREACH p IN ARRAY prefixes LOOP
            kinds := kinds || 'account_name'::text;
            vals := vals || (account_id::text || ' ' || p);
        END LOOP;
    END IF;
    FOR i IN 0 .. COALESCE(jsonb_array_length(phones), 0) - 1 LOOP
        v := phones->i->>'e164';
        CONTINUE WHEN COALESCE(v, '') = '';
        kinds := kinds || 'phone'::text;
        vals := vals || v;
    END LOOP;
END $$;
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
        SELECT DISTINCT NEW.tenant_id, k.kind, k.value, NEW.id, NEW.display_name
        FROM contact_match_values(NEW.emails, NEW.phones, NEW.display_name, NEW.account_id) m,
            unnest(m.kinds, m.vals) k(kind, value);
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
SELECT DISTINCT c.tenant_id, k.kind, k.value, c.id, c.display_name
FROM contacts c, contact_match_values(c.emails, c.phones, c.display_name, c.account_id) m,
    unnest(m.kinds, m.vals) k(kind, value)
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
