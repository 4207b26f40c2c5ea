-- +goose Up
-- Deleting a tag removed its id from every record in the request's
-- transaction: with a million contacts and the tag on 100,000 of them, some
-- 25 s of updates holding those rows, and past the gateway's 30 s a little
-- further on, when the cancelled request rolled the delete back. A deleted
-- tag now leaves the catalogue at once, which is all a read sees (a record
-- shows the names of catalogue tags only, and filters name catalogue tags).
-- Its id is then stripped from the records in short transactions of a few
-- thousand rows (Store.StripDeletedTags), and the tag waits here until that
-- is done: entity and after are how far the stripping has come.
CREATE TABLE deleted_tags (
    tenant_id  uuid        NOT NULL,
    id         uuid        NOT NULL,
    deleted_at timestamptz NOT NULL,
    entity     text        NOT NULL DEFAULT 'contact' CHECK (entity IN ('contact', 'account')),
    after      uuid        NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000',
    PRIMARY KEY (tenant_id, id)
);
ALTER TABLE deleted_tags ENABLE ROW LEVEL SECURITY;
ALTER TABLE deleted_tags FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON deleted_tags
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
-- The owner (the role migrating, not the application's) reads every tenant's
-- rows: pending_tag_deletions runs as the owner to list the work of all.
-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE format('CREATE POLICY owner_lists ON deleted_tags FOR SELECT TO %I USING (true)', current_user);
END $$;
-- +goose StatementEnd

-- pending_tag_deletions lists up to max deleted tags still to strip, of any
-- tenant, oldest first: only their tenant and id, for the stripping to work
-- on in a transaction of that tenant.
-- +goose StatementBegin
CREATE FUNCTION pending_tag_deletions(max int) RETURNS TABLE (tenant_id uuid, id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT d.tenant_id, d.id FROM public.deleted_tags d ORDER BY d.deleted_at, d.id LIMIT max
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION pending_tag_deletions(int);
DROP TABLE deleted_tags;
