-- +goose Up
-- Cases (package cases): a tenant's customer-service cases. number is
-- gap-free per tenant (libs/numbering);
-- sla_due_at is the nearest running SLA target (package sla writes it),
-- what an agent's queue view sorts by. tag_keys are the tags in lower case
-- (the tag filter); deleted_at marks a case deleted (softly: its number
-- stays taken, its row hidden from reads).
CREATE TABLE cases (
    tenant_id    uuid        NOT NULL,
    id           uuid        NOT NULL,
    number       bigint      NOT NULL,
    subject      text        NOT NULL,
    description  text        NOT NULL DEFAULT '',
    contact_id   uuid,
    account_id   uuid,
    channel      text        NOT NULL,
    type         text        NOT NULL DEFAULT '',
    priority     text        NOT NULL,
    status       text        NOT NULL,
    queue_id     uuid,
    assignee_id  text,
    tags         text[]      NOT NULL DEFAULT '{}',
    tag_keys     text[]      NOT NULL DEFAULT '{}',
    custom_fields jsonb      NOT NULL DEFAULT '{}',
    links        jsonb       NOT NULL DEFAULT '[]',
    language     text        NOT NULL DEFAULT '',
    sla_due_at   timestamptz,
    solved_at    timestamptz,
    closed_at    timestamptz,
    merged_into  uuid,
    created_by   text        NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    version      bigint      NOT NULL DEFAULT 1,
    deleted_at   timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, number)
);

-- The agent's queue view: open cases of queues (or an assignee's), by SLA
-- due (none last), then number, as GET /v1/cases?view=queue sorts them.
CREATE INDEX cases_queue_due ON cases (tenant_id, queue_id, sla_due_at NULLS LAST, number) WHERE status NOT IN ('solved', 'closed');
CREATE INDEX cases_assignee ON cases (tenant_id, assignee_id, sla_due_at NULLS LAST, number) WHERE status NOT IN ('solved', 'closed');
-- The tenant's queue view (view=queue): open cases by SLA due, then number.
CREATE INDEX cases_open_due ON cases (tenant_id, sla_due_at NULLS LAST, number) WHERE status NOT IN ('solved', 'closed');
-- Solved cases by when: the auto-close job's.
CREATE INDEX cases_solved ON cases (tenant_id, solved_at) WHERE status = 'solved';
CREATE INDEX cases_tags ON cases USING gin (tag_keys);
CREATE INDEX cases_contact ON cases (tenant_id, contact_id);
CREATE INDEX cases_account ON cases (tenant_id, account_id);

ALTER TABLE cases ENABLE ROW LEVEL SECURITY;
ALTER TABLE cases FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON cases
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE cases;
