-- +goose Up
-- SLA (package sla): the recomputations a calendar or policy edit asks
-- for, one per policy, that the recompute job works through a batch of
-- clocks at a time (after_case, after_target: the last clock done). An
-- edit meanwhile starts its policy's over. No foreign key: a deleted
-- policy's clocks are recomputed too (they stop).
CREATE TABLE sla_recomputes (
    tenant_id    uuid        NOT NULL,
    policy_id    uuid        NOT NULL,
    requested_at timestamptz NOT NULL,
    after_case   uuid        NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000',
    after_target text        NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, policy_id)
);

ALTER TABLE sla_recomputes ENABLE ROW LEVEL SECURITY;
ALTER TABLE sla_recomputes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sla_recomputes
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
-- The owner (the role migrating) reads every tenant's rows:
-- pending_recompute_tenants runs as the owner to find the work of all.
-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE format('CREATE POLICY owner_lists ON sla_recomputes FOR SELECT TO %I USING (true)', current_user);
END $$;
-- +goose StatementEnd

-- pending_recompute_tenants lists up to max tenants with recomputations
-- asked for, the oldest first: only their ids, for the job to take each
-- one's in transactions of that tenant.
-- +goose StatementBegin
CREATE FUNCTION pending_recompute_tenants(max int) RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT r.tenant_id FROM public.sla_recomputes r GROUP BY r.tenant_id ORDER BY min(r.requested_at) LIMIT max
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION pending_recompute_tenants(int);
DROP TABLE sla_recomputes;
