-- +goose Up
-- Campaigns (package campaigns): a tenant's campaigns, in a hierarchy of
-- programmes (parent_id, never a cycle: the service checks), with their
-- type, status, budget and actual cost (exact decimals in a currency,
-- each amount with its currency or neither), dates and owner.
CREATE TABLE campaigns (
    tenant_id            uuid        NOT NULL,
    id                   uuid        NOT NULL,
    name                 text        NOT NULL,
    type                 text        NOT NULL CHECK (type IN ('email', 'sms', 'event', 'webinar', 'ads', 'other')),
    status               text        NOT NULL CHECK (status IN ('planned', 'active', 'paused', 'completed', 'canceled')),
    parent_id            uuid,
    description          text        NOT NULL DEFAULT '',
    budget_amount        numeric,
    budget_currency      text,
    actual_cost_amount   numeric,
    actual_cost_currency text,
    starts_on            date,
    ends_on              date,
    owner_id             text        NOT NULL DEFAULT '',
    created_by           text        NOT NULL DEFAULT '',
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    version              bigint      NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, parent_id) REFERENCES campaigns (tenant_id, id),
    CHECK ((budget_amount IS NULL) = (budget_currency IS NULL)),
    CHECK ((actual_cost_amount IS NULL) = (actual_cost_currency IS NULL)),
    CHECK (ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on)
);

CREATE INDEX campaigns_parent ON campaigns (tenant_id, parent_id, id) WHERE parent_id IS NOT NULL;
CREATE INDEX campaigns_status ON campaigns (tenant_id, status, id);

ALTER TABLE campaigns ENABLE ROW LEVEL SECURITY;
ALTER TABLE campaigns FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON campaigns
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE campaigns;
