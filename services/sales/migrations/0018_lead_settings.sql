-- +goose Up
-- A tenant's settings of leads (leads.Settings): the region whose national
-- numbering plan reads a phone typed without an international prefix; no
-- row, or an empty region, reads only international numbers.
CREATE TABLE lead_settings (
    tenant_id      uuid        NOT NULL PRIMARY KEY,
    default_region text        NOT NULL,
    updated_at     timestamptz NOT NULL,
    updated_by     text        NOT NULL
);

ALTER TABLE lead_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE lead_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON lead_settings
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE lead_settings;
