-- +goose Up
-- The responses kept for Idempotency-Key (libs/idempotency), one row per
-- tenant, route and key, under row-level security. The contacts service
-- made this table in its own first migration before it was shared; on its
-- databases this migration finds it and changes nothing.
CREATE TABLE IF NOT EXISTS idempotency_keys (
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
CREATE INDEX IF NOT EXISTS idempotency_keys_created ON idempotency_keys (tenant_id, created_at);
ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
-- +goose StatementBegin
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_policies WHERE tablename = 'idempotency_keys' AND policyname = 'tenant_isolation') THEN
        CREATE POLICY tenant_isolation ON idempotency_keys
            USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
            WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
    END IF;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE idempotency_keys;
