-- +goose Up
-- Leads' tags and custom fields (package leads). Tags are names,
-- normalised by libs/tags as contacts' are; tag_keys holds them in lower
-- case for the tag filter (GIN). Custom field values are jsonb, checked
-- against the tenant's definitions in custom_fields (libs/customfields'
-- table, entity "lead").
ALTER TABLE leads
    ADD COLUMN tags          text[] NOT NULL DEFAULT '{}',
    ADD COLUMN tag_keys      text[] NOT NULL DEFAULT '{}',
    ADD COLUMN custom_fields jsonb  NOT NULL DEFAULT '{}';
CREATE INDEX leads_tags ON leads USING gin (tag_keys);

CREATE TABLE custom_fields (
    tenant_id  uuid        NOT NULL,
    id         uuid        NOT NULL,
    entity     text        NOT NULL,
    key        text        NOT NULL,
    label      text        NOT NULL,
    type       text        NOT NULL,
    options    text[]      NOT NULL DEFAULT '{}',
    required   boolean     NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version    bigint      NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX custom_fields_key ON custom_fields (tenant_id, entity, key);

ALTER TABLE custom_fields ENABLE ROW LEVEL SECURITY;
ALTER TABLE custom_fields FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON custom_fields
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE custom_fields;
ALTER TABLE leads DROP COLUMN custom_fields, DROP COLUMN tag_keys, DROP COLUMN tags;
