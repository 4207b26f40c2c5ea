-- +goose Up
-- Journeys (package journeys): a trigger, a graph of steps (the first is
-- where an enrolment starts), the re-entry rule, the goal and the status
-- (draft, active: enrols and advances; paused: neither; archived: its
-- enrolments exited). trigger, steps, re_entry and goal are the API's
-- JSON as validated by the service.
CREATE TABLE journeys (
    tenant_id   uuid        NOT NULL,
    id          uuid        NOT NULL,
    name        text        NOT NULL,
    campaign_id uuid,
    status      text        NOT NULL CHECK (status IN ('draft', 'active', 'paused', 'archived')),
    trigger     jsonb       NOT NULL,
    steps       jsonb       NOT NULL,
    re_entry    jsonb       NOT NULL,
    goal        jsonb,
    created_by  text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    version     bigint      NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE INDEX journeys_active ON journeys (tenant_id, (trigger->>'type')) WHERE status = 'active';

ALTER TABLE journeys ENABLE ROW LEVEL SECURITY;
ALTER TABLE journeys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON journeys
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- A contact's pass through a journey: round is its nth entry (1 first),
-- step_id the step it runs next at next_run_at, status active, completed
-- (past its last step), exited (an exit step, or the journey archived or
-- its step removed) or converted (the goal reached); history is every
-- step it ran ({stepId, type, outcome, at}). At most one active enrolment
-- per journey and contact.
CREATE TABLE journey_enrolments (
    tenant_id   uuid        NOT NULL,
    id          uuid        NOT NULL,
    journey_id  uuid        NOT NULL,
    contact_id  uuid        NOT NULL,
    round       integer     NOT NULL CHECK (round > 0),
    status      text        NOT NULL CHECK (status IN ('active', 'completed', 'exited', 'converted')),
    step_id     text        NOT NULL DEFAULT '',
    next_run_at timestamptz,
    history     jsonb       NOT NULL DEFAULT '[]',
    entered_at  timestamptz NOT NULL,
    ended_at    timestamptz,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, journey_id, contact_id, round)
);

CREATE UNIQUE INDEX journey_enrolments_one_active ON journey_enrolments (tenant_id, journey_id, contact_id) WHERE status = 'active';
CREATE INDEX journey_enrolments_due ON journey_enrolments (tenant_id, next_run_at) WHERE status = 'active';
CREATE INDEX journey_enrolments_contact ON journey_enrolments (tenant_id, contact_id) WHERE status = 'active';

ALTER TABLE journey_enrolments ENABLE ROW LEVEL SECURITY;
ALTER TABLE journey_enrolments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON journey_enrolments
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- journeys_tenants_due lists up to max tenants with active enrolments of
-- active journeys due at now: only their ids, for the journeys job to
-- advance each one's in a transaction of that tenant.
-- +goose StatementBegin
CREATE FUNCTION journeys_tenants_due(max int) RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT e.tenant_id FROM public.journey_enrolments e
    JOIN public.journeys j ON j.tenant_id = e.tenant_id AND j.id = e.journey_id AND j.status = 'active'
    WHERE e.status = 'active' AND e.next_run_at <= now()
    GROUP BY e.tenant_id ORDER BY min(e.next_run_at) LIMIT max
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION journeys_tenants_due(int);
DROP TABLE journey_enrolments;
DROP TABLE journeys;
