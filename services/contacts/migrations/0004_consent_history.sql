-- +goose Up
-- The consent history of contacts (consent_history.go): one row per channel
-- whose consent a create, an update or a merge changed, with the consent
-- after the change (status '': the change removed it), the status before
-- ('': there was none), who changed it, when, and through which write.
-- Contacts written before this migration start their history at their next
-- change, whose previous_status is the consent they had.
--
-- The history is evidence, so the application role may only add to it and
-- read it: the tenant policies below are for SELECT and INSERT alone, and
-- under FORCE ROW LEVEL SECURITY an UPDATE or DELETE finds no row. Nor does
-- a contact's deletion cascade to it.
CREATE TABLE consent_history (
    tenant_id       uuid        NOT NULL,
    id              uuid        NOT NULL,
    contact_id      uuid        NOT NULL,
    channel         text        NOT NULL,
    status          text        NOT NULL DEFAULT '',
    previous_status text        NOT NULL DEFAULT '',
    consent_at      timestamptz,
    source          text        NOT NULL DEFAULT '',
    cause           text        NOT NULL,
    changed_by      text        NOT NULL,
    changed_at      timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id)
);
CREATE INDEX consent_history_contact ON consent_history (tenant_id, contact_id, changed_at, id);

-- A contact's history includes that of the contacts merged into it, found
-- through their merged_into.
CREATE INDEX contacts_merged_into ON contacts (tenant_id, merged_into) WHERE merged_into IS NOT NULL;

ALTER TABLE consent_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE consent_history FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON consent_history FOR SELECT
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY tenant_append ON consent_history FOR INSERT
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP INDEX contacts_merged_into;
DROP TABLE consent_history;
