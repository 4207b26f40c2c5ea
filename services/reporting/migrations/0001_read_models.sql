-- +goose Up
-- The read models of the reporting service (issue 20): everything here is
-- built from the topics' events by package ingest and can be rebuilt from
-- them. Every table is keyed by tenant and generation (internal/rm) and
-- under row-level security. Writes are idempotent: state rows are upserted
-- only by a newer version, fact rows are keyed by the event that made them.

-- A tenant's generations of read models (internal/rm): no row is generation
-- 1 active. A rebuild (POST /admin/v1/rebuild) fills a building generation
-- from the topics' beginnings while the active one answers, then makes it
-- active and the old one retired in one transaction; a retired generation's
-- rows are deleted afterwards.
CREATE TABLE rm_generations (
    tenant_id    uuid        NOT NULL,
    gen          integer     NOT NULL,
    state        text        NOT NULL CHECK (state IN ('building', 'active', 'retired')),
    started_at   timestamptz NOT NULL DEFAULT now(),
    switched_at  timestamptz,
    PRIMARY KEY (tenant_id, gen)
);

ALTER TABLE rm_generations ENABLE ROW LEVEL SECURITY;
ALTER TABLE rm_generations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON rm_generations
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- Per generation and source context (contacts, sales, marketing, support):
-- the time of the newest event applied (asOf) and how many were applied.
CREATE TABLE rm_freshness (
    tenant_id    uuid        NOT NULL,
    gen          integer     NOT NULL,
    context      text        NOT NULL,
    as_of        timestamptz NOT NULL,
    events       bigint      NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, gen, context)
);

ALTER TABLE rm_freshness ENABLE ROW LEVEL SECURITY;
ALTER TABLE rm_freshness FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON rm_freshness
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- Contacts as their newest event (by version) left them. erased: the
-- personal data (display_name) is gone for good, the contact still counts.
-- merged_into: merged away into that contact (rm_merges resolves chains).
CREATE TABLE rm_contacts (
    tenant_id    uuid        NOT NULL,
    gen             integer     NOT NULL,
    id              uuid        NOT NULL,
    account_id      uuid,
    owner_id        text        NOT NULL DEFAULT '',
    team_id         text        NOT NULL DEFAULT '',
    source          text        NOT NULL DEFAULT '',
    lifecycle_stage text        NOT NULL DEFAULT '',
    display_name    text        NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL,
    deleted         boolean     NOT NULL DEFAULT false,
    erased          boolean     NOT NULL DEFAULT false,
    merged_into     uuid,
    version         bigint      NOT NULL,
    PRIMARY KEY (tenant_id, gen, id)
);

ALTER TABLE rm_contacts ENABLE ROW LEVEL SECURITY;
ALTER TABLE rm_contacts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON rm_contacts
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- A contact's lifecycle stage at each version an event carried (at: the
-- event's updatedAt): the lifecycle report's stages over time and flows
-- (consecutive rows by version whose stage differs).
CREATE TABLE rm_contact_stages (
    tenant_id    uuid        NOT NULL,
    gen          integer     NOT NULL,
    contact_id   uuid        NOT NULL,
    version      bigint      NOT NULL,
    stage        text        NOT NULL,
    at           timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, gen, contact_id, version)
);

ALTER TABLE rm_contact_stages ENABLE ROW LEVEL SECURITY;
ALTER TABLE rm_contact_stages FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON rm_contact_stages
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- Merges: a loser's facts count for its winner. winner_id is always final: a
-- merge whose loser is another row's winner repoints that row, and a merge
-- into a loser goes on to that loser's winner.
CREATE TABLE rm_merges (
    tenant_id    uuid        NOT NULL,
    gen          integer     NOT NULL,
    kind         text        NOT NULL CHECK (kind IN ('contact', 'account', 'case')),
    loser_id     uuid        NOT NULL,
    winner_id    uuid        NOT NULL,
    at           timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, gen, kind, loser_id)
);

ALTER TABLE rm_merges ENABLE ROW LEVEL SECURITY;
ALTER TABLE rm_merges FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON rm_merges
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- Accounts as their newest event left them.
CREATE TABLE rm_accounts (
    tenant_id    uuid        NOT NULL,
    gen          integer     NOT NULL,
    id           uuid        NOT NULL,
    name         text        NOT NULL DEFAULT '',
    industry     text        NOT NULL DEFAULT '',
    owner_id     text        NOT NULL DEFAULT '',
    team_id      text        NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL,
    deleted      boolean     NOT NULL DEFAULT false,
    merged_into  uuid,
    version      bigint      NOT NULL,
    PRIMARY KEY (tenant_id, gen, id)
);

