-- +goose Up
-- Surveys (package surveys): a tenant's settings of its CSAT and NPS
-- surveys, one row per tenant (none: the defaults, surveys off).
-- nps_last_run_at is when the NPS job last sent the tenant's surveys: the
-- next period starts there.
CREATE TABLE survey_settings (
    tenant_id          uuid        NOT NULL,
    csat_enabled       boolean     NOT NULL,
    csat_delay_minutes int         NOT NULL,
    expiry_days        int         NOT NULL,
    low_threshold      int         NOT NULL,
    low_action         text        NOT NULL,
    nps_enabled        boolean     NOT NULL,
    nps_every_days     int         NOT NULL,
    portal_slug        text        NOT NULL DEFAULT '',
    nps_last_run_at    timestamptz,
    updated_at         timestamptz NOT NULL,
    updated_by         text        NOT NULL,
    PRIMARY KEY (tenant_id)
);

-- The surveys sent or to send: a CSAT survey per solved case (case_id,
-- with its number, subject, assignee and queue when it was solved), an NPS
-- survey per address and period (period_start). A survey is pending until
-- send_after, sent, then answered once (score, comment). low says the
-- answer's score is low (the tenant's threshold).
CREATE TABLE surveys (
    tenant_id    uuid        NOT NULL,
    id           uuid        NOT NULL,
    kind         text        NOT NULL,
    case_id      uuid,
    case_number  bigint,
    subject      text        NOT NULL DEFAULT '',
    agent_id     text        NOT NULL DEFAULT '',
    queue_id     text        NOT NULL DEFAULT '',
    address      text        NOT NULL,
    name         text        NOT NULL DEFAULT '',
    period_start timestamptz,
    status       text        NOT NULL,
    send_after   timestamptz NOT NULL,
    sent_at      timestamptz,
    expires_at   timestamptz,
    score        int,
    comment      text        NOT NULL DEFAULT '',
    low          boolean     NOT NULL DEFAULT false,
    answered_at  timestamptz,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
-- One CSAT survey per case (a redelivered case.status_changed adds none),
-- one NPS survey per address and period.
CREATE UNIQUE INDEX surveys_csat_case ON surveys (tenant_id, case_id) WHERE kind = 'csat';
CREATE UNIQUE INDEX surveys_nps_address ON surveys (tenant_id, lower(address), period_start) WHERE kind = 'nps';
-- The sending job's: pending surveys by when they are due.
CREATE INDEX surveys_pending ON surveys (tenant_id, send_after) WHERE status = 'pending';
-- The results' and the list's.
CREATE INDEX surveys_kind_sent ON surveys (tenant_id, kind, sent_at);
CREATE INDEX surveys_created ON surveys (tenant_id, created_at DESC, id DESC);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['survey_settings', 'surveys'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
            WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)$p$, t);
        -- The owner (the role migrating) reads every tenant's rows: the
        -- functions below run as the owner to find the jobs' work.
        EXECUTE format('CREATE POLICY owner_lists ON %I FOR SELECT TO %I USING (true)', t, current_user);
    END LOOP;
END $$;
-- +goose StatementEnd

-- survey_tenants_due lists up to max tenants having pending surveys due:
-- only their ids, for the sending job to work each one's in a transaction
-- of that tenant.
-- +goose StatementBegin
CREATE FUNCTION survey_tenants_due(max int) RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT s.tenant_id FROM public.surveys s
    WHERE s.status = 'pending' AND s.send_after <= now()
    GROUP BY s.tenant_id ORDER BY min(s.send_after) LIMIT max
$$;
-- +goose StatementEnd

-- nps_tenants_due lists up to max tenants whose NPS surveys are due: NPS
-- on, and never sent or last sent at least its period ago.
-- +goose StatementBegin
CREATE FUNCTION nps_tenants_due(max int) RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT s.tenant_id FROM public.survey_settings s
    WHERE s.nps_enabled AND (s.nps_last_run_at IS NULL OR s.nps_last_run_at + make_interval(days => s.nps_every_days) <= now())
    ORDER BY s.nps_last_run_at NULLS FIRST LIMIT max
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION nps_tenants_due(int);
DROP FUNCTION survey_tenants_due(int);
DROP TABLE surveys;
DROP TABLE survey_settings;
