-- +goose Up
-- Activities (issue 14 point 1): calls, logged emails, meetings, notes and
-- tasks, each linked to a contact and/or an account and to records of other
-- services. The columns a query selects or sorts on are columns; what only
-- the activity's body shows (a call's numbers and outcome, an email's
-- recipients, a meeting's attendees) is the type's object in details.
--
-- occurred_at is when the activity happened or is due: a call's start, an
-- email's sending, a meeting's start, a task's due time (else its creation),
-- a note's time. Timelines page a contact's or an account's activities
-- newest first by it (activities_contact, activities_account), calendars
-- an assignee's or a team's by it and ends_at (a meeting's end; meetings
-- last at most 31 days, so a range query reads a bounded slice of the index).
--
-- contact_id and account_id have no foreign keys: records are never deleted
-- (a delete is soft, a merge leaves a tombstone), the service checks they
-- exist when it writes them, and a key would lock the record FOR KEY SHARE on
-- every activity written (migration 0008 says what that cost match keys).
CREATE TABLE activities (
    tenant_id    uuid        NOT NULL,
    id           uuid        NOT NULL,
    type         text        NOT NULL CHECK (type IN ('call', 'email', 'meeting', 'note', 'task')),
    subject      text        NOT NULL DEFAULT '',
    body         text        NOT NULL DEFAULT '',
    contact_id   uuid,
    account_id   uuid,
    related      jsonb       NOT NULL DEFAULT '[]',
    assignee_id  text        NOT NULL,
    team_id      text        NOT NULL DEFAULT '',
    occurred_at  timestamptz NOT NULL,
    ends_at      timestamptz,
    reminder_at  timestamptz,
    details      jsonb       NOT NULL DEFAULT '{}',
    -- tasks
    status       text        NOT NULL DEFAULT '' CHECK (status IN ('', 'open', 'completed')),
    priority     text        NOT NULL DEFAULT '',
    due_at       timestamptz,
    completed_at timestamptz,
    recurrence   jsonb,
    series_id    uuid,
    occurrence   int,
    -- calls: the telephony system's id of the call
    external_id  text,
    created_by   text        NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    version      bigint      NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX activities_occurred ON activities (tenant_id, occurred_at, id);
CREATE INDEX activities_contact ON activities (tenant_id, contact_id, occurred_at, id) WHERE contact_id IS NOT NULL;
CREATE INDEX activities_account ON activities (tenant_id, account_id, occurred_at, id) WHERE account_id IS NOT NULL;
CREATE INDEX activities_assignee ON activities (tenant_id, assignee_id, occurred_at, id);
CREATE INDEX activities_team ON activities (tenant_id, team_id, occurred_at, id) WHERE team_id <> '';
-- Open tasks by assignee and due time: "my open tasks" and "overdue".
CREATE INDEX activities_open_tasks ON activities (tenant_id, assignee_id, due_at, id) WHERE status = 'open';
CREATE INDEX activities_open_tasks_team ON activities (tenant_id, team_id, due_at, id) WHERE status = 'open';
-- A call is logged once per external id; a recurring task's series has one
-- task per occurrence, so completing it twice cannot make two next ones.
CREATE UNIQUE INDEX activities_external_id ON activities (tenant_id, external_id) WHERE external_id IS NOT NULL;
CREATE UNIQUE INDEX activities_series ON activities (tenant_id, series_id, occurrence) WHERE series_id IS NOT NULL;

-- What an activity names, for lookups by equality (which, unlike jsonb
-- containment, an index serves under row-level security): kind 'contact'
-- (its contact and its meeting attendees' contacts), 'email' (lower-cased
-- addresses of an email's sender and recipients and of attendees), 'phone'
-- (E.164 numbers of a call) and 'ref' (a record of another service,
-- "<service>/<type>/<id>"). Personal-data export and erasure find the
-- activities naming a person here; lists filter by related record here. The
-- store writes a row's keys with the row.
CREATE TABLE activity_keys (
    tenant_id   uuid NOT NULL,
    kind        text NOT NULL,
    value       text NOT NULL,
    activity_id uuid NOT NULL,
    PRIMARY KEY (tenant_id, kind, value, activity_id),
    FOREIGN KEY (tenant_id, activity_id) REFERENCES activities (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX activity_keys_activity ON activity_keys (tenant_id, activity_id);

-- Accounts, like contacts (0002), know when their latest activity happened.
ALTER TABLE accounts ADD COLUMN last_activity_at timestamptz;
CREATE INDEX accounts_last_activity ON accounts (tenant_id, last_activity_at, id);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['activities', 'activity_keys'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
            WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)$p$, t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP INDEX accounts_last_activity;
ALTER TABLE accounts DROP COLUMN last_activity_at;
DROP TABLE activity_keys, activities;