ALTER TABLE rm_accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE rm_accounts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON rm_accounts
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- Activities (call, email, meeting, note, task) as their newest event left
-- them; owner_id the assignee, else the creator; occurred_at occurredAt,
-- else createdAt.
CREATE TABLE rm_activities (
    tenant_id    uuid        NOT NULL,
    gen          integer     NOT NULL,
    id           uuid        NOT NULL,
    type         text        NOT NULL,
    owner_id     text        NOT NULL DEFAULT '',
    team_id      text        NOT NULL DEFAULT '',
    contact_id   uuid,
    account_id   uuid,
    occurred_at  timestamptz NOT NULL,
    completed    boolean     NOT NULL DEFAULT false,
    deleted      boolean     NOT NULL DEFAULT false,
    version      bigint      NOT NULL,
    PRIMARY KEY (tenant_id, gen, id)
);

ALTER TABLE rm_activities ENABLE ROW LEVEL SECURITY;
ALTER TABLE rm_activities FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON rm_activities
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- Leads as their newest event left them. reached is the furthest funnel step
-- any of its events showed, never lowered: 0 lead (new), 1 MQL (working or
-- nurturing), 2 SQL (qualified), 3 converted; disqualified leaves it.
CREATE TABLE rm_leads (
    tenant_id    uuid        NOT NULL,
    gen            integer     NOT NULL,
    id             uuid        NOT NULL,
    status         text        NOT NULL,
    reached        smallint    NOT NULL DEFAULT 0,
    source         text        NOT NULL DEFAULT '',
    campaign_id    uuid,
    owner_id       text        NOT NULL DEFAULT '',
    team_id        text        NOT NULL DEFAULT '',
    score          integer     NOT NULL DEFAULT 0,
    rating         text        NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL,
    converted_at   timestamptz,
    contact_id     uuid,
    account_id     uuid,
    opportunity_id uuid,
    deleted        boolean     NOT NULL DEFAULT false,
    version        bigint      NOT NULL,
    PRIMARY KEY (tenant_id, gen, id)
);

ALTER TABLE rm_leads ENABLE ROW LEVEL SECURITY;
ALTER TABLE rm_leads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON rm_leads
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- Opportunities as their newest event (by version, the stage_changed's
-- embedded opportunity included) left them; status open, won or lost; amount
-- in minor units of currency (exponent its digits).
CREATE TABLE rm_opportunities (
    tenant_id    uuid        NOT NULL,
    gen                integer     NOT NULL,
    id                 uuid        NOT NULL,
    name               text        NOT NULL DEFAULT '',
    pipeline_id        uuid,
    stage_id           uuid,
    status             text        NOT NULL,
    amount_minor       bigint      NOT NULL DEFAULT 0,
    currency           text        NOT NULL DEFAULT '',
    exponent           integer     NOT NULL DEFAULT 0,
    probability        integer     NOT NULL DEFAULT 0,
    forecast_category  text        NOT NULL DEFAULT '',
    owner_id           text        NOT NULL DEFAULT '',
    team_id            text        NOT NULL DEFAULT '',
    account_id         uuid,
    primary_contact_id uuid,
    contact_ids        uuid[]      NOT NULL DEFAULT '{}',
    close_date         date,
    created_at         timestamptz NOT NULL,
    closed_at          timestamptz,
    deleted            boolean     NOT NULL DEFAULT false,
    version            bigint      NOT NULL,
    PRIMARY KEY (tenant_id, gen, id)
);

ALTER TABLE rm_opportunities ENABLE ROW LEVEL SECURITY;
ALTER TABLE rm_opportunities FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON rm_opportunities
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- Stage changes, one row per stage_changed event (at: the embedded
-- opportunity's updatedAt): time in stage and stage-to-stage conversion,
-- whatever order they arrive in.
CREATE TABLE rm_stage_moves (
    tenant_id    uuid        NOT NULL,
    gen            integer     NOT NULL,
    event_id       uuid        NOT NULL,
    opportunity_id uuid        NOT NULL,
    from_stage_id  uuid,
    to_stage_id    uuid        NOT NULL,
    at             timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, gen, event_id)
);

