-- +goose Up
-- SLA (package sla): the tenant's business-hours calendars, its SLA
-- policies (chosen by conditions, in position order), and the clocks of
-- each case, one per target.

-- definition is the calendar as the API holds it (sla.Definition: time
-- zone, weekly hours, holidays, adjusted workdays, 24/7).
CREATE TABLE business_calendars (
    tenant_id  uuid        NOT NULL,
    id         uuid        NOT NULL,
    name       text        NOT NULL,
    definition jsonb       NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version    bigint      NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX business_calendars_name ON business_calendars (tenant_id, lower(name));

-- conditions, targets and escalations are the policy as the API holds
-- them (sla.Policy); a case gets the first active policy, by position,
-- whose conditions it meets.
CREATE TABLE sla_policies (
    tenant_id    uuid        NOT NULL,
    id           uuid        NOT NULL,
    name         text        NOT NULL,
    position     integer     NOT NULL,
    active       boolean     NOT NULL,
    calendar_id  uuid        NOT NULL,
    conditions   jsonb       NOT NULL,
    targets      jsonb       NOT NULL,
    warn_before_minutes integer NOT NULL,
    escalations  jsonb       NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    version      bigint      NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, calendar_id) REFERENCES business_calendars (tenant_id, id)
);
CREATE UNIQUE INDEX sla_policies_name ON sla_policies (tenant_id, lower(name));
CREATE INDEX sla_policies_order ON sla_policies (tenant_id, position, created_at, id);
CREATE INDEX sla_policies_calendar ON sla_policies (tenant_id, calendar_id);

-- A case's clock of one target (first_response, next_response,
-- resolution): minutes of business time from started_at on its policy's
-- calendar, not counting pauses (a JSON array of {from, to}, the last one
-- open while paused). due_at is when it runs out (NULL while paused),
-- warn_at when its warning is due; next_at is when the sweep has work on
-- it (the warning, then the breach; NULL when none is left). A clock runs
-- until met_at or stopped_at; history is what happened to it, in order.
CREATE TABLE case_clocks (
    tenant_id   uuid        NOT NULL,
    case_id     uuid        NOT NULL,
    target      text        NOT NULL,
    policy_id   uuid        NOT NULL,
    minutes     integer     NOT NULL,
    started_at  timestamptz NOT NULL,
    pauses      jsonb       NOT NULL DEFAULT '[]',
    due_at      timestamptz,
    warn_at     timestamptz,
    next_at     timestamptz,
    met_at      timestamptz,
    stopped_at  timestamptz,
    warned_at   timestamptz,
    breached_at timestamptz,
    history     jsonb       NOT NULL DEFAULT '[]',
    PRIMARY KEY (tenant_id, case_id, target),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id) ON DELETE CASCADE
);
-- The sweep's work of every tenant, oldest first, and each tenant's claim.
CREATE INDEX case_clocks_next ON case_clocks (next_at, tenant_id) WHERE next_at IS NOT NULL;
CREATE INDEX case_clocks_next_tenant ON case_clocks (tenant_id, next_at) WHERE next_at IS NOT NULL;
-- The running clocks of a policy: what its edit (or its calendar's)
-- recomputes.
CREATE INDEX case_clocks_policy ON case_clocks (tenant_id, policy_id, case_id, target) WHERE met_at IS NULL AND stopped_at IS NULL;

ALTER TABLE business_calendars ENABLE ROW LEVEL SECURITY;
ALTER TABLE business_calendars FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON business_calendars
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE sla_policies ENABLE ROW LEVEL SECURITY;
ALTER TABLE sla_policies FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sla_policies
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE case_clocks ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_clocks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON case_clocks
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
-- The owner (the role migrating) reads every tenant's clocks:
-- due_clock_tenants runs as the owner to find the work of all.
-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE format('CREATE POLICY owner_lists ON case_clocks FOR SELECT TO %I USING (true)', current_user);
END $$;
-- +goose StatementEnd

-- due_clock_tenants lists up to max tenants having clocks whose warning or
-- breach is due, the oldest first: only their ids, for the sweep to claim
-- each one's in a transaction of that tenant.
-- +goose StatementBegin
CREATE FUNCTION due_clock_tenants(max int) RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT c.tenant_id FROM public.case_clocks c WHERE c.next_at <= now()
    GROUP BY c.tenant_id ORDER BY min(c.next_at) LIMIT max
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION due_clock_tenants(int);
DROP TABLE case_clocks;
DROP TABLE sla_policies;
DROP TABLE business_calendars;
