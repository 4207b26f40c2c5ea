-- +goose Up
-- The customer timeline (issue 14 point 4) merges, newest first, a
-- record's activities (the activities table, 0015), its own changes and what
-- other services' events say about it. This table holds the last two, one
-- row per record an entry is about:
--
--   - a change of a contact or an account (type 'record.updated' with the
--     changed fields, 'record.deleted', 'record.restored', 'record.merged'
--     naming the record merged into it), written with the change's event in
--     its transaction by the service's publish path (internal/pgstore); its
--     id is the event's. A creation has no row: the record's created_at is
--     that entry.
--   - an event of sales, support or marketing naming a contact or an
--     account of the tenant (type '<context>.<entity>.<verb>', such as
--     'sales.opportunity.won'), written by the timeline's consumer with its
--     summary; its id is the event's, and an event naming a contact and an
--     account has a row for each.
--
-- A timeline reads its record's rows newest first by the primary key, and
-- those of every record merged into it the same way.
CREATE TABLE timeline_entries (
    tenant_id uuid        NOT NULL,
    record_id uuid        NOT NULL,
    at        timestamptz NOT NULL,
    id        uuid        NOT NULL,
    entity    text        NOT NULL CHECK (entity IN ('contact', 'account')),
    type      text        NOT NULL,
    actor     text        NOT NULL DEFAULT '',
    summary   text        NOT NULL DEFAULT '',
    details   jsonb       NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, record_id, at, id)
);
ALTER TABLE timeline_entries ENABLE ROW LEVEL SECURITY;
ALTER TABLE timeline_entries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON timeline_entries
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- The accounts merged into an account: an account's timeline walks them
-- from the winner down, by equality on merged_into, as a contact's (and its
-- consent history) walks contacts by contacts_merged_into (0004).
CREATE INDEX accounts_merged_into ON accounts (tenant_id, merged_into) WHERE merged_into IS NOT NULL;

-- +goose Down
DROP INDEX accounts_merged_into;
DROP TABLE timeline_entries;