ALTER TABLE rm_stage_moves ENABLE ROW LEVEL SECURITY;
ALTER TABLE rm_stage_moves FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON rm_stage_moves
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- Pipelines' stages (names, kinds open/won/lost, order) from pipeline events
-- and stage_changed's from/to.
CREATE TABLE rm_stages (
    tenant_id    uuid        NOT NULL,
    gen          integer     NOT NULL,
    pipeline_id  uuid        NOT NULL,
    stage_id     uuid        NOT NULL,
    pipeline     text        NOT NULL DEFAULT '',
    name         text        NOT NULL,
    kind         text        NOT NULL,
    position     integer     NOT NULL,
    version      bigint      NOT NULL,
    PRIMARY KEY (tenant_id, gen, pipeline_id, stage_id)
);

ALTER TABLE rm_stages ENABLE ROW LEVEL SECURITY;
ALTER TABLE rm_stages FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON rm_stages
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- Forecast overrides (forecast.overridden), the newest by setAt per owner,
-- period (2026-Q1 or 2026-03) and category.
CREATE TABLE rm_forecasts (
    tenant_id    uuid        NOT NULL,
    gen          integer     NOT NULL,
    owner_id     text        NOT NULL,
    period       text        NOT NULL,
    category     text        NOT NULL,
    team_id      text        NOT NULL DEFAULT '',
    amount_minor bigint      NOT NULL,
    currency     text        NOT NULL,
    exponent     integer     NOT NULL,
    set_at       timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, gen, owner_id, period, category)
);

ALTER TABLE rm_forecasts ENABLE ROW LEVEL SECURITY;
ALTER TABLE rm_forecasts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON rm_forecasts
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- Campaigns as their newest event left them; costs exact decimals in
-- cost_currency.
CREATE TABLE rm_campaigns (
    tenant_id    uuid        NOT NULL,
    gen           integer     NOT NULL,
    id            uuid        NOT NULL,
    name          text        NOT NULL DEFAULT '',
    type          text        NOT NULL DEFAULT '',
    parent_id     uuid,
    owner_id      text        NOT NULL DEFAULT '',
    status        text        NOT NULL DEFAULT '',
    budget        numeric,
    actual_cost   numeric,
    cost_currency text        NOT NULL DEFAULT '',
    starts_on     date,
    ends_on       date,
    created_at    timestamptz NOT NULL,
    deleted       boolean     NOT NULL DEFAULT false,
    version       bigint      NOT NULL,
    PRIMARY KEY (tenant_id, gen, id)
);

ALTER TABLE rm_campaigns ENABLE ROW LEVEL SECURITY;
ALTER TABLE rm_campaigns FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON rm_campaigns
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- A contact's touch of a campaign, one row per event
-- (message.sent/opened/clicked, form.submitted, campaign.responded) that
-- names both: attribution and campaign reports.
CREATE TABLE rm_touches (
    tenant_id    uuid        NOT NULL,
    gen          integer     NOT NULL,
    event_id     uuid        NOT NULL,
    contact_id   uuid        NOT NULL,
    campaign_id  uuid        NOT NULL,
    kind         text        NOT NULL CHECK (kind IN ('sent', 'opened', 'clicked', 'form', 'responded')),
    channel      text        NOT NULL DEFAULT '',
    at           timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, gen, event_id)
);

ALTER TABLE rm_touches ENABLE ROW LEVEL SECURITY;
ALTER TABLE rm_touches FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON rm_touches
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- Cases as their newest event left them.
CREATE TABLE rm_cases (
    tenant_id    uuid        NOT NULL,
    gen          integer     NOT NULL,
    id           uuid        NOT NULL,
    number       bigint      NOT NULL DEFAULT 0,
    channel      text        NOT NULL DEFAULT '',
    queue_id     text        NOT NULL DEFAULT '',
    priority     text        NOT NULL DEFAULT '',
    type         text        NOT NULL DEFAULT '',
    status       text        NOT NULL,
    assignee_id  text        NOT NULL DEFAULT '',
    contact_id   uuid,
    account_id   uuid,
    created_at   timestamptz NOT NULL,
    solved_at    timestamptz,
    closed_at    timestamptz,
    merged_into  uuid,
    deleted      boolean     NOT NULL DEFAULT false,
    version      bigint      NOT NULL,
    PRIMARY KEY (tenant_id, gen, id)
);

