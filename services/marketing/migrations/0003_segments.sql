-- +goose Up
-- Segments and lists (package audience). kind 'dynamic': filter (the
-- shared filter language, libs/filter, over the audience's fields and
-- marketing facts) decides membership, kept by the service as the
-- projection changes; relative says the filter has a time-relative
-- condition ("within"), which a periodic job re-evaluates. kind 'static':
-- a list whose members are added and removed by hand (filter is null).
-- member_count is the number of current members, kept with them.
CREATE TABLE segments (
    tenant_id    uuid        NOT NULL,
    id           uuid        NOT NULL,
    name         text        NOT NULL,
    description  text        NOT NULL DEFAULT '',
    kind         text        NOT NULL CHECK (kind IN ('dynamic', 'static')),
    filter       jsonb,
    relative     boolean     NOT NULL DEFAULT false,
    member_count bigint      NOT NULL DEFAULT 0,
    created_by   text        NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    version      bigint      NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, id),
    CHECK ((kind = 'dynamic') = (filter IS NOT NULL))
);

CREATE INDEX segments_dynamic ON segments (tenant_id) WHERE kind = 'dynamic';

-- The current members of a dynamic segment or a static list; a send reads
-- its recipients as segment_members JOIN audience_contacts.
CREATE TABLE segment_members (
    tenant_id  uuid        NOT NULL,
    segment_id uuid        NOT NULL,
    contact_id uuid        NOT NULL,
    entered_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, segment_id, contact_id),
    FOREIGN KEY (tenant_id, segment_id) REFERENCES segments (tenant_id, id) ON DELETE CASCADE
);

CREATE INDEX segment_members_contact ON segment_members (tenant_id, contact_id);

-- Every entry into and exit from a segment or list, in order (what
-- segment.entered and segment.left announce): the membership over time.
CREATE TABLE segment_membership_history (
    tenant_id  uuid        NOT NULL,
    id         bigint      GENERATED ALWAYS AS IDENTITY,
    segment_id uuid        NOT NULL,
    contact_id uuid        NOT NULL,
    action     text        NOT NULL CHECK (action IN ('entered', 'left')),
    at         timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, segment_id) REFERENCES segments (tenant_id, id) ON DELETE CASCADE
);

CREATE INDEX segment_membership_history_segment ON segment_membership_history (tenant_id, segment_id, id);

ALTER TABLE segments ENABLE ROW LEVEL SECURITY;
ALTER TABLE segments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON segments
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE segment_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE segment_members FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON segment_members
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE segment_membership_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE segment_membership_history FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON segment_membership_history
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE segment_membership_history;
DROP TABLE segment_members;
DROP TABLE segments;
