-- +goose Up
-- Personal data (issue 14 point 6): a contact's data handed over whole
-- (GET /v1/contacts/{id}/personal-data) and erased (POST …/erase, package
-- privacy). Erasing a contact anonymises its personal fields irreversibly
-- and keeps the row as a tombstone for reports: its existence, lifecycle
-- stage, owner, team, account, tags, dates and activities stay.
--
-- erased_at is when it was erased (NULL: never). An erased contact has no
-- match keys (contact_match_keys_sync below), so no duplicate check, scan,
-- import or phone lookup finds it by what it was; its search keys are
-- derived from its placeholder name by contacts_derive (0002) as for any
-- row.
ALTER TABLE contacts ADD COLUMN erased_at timestamptz;

-- Who erased which contact, when and why, with the contacts merged into it
-- (erased with it) and how many activities naming the person were
-- redacted. It is evidence, as the consent history is: the application role
-- may add and read rows, never change or remove them (no UPDATE or DELETE
-- policy under FORCE ROW LEVEL SECURITY).
CREATE TABLE contact_erasures (
    tenant_id  uuid        NOT NULL,
    contact_id uuid        NOT NULL,
    erased_at  timestamptz NOT NULL,
    erased_by  text        NOT NULL,
    reason     text        NOT NULL,
    merged_ids uuid[]      NOT NULL DEFAULT '{}',
    activities int         NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, contact_id)
);
ALTER TABLE contact_erasures ENABLE ROW LEVEL SECURITY;
ALTER TABLE contact_erasures FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON contact_erasures FOR SELECT
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY tenant_append ON contact_erasures FOR INSERT
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- The match keys of a contact (0012's function) are those of a live contact
-- that is not erased: an erased contact's keys go with the erasure and never
-- come back (a restore of an erased contact that was deleted adds none).
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION contact_match_keys_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_keys record;
    i int;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.emails = OLD.emails AND NEW.phones = OLD.phones AND NEW.display_name = OLD.display_name
            AND NEW.account_id IS NOT DISTINCT FROM OLD.account_id
            AND (NEW.deleted_at IS NULL) = (OLD.deleted_at IS NULL)
            AND (NEW.erased_at IS NULL) = (OLD.erased_at IS NULL) THEN
            RETURN NULL;
        END IF;
        IF OLD.deleted_at IS NULL AND OLD.erased_at IS NULL THEN
            SELECT * INTO old_keys FROM contact_match_values(OLD.emails, OLD.phones, OLD.display_name, OLD.account_id);
            FOR i IN 1 .. COALESCE(array_length(old_keys.kinds, 1), 0) LOOP
                DELETE FROM contact_match_keys WHERE tenant_id = OLD.tenant_id AND kind = old_keys.kinds[i]
                    AND value = old_keys.vals[i] AND contact_id = OLD.id;
            END LOOP;
        END IF;
    END IF;
    IF NEW.deleted_at IS NULL AND NEW.erased_at IS NULL THEN
        INSERT INTO contact_match_keys (tenant_id, kind, value, contact_id, name)
        SELECT DISTINCT NEW.tenant_id, k.kind, k.value, NEW.id, NEW.display_name
        FROM contact_match_values(NEW.emails, NEW.phones, NEW.display_name, NEW.account_id) m,
            unnest(m.kinds, m.vals) k(kind, value);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
DROP TRIGGER contact_match_keys_sync ON contacts;
CREATE TRIGGER contact_match_keys_sync AFTER INSERT OR UPDATE OF emails, phones, display_name, account_id, deleted_at, erased_at
    ON contacts FOR EACH ROW EXECUTE FUNCTION contact_match_keys_sync();

-- An erased contact cannot become a person again: whatever writes it (an
-- update, a merge, an import), its personal columns and its erasure stay
-- as the erasure left them. The service refuses such writes first with a
-- clear error (contact-erased); this is the backstop. The WHEN clause is
-- evaluated without calling the function, so writes of other contacts pay
-- nothing.
-- +goose StatementBegin
CREATE FUNCTION contacts_erased_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.erased_at IS DISTINCT FROM OLD.erased_at OR NEW.first_name <> OLD.first_name OR NEW.last_name <> OLD.last_name
        OR NEW.display_name <> OLD.display_name OR NEW.emails <> OLD.emails OR NEW.phones <> OLD.phones
        OR NEW.job_title <> OLD.job_title OR NEW.address IS DISTINCT FROM OLD.address
        OR NEW.consent IS DISTINCT FROM OLD.consent OR NEW.custom_fields <> OLD.custom_fields THEN
        RAISE EXCEPTION 'contact % was erased: its personal fields cannot be written', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER contacts_erased_guard BEFORE UPDATE ON contacts
    FOR EACH ROW WHEN (OLD.erased_at IS NOT NULL) EXECUTE FUNCTION contacts_erased_guard();

-- The consent history is append-only for the application role (0004), but
-- where a consent came from (source: a form, a call, free text) may name the
-- person. erase_consent_sources, run as the tables' owner, blanks the source
-- of the history of erased contacts of the transaction's tenant, and nothing
-- else: the channel, statuses, times, cause and who changed it stay as
-- evidence. The owner may update the tenant's history (owner_erases) only
-- through it: the application role has no UPDATE policy.
-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE format($p$CREATE POLICY owner_erases ON consent_history FOR UPDATE TO %I
        USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
        WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)$p$, current_user);
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION erase_consent_sources(contact_ids uuid[]) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    tenant uuid := NULLIF(current_setting('app.tenant_id', true), '')::uuid;
    n bigint;
BEGIN
    UPDATE public.consent_history h SET source = ''
    FROM (SELECT DISTINCT x.id FROM unnest(contact_ids) x(id)) e
    WHERE h.tenant_id = tenant AND h.contact_id = e.id AND h.source <> ''
        AND EXISTS (SELECT 1 FROM public.contacts c WHERE c.tenant_id = tenant AND c.id = e.id AND c.erased_at IS NOT NULL);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION erase_consent_sources(uuid[]);
DROP POLICY owner_erases ON consent_history;
DROP TRIGGER contacts_erased_guard ON contacts;
DROP FUNCTION contacts_erased_guard();
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION contact_match_keys_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_keys record;
    i int;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.emails = OLD.emails AND NEW.phones = OLD.phones AND NEW.display_name = OLD.display_name
            AND NEW.account_id IS NOT DISTINCT FROM OLD.account_id
            AND (NEW.deleted_at IS NULL) = (OLD.deleted_at IS NULL) THEN
            RETURN NULL;
        END IF;
        IF OLD.deleted_at IS NULL THEN
            SELECT * INTO old_keys FROM contact_match_values(OLD.emails, OLD.phones, OLD.display_name, OLD.account_id);
            FOR i IN 1 .. COALESCE(array_length(old_keys.kinds, 1), 0) LOOP
                DELETE FROM contact_match_keys WHERE tenant_id = OLD.tenant_id AND kind = old_keys.kinds[i]
                    AND value = old_keys.vals[i] AND contact_id = OLD.id;
            END LOOP;
        END IF;
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
DROP TABLE contact_erasures;
ALTER TABLE contacts DROP COLUMN erased_at;
