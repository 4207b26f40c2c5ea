-- +goose Up
-- The marketing facts the audience keeps on each contact (package
-- audience), from the service's own events: its last open, click and form
-- submission, and the campaigns it is in (campaign_ids: a send's or a
-- membership's campaign). Dynamic segments filter on them like on the
-- contact's fields.
ALTER TABLE audience_contacts
    ADD COLUMN last_opened_at    timestamptz,
    ADD COLUMN last_clicked_at   timestamptz,
    ADD COLUMN last_submitted_at timestamptz,
    ADD COLUMN campaign_ids      uuid[] NOT NULL DEFAULT '{}';

-- A contact the projection no longer holds: deleted at version (an event
-- of an earlier or equal version changes nothing; contact.restored, later,
-- brings it back), or retired for good (erased, or merged into another),
-- so that no event delivered late brings its data back.
CREATE TABLE audience_tombstones (
    tenant_id uuid    NOT NULL,
    id        uuid    NOT NULL,
    version   bigint  NOT NULL,
    retired   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (tenant_id, id)
);

-- A rebuild of the tenant's projection from the beginning of contacts'
-- topic: status running, completed or failed; applied counts the tenant's
-- events read, up to the end offsets the topic had when it started.
CREATE TABLE audience_rebuilds (
    tenant_id    uuid        NOT NULL,
    id           uuid        NOT NULL,
    status       text        NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
    applied      bigint      NOT NULL DEFAULT 0,
    error        text        NOT NULL DEFAULT '',
    requested_by text        NOT NULL DEFAULT '',
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz,
    PRIMARY KEY (tenant_id, id)
);

CREATE UNIQUE INDEX audience_rebuilds_running ON audience_rebuilds (tenant_id) WHERE status = 'running';

-- When a dynamic segment's membership was last computed from scratch: the
-- segments with a time-relative filter are computed again every minute.
ALTER TABLE segments ADD COLUMN evaluated_at timestamptz;

ALTER TABLE audience_tombstones ENABLE ROW LEVEL SECURITY;
ALTER TABLE audience_tombstones FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audience_tombstones
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE audience_rebuilds ENABLE ROW LEVEL SECURITY;
ALTER TABLE audience_rebuilds FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audience_rebuilds
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- The owner (the role migrating) reads every tenant's segments:
-- segments_relative_due runs as the owner to find the periodic job's work.
-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE format('CREATE POLICY owner_lists ON segments FOR SELECT TO %I USING (true)', current_user);
END $$;
-- +goose StatementEnd

-- segments_relative_due lists up to max dynamic segments with a
-- time-relative filter not computed since stale_before, oldest first:
-- only their tenant and id, for the job to compute each in a transaction
-- of its tenant.
-- +goose StatementBegin
CREATE FUNCTION segments_relative_due(stale_before timestamptz, max int) RETURNS TABLE (tenant_id uuid, id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT s.tenant_id, s.id FROM public.segments s
    WHERE s.kind = 'dynamic' AND s.relative AND (s.evaluated_at IS NULL OR s.evaluated_at < stale_before)
    ORDER BY s.evaluated_at NULLS FIRST LIMIT max
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION segments_relative_due(timestamptz, int);
DROP POLICY owner_lists ON segments;
ALTER TABLE segments DROP COLUMN evaluated_at;
DROP TABLE audience_rebuilds;
DROP TABLE audience_tombstones;
ALTER TABLE audience_contacts
    DROP COLUMN campaign_ids,
    DROP COLUMN last_submitted_at,
    DROP COLUMN last_clicked_at,
    DROP COLUMN last_opened_at;
