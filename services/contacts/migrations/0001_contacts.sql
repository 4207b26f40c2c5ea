-- +goose Up
-- Per-tenant settings: the default region for phone normalisation.
CREATE TABLE settings (
    tenant_id      uuid        NOT NULL PRIMARY KEY,
    default_region text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    version        bigint      NOT NULL DEFAULT 1
);

-- The tag catalogue; records hold tag ids, so a rename keeps assignments.
CREATE TABLE tags (
    tenant_id   uuid        NOT NULL,
    id          uuid        NOT NULL,
    name        text        NOT NULL,
    colour      text        NOT NULL,
    description text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    version     bigint      NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX tags_name ON tags (tenant_id, lower(name));

-- Custom field definitions per entity ("contact" or "account").
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

CREATE TABLE accounts (
    tenant_id         uuid        NOT NULL,
    id                uuid        NOT NULL,
    name              text        NOT NULL,
    domain            text        NOT NULL DEFAULT '',
    industry          text        NOT NULL DEFAULT '',
    size_band         text        NOT NULL DEFAULT '',
    annual_revenue    jsonb,
    owner_id          text        NOT NULL,
    team_id           text        NOT NULL DEFAULT '',
    parent_account_id uuid,
    billing_address   jsonb,
    shipping_address  jsonb,
    tag_ids           uuid[]      NOT NULL DEFAULT '{}',
    custom_fields     jsonb       NOT NULL DEFAULT '{}',
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    version           bigint      NOT NULL,
    deleted_at        timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, parent_account_id) REFERENCES accounts (tenant_id, id)
);
CREATE INDEX accounts_created ON accounts (tenant_id, created_at, id);
CREATE INDEX accounts_owner ON accounts (tenant_id, owner_id);
CREATE INDEX accounts_team ON accounts (tenant_id, team_id);
CREATE INDEX accounts_domain ON accounts (tenant_id, domain);
CREATE INDEX accounts_parent ON accounts (tenant_id, parent_account_id);
CREATE INDEX accounts_tags ON accounts USING gin (tag_ids);

CREATE TABLE contacts (
    tenant_id           uuid        NOT NULL,
    id                  uuid        NOT NULL,
    first_name          text        NOT NULL DEFAULT '',
    last_name           text        NOT NULL DEFAULT '',
    display_name        text        NOT NULL,
    display_name_manual boolean     NOT NULL DEFAULT false,
    emails              jsonb       NOT NULL DEFAULT '[]',
    phones              jsonb       NOT NULL DEFAULT '[]',
    job_title           text        NOT NULL DEFAULT '',
    account_id          uuid,
    owner_id            text        NOT NULL,
    team_id             text        NOT NULL DEFAULT '',
    lifecycle_stage     text        NOT NULL DEFAULT '',
    source              text        NOT NULL DEFAULT '',
    address             jsonb,
    consent             jsonb,
    tag_ids             uuid[]      NOT NULL DEFAULT '{}',
    custom_fields       jsonb       NOT NULL DEFAULT '{}',
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    version             bigint      NOT NULL,
    deleted_at          timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id)
);
CREATE INDEX contacts_created ON contacts (tenant_id, created_at, id);
CREATE INDEX contacts_owner ON contacts (tenant_id, owner_id);
CREATE INDEX contacts_team ON contacts (tenant_id, team_id);
CREATE INDEX contacts_account ON contacts (tenant_id, account_id);
CREATE INDEX contacts_tags ON contacts USING gin (tag_ids);

-- Responses of POSTs sent with an Idempotency-Key, replayed for 24 hours.
CREATE TABLE idempotency_keys (
    tenant_id    uuid        NOT NULL,
    route        text        NOT NULL,
    key          text        NOT NULL,
    request_hash text        NOT NULL,
    status       int         NOT NULL DEFAULT 0,
    headers      jsonb       NOT NULL DEFAULT '{}',
    body         bytea       NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, route, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (tenant_id, created_at);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['settings', 'tags', 'custom_fields', 'accounts', 'contacts', 'idempotency_keys'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
            WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)$p$, t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE idempotency_keys, contacts, accounts, custom_fields, tags, settings;