ALTER TABLE rm_cases ENABLE ROW LEVEL SECURITY;
ALTER TABLE rm_cases FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON rm_cases
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- A case's first public reply by an agent (case_entry.created, authorType
-- agent, public), the earliest seen.
CREATE TABLE rm_case_responses (
    tenant_id    uuid        NOT NULL,
    gen               integer     NOT NULL,
    case_id           uuid        NOT NULL,
    first_response_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, gen, case_id)
);

ALTER TABLE rm_case_responses ENABLE ROW LEVEL SECURITY;
ALTER TABLE rm_case_responses FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON rm_case_responses
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- SLA breaches (case.sla_breached) per case and target (first_response,
-- next_response, resolution).
CREATE TABLE rm_case_breaches (
    tenant_id    uuid        NOT NULL,
    gen          integer     NOT NULL,
    case_id      uuid        NOT NULL,
    target       text        NOT NULL,
    due_at       timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, gen, case_id, target)
);

ALTER TABLE rm_case_breaches ENABLE ROW LEVEL SECURITY;
ALTER TABLE rm_case_breaches FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON rm_case_breaches
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- Answered surveys (survey.answered): CSAT 1-5, NPS 0-10.
CREATE TABLE rm_surveys (
    tenant_id    uuid        NOT NULL,
    gen          integer     NOT NULL,
    id           uuid        NOT NULL,
    kind         text        NOT NULL CHECK (kind IN ('csat', 'nps')),
    score        integer     NOT NULL,
    case_id      uuid,
    queue_id     text        NOT NULL DEFAULT '',
    agent_id     text        NOT NULL DEFAULT '',
    contact_id   uuid,
    answered_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, gen, id)
);

ALTER TABLE rm_surveys ENABLE ROW LEVEL SECURITY;
ALTER TABLE rm_surveys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON rm_surveys
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

CREATE INDEX rm_opportunities_created ON rm_opportunities (tenant_id, gen, created_at);
CREATE INDEX rm_opportunities_closed ON rm_opportunities (tenant_id, gen, closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX rm_opportunities_account ON rm_opportunities (tenant_id, gen, account_id);
CREATE INDEX rm_leads_created ON rm_leads (tenant_id, gen, created_at);
CREATE INDEX rm_leads_opportunity ON rm_leads (tenant_id, gen, opportunity_id) WHERE opportunity_id IS NOT NULL;
CREATE INDEX rm_stage_moves_opportunity ON rm_stage_moves (tenant_id, gen, opportunity_id, at);
CREATE INDEX rm_contact_stages_at ON rm_contact_stages (tenant_id, gen, at);
CREATE INDEX rm_activities_occurred ON rm_activities (tenant_id, gen, occurred_at);
CREATE INDEX rm_touches_contact ON rm_touches (tenant_id, gen, contact_id, at);
CREATE INDEX rm_cases_created ON rm_cases (tenant_id, gen, created_at);
CREATE INDEX rm_surveys_answered ON rm_surveys (tenant_id, gen, answered_at);

-- rm_tenants lists the tenants whose events the read models hold (any
-- generation): the jobs that work per tenant (predictions, retired
-- generations' clean-up) start from it, RLS hiding every row otherwise.
-- +goose StatementBegin
CREATE FUNCTION rm_tenants() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT DISTINCT tenant_id FROM public.rm_freshness
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION rm_tenants();
DROP TABLE rm_surveys;
DROP TABLE rm_case_breaches;
DROP TABLE rm_case_responses;
DROP TABLE rm_cases;
DROP TABLE rm_touches;
DROP TABLE rm_campaigns;
DROP TABLE rm_forecasts;
DROP TABLE rm_stages;
DROP TABLE rm_stage_moves;
DROP TABLE rm_opportunities;
DROP TABLE rm_leads;
DROP TABLE rm_activities;
DROP TABLE rm_accounts;
DROP TABLE rm_merges;
DROP TABLE rm_contact_stages;
DROP TABLE rm_contacts;
DROP TABLE rm_freshness;
DROP TABLE rm_generations;
