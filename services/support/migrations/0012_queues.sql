-- +goose Up
-- Queues (package queues): a tenant's support queues with their members
-- (user id, skills, capacity in open cases), the skills a member needs,
-- how cases are assigned in them (least_loaded, round_robin, manual) and
-- their default priority. rr_cursor is the round-robin's last pick, kept
-- here so every replica continues from it; a queue's row is locked
-- (SELECT … FOR UPDATE) while a case of it is assigned.
CREATE TABLE support_queues (
    tenant_id        uuid        NOT NULL,
    id               uuid        NOT NULL,
    name             text        NOT NULL,
    description      text        NOT NULL DEFAULT '',
    members          jsonb       NOT NULL DEFAULT '[]',
    required_skills  text[]      NOT NULL DEFAULT '{}',
    assignment_mode  text        NOT NULL,
    default_priority text        NOT NULL DEFAULT '',
    rr_cursor        text        NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    version          bigint      NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX support_queues_name ON support_queues (tenant_id, lower(name));

-- Routing rules: in order (position, then age), the first whose condition
-- (the shared filter language over a case's fields) a new case without a
-- queue meets puts it in its queue.
CREATE TABLE routing_rules (
    tenant_id  uuid        NOT NULL,
    id         uuid        NOT NULL,
    name       text        NOT NULL,
    position   integer     NOT NULL,
    active     boolean     NOT NULL DEFAULT true,
    condition  jsonb,
    queue_id   uuid        NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version    bigint      NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, queue_id) REFERENCES support_queues (tenant_id, id)
);
CREATE INDEX routing_rules_order ON routing_rules (tenant_id, position, created_at, id);
CREATE INDEX routing_rules_queue ON routing_rules (tenant_id, queue_id);

-- Agents' presence: online, away or offline (no row: offline). Only online
-- agents are assigned cases; a queue's assignment locks its candidates'
-- rows, in user id order, before counting their open cases.
CREATE TABLE agent_presence (
    tenant_id  uuid        NOT NULL,
    user_id    text        NOT NULL,
    status     text        NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);

ALTER TABLE support_queues ENABLE ROW LEVEL SECURITY;
ALTER TABLE support_queues FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON support_queues
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE routing_rules ENABLE ROW LEVEL SECURITY;
ALTER TABLE routing_rules FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON routing_rules
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE agent_presence ENABLE ROW LEVEL SECURITY;
ALTER TABLE agent_presence FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON agent_presence
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP TABLE agent_presence;
DROP TABLE routing_rules;
DROP TABLE support_queues;
