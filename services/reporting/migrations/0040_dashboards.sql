-- +goose Up
-- Saved dashboards (package dashboards): widgets, each a report with its
-- query parameters drawn as a chart on a grid, owned by a user and shared
-- with roles. The built-in dashboards live in the code, not here.
CREATE TABLE dashboards (
    tenant_id    uuid        NOT NULL,
    id           uuid        NOT NULL,
    name         text        NOT NULL,
    description  text        NOT NULL DEFAULT '',
    widgets      jsonb       NOT NULL DEFAULT '[]',
    shared_roles text[]      NOT NULL DEFAULT '{}',
    owner_id     text        NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    version      bigint      NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE INDEX dashboards_owner ON dashboards (tenant_id, owner_id, id);

ALTER TABLE dashboards ENABLE ROW LEVEL SECURITY;
ALTER TABLE dashboards FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON dashboards
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- Report schedules: a dashboard (a saved one's id or a built-in one's
-- name) or one report with its parameters, mailed as XLSX or CSV to the
-- recipients daily, weekly or monthly, run as the principal of its owner
-- (run_as: user id, roles, teams, permissions, record scope) stored when
-- the owner saved it. The delivery job claims a due row FOR UPDATE SKIP
-- LOCKED and moves next_run_at on in the same transaction, so each due
-- time is mailed at most once.
CREATE TABLE report_schedules (
    tenant_id    uuid        NOT NULL,
    id           uuid        NOT NULL,
    name         text        NOT NULL,
    dashboard_id text,
    report       text,
    params       jsonb       NOT NULL DEFAULT '{}',
    format       text        NOT NULL CHECK (format IN ('xlsx', 'csv')),
    language     text        NOT NULL DEFAULT 'en',
    frequency    text        NOT NULL CHECK (frequency IN ('daily', 'weekly', 'monthly')),
    hour         integer     NOT NULL CHECK (hour BETWEEN 0 AND 23),
    weekday      text        NOT NULL DEFAULT '',
    day_of_month integer     NOT NULL DEFAULT 0,
    recipients   text[]      NOT NULL,
    owner_id     text        NOT NULL,
    run_as       jsonb       NOT NULL,
    next_run_at  timestamptz NOT NULL,
    last_run_at  timestamptz,
    last_error   text        NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    version      bigint      NOT NULL,
    PRIMARY KEY (tenant_id, id),
    CHECK ((dashboard_id IS NULL) <> (report IS NULL))
);

CREATE INDEX report_schedules_due ON report_schedules (next_run_at, tenant_id);
CREATE INDEX report_schedules_owner ON report_schedules (tenant_id, owner_id, id);
CREATE INDEX report_schedules_dashboard ON report_schedules (tenant_id, dashboard_id) WHERE dashboard_id IS NOT NULL;

ALTER TABLE report_schedules ENABLE ROW LEVEL SECURITY;
ALTER TABLE report_schedules FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON report_schedules
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- reporting_schedules_tenants_due lists up to max tenants with report
-- schedules due, the longest overdue first. Only their ids, for the
-- delivery job to claim each one's schedules in a transaction of that
-- tenant.
-- +goose StatementBegin
CREATE FUNCTION reporting_schedules_tenants_due(max int) RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT s.tenant_id FROM public.report_schedules s
    WHERE s.next_run_at <= now()
    GROUP BY s.tenant_id ORDER BY min(s.next_run_at) LIMIT max
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION reporting_schedules_tenants_due(int);
DROP TABLE report_schedules;
DROP TABLE dashboards;
