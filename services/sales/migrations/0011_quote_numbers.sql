-- +goose Up
-- Quote numbers: per tenant and year, the last number given, raised in
-- the transaction that creates the quote (INSERT … ON CONFLICT DO UPDATE
-- … RETURNING): concurrent creates queue on the row and take consecutive
-- numbers, and a create that rolls back gives its number back, so the
-- numbers have no gap (a sequence would leave one).
CREATE TABLE quote_numbers (
    tenant_id uuid   NOT NULL,
    year      int    NOT NULL,
    last      bigint NOT NULL,
    PRIMARY KEY (tenant_id, year)
);

-- A tenant's approval thresholds (quotes.Settings as JSON).
CREATE TABLE quote_settings (
    tenant_id  uuid        NOT NULL PRIMARY KEY,
    settings   jsonb       NOT NULL,
    updated_at timestamptz NOT NULL,
    updated_by text        NOT NULL
);

ALTER TABLE quote_numbers ENABLE ROW LEVEL SECURITY;
ALTER TABLE quote_numbers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON quote_numbers
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE quote_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE quote_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON quote_settings
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE quote_settings;
DROP TABLE quote_numbers;
