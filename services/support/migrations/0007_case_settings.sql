-- +goose Up
-- A tenant's settings of cases (package cases): the days a solved case
-- may be reopened by a reply, and the days after which a solved case is
-- closed by the auto-close job. No row: the defaults (7 and 3).
CREATE TABLE case_settings (
    tenant_id       uuid        NOT NULL,
    reopen_days     int         NOT NULL,
    auto_close_days int         NOT NULL,
    updated_at      timestamptz NOT NULL,
    updated_by      text        NOT NULL,
    PRIMARY KEY (tenant_id)
);

ALTER TABLE case_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON case_settings
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- The owner (the role migrating) reads every tenant's solved cases and
-- settings: solved_case_tenants runs as the owner to find the work of all.
-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE format('CREATE POLICY owner_lists ON cases FOR SELECT TO %I USING (true)', current_user);
    EXECUTE format('CREATE POLICY owner_lists ON case_settings FOR SELECT TO %I USING (true)', current_user);
END $$;
-- +goose StatementEnd

-- solved_case_tenants lists up to max tenants having solved cases due to
-- be closed (solved longer ago than their auto_close_days, 3 by default):
-- only their ids, for the job to close each one's in a transaction of
-- that tenant.
-- +goose StatementBegin
CREATE FUNCTION solved_case_tenants(max int) RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT c.tenant_id FROM public.cases c LEFT JOIN public.case_settings s ON s.tenant_id = c.tenant_id
    WHERE c.status = 'solved' AND c.deleted_at IS NULL
        AND c.solved_at <= now() - make_interval(days => coalesce(s.auto_close_days, 3))
    GROUP BY c.tenant_id ORDER BY min(c.solved_at) LIMIT max
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION solved_case_tenants(int);
DROP POLICY owner_lists ON case_settings;
DROP POLICY owner_lists ON cases;
DROP TABLE case_settings;
