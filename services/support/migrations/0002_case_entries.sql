-- +goose Up
-- The thread of a case (package cases): its public replies and internal
-- notes, oldest first by seq. message_id is the email Message-ID of the
-- entry (threading: a reply's In-Reply-To/References name it), unique per
-- tenant when set. attachments are the metadata of the files the entry
-- holds ([{id, name, contentType, size}], package attachments' rows); the
-- author's email and name are blanked when the customer's contact is erased.
CREATE TABLE case_entries (
    tenant_id    uuid        NOT NULL,
    id           uuid        NOT NULL,
    case_id      uuid        NOT NULL,
    seq          bigint      GENERATED ALWAYS AS IDENTITY,
    kind         text        NOT NULL,
    public       boolean     NOT NULL,
    author_type  text        NOT NULL,
    author_id    text        NOT NULL DEFAULT '',
    author_email text        NOT NULL DEFAULT '',
    author_name  text        NOT NULL DEFAULT '',
    channel      text        NOT NULL,
    body_text    text        NOT NULL DEFAULT '',
    body_html    text        NOT NULL DEFAULT '',
    message_id   text,
    attachments  jsonb       NOT NULL DEFAULT '[]',
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);
CREATE INDEX case_entries_case ON case_entries (tenant_id, case_id, seq);
CREATE UNIQUE INDEX case_entries_message ON case_entries (tenant_id, message_id) WHERE message_id IS NOT NULL;

ALTER TABLE case_entries ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_entries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON case_entries
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- The tenant's custom field definitions (libs/customfields' table; entity
-- "case" for cases' custom fields).
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
DROP TABLE case_entries;
