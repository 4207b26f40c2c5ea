-- +goose Up
-- A contact without an account is checked for a similar name among the
-- contacts sharing an email domain (0003). Their 'domain' keys made every
-- contact of a company one group, which the check read up to 200 rows of,
-- computing each one's similarity: a company with more contacts was only
-- partly compared, and each create of a big company's contact paid for 200
-- comparisons. The keys are now 'domain_name': the domain and the first
-- three letters of a word of the display name ("acme.com kat"). Two names
-- similar enough to be duplicates (NameSimilarity, 0.6) share the start of a
-- word, so a create compares only the few contacts of the domain whose name
-- shares one, wherever they are in a big company, and a scan compares within
-- those groups. A name with no word separators (张伟) is one word.
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
CREATE FUNCTION contact_match_values(emails jsonb, phones jsonb, name text) RETURNS TABLE (kind text, value text)
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
        SELECT NEW.tenant_id, k.kind, k.value, NEW.id, NEW.display_name
        FROM contact_match_values(NEW.emails, NEW.phones, NEW.display_name) k;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

DROP FUNCTION contact_match_values(jsonb, jsonb);

-- Rewrite the keys of existing contacts, with FORCE lifted as in 0003.
ALTER TABLE contacts NO FORCE ROW LEVEL SECURITY;
ALTER TABLE contact_match_keys NO FORCE ROW LEVEL SECURITY;
DELETE FROM contact_match_keys WHERE kind = 'domain';
INSERT INTO contact_match_keys (tenant_id, kind, value, contact_id, name)
SELECT c.tenant_id, k.kind, k.value, c.id, c.display_name
FROM contacts c, contact_match_values(c.emails, c.phones, c.display_name) k
WHERE c.deleted_at IS NULL AND k.kind = 'domain_name'
ON CONFLICT DO NOTHING;
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

DROP FUNCTION contact_match_values(jsonb, jsonb, text);
DROP FUNCTION contact_name_prefixes(text);
ALTER TABLE contacts NO FORCE ROW LEVEL SECURITY;
ALTER TABLE contact_match_keys NO FORCE ROW LEVEL SECURITY;
DELETE FROM contact_match_keys WHERE kind = 'domain_name';
INSERT INTO contact_match_keys (tenant_id, kind, value, contact_id, name)
SELECT c.tenant_id, k.kind, k.value, c.id, c.display_name
FROM contacts c, contact_match_values(c.emails, c.phones) k
WHERE c.deleted_at IS NULL AND k.kind = 'domain'
ON CONFLICT DO NOTHING;
ALTER TABLE contacts FORCE ROW LEVEL SECURITY;
ALTER TABLE contact_match_keys FORCE ROW LEVEL SECURITY;
