-- +goose Up
-- Forecasts (package forecasts). An opportunity's forecast category
-- follows its stage (open: pipeline, won: closed, lost: omitted); on an
-- open stage it may be set to bestCase or commit. The forecast of a period
-- reads the live opportunities by close date, with what it sums and what
-- the record scope reads (index-only).
ALTER TABLE opportunities ADD COLUMN forecast_category text NOT NULL DEFAULT 'pipeline'
    CHECK (forecast_category IN ('pipeline', 'bestCase', 'commit', 'closed', 'omitted'));
UPDATE opportunities SET forecast_category = CASE status WHEN 'won' THEN 'closed' ELSE 'omitted' END WHERE status <> 'open';
CREATE INDEX opportunities_forecast ON opportunities (tenant_id, close_date)
    INCLUDE (currency, amount_minor, status, forecast_category, probability, owner_id, team_id) WHERE deleted_at IS NULL;

-- A tenant's exchange rates: its base currency and, per other currency,
-- the value of one unit of it in the base currency, a decimal string.
CREATE TABLE forecast_rates (
    tenant_id     uuid        NOT NULL PRIMARY KEY,
    base_currency text        NOT NULL,
    rates         jsonb       NOT NULL,
    updated_at    timestamptz NOT NULL,
    updated_by    text        NOT NULL
);

-- A manager's figure for an owner's or a team's commit or best case in a
-- period, shown beside the computed one.
CREATE TABLE forecast_overrides (
    tenant_id    uuid        NOT NULL,
    period       text        NOT NULL,
    subject_kind text        NOT NULL CHECK (subject_kind IN ('owner', 'team')),
    subject_id   text        NOT NULL,
    category     text        NOT NULL CHECK (category IN ('commit', 'bestCase')),
    amount_minor bigint      NOT NULL,
    currency     text        NOT NULL,
    note         text        NOT NULL DEFAULT '',
    set_by       text        NOT NULL,
    set_at       timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, period, subject_kind, subject_id, category)
);

ALTER TABLE forecast_rates ENABLE ROW LEVEL SECURITY;
ALTER TABLE forecast_rates FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON forecast_rates
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE forecast_overrides ENABLE ROW LEVEL SECURITY;
ALTER TABLE forecast_overrides FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON forecast_overrides
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE forecast_overrides;
DROP TABLE forecast_rates;
DROP INDEX opportunities_forecast;
ALTER TABLE opportunities DROP COLUMN forecast_category;
