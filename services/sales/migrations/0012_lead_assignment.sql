-- +goose Up
-- Lead assignment rules (package leads, issue 15 point 2): each tenant's
-- ordered list. condition is a libs/filter filter over the lead's fields
-- (NULL: every lead); target is the user, or the team with its members,
-- strategy, cap and working hours, as the API gives it (validated by the
-- service). Rules are read in (position, id) order; a reorder rewrites the
-- positions.
CREATE TABLE lead_assignment_rules (
    tenant_id           uuid        NOT NULL,
    id                  uuid        NOT NULL,
    name                text        NOT NULL,
    position            int         NOT NULL,
    active              boolean     NOT NULL DEFAULT true,
    condition           jsonb,
    target              jsonb       NOT NULL,
    first_touch_minutes int CHECK (first_touch_minutes > 0),
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    version             bigint      NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX lead_assignment_rules_order ON lead_assignment_rules (tenant_id, position, id);

-- The rotation of each rule, the one row an assignment through the rule
-- locks (SELECT … FOR UPDATE): the member last given a lead and how many
-- leads the rule has assigned. Kept apart from the rule so that assigning
-- does not change the rule's version, and so that every replica and every
-- restart continues the same rotation.
CREATE TABLE lead_assignment_state (
    tenant_id    uuid   NOT NULL,
    rule_id      uuid   NOT NULL,
    last_user_id text   NOT NULL DEFAULT '',
    assigned     bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, rule_id),
    FOREIGN KEY (tenant_id, rule_id) REFERENCES lead_assignment_rules (tenant_id, id) ON DELETE CASCADE
);

-- A person's open leads (new, working, nurturing, qualified; live),
-- counted for the cap and for least loaded.
CREATE INDEX leads_open_owner ON leads (tenant_id, owner_id)
    WHERE status IN ('new', 'working', 'nurturing', 'qualified') AND deleted_at IS NULL;

ALTER TABLE lead_assignment_rules ENABLE ROW LEVEL SECURITY;
ALTER TABLE lead_assignment_rules FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON lead_assignment_rules
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE lead_assignment_state ENABLE ROW LEVEL SECURITY;
ALTER TABLE lead_assignment_state FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON lead_assignment_state
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- +goose Down
DROP INDEX leads_open_owner;
DROP TABLE lead_assignment_state;
DROP TABLE lead_assignment_rules;
