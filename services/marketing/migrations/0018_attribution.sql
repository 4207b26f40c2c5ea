-- +goose Up
-- Attribution (package attribution): touches of campaigns per contact, the
-- opportunities and leads of sales as they were last seen, and each won
-- opportunity's revenue credited to campaigns per model.

-- A contact's touch of a campaign: a message sent, opened or clicked, a
-- form submitted (kind sent, opened, clicked, form; channel email, sms or
-- web), or a lead of the campaign converted into the contact (kind lead,
-- with the opportunity the conversion made, if any). id is the id of the
-- event it was read from: an event counts once.
CREATE TABLE attribution_touches (
    tenant_id      uuid        NOT NULL,
    id             uuid        NOT NULL,
    contact_id     uuid        NOT NULL,
    campaign_id    uuid        NOT NULL,
    kind           text        NOT NULL,
    channel        text        NOT NULL DEFAULT '',
    opportunity_id uuid,
    at             timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE INDEX attribution_touches_contact ON attribution_touches (tenant_id, contact_id, at);
CREATE INDEX attribution_touches_campaign ON attribution_touches (tenant_id, campaign_id);
CREATE INDEX attribution_touches_opportunity ON attribution_touches (tenant_id, opportunity_id) WHERE opportunity_id IS NOT NULL;

ALTER TABLE attribution_touches ENABLE ROW LEVEL SECURITY;
ALTER TABLE attribution_touches FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON attribution_touches
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- Sales' opportunities as their latest event (by version) left them:
-- status open, won or lost; contact_ids the primary contact and the
-- contacts of its roles; the amount in minor units of currency (exponent
-- its minor-unit digits; NULL minor: no amount); deleted while sales has
-- it deleted.
CREATE TABLE attribution_opportunities (
    tenant_id    uuid        NOT NULL,
    id           uuid        NOT NULL,
    status       text        NOT NULL,
    contact_ids  uuid[]      NOT NULL DEFAULT '{}',
    amount_minor bigint,
    currency     text        NOT NULL DEFAULT '',
    exponent     integer     NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL,
    closed_at    timestamptz,
    deleted      boolean     NOT NULL DEFAULT false,
    version      bigint      NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE INDEX attribution_opportunities_contacts ON attribution_opportunities USING gin (contact_ids);

ALTER TABLE attribution_opportunities ENABLE ROW LEVEL SECURITY;
ALTER TABLE attribution_opportunities FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON attribution_opportunities
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- Sales' leads that name a campaign, as their latest event left them.
CREATE TABLE attribution_leads (
    tenant_id   uuid        NOT NULL,
    id          uuid        NOT NULL,
    campaign_id uuid        NOT NULL,
    created_at  timestamptz NOT NULL,
    deleted     boolean     NOT NULL DEFAULT false,
    version     bigint      NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE INDEX attribution_leads_campaign ON attribution_leads (tenant_id, campaign_id);

ALTER TABLE attribution_leads ENABLE ROW LEVEL SECURITY;
ALTER TABLE attribution_leads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON attribution_leads
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- A won opportunity's amount credited to a campaign under a model
-- (first_touch, last_touch, linear): share is the campaign's part (exact
-- for first and last touch, rounded to 6 places for linear), amount_minor
-- its minor units, split so that the campaigns' parts add up to the
-- opportunity's amount exactly. closed_at is the opportunity's, what the
-- report's dates select. Rewritten whenever the opportunity or a touch
-- before its close changes.
CREATE TABLE attributed_revenue (
    tenant_id      uuid        NOT NULL,
    opportunity_id uuid        NOT NULL,
    model          text        NOT NULL,
    campaign_id    uuid        NOT NULL,
    share          numeric     NOT NULL,
    amount_minor   bigint      NOT NULL,
    currency       text        NOT NULL,
    exponent       integer     NOT NULL,
    closed_at      timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, opportunity_id, model, campaign_id)
);

CREATE INDEX attributed_revenue_model ON attributed_revenue (tenant_id, model, campaign_id, closed_at);

ALTER TABLE attributed_revenue ENABLE ROW LEVEL SECURITY;
ALTER TABLE attributed_revenue FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON attributed_revenue
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE attributed_revenue;
DROP TABLE attribution_leads;
DROP TABLE attribution_opportunities;
DROP TABLE attribution_touches;
