-- +goose Up
-- Rebuilds of the read models (package ingest, POST /admin/v1/rebuild): a
-- building generation is run by one instance at a time, the one whose
-- runner id it holds, which beats heartbeat_at while it replays; a
-- heartbeat older than the stale bound (the instance gone) lets another
-- instance claim it and start again from scratch (runs counts the
-- starts). applied and progress (per source topic: position and target
-- offsets) are the running replay's, for GET /admin/v1/rebuild.
-- cleaned_at: when a retired generation's rows were deleted.
ALTER TABLE rm_generations
    ADD COLUMN requested_by text        NOT NULL DEFAULT '',
    ADD COLUMN runner       uuid,
    ADD COLUMN heartbeat_at timestamptz,
    ADD COLUMN runs         integer     NOT NULL DEFAULT 0,
    ADD COLUMN applied      bigint      NOT NULL DEFAULT 0,
    ADD COLUMN progress     jsonb       NOT NULL DEFAULT '[]',
    ADD COLUMN cleaned_at   timestamptz;

-- At most one generation of a tenant builds, and at most one is active.
CREATE UNIQUE INDEX rm_generations_one_building ON rm_generations (tenant_id) WHERE state = 'building';
CREATE UNIQUE INDEX rm_generations_one_active ON rm_generations (tenant_id) WHERE state = 'active';

-- rm_rebuilds_due lists the building generations no instance runs: never
-- claimed, released, or with a heartbeat older than stale. The rebuilder
-- of every instance starts from it, RLS hiding other tenants' rows.
-- +goose StatementBegin
CREATE FUNCTION rm_rebuilds_due(stale interval) RETURNS TABLE (tenant_id uuid, gen integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT g.tenant_id, g.gen FROM public.rm_generations g
    WHERE g.state = 'building' AND (g.heartbeat_at IS NULL OR g.heartbeat_at < now() - stale)
$$;
-- +goose StatementEnd

-- rm_retired_due lists the retired generations whose rows are still to be
-- deleted, retired more than grace ago (a live consumer's transaction that
-- read the generations before the switch has ended by then).
-- +goose StatementBegin
CREATE FUNCTION rm_retired_due(grace interval) RETURNS TABLE (tenant_id uuid, gen integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT g.tenant_id, g.gen FROM public.rm_generations g
    WHERE g.state = 'retired' AND g.cleaned_at IS NULL AND g.switched_at < now() - grace
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION rm_retired_due(interval);
DROP FUNCTION rm_rebuilds_due(interval);
DROP INDEX rm_generations_one_active;
DROP INDEX rm_generations_one_building;
ALTER TABLE rm_generations
    DROP COLUMN requested_by, DROP COLUMN runner, DROP COLUMN heartbeat_at, DROP COLUMN runs,
    DROP COLUMN applied, DROP COLUMN progress, DROP COLUMN cleaned_at;
