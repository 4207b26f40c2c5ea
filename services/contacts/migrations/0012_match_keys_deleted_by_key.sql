-- +goose Up
-- contact_match_keys_contact (tenant_id, contact_id) served one statement:
-- the keys trigger's DELETE of a contact's keys when the contact changes.
-- It cost every key row an index entry (four or five a create). The keys of
-- a contact are a function of its row (contact_match_values, IMMUTABLE), so
-- the trigger now recomputes the old row's keys and deletes each by primary
-- key. A migration that changes contact_match_values must rewrite the keys,
-- as 0009 did.
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
DROP INDEX contact_match_keys_contact;

-- +goose Down
CREATE INDEX contact_match_keys_contact ON contact_match_keys (tenant_id, contact_id);
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
